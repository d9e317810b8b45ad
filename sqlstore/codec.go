package sqlstore

import (
	"encoding/json"
	"fmt"
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

// more cuts items fetched with pageLimit back to the limit asked for and
// reports whether rows follow them.
func more[T any](items []T, limit int) ([]T, bool) {
	if limit > 0 && limit < noLimit && len(items) > limit {
		return items[:limit], true
	}
	return items, false
}
