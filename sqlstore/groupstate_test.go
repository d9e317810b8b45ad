package sqlstore

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/sird-project/sird"
)

// State a group's fns share: case counts added at commit, and the
// memberships version read once per group.

func TestGroupCaseCounts(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	const n = 120
	var stored atomic.Int64
	succeeded := int64(0) // fns run one at a time: the cases stored so far, committed or pending
	errs := make([]error, n)
	startTogether(n, func(i int) {
		errs[i] = s.Write(t.Context(), func(tx sird.Tx) error {
			before, err := tx.CountCases(testAccount, testRegion)
			if err != nil {
				return err
			}
			if before != succeeded {
				return fmt.Errorf("count before the insert %d, want %d", before, succeeded)
			}
			if err := tx.InsertCase(smallTestCase(i)); err != nil {
				return err
			}
			// The fn sees its own case counted, and every case of the
			// group committed before it.
			after, err := tx.CountCases(testAccount, testRegion)
			if err != nil {
				return err
			}
			if after != before+1 {
				return fmt.Errorf("count went %d -> %d across one insert", before, after)
			}
			if i%4 == 1 {
				return errFnFailed // rolled back: must not be counted
			}
			succeeded++
			return nil
		})
		if errs[i] == nil {
			stored.Add(1)
		}
	})
	for i, err := range errs {
		if want := i%4 == 1; (err != nil) != want {
			t.Errorf("Write %d: got error %v, want failure=%v", i, err, want)
		}
	}
	var got int64
	read(t, s, func(tx sird.Tx) (err error) { got, err = tx.CountCases(testAccount, testRegion); return err })
	if want := stored.Load(); got != want || want != n-n/4 {
		t.Errorf("CountCases after the writes: got %d, want %d (stored %d)", got, n-n/4, want)
	}
	if st := s.WriteStats(); st.AvgGroup <= 1 {
		t.Logf("no group held more than one Write (avg %.1f): the counts were still checked", st.AvgGroup)
	}
}

func TestGroupMembershipsVersion(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	m := &sird.Membership{ID: "m-0000000000000001", AccountID: testAccount, Region: testRegion, Status: sird.MembershipActive}
	write(t, s, func(tx sird.Tx) error { return tx.InsertMembership(m) })
	var start int64
	read(t, s, func(tx sird.Tx) (err error) { start, err = tx.MembershipsVersion(); return err })

	const n = 90
	seen := make([]int64, n) // the version each successful fn saw before its change
	errs := make([]error, n)
	startTogether(n, func(i int) {
		errs[i] = s.Write(t.Context(), func(tx sird.Tx) error {
			v1, err := tx.MembershipsVersion()
			if err != nil {
				return err
			}
			mm := *m
			mm.Name = fmt.Sprintf("n%d", i)
			if err := tx.UpdateMembership(&mm); err != nil {
				return err
			}
			v2, err := tx.MembershipsVersion()
			if err != nil {
				return err
			}
			if v2 != v1+1 {
				return fmt.Errorf("version %d -> %d across one change", v1, v2)
			}
			if i%3 == 0 {
				return errFnFailed // rolled back with its bump
			}
			seen[i] = v1
			return nil
		})
	})
	var got []int64
	for i, err := range errs {
		if want := i%3 == 0; (err != nil) != want {
			t.Errorf("Write %d: got error %v, want failure=%v", i, err, want)
		}
		if err == nil {
			got = append(got, seen[i])
		}
	}
	// The successful changes saw consecutive versions, each once: no fn saw
	// a version a rolled-back fn had set, nor a stale one.
	slices.Sort(got)
	for k, v := range got {
		if want := start + int64(k); v != want {
			t.Fatalf("versions seen before the successful changes: %v, want %d, %d, ...", got, start, start+1)
		}
	}
	var end int64
	read(t, s, func(tx sird.Tx) (err error) { end, err = tx.MembershipsVersion(); return err })
	if want := start + int64(len(got)); end != want {
		t.Errorf("version after the writes: got %d, want %d", end, want)
	}
}
