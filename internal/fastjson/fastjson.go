// Package fastjson holds the pieces of hand-written JSON encoders that must
// produce exactly what encoding/json's Marshal produces, and the layout
// fingerprint that tells such an encoder its types have changed.
//
// Hand-written encoders (the case documents in sqlstore, the GetCase
// response in api) are several times faster than encoding/json's
// reflection; each keeps the fingerprint of the types it was written for
// and falls back to encoding/json when the fingerprint differs.
package fastjson

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sird-project/sird"
)

const hexDigits = "0123456789abcdef"

// htmlSafe marks the bytes json.Marshal writes as they are: printable
// ASCII but the quote, the backslash, <, > and &.
var htmlSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendString appends s as encoding/json encodes a string with HTML
// escaping (as json.Marshal does): <, >, & and the control characters as
// \u00XX (\b \f \n \r \t short), invalid UTF-8 as \ufffd, U+2028 and U+2029
// escaped.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && htmlSafe[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendTime appends what t.MarshalJSON returns (sird.FormatEpoch): the
// epoch seconds, and the nanoseconds as a decimal fraction without
// trailing zeros, written here without fmt. The encoders' tests compare
// every byte with json.Marshal, which calls MarshalJSON, on random times.
func AppendTime(b []byte, t sird.Time) ([]byte, error) {
	sec, frac := t.Unix(), int64(t.Nanosecond()) // sec is the floor, 0 <= frac < 1e9
	if frac == 0 {
		return strconv.AppendInt(b, sec, 10), nil
	}
	if sec < 0 { // -2 + 0.75 is written -1.25
		b = append(b, '-')
		sec, frac = -sec-1, 1e9-frac
	}
	b = strconv.AppendInt(b, sec, 10)
	var d [10]byte
	d[0] = '.'
	for i := 9; i >= 1; i-- {
		d[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := 10
	for d[n-1] == '0' {
		n--
	}
	return append(b, d[:n]...), nil
}

// IsNumber reports whether b is one number in JSON's grammar.
func IsNumber[T string | []byte](b T) bool {
	digits := func(i int) int {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i
	}
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(b)
}

// Layout describes t and every struct type it holds: field names, types
// and tags in order, and any JSON or text (un)marshaler among them, which
// would change what encoding/json does. sird.Time is opaque: encoders call
// its MarshalJSON and UnmarshalJSON.
func Layout(t reflect.Type) string {
	var b strings.Builder
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			if t.Kind() == reflect.Map {
				walk(t.Key())
			}
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] || t == reflect.TypeFor[sird.Time]() {
			return
		}
		seen[t] = true
		pt := reflect.PointerTo(t)
		for _, m := range []string{"MarshalJSON", "UnmarshalJSON", "MarshalText", "UnmarshalText"} {
			if _, ok := pt.MethodByName(m); ok {
				fmt.Fprintf(&b, "%s.%s ", t, m)
			}
		}
		fmt.Fprintf(&b, "%s{", t)
		for i := range t.NumField() {
			f := t.Field(i)
			fmt.Fprintf(&b, "%s %s %q;", f.Name, f.Type, f.Tag)
		}
		b.WriteString("}\n")
		for i := range t.NumField() {
			walk(t.Field(i).Type)
		}
	}
	walk(t)
	fmt.Fprintf(&b, "Time %s\n", reflect.TypeFor[sird.Time]())
	return b.String()
}

// LayoutHash is the sha256 of Layout(t), in hex.
func LayoutHash(t reflect.Type) string {
	sum := sha256.Sum256([]byte(Layout(t)))
	return hex.EncodeToString(sum[:])
}
