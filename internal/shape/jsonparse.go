package shape

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
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
	o, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	return toGeneric(o).(map[string]any), nil
}

// parseTree is parseBody with objects left as *object, Decode's form.
func parseTree(data []byte) (*object, *sird.Error) {
	p := jsonParser{data: data}
	p.skipSpace()
	if p.pos == len(data) {
		return &object{}, nil // an empty body is {}
	}
	if data[p.pos] != '{' {
		if _, err := p.value(); err != nil {
			return nil, cannotParse(err)
		}
		return nil, cannotParse(&syntaxError{0, "request body is not a JSON object"})
	}
	// Size the first chunks for this body, so small bodies allocate little:
	// colons bound its members, braces its objects, commas (roughly) its
	// array elements.
	p.kvChunk = min(max(bytes.Count(data, []byte{':'}), 1), 128)
	p.objChunk = min(max(bytes.Count(data, []byte{'{'}), 1), 32)
	p.anyChunk = min(bytes.Count(data, []byte{','})+1, 128)
	sc := scratchPool.Get().(*scratch)
	p.scratch = *sc
	v, err := p.value()
	sc.put(&p.scratch)
	if err != nil {
		return nil, cannotParse(err)
	}
	p.skipSpace()
	if p.pos != len(data) {
		return nil, cannotParse(p.errorf("unexpected data after the JSON object"))
	}
	return v.(*object), nil
}

// scratch is the parser's working space, reused across requests: growing
// it afresh for every body cost more than the pool does.
type scratch struct {
	buf   []byte // strings with escapes
	stack []any  // array elements
	kvs   []kv   // object members
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// put returns scratch to the pool. sc is what the parser started with,
// used what it ended with: both are cleared of references to the tree (an
// error leaves some behind, and growing abandons the old arrays), and what
// a huge body grew is not kept.
func (sc *scratch) put(used *scratch) {
	clear(sc.stack[:cap(sc.stack)])
	clear(sc.kvs[:cap(sc.kvs)])
	clear(used.stack[:cap(used.stack)])
	clear(used.kvs[:cap(used.kvs)])
	const keep = 1024
	if cap(used.stack) <= keep && cap(used.kvs) <= keep && cap(used.buf) <= 64*keep {
		*sc = scratch{used.buf[:0], used.stack[:0], used.kvs[:0]}
	}
	scratchPool.Put(sc)
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
	scratch

	// Finished objects and arrays are carved from shared chunks, so a body
	// costs a few allocations rather than a few per object. The tree is
	// dropped after Decode (toGeneric copies what escapes).
	objs                        []object
	strs                        []string
	arrs                        [][]any
	kvArena                     []kv
	anyArena                    []any
	objChunk, kvChunk, anyChunk int // next chunk sizes
}

// Member names and enum values recur in every request: the parser returns
// these shared copies instead of allocating (and boxing) new ones. Shared
// key strings also make the validator's and fill's key comparisons cheap.
var internKeys, internValues internTable

func buildInternTables() {
	var keys, values []string
	for i := range shapeTable {
		s := &shapeTable[i]
		for _, m := range s.Members {
			keys = append(keys, m.Name)
		}
		values = append(values, s.Enum...)
	}
	internKeys.build(keys)
	internValues.build(values)
}

// internTable is a fixed open-addressing set, built once. Its hash reads a
// few bytes rather than the whole string: as the table never changes, no
// input can make a probe run longer than the longest one built here.
type internTable struct {
	slots  []internSlot
	mask   int
	maxLen int // longer strings skip the lookup
}

type internSlot struct {
	s    string
	v    any // s, boxed once
	used bool
}

func internHash[T string | []byte](b T) int {
	n := len(b)
	h := uint32(n) * 0x9e3779b1
	if n > 0 {
		h ^= uint32(b[0]) | uint32(b[n-1])<<8 | uint32(b[n/2])<<16 | uint32(b[n/3])<<24
	}
	h *= 0x85ebca6b
	return int(h ^ h>>15)
}

func (t *internTable) build(strs []string) {
	size := 16
	for size < 4*len(strs) {
		size *= 2
	}
	t.slots, t.mask = make([]internSlot, size), size-1
	for _, s := range strs {
		t.maxLen = max(t.maxLen, len(s))
		i := internHash(s) & t.mask
		for t.slots[i].used && t.slots[i].s != s {
			i = (i + 1) & t.mask
		}
		t.slots[i] = internSlot{s, s, true}
	}
}

// lookup returns the slot holding b, or nil.
func (t *internTable) lookup(b []byte) *internSlot {
	if len(b) > t.maxLen {
		return nil
	}
	for i := internHash(b) & t.mask; ; i = (i + 1) & t.mask {
		sl := &t.slots[i]
		if !sl.used {
			return nil
		}
		if sl.s == string(b) {
			return sl
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
		if sl := internValues.lookup(raw); sl != nil {
			return sl.v, nil
		}
		return p.newString(string(raw)), nil
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
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return p.newObject(nil, nil), nil
	}
	base := len(p.kvs)       // nested objects share the scratch above this mark
	var index map[string]int // once the object is too large to scan
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
		var key string
		if sl := internKeys.lookup(raw); sl != nil {
			key = sl.s
		} else {
			key = string(raw)
		}
		members := p.kvs[base:]
		dup := false
		if index != nil {
			_, dup = index[key]
		} else {
			for i := range members {
				if members[i].key == key {
					dup = true
					break
				}
			}
		}
		if dup {
			return nil, &syntaxError{keyAt, "duplicate key " + strconv.Quote(key)}
		}
		if index != nil {
			index[key] = len(members)
		} else if len(members) == indexAbove {
			index = buildIndex(members)
			index[key] = len(members)
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
		p.kvs = append(p.kvs, kv{key, v})
		p.skipSpace()
		if p.pos < len(p.data) {
			switch p.data[p.pos] {
			case ',':
				p.pos++
				continue
			case '}':
				p.pos++
				p.depth--
				o := p.newObject(p.kvs[base:], index)
				clear(p.kvs[base:]) // drop references for the GC
				p.kvs = p.kvs[:base]
				return o, nil
			}
		}
		return nil, p.unexpected("after an object value")
	}
}

// newObject copies members into the current chunk.
func (p *jsonParser) newObject(members []kv, index map[string]int) *object {
	if len(p.objs) == cap(p.objs) {
		p.objs = make([]object, 0, max(p.objChunk, 1))
		p.objChunk = 16
	}
	p.objs = p.objs[:len(p.objs)+1]
	o := &p.objs[len(p.objs)-1]
	n := len(members)
	if n == 0 {
		return o
	}
	o.kvs = carve(&p.kvArena, &p.kvChunk, members)
	o.index = index
	return o
}

func (p *jsonParser) array() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		p.depth--
		return p.newArray(nil), nil
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
				arr := p.newArray(p.stack[base:])
				clear(p.stack[base:]) // drop references for the GC
				p.stack = p.stack[:base]
				return arr, nil
			}
		}
		return nil, p.unexpected("after an array element")
	}
}

// carve copies elems into arena, which starts a new chunk (of next elements,
// or more) when it lacks room. The copy's capacity ends at its length (a
// full slice expression), so appending to it (Decode adds labels to an
// object) reallocates instead of overwriting what follows in the chunk.
func carve[T any](arena *[]T, next *int, elems []T) []T {
	if cap(*arena)-len(*arena) < len(elems) {
		*arena = make([]T, 0, max(*next, len(elems)))
		*next = 64
	}
	start := len(*arena)
	*arena = append(*arena, elems...)
	return (*arena)[start:len(*arena):len(*arena)]
}

// newArray copies elems into the current chunk.
func (p *jsonParser) newArray(elems []any) *[]any {
	if len(p.arrs) == cap(p.arrs) {
		p.arrs = make([][]any, 0, 8)
	}
	p.arrs = p.arrs[:len(p.arrs)+1]
	a := &p.arrs[len(p.arrs)-1]
	n := len(elems)
	if n == 0 {
		*a = []any{}
		return a
	}
	*a = carve(&p.anyArena, &p.anyChunk, elems)
	return a
}

// newString boxes str in the current chunk.
func (p *jsonParser) newString(str string) *string {
	if len(p.strs) == cap(p.strs) {
		p.strs = make([]string, 0, 16)
	}
	p.strs = append(p.strs, str)
	return &p.strs[len(p.strs)-1]
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
