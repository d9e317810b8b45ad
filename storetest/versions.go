package storetest

import (
	"errors"
	"testing"

	"github.com/sird-project/sird"
)

// testMembershipsVersion: every change that can change which membership
// covers an account moves the version; other writes and rolled-back
// changes leave it alone.
func testMembershipsVersion(t *testing.T, s sird.Store) {
	version := func() int64 {
		t.Helper()
		var v int64
		read(t, s, func(tx sird.Tx) (err error) { v, err = tx.MembershipsVersion(); return err })
		return v
	}
	m := fullMembership("m-0000000000000001", acctA, "us-east-1")
	changes := []struct {
		name   string
		change func(tx sird.Tx) error
		moves  bool
	}{
		{"InsertMembership", func(tx sird.Tx) error { return tx.InsertMembership(m) }, true},
		{"UpdateMembership", func(tx sird.Tx) error {
			m.Status = sird.MembershipCancelled
			return tx.UpdateMembership(m)
		}, true},
		{"PutOrganization", func(tx sird.Tx) error {
			return tx.PutOrganization(&sird.Organization{ID: "o-1", ManagementAccountID: acctA})
		}, true},
		{"PutOrgUnit", func(tx sird.Tx) error { return tx.PutOrgUnit(&sird.OrgUnit{ID: "ou-1", OrgID: "o-1", Name: "Top"}) }, true},
		{"PutOrgAccount", func(tx sird.Tx) error { return tx.PutOrgAccount(&sird.OrgAccount{AccountID: acctB, OrgID: "o-1"}) }, true},
		{"DeleteOrgAccount", func(tx sird.Tx) error { return tx.DeleteOrgAccount(acctB) }, true},
		{"DeleteOrgUnit", func(tx sird.Tx) error { return tx.DeleteOrgUnit("ou-1") }, true},
		{"InsertCase", func(tx sird.Tx) error { return tx.InsertCase(smallCase("1000000001", acctA, "us-east-1", 1, 0)) }, false},
		{"AddMembershipChange", func(tx sird.Tx) error {
			return tx.AddMembershipChange(&sird.MembershipChange{MembershipID: m.ID, Seq: 1, Action: "x", At: sird.At(ts(1, 0))})
		}, false},
	}
	for _, tc := range changes {
		before := version()
		write(t, s, tc.change)
		if got := version(); (got != before) != tc.moves {
			t.Errorf("%s: version %d -> %d, want moved=%v", tc.name, before, got, tc.moves)
		}
	}
	// A change rolled back leaves the version as it was.
	before := version()
	errAbort := errors.New("abort")
	err := s.Write(t.Context(), func(tx sird.Tx) error {
		must(t, "UpdateMembership", tx.UpdateMembership(m))
		return errAbort
	})
	wantErr(t, "Write", err, errAbort)
	if got := version(); got != before {
		t.Errorf("rolled-back UpdateMembership: version %d -> %d, want unchanged", before, got)
	}
}
