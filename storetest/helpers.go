package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// write runs fn in a Write and fails the test on error.
func write(tb testing.TB, s sird.Store, fn func(sird.Tx) error) {
	tb.Helper()
	if err := s.Write(tb.Context(), fn); err != nil {
		tb.Fatalf("Write: %v", err)
	}
}

// read runs fn in a Read and fails the test on error.
func read(tb testing.TB, s sird.Store, fn func(sird.Tx) error) {
	tb.Helper()
	if err := s.Read(tb.Context(), fn); err != nil {
		tb.Fatalf("Read: %v", err)
	}
}

// wantErr checks that err matches target (errors.Is); target nil wants no error.
func wantErr(tb testing.TB, what string, err, target error) {
	tb.Helper()
	switch {
	case target == nil && err != nil:
		tb.Errorf("%s: got error %v, want nil", what, err)
	case target != nil && !errors.Is(err, target):
		tb.Errorf("%s: got error %v, want %v", what, err, target)
	}
}

// must fails the test when err is not nil.
func must(tb testing.TB, what string, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// equal reports the first difference between got and want, by field path.
func equal(tb testing.TB, what string, got, want any) {
	tb.Helper()
	if d := diff("", reflect.ValueOf(got), reflect.ValueOf(want)); d != "" {
		tb.Errorf("%s: %s", what, d)
	}
}

var timeType = reflect.TypeOf(time.Time{})

// diff describes where a and b first differ, or returns "" when they are
// deeply equal. Times compare by representation, as a store must return the
// instant and location it was given (UTC in this suite).
func diff(path string, a, b reflect.Value) string {
	at := func(p string) string {
		if p == "" {
			return "value"
		}
		return strings.TrimPrefix(p, ".")
	}
	if !a.IsValid() || !b.IsValid() {
		if a.IsValid() != b.IsValid() {
			return fmt.Sprintf("%s: got %v, want %v", at(path), a, b)
		}
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: got type %s, want %s", at(path), a.Type(), b.Type())
	}
	if a.Type() == timeType {
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		if !reflect.DeepEqual(ta, tb) {
			return fmt.Sprintf("%s: got %s, want %s", at(path), ta.Format(time.RFC3339Nano), tb.Format(time.RFC3339Nano))
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Sprintf("%s: got %s, want %s", at(path), show(a), show(b))
			}
			return ""
		}
		return diff(path, a.Elem(), b.Elem())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !a.Type().Field(i).IsExported() {
				if !reflect.DeepEqual(a.Interface(), b.Interface()) {
					return fmt.Sprintf("%s: got %+v, want %+v", at(path), a, b)
				}
				return ""
			}
			if d := diff(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice, reflect.Array:
		if a.Kind() == reflect.Slice && a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: got %s, want %s", at(path), show(a), show(b))
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: got %d elements, want %d (got %s, want %s)", at(path), a.Len(), b.Len(), show(a), show(b))
		}
		for i := 0; i < a.Len(); i++ {
			if d := diff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return fmt.Sprintf("%s: got %s, want %s", at(path), show(a), show(b))
		}
		for _, k := range b.MapKeys() {
			if d := diff(fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), b.MapIndex(k)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return fmt.Sprintf("%s: got %s, want %s", at(path), show(a), show(b))
	}
	return ""
}

// show prints a value, following pointers so lists of records are readable.
func show(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return "nil"
		}
		return show(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return "nil"
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = show(v.Index(i))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprintf("%+v", v.Interface())
}

// ts is an instant with nanoseconds, in UTC as stores return times.
func ts(sec, nsec int64) time.Time { return time.Unix(sec, nsec).UTC() }

// tp is ts as an optional sird.Time.
func tp(sec, nsec int64) *sird.Time { return sird.TimePtr(ts(sec, nsec)) }

// errBoom is the error test functions return to force a rollback.
var errBoom = errors.New("boom")
