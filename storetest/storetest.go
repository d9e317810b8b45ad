// Package storetest is the test suite every sird.Store implementation must
// pass, so the backends behave alike.
package storetest

import (
	"testing"

	"github.com/sird-project/sird"
)

// Run runs the suite. open must return a fresh, empty, migrated store for
// each subtest and close it (t.Cleanup) when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) sird.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s sird.Store)
	}{
		{"Ping", testPing},
		{"AccessKeys", testAccessKeys},
		{"Idempotency", testIdempotency},
		{"Memberships", testMemberships},
		{"MembershipLists", testMembershipLists},
		{"MembershipChanges", testMembershipChanges},
		{"Organizations", testOrganizations},
		{"MembershipsVersion", testMembershipsVersion},
		{"Cases", testCases},
		{"CaseIsolation", testCaseIsolation},
		{"CaseCounts", testCaseCounts},
		{"ListCasesPages", testListCasesPages},
		{"ListCasesInsertsBetweenPages", testListCasesInsertsBetweenPages},
		{"ListCasesBadCursor", testListCasesBadCursor},
		{"CaseEdits", testCaseEdits},
		{"CaseWithFirstEdit", testCaseWithFirstEdit},
		{"Comments", testComments},
		{"PendingUploads", testPendingUploads},
		{"Events", testEvents},
		{"RollbackOnError", testRollbackOnError},
		{"RollbackOnPanic", testRollbackOnPanic},
		{"DuplicateKeepsTxUsable", testDuplicateKeepsTxUsable},
		{"TxOnlyInsideFn", testTxOnlyInsideFn},
		{"ReadIsReadOnly", testReadIsReadOnly},
		{"ReadSnapshot", testReadSnapshot},
		{"LockedIncrements", testLockedIncrements},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func testPing(t *testing.T, s sird.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: got %v, want nil", err)
	}
}
