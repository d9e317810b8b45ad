package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

func testPendingUploads(t *testing.T, s sird.Store) {
	ref := func(caseID string, n int) sird.AttachmentRef {
		return sird.AttachmentRef{AccountID: acctA, Region: region1, CaseID: caseID, AttachmentID: fmt.Sprintf("att-%d", n)}
	}
	base := ts(1700000000, 0)
	// Expiry instants a nanosecond apart, added out of order.
	uploads := []struct {
		ref sird.AttachmentRef
		exp time.Time
	}{
		{ref("c1", 3), base.Add(3)},
		{ref("c1", 1), base.Add(1)},
		{ref("c2", 2), base.Add(2)},
		{ref("c2", 9), base.Add(time.Hour)},
		{ref("c1", 4), base.Add(3)}, // same instant as c1/att-3: ordered by case, then attachment
	}
	write(t, s, func(tx sird.Tx) error {
		must(t, "InsertCase", tx.InsertCase(smallCase("c1", acctA, region1, 1, 0)))
		must(t, "InsertCase", tx.InsertCase(smallCase("c2", acctA, region1, 2, 0)))
		for _, u := range uploads {
			must(t, "AddPendingUpload", tx.AddPendingUpload(u.ref, u.exp))
		}
		wantErr(t, "AddPendingUpload again", tx.AddPendingUpload(ref("c1", 1), base), sird.ErrDuplicate)
		return nil
	})
	err := s.Write(t.Context(), func(tx sird.Tx) error { return tx.AddPendingUpload(ref("c404", 1), base) })
	wantErr(t, "AddPendingUpload(missing case)", err, sird.ErrNotExist)

	tests := []struct {
		name   string
		before time.Time
		limit  int
		want   []sird.AttachmentRef
	}{
		{"none expired", base.Add(1), 10, nil}, // strictly before
		{"one", base.Add(2), 10, []sird.AttachmentRef{ref("c1", 1)}},
		{"ties", base.Add(4), 10, []sird.AttachmentRef{ref("c1", 1), ref("c2", 2), ref("c1", 3), ref("c1", 4)}},
		{"limit", base.Add(4), 2, []sird.AttachmentRef{ref("c1", 1), ref("c2", 2)}},
		{"all", base.Add(2 * time.Hour), 0, []sird.AttachmentRef{ref("c1", 1), ref("c2", 2), ref("c1", 3), ref("c1", 4), ref("c2", 9)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			read(t, s, func(tx sird.Tx) error {
				got, err := tx.ExpiredPendingUploads(tc.before, tc.limit)
				must(t, "ExpiredPendingUploads", err)
				if len(got) == 0 && len(tc.want) == 0 {
					return nil
				}
				equal(t, "ExpiredPendingUploads", got, tc.want)
				return nil
			})
		})
	}

	write(t, s, func(tx sird.Tx) error {
		must(t, "RemovePendingUpload", tx.RemovePendingUpload(ref("c2", 2)))
		// Removing twice is no error: the cleaner and the upload may both settle it.
		must(t, "RemovePendingUpload again", tx.RemovePendingUpload(ref("c2", 2)))
		return nil
	})
	read(t, s, func(tx sird.Tx) error {
		got, err := tx.ExpiredPendingUploads(base.Add(4), 10)
		must(t, "ExpiredPendingUploads", err)
		equal(t, "ExpiredPendingUploads after remove", got, []sird.AttachmentRef{ref("c1", 1), ref("c1", 3), ref("c1", 4)})
		return nil
	})
}
