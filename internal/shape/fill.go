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

// fill assigns the input tree's members to the struct out points to.
func fill(out any, in *Shape, obj map[string]any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("out is %T, not a non-nil pointer to a struct", out)
	}
	return assignStruct(rv.Elem(), in, obj)
}

// assignStruct walks the model's members, not the object's keys, so members
// the model does not have are skipped at every depth.
func assignStruct(rv reflect.Value, s *Shape, obj map[string]any) error {
	fields := fieldsByTag(rv.Type())
	for i := range s.Members {
		m := &s.Members[i]
		x, ok := obj[m.Name]
		if !ok {
			continue
		}
		idx, ok := fields[m.Name]
		if !ok {
			continue // the caller does not want this member
		}
		f, err := fieldByIndex(rv, idx)
		if err == nil {
			err = assign(f, m.shape, x)
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
	if x == nil {
		switch v.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			v.SetZero()
		}
		return nil
	}
	// Unmarshalers first, as encoding/json does (timestamps land here).
	if v.Kind() != reflect.Pointer && v.CanAddr() {
		if pv := v.Addr(); pv.Type().Implements(jsonUnmarshaler) {
			return pv.Interface().(json.Unmarshaler).UnmarshalJSON(appendAny(nil, x))
		} else if str, ok := x.(string); ok && pv.Type().Implements(textUnmarshaler) {
			return pv.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(str))
		}
	}
	mismatch := func() error {
		kind := strings.TrimPrefix(strings.TrimPrefix(jsonKind(x), "an "), "a ")
		return fmt.Errorf("cannot store JSON %s in Go %v", kind, v.Type())
	}
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
		v.Set(reflect.ValueOf(x))
	case reflect.String:
		str, ok := x.(string)
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
		if str, ok := x.(string); ok && v.Type().Elem().Kind() == reflect.Uint8 {
			b, err := base64.StdEncoding.DecodeString(str) // blobs, as encoding/json
			if err != nil {
				return err
			}
			v.SetBytes(b)
			return nil
		}
		arr, ok := x.([]any)
		if !ok {
			return mismatch()
		}
		sl := reflect.MakeSlice(v.Type(), len(arr), len(arr))
		for i, e := range arr {
			if err := assign(sl.Index(i), elem, e); err != nil {
				return within(strconv.Itoa(i+1), err)
			}
		}
		v.Set(sl)
	case reflect.Map:
		obj, ok := x.(map[string]any)
		if !ok || v.Type().Key().Kind() != reflect.String {
			return mismatch()
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(v.Type(), len(obj)))
		}
		et, kt := v.Type().Elem(), v.Type().Key()
		for k, e := range obj {
			ev := reflect.New(et).Elem()
			if err := assign(ev, val, e); err != nil {
				return within(k, err)
			}
			v.SetMapIndex(reflect.ValueOf(k).Convert(kt), ev)
		}
	case reflect.Struct:
		obj, ok := x.(map[string]any)
		if !ok || s == nil {
			return mismatch()
		}
		return assignStruct(v, s, obj)
	default:
		return mismatch()
	}
	return nil
}
