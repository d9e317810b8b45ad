package sqlstore

import (
	"encoding/json"
	"fmt"
	"sync"
)

// decodeJSON returns a decoder of documents into a new T.
func decodeJSON[T any](what string) func([]byte) (*T, error) {
	return func(b []byte) (*T, error) {
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return nil, fmt.Errorf("sqlstore: %s document: %w", what, err)
		}
		return v, nil
	}
}

// encodeJSON renders a document as the string the doc columns hold: a
// []byte would be bound as a BLOB by SQLite.
func encodeJSON(what string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("sqlstore: %s document: %w", what, err)
	}
	return string(b), nil
}

// encodeDoc is encodeJSON(what, v) through a hand-written appendDoc
// (casecodec.go, eventcodec.go) while on() holds, and through encodeJSON
// otherwise or on an error, so errors stay encoding/json's.
func encodeDoc[T any](what string, v *T, on func() bool, appendDoc func([]byte, *T) ([]byte, error)) (string, error) {
	if !on() {
		return encodeJSON(what, v)
	}
	buf := docBufs.Get().(*[]byte)
	b, err := appendDoc((*buf)[:0], v)
	if err != nil {
		docBufs.Put(buf)
		return encodeJSON(what, v)
	}
	s := string(b)
	if cap(b) <= 64<<10 { // do not keep the odd huge buffer alive
		*buf = b
		docBufs.Put(buf)
	}
	return s, nil
}

// docBufs holds encodeDoc's buffers; case documents are about 1-2 KB.
var docBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// more cuts items fetched with pageLimit back to the limit asked for and
// reports whether rows follow them.
func more[T any](items []T, limit int) ([]T, bool) {
	if limit > 0 && limit < noLimit && len(items) > limit {
		return items[:limit], true
	}
	return items, false
}
