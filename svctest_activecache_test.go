package sird_test

import (
	"testing"

	"github.com/sird-project/sird"
)

// TestActiveMembershipSeenAcrossWriters: the service remembers which
// membership covers an account, but a change written by someone else (another
// node, `sird org load`) straight into the store takes effect at once.
func TestActiveMembershipSeenAcrossWriters(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctOther)
	id := e.createMembership(t, c, false)
	out, err := e.svc.CreateCase(e.ctx, c, newCaseInput("first"))
	mustOK(t, err, "CreateCase")

	setStatus := func(status string) {
		t.Helper()
		mustOK(t, e.store.Write(e.ctx, func(tx sird.Tx) error {
			m, err := tx.GetMembership(id, true)
			if err != nil {
				return err
			}
			m.Status = status
			return tx.UpdateMembership(m)
		}), "UpdateMembership in the store")
	}
	steps := []struct {
		status string
		active bool
	}{
		{sird.MembershipCancelled, false},
		{sird.MembershipActive, true},
		{sird.MembershipCancelled, false},
	}
	for _, st := range steps {
		setStatus(st.status)
		_, err := e.svc.CreateCase(e.ctx, c, newCaseInput("again"))
		err2 := e.svc.UpdateCase(e.ctx, c, &sird.UpdateCaseInput{CaseID: out.CaseID, Title: ptr("renamed")})
		if st.active {
			mustOK(t, err, "CreateCase with the membership "+st.status)
			mustOK(t, err2, "UpdateCase with the membership "+st.status)
			continue
		}
		wantCode(t, err, sird.ErrNotActive, "CreateCase with the membership "+st.status)
		wantCode(t, err2, sird.ErrNotActive, "UpdateCase with the membership "+st.status)
	}
}
