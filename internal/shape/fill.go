package shape

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// assign stores a validated JSON tree in Go values, the way encoding/json
// would, but from the tree already parsed (no second scan of the body) and
// matching struct fields by exact json tag only: encoding/json also matches
// names case-insensitively, which would let a member the model does not have
// ("Title") fill a field validation never saw.

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// fieldCache maps a struct type to its exported fields by json tag name.
var fieldCache sync.Map // reflect.Type -> map[string][]int

func fieldsByTag(t reflect.Type) map[string][]int {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string][]int)
	}
	fields := make(map[string][]int)
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Tag.Get("json") == "" {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		if _, dup := fields[name]; !dup {
			fields[name] = f.Index
		}
	}
	fieldCache.Store(t, fields)
	return fields
}

// structPlan is how one struct type receives one structure shape, worked
// out once: per model member, its field (if any) and that field type's
// unmarshaler, so filling does no name lookups or method-set checks.
type structPlan struct {
	fields []planField // parallel to the shape's Members
}

type planField struct {
	index []int // nil: the struct has no field for the member
	unm   unmarshalerKind
}

type planKey struct {
	t reflect.Type
	s *Shape
}

var planCache sync.Map // planKey -> *structPlan

func planFor(t reflect.Type, s *Shape) *structPlan {
	key := planKey{t, s}
	if p, ok := planCache.Load(key); ok {
		return p.(*structPlan)
	}
	fields := fieldsByTag(t)
	p := &structPlan{fields: make([]planField, len(s.Members))}
	for i := range s.Members {
		if idx, ok := fields[s.Members[i].Name]; ok {
			p.fields[i] = planField{idx, unmarshalerOf(t.FieldByIndex(idx).Type)}
		}
	}
	planCache.Store(key, p)
	return p
}

// unmarshalerKind tells which unmarshaler, if any, a value of a type gets
// through its address; encoding/json prefers json.Unmarshaler.
type unmarshalerKind uint8

const (
	unmNone unmarshalerKind = iota
	unmJSON
	unmText
	unmUnknown // not worked out: assign checks
)

func unmarshalerOf(t reflect.Type) unmarshalerKind {
	if t.Kind() == reflect.Pointer {
		return unmNone // assign dereferences first
	}
	pt := reflect.PointerTo(t)
	switch {
	case pt.Implements(jsonUnmarshaler):
		return unmJSON
	case pt.Implements(textUnmarshaler):
		return unmText
	}
	return unmNone
}

// fill assigns the input tree's members to the struct out points to.
func fill(out any, in *Shape, obj *object) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("out is %T, not a non-nil pointer to a struct", out)
	}
	return assignStruct(rv.Elem(), in, obj, nil)
}

// assignStruct walks the model's members, not the object's keys, so members
// the model does not have are skipped at every depth. plan may be nil.
func assignStruct(rv reflect.Value, s *Shape, obj *object, plan *structPlan) error {
	if plan == nil {
		plan = planFor(rv.Type(), s)
	}
	for i := range s.Members {
		pf := &plan.fields[i]
		if pf.index == nil {
			continue // the caller does not want this member
		}
		m := &s.Members[i]
		x, ok := obj.get(m.Name)
		if !ok {
			continue
		}
		var f reflect.Value
		var err error
		if len(pf.index) == 1 {
			f = rv.Field(pf.index[0])
		} else {
			f, err = fieldByIndex(rv, pf.index)
		}
		if err == nil {
			err = assignKnown(f, m.shape, x, pf.unm)
		}
		if err != nil {
			return within(m.Name, err)
		}
	}
	return nil
}

// fieldByIndex is reflect.Value.FieldByIndex allocating nil embedded pointers.
func fieldByIndex(v reflect.Value, idx []int) (reflect.Value, error) {
	for i, x := range idx {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return v, fmt.Errorf("cannot set embedded pointer to unexported struct %v", v.Type().Elem())
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, nil
}

// fillError names the member path of a failed assignment. The path is built
// while unwinding, so successful fills build none.
type fillError struct {
	path string
	err  error
}

func (e *fillError) Error() string { return e.path + ": " + e.err.Error() }

func within(name string, err error) error {
	if fe, ok := err.(*fillError); ok {
		fe.path = name + "." + fe.path
		return fe
	}
	return &fillError{path: name, err: err}
}

// assign stores x, a validated value of shape s (nil: any JSON), in v.
// Errors mean out's Go types disagree with the model.
func assign(v reflect.Value, s *Shape, x any) error {
	return assignKnown(v, s, x, unmUnknown)
}

// assignKnown is assign with v's type's unmarshalerKind, if known.
func assignKnown(v reflect.Value, s *Shape, x any, unm unmarshalerKind) error {
	if x == nil {
		switch v.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			v.SetZero()
		}
		return nil
	}
	// Unmarshalers first, as encoding/json does (timestamps land here).
	if unm != unmNone && v.Kind() != reflect.Pointer && v.CanAddr() {
		if unm == unmUnknown {
			unm = unmarshalerOf(v.Type())
		}
		switch unm {
		case unmJSON:
			return v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(appendAny(nil, x))
		case unmText:
			if str, ok := strOf(x); ok {
				return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(str))
			}
		}
	}
	mismatch := func() error { return mismatchError(x, v.Type()) }
	var elem, val *Shape // element shapes of lists and maps
	if s != nil {
		elem, val = s.member, s.value
		if s.Kind == KindDocument {
			s = nil
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return assign(v.Elem(), s, x)
	case reflect.Interface:
		if v.NumMethod() != 0 {
			return mismatch()
		}
		v.Set(reflect.ValueOf(toGeneric(x)))
	case reflect.String:
		str, ok := strOf(x)
		if !ok {
			return mismatch()
		}
		v.SetString(str)
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return mismatch()
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := x.(json.Number)
		if !ok {
			return mismatch()
		}
		i, err := strconv.ParseInt(string(n), 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := x.(json.Number)
		if !ok {
			return mismatch()
		}
		u, err := strconv.ParseUint(string(n), 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		n, ok := x.(json.Number)
		if !ok {
			return mismatch()
		}
		f, err := strconv.ParseFloat(string(n), v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetFloat(f)
	case reflect.Slice:
		if str, ok := strOf(x); ok && v.Type().Elem().Kind() == reflect.Uint8 {
			b, err := base64.StdEncoding.DecodeString(str) // blobs, as encoding/json
			if err != nil {
				return err
			}
			v.SetBytes(b)
			return nil
		}
		arr, ok := arrOf(x)
		if !ok {
			return mismatch()
		}
		sl := reflect.MakeSlice(v.Type(), len(arr), len(arr))
		// Elements share a type: work its metadata out once.
		et := v.Type().Elem()
		unm := unmarshalerOf(et)
		var plan *structPlan
		if et.Kind() == reflect.Struct && unm == unmNone && elem != nil && elem.Kind != KindDocument {
			plan = planFor(et, elem)
		}
		for i, e := range arr {
			var err error
			if obj, ok := e.(*object); ok && plan != nil {
				err = assignStruct(sl.Index(i), elem, obj, plan)
			} else {
				err = assignKnown(sl.Index(i), elem, e, unm)
			}
			if err != nil {
				return within(strconv.Itoa(i+1), err)
			}
		}
		v.Set(sl)
	case reflect.Map:
		obj, ok := objectOf(x)
		if !ok || v.Type().Key().Kind() != reflect.String {
			return mismatch()
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(v.Type(), len(obj.kvs)))
		}
		et, kt := v.Type().Elem(), v.Type().Key()
		if v.Type() == stringMap {
			// The common case, without a reflect.Value per entry.
			m := v.Interface().(map[string]string)
			for _, e := range obj.kvs {
				str, ok := strOf(e.val)
				if !ok && e.val != nil {
					return within(e.key, mismatchError(e.val, et))
				}
				m[e.key] = str
			}
			return nil
		}
		unm := unmarshalerOf(et)
		for _, e := range obj.kvs {
			ev := reflect.New(et).Elem()
			if err := assignKnown(ev, val, e.val, unm); err != nil {
				return within(e.key, err)
			}
			v.SetMapIndex(reflect.ValueOf(e.key).Convert(kt), ev)
		}
	case reflect.Struct:
		obj, ok := objectOf(x)
		if !ok || s == nil {
			return mismatch()
		}
		return assignStruct(v, s, obj, nil)
	default:
		return mismatch()
	}
	return nil
}

var stringMap = reflect.TypeFor[map[string]string]()

func mismatchError(x any, t reflect.Type) error {
	kind := strings.TrimPrefix(strings.TrimPrefix(jsonKind(x), "an "), "a ")
	return fmt.Errorf("cannot store JSON %s in Go %v", kind, t)
}
