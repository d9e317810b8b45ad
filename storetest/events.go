package storetest

import (
	"testing"

	"github.com/sird-project/sird"
)

func event(id string) *sird.Event {
	return &sird.Event{
		ID: id, Type: sird.EventCaseCreated, Time: sird.At(ts(1700000000, 5)), AccountID: acctA, Region: region1,
		Resources: []string{sird.CaseARN(region1, acctA, "1")}, Principal: "arn:aws:iam::1:user/p", CaseID: "1",
		CaseTitle: "t", Summary: "created", Detail: map[string]any{"n": 1.5, "s": "x"},
		Recipients: []sird.Recipient{{Email: "a@example.com", Name: "A", Preferences: []string{sird.EventCaseClosed}}},
	}
}

// The outbox has no reader in sird.Tx yet; a duplicate ID shows what is stored.
func testEvents(t *testing.T, s sird.Store) {
	write(t, s, func(tx sird.Tx) error {
		must(t, "AddEvent", tx.AddEvent(event("e-1")))
		must(t, "AddEvent", tx.AddEvent(event("e-2")))
		wantErr(t, "AddEvent(same ID, same transaction)", tx.AddEvent(event("e-1")), sird.ErrDuplicate)
		return nil
	})
	write(t, s, func(tx sird.Tx) error {
		wantErr(t, "AddEvent(same ID)", tx.AddEvent(event("e-2")), sird.ErrDuplicate)
		return nil
	})
	// A rolled-back event is gone: its ID is free again.
	err := s.Write(t.Context(), func(tx sird.Tx) error {
		must(t, "AddEvent", tx.AddEvent(event("e-3")))
		return errBoom
	})
	wantErr(t, "Write", err, errBoom)
	write(t, s, func(tx sird.Tx) error {
		must(t, "AddEvent after rollback", tx.AddEvent(event("e-3")))
		return nil
	})
}
