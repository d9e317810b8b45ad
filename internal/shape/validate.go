package shape

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sird-project/sird"
)

// Validate checks a decoded JSON tree (objects map[string]any, arrays []any,
// numbers json.Number, strings, bools, nil) against the named shape and
// returns every violation, in model member order. Paths are relative to v:
// a structure's members are named bare ("title"); a top-level non-structure
// value has the empty path.
func Validate(shapeName string, v any) []sird.FieldError {
	s := shapeIndex[shapeName]
	if s == nil {
		return []sird.FieldError{{Name: "", Message: "unknown shape " + strconv.Quote(shapeName)}}
	}
	var vd validator
	if v == nil {
		vd.failNull()
		return vd.errs
	}
	vd.value(s, v)
	return vd.errs
}

// pathSeg is one step of a member path; index > 0 marks a list element.
type pathSeg struct {
	name  string
	index int
}

// validator walks a tree once, collecting violations. The path is a stack
// rendered to a string only when something fails, so valid input does not
// allocate here.
type validator struct {
	errs  []sird.FieldError
	path  []pathSeg
	limit int // stop collecting after this many errors; 0 means no limit
}

func (v *validator) full() bool { return v.limit > 0 && len(v.errs) >= v.limit }

func (v *validator) push(name string, index int) {
	if v.path == nil {
		v.path = make([]pathSeg, 0, 8)
	}
	v.path = append(v.path, pathSeg{name, index})
}
func (v *validator) pop() { v.path = v.path[:len(v.path)-1] }

func (v *validator) pathString() string {
	var b strings.Builder
	for i, sg := range v.path {
		if i > 0 {
			b.WriteByte('.')
		}
		if sg.index > 0 {
			b.WriteString(strconv.Itoa(sg.index))
		} else {
			b.WriteString(sg.name)
		}
	}
	return b.String()
}

func (v *validator) add(msg string) {
	if v.full() {
		return
	}
	v.errs = append(v.errs, sird.FieldError{Name: v.pathString(), Message: msg})
}

// fail reports a broken constraint in Coral's words. The value itself is
// left out: many members are sensitive.
func (v *validator) fail(constraint string) {
	v.add("Value at '" + v.pathString() + "' failed to satisfy constraint: " + constraint)
}

func (v *validator) failNull() {
	v.add("Value null at '" + v.pathString() + "' failed to satisfy constraint: Member must not be null")
}

// wrongType reports a value of the wrong JSON type. A query parameter that
// did not parse arrives as badQuery and says so instead.
func (v *validator) wrongType(want string, got any) {
	if q, ok := got.(badQuery); ok {
		v.add("Expected " + q.want + " in the query string")
		return
	}
	v.add("Expected a JSON " + want + ", got " + jsonKind(got))
}

func jsonKind(x any) string {
	switch x.(type) {
	case *object, map[string]any:
		return "an object"
	case []any, *[]any:
		return "an array"
	case string, *string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "an unsupported value"
}

// value checks a non-null x against s; null handling is the caller's.
func (v *validator) value(s *Shape, x any) {
	if v.full() {
		return
	}
	switch s.Kind {
	case KindStructure, KindUnion:
		obj, ok := objectOf(x)
		if !ok {
			v.wrongType("object", x)
			return
		}
		v.structure(s, obj)
	case KindList:
		arr, ok := arrOf(x)
		if !ok {
			v.wrongType("array", x)
			return
		}
		v.size(s, len(arr))
		for i, e := range arr {
			v.push("", i+1)
			if e == nil {
				v.failNull() // lists are not sparse
			} else {
				v.value(s.member, e)
			}
			v.pop()
		}
	case KindMap:
		obj, ok := objectOf(x)
		if !ok {
			v.wrongType("object", x)
			return
		}
		v.mapValue(s, obj)
	case KindString:
		str, ok := strOf(x)
		if !ok {
			v.wrongType("string", x)
			return
		}
		v.str(s, str)
	case KindBlob:
		str, ok := strOf(x)
		if !ok {
			v.wrongType("string", x)
			return
		}
		raw, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			v.add("Expected a base64-encoded JSON string")
			return
		}
		v.size(s, len(raw))
	case KindBoolean:
		if _, ok := x.(bool); !ok {
			v.wrongType("boolean", x)
		}
	case KindByte:
		v.integer(s, x, 8)
	case KindShort:
		v.integer(s, x, 16)
	case KindInteger:
		v.integer(s, x, 32)
	case KindLong:
		v.integer(s, x, 64)
	case KindFloat, KindDouble:
		v.float(s, x)
	case KindBigInteger, KindBigDecimal:
		if _, ok := x.(json.Number); !ok {
			v.wrongType("number", x)
		}
	case KindTimestamp:
		v.timestamp(x)
	case KindDocument:
		// Any JSON value.
	}
}

func (v *validator) structure(s *Shape, obj *object) {
	set := 0 // members the model does not have are ignored (forward compatibility)
	for i := range s.Members {
		m := &s.Members[i]
		mv, _ := obj.get(m.Name)
		v.push(m.Name, 0)
		if mv == nil {
			if m.Required {
				v.failNull()
			}
		} else {
			set++
			v.value(m.shape, mv)
		}
		v.pop()
	}
	if s.Kind == KindUnion && set != 1 {
		v.fail("Member must have exactly one member set")
	}
}

func (v *validator) mapValue(s *Shape, obj *object) {
	v.size(s, len(obj.kvs))
	for _, e := range obj.sorted() { // deterministic error order
		if msg := keyViolation(s.key, e.key); msg != "" {
			v.fail("Map keys must satisfy constraint: [" + msg + "]")
		}
		v.push(e.key, 0)
		if e.val == nil {
			v.failNull() // maps are not sparse
		} else {
			v.value(s.value, e.val)
		}
		v.pop()
	}
}

// keyViolation lists a map key's broken constraints, "" if none.
func keyViolation(s *Shape, k string) string {
	var kv validator
	kv.str(s, k)
	msgs := make([]string, len(kv.errs))
	for i, e := range kv.errs {
		_, msgs[i], _ = strings.Cut(e.Message, "failed to satisfy constraint: ")
	}
	return strings.Join(msgs, ", ")
}

func (v *validator) size(s *Shape, n int) {
	if s.HasMin && int64(n) < s.Min {
		v.fail(s.msgMin)
	}
	if s.HasMax && int64(n) > s.Max {
		v.fail(s.msgMax)
	}
}

func (v *validator) str(s *Shape, str string) {
	if s.HasMin || s.HasMax {
		// Smithy measures string length in Unicode code points.
		v.size(s, utf8.RuneCountInString(str))
	}
	if s.re != nil && !s.re.MatchString(str) {
		v.fail(s.msgPattern)
	}
	if s.enumSet != nil {
		if _, ok := s.enumSet[str]; !ok {
			v.fail(s.msgEnum)
		}
	}
}

func (v *validator) integer(s *Shape, x any, bits int) {
	n, ok := x.(json.Number)
	if !ok {
		v.wrongType("number", x)
		return
	}
	i, err := strconv.ParseInt(string(n), 10, bits)
	if err != nil {
		lo, hi := -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1
		v.add("Expected a JSON integer between " + strconv.FormatInt(lo, 10) + " and " + strconv.FormatInt(hi, 10) + ", got " + string(n))
		return
	}
	if s.HasMin && i < s.Min {
		v.fail(s.msgMin)
	}
	if s.HasMax && i > s.Max {
		v.fail(s.msgMax)
	}
}

func (v *validator) float(s *Shape, x any) {
	var f float64
	switch t := x.(type) {
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(t), 64); err != nil {
			v.add("Expected a JSON number in the range of a double, got " + string(t))
			return
		}
	case string, *string: // AWS JSON sends non-finite floats as strings
		switch str, _ := strOf(x); str {
		case "NaN", "Infinity", "-Infinity":
			return
		}
		v.wrongType("number", x)
		return
	default:
		v.wrongType("number", x)
		return
	}
	if s.HasMin && f < float64(s.Min) {
		v.fail(s.msgMin)
	}
	if s.HasMax && f > float64(s.Max) {
		v.fail(s.msgMax)
	}
}

// Timestamps are epoch seconds; the bounds are those of RFC 3339 years
// 0001 to 9999, which every consumer can represent.
const (
	minEpochSeconds = -62135596800
	maxEpochSeconds = 253402300799
)

func (v *validator) timestamp(x any) {
	n, ok := x.(json.Number)
	if !ok {
		v.wrongType("number of epoch seconds", x)
		return
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || f < minEpochSeconds || f > maxEpochSeconds {
		v.fail("Member must be a timestamp between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z")
	}
}
