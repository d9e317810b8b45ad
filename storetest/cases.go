package storetest

import (
	"testing"

	"github.com/sird-project/sird"
)

func testCases(t *testing.T, s sird.Store) {
	c := fullCase("1000000001", acctA, region1, 1700000000)
	write(t, s, func(tx sird.Tx) error {
		must(t, "InsertCase", tx.InsertCase(c))
		wantErr(t, "InsertCase again", tx.InsertCase(fullCase("1000000001", acctB, region2, 1700000001)), sird.ErrDuplicate)
		return nil
	})
	read(t, s, func(tx sird.Tx) error {
		got, err := tx.GetCase(acctA, region1, c.ID, false)
		must(t, "GetCase", err)
		equal(t, "GetCase", got, c)
		_, err = tx.GetCase(acctA, region1, "1000000404", false)
		wantErr(t, "GetCase(missing)", err, sird.ErrNotExist)
		return nil
	})

	// Update through a locked read, changing and clearing members.
	want := fullCase("1000000001", acctA, region1, 1700000000)
	want.Status = sird.StatusClosed
	want.ClosedDate = nil
	want.Watchers = append(want.Watchers, sird.Watcher{Email: "c@example.com"})
	want.Tags = map[string]string{"only": "one"}
	want.Investigations = nil
	want.EditCount++
	want.LastUpdatedDate = sird.At(ts(1800000000, 1))
	write(t, s, func(tx sird.Tx) error {
		if _, err := tx.GetCase(acctA, region1, c.ID, true); err != nil {
			return err
		}
		return tx.UpdateCase(want)
	})
	read(t, s, func(tx sird.Tx) error {
		got, err := tx.GetCase(acctA, region1, c.ID, false)
		must(t, "GetCase after update", err)
		equal(t, "GetCase after update", got, want)
		return nil
	})

	tests := []struct {
		name string
		c    *sird.Case
	}{
		{"missing", fullCase("1000000404", acctA, region1, 1700000000)},
		{"other account", fullCase("1000000001", acctB, region1, 1700000000)},
		{"other region", fullCase("1000000001", acctA, region2, 1700000000)},
	}
	for _, tc := range tests {
		t.Run("UpdateCase/"+tc.name, func(t *testing.T) {
			err := s.Write(t.Context(), func(tx sird.Tx) error { return tx.UpdateCase(tc.c) })
			wantErr(t, "UpdateCase", err, sird.ErrNotExist)
		})
	}
	read(t, s, func(tx sird.Tx) error {
		got, err := tx.GetCase(acctA, region1, c.ID, false)
		must(t, "GetCase", err)
		equal(t, "GetCase after refused updates", got, want)
		return nil
	})
}

func testCaseIsolation(t *testing.T, s sird.Store) {
	c := fullCase("1000000001", acctA, region1, 1700000000)
	write(t, s, func(tx sird.Tx) error { return tx.InsertCase(c) })
	tests := []struct {
		name, account, region, id string
		lock                      bool
		err                       error
	}{
		{"owner", acctA, region1, c.ID, false, nil},
		{"owner locked", acctA, region1, c.ID, true, nil},
		{"other account", acctB, region1, c.ID, false, sird.ErrNotExist},
		{"other region", acctA, region2, c.ID, false, sird.ErrNotExist},
		{"other account locked", acctB, region1, c.ID, true, sird.ErrNotExist},
		{"other region locked", acctA, region2, c.ID, true, sird.ErrNotExist},
		{"other id", acctA, region1, "1000000002", false, sird.ErrNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			write(t, s, func(tx sird.Tx) error {
				got, err := tx.GetCase(tc.account, tc.region, tc.id, tc.lock)
				wantErr(t, "GetCase", err, tc.err)
				if tc.err == nil {
					equal(t, "GetCase", got, c)
				}
				return nil
			})
		})
	}
	read(t, s, func(tx sird.Tx) error {
		for _, q := range []struct{ account, region string }{{acctB, region1}, {acctA, region2}} {
			items, next, err := tx.ListCases(q.account, q.region, sird.Page{Limit: 10})
			must(t, "ListCases", err)
			if len(items) != 0 || next != "" {
				t.Errorf("ListCases(%s, %s): got %d items, next %q; want none", q.account, q.region, len(items), next)
			}
		}
		return nil
	})
}

func testCaseCounts(t *testing.T, s sird.Store) {
	write(t, s, func(tx sird.Tx) error {
		for i, c := range []*sird.Case{
			smallCase("c1", acctA, region1, 1, 0), smallCase("c2", acctA, region1, 2, 0), smallCase("c3", acctA, region1, 3, 0),
			smallCase("c4", acctA, region2, 4, 0), smallCase("c5", acctA, region2, 5, 0),
			smallCase("c6", acctB, region1, 6, 0),
		} {
			if err := tx.InsertCase(c); err != nil {
				t.Fatalf("InsertCase #%d: %v", i, err)
			}
		}
		// A duplicate is not counted.
		wantErr(t, "InsertCase(duplicate)", tx.InsertCase(smallCase("c1", acctA, region1, 1, 0)), sird.ErrDuplicate)
		return nil
	})
	// Nor is a rolled-back insert.
	err := s.Write(t.Context(), func(tx sird.Tx) error {
		must(t, "InsertCase", tx.InsertCase(smallCase("c7", acctA, region1, 7, 0)))
		return errBoom
	})
	wantErr(t, "Write", err, errBoom)

	tests := []struct {
		account, region string
		want            int64
	}{
		{acctA, region1, 3},
		{acctA, region2, 2},
		{acctB, region1, 1},
		{acctB, region2, 0},
	}
	read(t, s, func(tx sird.Tx) error {
		for _, tc := range tests {
			got, err := tx.CountCases(tc.account, tc.region)
			must(t, "CountCases", err)
			if got != tc.want {
				t.Errorf("CountCases(%s, %s): got %d, want %d", tc.account, tc.region, got, tc.want)
			}
		}
		return nil
	})
}
