package sqlstore

import "github.com/sird-project/sird"

// The outbox.

var qEventAdd = def(`INSERT INTO events (id, created_at, type, doc) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)

// AddEvent appends e to the outbox; an event ID already there is sird.ErrDuplicate.
func (t *tx) AddEvent(e *sird.Event) error {
	doc, err := encodeEventDoc(e)
	if err != nil {
		return err
	}
	return t.insert(qEventAdd, e.ID, e.Time.UnixNano(), e.Type, doc)
}
