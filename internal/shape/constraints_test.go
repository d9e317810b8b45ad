package shape

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sird-project/sird"
)

// request is one operation input split the way it travels.
type request struct {
	labels map[string]string
	query  url.Values
	body   []byte
}

// builder places v (or nothing, when !present) at one path of an otherwise
// valid input and returns the whole request. Builders compose: a member's
// builder clones its parent's valid value, sets the member and hands the
// result to the parent's builder.
type builder func(v any, present bool) request

// coverage counts the model's constraints and how each was exercised.
type coverage struct {
	total, violated, vacuous, boundaries, typeChecks int
	missed                                           []string
}

type walker struct {
	t      *testing.T
	m      *testModel
	op     *Operation
	cov    *coverage
	seeded bool
}

func TestEveryConstraintEnforced(t *testing.T) {
	m, _ := loadModel(t)
	var cov coverage
	for name, mo := range m.Operations {
		t.Run(name, func(t *testing.T) {
			op := LookupOperation(name)
			if op == nil {
				t.Fatalf("no operation %s", name)
			}
			w := &walker{t: t, m: m, op: op, cov: &cov}
			in := m.Shapes[mo.Input.Shape]
			root := func(v any, present bool) request { return w.split(in, v.(map[string]any)) }
			if err := w.decode(root(w.valid(mo.Input.Shape), true)); err != nil {
				t.Fatalf("minimal valid input rejected: %v", err)
			}
			w.structure("", mo.Input.Shape, w.valid(mo.Input.Shape).(map[string]any), root)
		})
	}
	t.Logf("constraints: %d exist; %d violated and reported at the exact path, %d vacuous (min 0) checked at the bound; %d boundary values accepted; %d wrong-type checks",
		cov.total, cov.violated, cov.vacuous, cov.boundaries, cov.typeChecks)
	fmt.Printf("model constraints exercised: %d of %d (%d violated, %d vacuous min-0 bounds)\n",
		cov.violated+cov.vacuous, cov.total, cov.violated, cov.vacuous)
	if n := cov.total - cov.violated - cov.vacuous; n != 0 || len(cov.missed) > 0 {
		t.Errorf("%d constraints not covered: %v", n, cov.missed)
	}
	if cov.total == 0 {
		t.Error("no constraints found in the model")
	}
}

// split turns a top-level input tree into labels, query and body by the
// members' locations.
func (w *walker) split(in *testShape, tree map[string]any) request {
	w.t.Helper()
	r := request{labels: map[string]string{}, query: url.Values{}}
	body := map[string]any{}
	for name, v := range tree {
		m := in.Members[name]
		switch m.Location {
		case "uri":
			if v != nil {
				r.labels[m.LocationName] = v.(string)
			}
		case "querystring":
			switch t := v.(type) {
			case []any:
				for _, e := range t {
					r.query.Add(m.LocationName, fmt.Sprint(e))
				}
			case nil:
			default:
				r.query.Set(m.LocationName, fmt.Sprint(t))
			}
		default:
			body[name] = v
		}
	}
	b, err := json.Marshal(body)
	if err != nil {
		w.t.Fatal(err)
	}
	r.body = b
	return r
}

func (w *walker) decode(r request) error {
	return Decode(w.op, r.labels, r.query, r.body, nil)
}

// valid builds a minimal valid value of a shape: required members only,
// collections at their minimum size (at least one element, so nested
// constraints have somewhere to be violated).
func (w *walker) valid(name string) any {
	s := w.m.Shapes[name]
	switch s.Type {
	case "structure":
		obj := map[string]any{}
		for _, mn := range s.memberNames() {
			if s.required(mn) {
				obj[mn] = w.valid(s.Members[mn].Shape)
			}
		}
		return obj
	case "list":
		return w.list(s, max(minOf(s), 1))
	case "map":
		return w.mapOf(s, max(minOf(s), 1))
	case "string":
		return w.str(name, max(minOf(s), 1))
	case "integer", "long":
		if s.Min != nil {
			return json.Number(fmt.Sprint(*s.Min))
		}
		return json.Number("1")
	case "boolean":
		return true
	case "timestamp":
		return json.Number("1700000000.5")
	}
	w.t.Fatalf("valid: unsupported type %s of %s", s.Type, name)
	return nil
}

func minOf(s *testShape) int {
	if s.Min == nil {
		return 0
	}
	return int(*s.Min)
}

func (w *walker) list(s *testShape, n int) []any {
	arr := make([]any, n)
	for i := range arr {
		arr[i] = w.valid(s.Member.Shape)
	}
	return arr
}

// mapOf builds n entries with distinct valid keys.
func (w *walker) mapOf(s *testShape, n int) map[string]any {
	obj := make(map[string]any, n)
	for i := range n {
		obj[fmt.Sprintf("k%d", i+1)] = w.valid(s.Value.Shape)
	}
	return obj
}

// str returns a valid string of the shape as close to length n as the
// shape's enum or pattern allows.
func (w *walker) str(name string, n int) string {
	s := w.m.Shapes[name]
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	if s.Pattern != nil {
		ex, ok := patternExamples[name]
		if !ok {
			w.t.Fatalf("no pattern example for %s", name)
		}
		return padTo(ex, n)
	}
	return strings.Repeat("a", n)
}

// padTo lengthens s to n code points; an unanchored pattern still matches.
func padTo(s string, n int) string {
	if c := utf8.RuneCountInString(s); c < n {
		return s + strings.Repeat("a", n-c)
	}
	return s
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (w *walker) structure(path, name string, base map[string]any, b builder) {
	s := w.m.Shapes[name]
	for _, mn := range s.memberNames() {
		m := s.Members[mn]
		mb := func(v any, present bool) request {
			obj := maps.Clone(base)
			if present {
				obj[mn] = v
			} else {
				delete(obj, mn)
			}
			return b(obj, true)
		}
		mpath := join(path, mn)
		if s.required(mn) {
			w.expectViolation(mpath, "required", mb(nil, false), nullMsg(mpath))
			if m.Location == "" {
				w.expectViolation(mpath, "", mb(nil, true), nullMsg(mpath)) // JSON null is missing too
			}
		}
		w.value(mpath, m.Shape, mb, m.Location == "")
	}
}

// value exercises every constraint of shape name at path.
func (w *walker) value(path, name string, b builder, inBody bool) {
	s := w.m.Shapes[name]
	if inBody {
		w.wrongType(path, s, b)
	}
	switch s.Type {
	case "structure":
		base := w.valid(name).(map[string]any)
		w.structure(path, name, base, b)
	case "list":
		w.sizes(path, s, func(n int) any { return w.list(s, n) }, b)
		base := w.list(s, max(minOf(s), 1))
		eb := func(v any, _ bool) request {
			arr := append([]any(nil), base...)
			arr[0] = v
			return b(arr, true)
		}
		w.value(join(path, "1"), s.Member.Shape, eb, inBody)
	case "map":
		w.sizes(path, s, func(n int) any { return w.mapOf(s, n) }, b)
		w.mapKeys(path, s, b)
		vb := func(v any, _ bool) request { return b(map[string]any{"k1": v}, true) }
		w.value(join(path, "k1"), s.Value.Shape, vb, inBody)
	case "string":
		w.stringConstraints(path, name, s, b)
	case "integer", "long":
		w.numberBounds(path, s, b)
	}
}

// sizes exercises a collection's min and max with valid elements.
func (w *walker) sizes(path string, s *testShape, make func(int) any, b builder) {
	if s.Min != nil {
		w.bound(path, int(*s.Min), "greater", "length", func(n int) any { return make(n) }, b)
	}
	if s.Max != nil {
		w.bound(path, int(*s.Max), "less", "length", func(n int) any { return make(n) }, b)
	}
}

func (w *walker) stringConstraints(path, name string, s *testShape, b builder) {
	if s.Min != nil {
		w.bound(path, int(*s.Min), "greater", "length", func(n int) any { return w.sized(name, n) }, b)
	}
	if s.Max != nil {
		w.bound(path, int(*s.Max), "less", "length", func(n int) any { return w.sized(name, n) }, b)
	}
	if s.Pattern != nil {
		re := regexp.MustCompile(relaxRepeats(*s.Pattern))
		bad, ok := "", false
		for _, r := range patternBreakers {
			bad = strings.Repeat(string(r), max(minOf(s), 1))
			if ok = !re.MatchString(bad); ok {
				break
			}
		}
		if !ok {
			w.t.Fatalf("%s: no value found that misses pattern %s", path, *s.Pattern)
		}
		w.expectViolation(path, "pattern", b(bad, true), constraintMsg(path, "Member must satisfy regular expression pattern: "+*s.Pattern))
	}
	if len(s.Enum) > 0 {
		msg := constraintMsg(path, "Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
		w.expectViolation(path, "enum", b("NOT_AN_ENUM_VALUE", true), msg)
		for _, e := range s.Enum {
			w.expectAccepted(path, b(e, true), "")
		}
	}
}

// sized returns a string of exactly n code points that keeps the pattern
// when the pattern allows it.
func (w *walker) sized(name string, n int) string {
	s := w.m.Shapes[name]
	if s.Pattern == nil {
		return strings.Repeat("a", n)
	}
	ex := patternExamples[name]
	if utf8.RuneCountInString(ex) <= n {
		return padTo(ex, n)
	}
	return strings.Repeat("a", n) // too short for the pattern: only the length is judged
}

func (w *walker) numberBounds(path string, s *testShape, b builder) {
	num := func(n int) any { return json.Number(fmt.Sprint(n)) }
	if s.Min != nil {
		w.bound(path, int(*s.Min), "greater", "value", num, b)
	}
	if s.Max != nil {
		w.bound(path, int(*s.Max), "less", "value", num, b)
	}
}

// bound violates a min ("greater") or max ("less") bound by one and checks
// the bound itself is accepted. A min of 0 cannot be violated: it is counted
// as vacuous and only its boundary is checked.
func (w *walker) bound(path string, limit int, side, noun string, make func(int) any, b builder) {
	msg := constraintMsg(path, fmt.Sprintf("Member must have %s %s than or equal to %d", noun, side, limit))
	kind := side + "-" + noun
	if side == "greater" && limit == 0 && noun == "length" {
		w.cov.total++
		w.cov.vacuous++
	} else {
		over := limit + 1
		if side == "greater" {
			over = limit - 1
		}
		w.expectViolation(path, kind, b(make(over), true), msg)
	}
	w.expectAccepted(path, b(make(limit), true), msg)
}

func (w *walker) mapKeys(path string, s *testShape, b builder) {
	ks := w.m.Shapes[s.Key.Shape]
	value := w.valid(s.Value.Shape)
	withKey := func(k string) request { return b(map[string]any{k: value}, true) }
	keyMsg := func(c string) string { return constraintMsg(path, "Map keys must satisfy constraint: ["+c+"]") }
	if ks.Min != nil && *ks.Min > 0 {
		msg := keyMsg(fmt.Sprintf("Member must have length greater than or equal to %d", *ks.Min))
		w.expectViolation(path, "key-min", withKey(strings.Repeat("k", int(*ks.Min)-1)), msg)
		w.expectAccepted(path, withKey(strings.Repeat("k", int(*ks.Min))), msg)
	}
	if ks.Max != nil {
		msg := keyMsg(fmt.Sprintf("Member must have length less than or equal to %d", *ks.Max))
		w.expectViolation(path, "key-max", withKey(strings.Repeat("k", int(*ks.Max)+1)), msg)
		w.expectAccepted(path, withKey(strings.Repeat("k", int(*ks.Max))), msg)
	}
	if ks.Pattern != nil || len(ks.Enum) > 0 {
		w.t.Errorf("%s: map key patterns and enums are not exercised by this test", path)
	}
}

// wrongType sends a value of another JSON type than the member's.
func (w *walker) wrongType(path string, s *testShape, b builder) {
	var bad any = json.Number("7")
	want := "Expected a JSON string, got a number"
	switch s.Type {
	case "structure", "map":
		bad, want = "x", "Expected a JSON object, got a string"
	case "list":
		bad, want = "x", "Expected a JSON array, got a string"
	case "integer", "long":
		bad, want = "x", "Expected a JSON number, got a string"
	case "boolean":
		bad, want = "x", "Expected a JSON boolean, got a string"
	case "timestamp":
		bad, want = "x", "Expected a JSON number of epoch seconds, got a string"
	}
	w.cov.typeChecks++
	w.check(path, "type", b(bad, true), want, true)
}

func (w *walker) expectViolation(path, kind string, r request, msg string) {
	w.t.Helper()
	if kind != "" {
		w.cov.total++
	}
	if w.check(path, kind, r, msg, true) && kind != "" {
		w.cov.violated++
	}
}

// expectAccepted checks r decodes; with msg set, only that the constraint
// in msg is not reported (other constraints may object to the value).
func (w *walker) expectAccepted(path string, r request, msg string) {
	w.t.Helper()
	w.cov.boundaries++
	err := w.decode(r)
	if err == nil {
		return
	}
	if msg == "" || hasField(err, path, msg) {
		w.t.Errorf("%s: boundary value rejected: %v", path, err)
	}
}

// check asserts the request fails with a field entry {path, msg} and with
// no entry naming another member.
func (w *walker) check(path, kind string, r request, msg string, want bool) bool {
	w.t.Helper()
	err := w.decode(r)
	var se *sird.Error
	if !errors.As(err, &se) || se.Reason != sird.ReasonFieldValidationFailed || se.Code != sird.ErrValidation {
		w.miss(path, kind, fmt.Sprintf("got %v, want field validation error %q", err, msg))
		return false
	}
	if !hasField(err, path, msg) {
		w.miss(path, kind, fmt.Sprintf("fieldList %v lacks {%s %s}", se.Fields, path, msg))
		return false
	}
	for _, f := range se.Fields {
		if f.Name != path {
			w.miss(path, kind, fmt.Sprintf("unexpected extra entry %v", f))
			return false
		}
	}
	return true
}

func (w *walker) miss(path, kind, why string) {
	w.t.Helper()
	w.cov.missed = append(w.cov.missed, w.op.Name+":"+path+":"+kind)
	w.t.Errorf("%s [%s]: %s", path, kind, why)
}

func hasField(err error, path, msg string) bool {
	var se *sird.Error
	if !errors.As(err, &se) {
		return false
	}
	for _, f := range se.Fields {
		if f.Name == path && f.Message == msg {
			return true
		}
	}
	return false
}

func nullMsg(path string) string {
	return "Value null at '" + path + "' failed to satisfy constraint: Member must not be null"
}

func constraintMsg(path, c string) string {
	return "Value at '" + path + "' failed to satisfy constraint: " + c
}
