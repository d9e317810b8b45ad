package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/sird-project/sird"
)

// writeEverything writes one row of every kind, for the rollback tests.
func writeEverything(t *testing.T, tx sird.Tx) {
	t.Helper()
	must(t, "PutAccessKey", tx.PutAccessKey(&sird.AccessKey{ID: "AKID1", AccountID: acctA, CreatedAt: ts(1, 0)}))
	must(t, "PutIdempotency", tx.PutIdempotency("s", "tok", "h", "1000000001", ts(1, 0)))
	must(t, "InsertMembership", tx.InsertMembership(fullMembership("m-1", acctA, region1)))
	must(t, "AddMembershipChange", tx.AddMembershipChange(&sird.MembershipChange{MembershipID: "m-1", Seq: 1}))
	must(t, "PutOrganization", tx.PutOrganization(&sird.Organization{ID: "o-1", ManagementAccountID: acctA}))
	must(t, "PutOrgUnit", tx.PutOrgUnit(&sird.OrgUnit{ID: "ou-1", OrgID: "o-1"}))
	must(t, "PutOrgAccount", tx.PutOrgAccount(&sird.OrgAccount{AccountID: acctA, OrgID: "o-1"}))
	must(t, "InsertCase", tx.InsertCase(fullCase("1000000001", acctA, region1, 1700000000)))
	must(t, "AddCaseEdit", tx.AddCaseEdit("1000000001", caseEdit(1)))
	must(t, "InsertComment", tx.InsertComment(comment("1000000001", 1, 1)))
	must(t, "AddPendingUpload", tx.AddPendingUpload(sird.AttachmentRef{AccountID: acctA, Region: region1, CaseID: "1000000001", AttachmentID: "a"}, ts(1, 0)))
	must(t, "AddEvent", tx.AddEvent(event("e-1")))
}

// wantNothing checks that none of writeEverything's rows exist.
func wantNothing(t *testing.T, s sird.Store) {
	t.Helper()
	read(t, s, func(tx sird.Tx) error {
		n, err := tx.CountAccessKeys()
		if err != nil || n != 0 {
			t.Errorf("CountAccessKeys: got %d, %v; want 0", n, err)
		}
		_, _, err = tx.GetIdempotency("s", "tok")
		wantErr(t, "GetIdempotency", err, sird.ErrNotExist)
		_, err = tx.GetMembership("m-1", false)
		wantErr(t, "GetMembership", err, sird.ErrNotExist)
		changes, err := tx.ListMembershipChanges("m-1")
		if err != nil || len(changes) != 0 {
			t.Errorf("ListMembershipChanges: got %d, %v; want none", len(changes), err)
		}
		_, err = tx.GetOrganization("o-1")
		wantErr(t, "GetOrganization", err, sird.ErrNotExist)
		units, err := tx.ListOrgUnits("o-1")
		if err != nil || len(units) != 0 {
			t.Errorf("ListOrgUnits: got %d, %v; want none", len(units), err)
		}
		_, err = tx.GetOrgAccount(acctA)
		wantErr(t, "GetOrgAccount", err, sird.ErrNotExist)
		_, err = tx.GetCase(acctA, region1, "1000000001", false)
		wantErr(t, "GetCase", err, sird.ErrNotExist)
		cases, next, err := tx.ListCases(acctA, region1, sird.Page{Limit: 10})
		if err != nil || len(cases) != 0 || next != "" {
			t.Errorf("ListCases: got %d, %q, %v; want none", len(cases), next, err)
		}
		total, err := tx.CountCases(acctA, region1)
		if err != nil || total != 0 {
			t.Errorf("CountCases: got %d, %v; want 0", total, err)
		}
		edits, _, err := tx.ListCaseEdits("1000000001", sird.Page{Limit: 10})
		if err != nil || len(edits) != 0 {
			t.Errorf("ListCaseEdits: got %d, %v; want none", len(edits), err)
		}
		_, err = tx.GetComment("1000000001", "000001", false)
		wantErr(t, "GetComment", err, sird.ErrNotExist)
		ups, err := tx.ExpiredPendingUploads(ts(10, 0), 10)
		if err != nil || len(ups) != 0 {
			t.Errorf("ExpiredPendingUploads: got %d, %v; want none", len(ups), err)
		}
		return nil
	})
	// The event is gone if its ID can be used again.
	write(t, s, func(tx sird.Tx) error { return tx.AddEvent(event("e-1")) })
}

func testRollbackOnError(t *testing.T, s sird.Store) {
	err := s.Write(t.Context(), func(tx sird.Tx) error {
		writeEverything(t, tx)
		return fmt.Errorf("wrapped: %w", errBoom)
	})
	wantErr(t, "Write returning an error", err, errBoom)
	wantNothing(t, s)
}

func testRollbackOnPanic(t *testing.T, s sird.Store) {
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want the panic of fn", r)
			}
		}()
		_ = s.Write(t.Context(), func(tx sird.Tx) error {
			writeEverything(t, tx)
			panic("boom")
		})
	}()
	wantNothing(t, s)
	// The store still works after the panic.
	write(t, s, func(tx sird.Tx) error { return tx.InsertCase(smallCase("c1", acctA, region1, 1, 0)) })
}

// ErrDuplicate is an answer, not a failure: the transaction goes on and commits.
func testDuplicateKeepsTxUsable(t *testing.T, s sird.Store) {
	write(t, s, func(tx sird.Tx) error {
		must(t, "InsertCase", tx.InsertCase(smallCase("c1", acctA, region1, 1, 0)))
		must(t, "PutIdempotency", tx.PutIdempotency("s", "tok", "h", "c1", ts(1, 0)))
		return nil
	})
	write(t, s, func(tx sird.Tx) error {
		wantErr(t, "InsertCase(duplicate)", tx.InsertCase(smallCase("c1", acctA, region1, 1, 0)), sird.ErrDuplicate)
		wantErr(t, "PutIdempotency(duplicate)", tx.PutIdempotency("s", "tok", "h", "c1", ts(1, 0)), sird.ErrDuplicate)
		return tx.InsertCase(smallCase("c2", acctA, region1, 2, 0))
	})
	read(t, s, func(tx sird.Tx) error {
		_, err := tx.GetCase(acctA, region1, "c2", false)
		wantErr(t, "GetCase(c2)", err, nil)
		n, err := tx.CountCases(acctA, region1)
		if err != nil || n != 2 {
			t.Errorf("CountCases: got %d, %v; want 2", n, err)
		}
		return nil
	})
}

func testTxOnlyInsideFn(t *testing.T, s sird.Store) {
	var leakedW, leakedR sird.Tx
	write(t, s, func(tx sird.Tx) error {
		leakedW = tx
		return tx.InsertCase(smallCase("c1", acctA, region1, 1, 0))
	})
	read(t, s, func(tx sird.Tx) error { leakedR = tx; return nil })
	for name, tx := range map[string]sird.Tx{"Write": leakedW, "Read": leakedR} {
		if _, err := tx.GetCase(acctA, region1, "c1", false); err == nil {
			t.Errorf("GetCase on the Tx of a finished %s: got nil error, want one", name)
		}
		if err := tx.InsertCase(smallCase("c2", acctA, region1, 2, 0)); err == nil {
			t.Errorf("InsertCase on the Tx of a finished %s: got nil error, want one", name)
		}
	}
	read(t, s, func(tx sird.Tx) error {
		_, err := tx.GetCase(acctA, region1, "c2", false)
		wantErr(t, "GetCase(c2)", err, sird.ErrNotExist)
		return nil
	})
}

func testReadIsReadOnly(t *testing.T, s sird.Store) {
	err := s.Read(t.Context(), func(tx sird.Tx) error {
		return tx.InsertCase(smallCase("c1", acctA, region1, 1, 0))
	})
	if err == nil {
		t.Errorf("InsertCase in a Read: got nil error, want one")
	}
	read(t, s, func(tx sird.Tx) error {
		_, err := tx.GetCase(acctA, region1, "c1", false)
		wantErr(t, "GetCase", err, sird.ErrNotExist)
		return nil
	})
}

// A Read sees one snapshot: a Write committed while it runs does not show.
func testReadSnapshot(t *testing.T, s sird.Store) {
	write(t, s, func(tx sird.Tx) error { return tx.InsertCase(smallCase("c1", acctA, region1, 1, 0)) })
	read(t, s, func(tx sird.Tx) error {
		before, err := tx.CountCases(acctA, region1)
		must(t, "CountCases", err)
		write(t, s, func(tx sird.Tx) error { return tx.InsertCase(smallCase("c2", acctA, region1, 2, 0)) })
		after, err := tx.CountCases(acctA, region1)
		must(t, "CountCases", err)
		items, _, err := tx.ListCases(acctA, region1, sird.Page{Limit: 10})
		must(t, "ListCases", err)
		if before != 1 || after != 1 || len(items) != 1 {
			t.Errorf("inside one Read: got counts %d then %d and %d listed, want 1, 1, 1", before, after, len(items))
		}
		return nil
	})
}

// Locked read-modify-write from many goroutines loses no update.
func testLockedIncrements(t *testing.T, s sird.Store) {
	const workers, rounds = 8, 10
	write(t, s, func(tx sird.Tx) error { return tx.InsertCase(smallCase("c1", acctA, region1, 1, 0)) })
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				err := s.Write(t.Context(), func(tx sird.Tx) error {
					c, err := tx.GetCase(acctA, region1, "c1", true)
					if err != nil {
						return err
					}
					c.Watchers = append(c.Watchers, sird.Watcher{Email: fmt.Sprintf("w%d-r%d@example.com", w, r)})
					c.EditCount++
					return tx.UpdateCase(c)
				})
				if err != nil {
					errs <- fmt.Errorf("worker %d round %d: %w", w, r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	read(t, s, func(tx sird.Tx) error {
		c, err := tx.GetCase(acctA, region1, "c1", false)
		must(t, "GetCase", err)
		seen := map[string]bool{}
		for _, w := range c.Watchers {
			if seen[w.Email] {
				t.Errorf("watcher %s appended twice", w.Email)
			}
			seen[w.Email] = true
		}
		if len(c.Watchers) != workers*rounds || c.EditCount != workers*rounds {
			t.Errorf("got %d watchers and EditCount %d, want %d of each", len(c.Watchers), c.EditCount, workers*rounds)
		}
		return nil
	})
}
