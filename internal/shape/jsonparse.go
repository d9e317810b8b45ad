package shape

import (
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sird-project/sird"
)

// maxDepth bounds nesting so hostile bodies cannot exhaust the stack.
const maxDepth = 32

// parseBody parses a request body into a JSON tree (map[string]any, []any,
// json.Number, string, bool, nil). It is stricter than encoding/json, which
// silently replaces invalid UTF-8 and lets duplicate keys overwrite: both
// would let a body mean something other than what was validated.
func parseBody(data []byte) (map[string]any, *sird.Error) {
	p := jsonParser{data: data}
	p.skipSpace()
	if p.pos == len(data) {
		return map[string]any{}, nil // an empty body is {}
	}
	if data[p.pos] != '{' {
		if _, err := p.value(); err != nil {
			return nil, cannotParse(err)
		}
		return nil, cannotParse(&syntaxError{0, "request body is not a JSON object"})
	}
	v, err := p.value()
	if err != nil {
		return nil, cannotParse(err)
	}
	p.skipSpace()
	if p.pos != len(data) {
		return nil, cannotParse(p.errorf("unexpected data after the JSON object"))
	}
	return v.(map[string]any), nil
}

type syntaxError struct {
	offset int
	msg    string
}

func (e *syntaxError) Error() string { return e.msg + " at offset " + strconv.Itoa(e.offset) }

func cannotParse(err error) *sird.Error {
	return &sird.Error{
		Code:    sird.ErrValidation,
		Message: "Could not parse request body: " + err.Error(),
		Reason:  sird.ReasonCannotParse,
	}
}

type jsonParser struct {
	data  []byte
	pos   int
	depth int
	buf   []byte // scratch for strings with escapes
	stack []any  // scratch for array elements, so each array allocates once
}

// Member names and enum values recur in every request: the parser returns
// these shared copies instead of allocating (and boxing) new ones.
var (
	internKeys   map[string]string
	internValues map[string]any
	maxInternLen int // longer strings skip the lookup: no need to hash them
)

func buildInternTables() {
	internKeys = make(map[string]string)
	internValues = make(map[string]any)
	for i := range shapeTable {
		s := &shapeTable[i]
		for _, m := range s.Members {
			internKeys[m.Name] = m.Name
			maxInternLen = max(maxInternLen, len(m.Name))
		}
		for _, e := range s.Enum {
			internValues[e] = e
			maxInternLen = max(maxInternLen, len(e))
		}
	}
}

func (p *jsonParser) errorf(msg string) *syntaxError { return &syntaxError{p.pos, msg} }

func (p *jsonParser) unexpected(what string) *syntaxError {
	if p.pos >= len(p.data) {
		return p.errorf("unexpected end of input " + what)
	}
	return p.errorf("invalid character " + strconv.QuoteRune(rune(p.data[p.pos])) + " " + what)
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (any, error) {
	p.skipSpace()
	if p.pos >= len(p.data) {
		return nil, p.unexpected("looking for a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		raw, err := p.rawString()
		if err != nil {
			return nil, err
		}
		if len(raw) <= maxInternLen {
			if v, ok := internValues[string(raw)]; ok {
				return v, nil
			}
		}
		return string(raw), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, p.unexpected("looking for a value")
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("nesting deeper than " + strconv.Itoa(maxDepth) + " levels")
	}
	p.pos++ // the opening bracket
	return nil
}

func (p *jsonParser) object() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	obj := make(map[string]any)
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return obj, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.unexpected("looking for an object key")
		}
		keyAt := p.pos
		raw, err := p.rawString()
		if err != nil {
			return nil, err
		}
		key, ok := "", false
		if len(raw) <= maxInternLen {
			key, ok = internKeys[string(raw)]
		}
		if !ok {
			key = string(raw)
		}
		if _, dup := obj[key]; dup {
			return nil, &syntaxError{keyAt, "duplicate key " + strconv.Quote(key)}
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.unexpected("after an object key")
		}
		p.pos++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		obj[key] = v
		p.skipSpace()
		if p.pos < len(p.data) {
			switch p.data[p.pos] {
			case ',':
				p.pos++
				continue
			case '}':
				p.pos++
				p.depth--
				return obj, nil
			}
		}
		return nil, p.unexpected("after an object value")
	}
}

func (p *jsonParser) array() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		p.depth--
		return []any{}, nil
	}
	if p.stack == nil {
		p.stack = make([]any, 0, 16)
	}
	base := len(p.stack) // nested arrays share the stack above this mark
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		p.stack = append(p.stack, v)
		p.skipSpace()
		if p.pos < len(p.data) {
			switch p.data[p.pos] {
			case ',':
				p.pos++
				continue
			case ']':
				p.pos++
				p.depth--
				arr := make([]any, len(p.stack)-base)
				copy(arr, p.stack[base:])
				clear(p.stack[base:]) // drop references for the GC
				p.stack = p.stack[:base]
				return arr, nil
			}
		}
		return nil, p.unexpected("after an array element")
	}
}

func (p *jsonParser) literal(word string) error {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return p.unexpected("in literal " + word)
	}
	p.pos += len(word)
	return nil
}

func (p *jsonParser) number() (any, error) {
	start := p.pos
	d := p.data
	if d[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(d) && d[p.pos] == '0':
		p.pos++
	case p.pos < len(d) && d[p.pos] >= '1' && d[p.pos] <= '9':
		p.digits()
	default:
		return nil, p.unexpected("in a number")
	}
	if p.pos < len(d) && d[p.pos] == '.' {
		p.pos++
		if !p.digits() {
			return nil, p.unexpected("after a decimal point")
		}
	}
	if p.pos < len(d) && (d[p.pos] == 'e' || d[p.pos] == 'E') {
		p.pos++
		if p.pos < len(d) && (d[p.pos] == '+' || d[p.pos] == '-') {
			p.pos++
		}
		if !p.digits() {
			return nil, p.unexpected("in an exponent")
		}
	}
	return json.Number(d[start:p.pos]), nil
}

func (p *jsonParser) digits() bool {
	start := p.pos
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
	}
	return p.pos > start
}

// rawString parses a string at p.pos (an opening quote) and returns its
// decoded bytes, valid until the next call: a slice of the body when there
// are no escapes (the common case, no allocation), else of p.buf.
func (p *jsonParser) rawString() ([]byte, error) {
	d := p.data
	start := p.pos + 1
	ascii := true
	for i := start; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			s := d[start:i]
			if !ascii && !utf8.Valid(s) {
				p.pos = start + invalidUTF8At(s)
				return nil, p.errorf("invalid UTF-8 in a string")
			}
			p.pos = i + 1
			return s, nil
		case c == '\\':
			return p.escapedString(start, i)
		case c < 0x20:
			p.pos = i
			return nil, p.errorf("control character in a string")
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	p.pos = len(d)
	return nil, p.errorf("unexpected end of input in a string")
}

// escapedString continues string from the first backslash at i.
func (p *jsonParser) escapedString(start, i int) ([]byte, error) {
	d := p.data
	b := append(p.buf[:0], d[start:i]...)
	if !utf8.Valid(b) {
		p.pos = start + invalidUTF8At(b)
		return nil, p.errorf("invalid UTF-8 in a string")
	}
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			p.buf = b
			return b, nil
		case c < 0x20:
			p.pos = i
			return nil, p.errorf("control character in a string")
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				p.pos = i
				return nil, p.errorf("invalid UTF-8 in a string")
			}
			b = append(b, d[i:i+size]...)
			i += size
			continue
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		// A backslash escape.
		if i+1 >= len(d) {
			break
		}
		p.pos = i
		switch e := d[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, n, err := p.unicodeEscape(i)
			if err != nil {
				return nil, err
			}
			b = utf8.AppendRune(b, r)
			i += n
			continue
		default:
			return nil, p.errorf("invalid escape in a string")
		}
		i += 2
	}
	p.pos = len(d)
	return nil, p.errorf("unexpected end of input in a string")
}

// unicodeEscape decodes \uXXXX at i, joining surrogate pairs. A lone
// surrogate has no UTF-8 form, so it is rejected like invalid UTF-8.
func (p *jsonParser) unicodeEscape(i int) (rune, int, error) {
	r1, ok := hex4(p.data, i+2)
	if !ok {
		return 0, 0, p.errorf("invalid \\u escape in a string")
	}
	if !utf16.IsSurrogate(r1) {
		return r1, 6, nil
	}
	if r2, ok := hex4(p.data, i+8); ok && p.data[i+6] == '\\' && p.data[i+7] == 'u' {
		if r := utf16.DecodeRune(r1, r2); r != utf8.RuneError {
			return r, 12, nil
		}
	}
	return 0, 0, p.errorf("unpaired surrogate in a \\u escape")
}

func hex4(d []byte, at int) (rune, bool) {
	if at < 0 || at+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func invalidUTF8At(s []byte) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(s)
}
