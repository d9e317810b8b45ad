package shape

import (
	"encoding/json"
	"sort"
	"strconv"
)

// appendAny encodes a JSON tree value, for json.Unmarshaler fields.
func appendAny(b []byte, x any) []byte {
	switch t := x.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, t)
	case json.Number:
		return append(b, t...)
	case string:
		return appendString(b, t)
	case *string:
		return appendString(b, *t)
	case *[]any:
		return appendAny(b, *t)
	case []any:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAny(b, e)
		}
		return append(b, ']')
	case *object:
		b = append(b, '{')
		for i, e := range t.sorted() { // as encoding/json orders a map's keys
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e.key)
			b = append(b, ':')
			b = appendAny(b, e.val)
		}
		return append(b, '}')
	case map[string]any:
		b = append(b, '{')
		for i, k := range sortedKeys(t) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendAny(b, t[k])
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// appendString quotes s as JSON. s is valid UTF-8 (the parser saw to it).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
