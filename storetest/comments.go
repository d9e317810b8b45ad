package storetest

import (
	"fmt"
	"testing"

	"github.com/sird-project/sird"
)

func testComments(t *testing.T, s sird.Store) {
	const caseID, otherCase = "1000000001", "1000000002"
	var all []*sird.Comment
	for n := 1; n <= 12; n++ {
		all = append(all, comment(caseID, n, 1700000000+int64(n)))
	}
	write(t, s, func(tx sird.Tx) error {
		must(t, "InsertCase", tx.InsertCase(smallCase(caseID, acctA, region1, 1, 0)))
		must(t, "InsertCase", tx.InsertCase(smallCase(otherCase, acctA, region1, 2, 0)))
		// Inserted out of order: listing is by ID.
		for _, i := range []int{11, 0, 5, 3, 1, 2, 4, 6, 7, 8, 9, 10} {
			must(t, "InsertComment", tx.InsertComment(all[i]))
		}
		must(t, "InsertComment", tx.InsertComment(comment(otherCase, 1, 1)))
		wantErr(t, "InsertComment again", tx.InsertComment(comment(caseID, 1, 5)), sird.ErrDuplicate)
		wantErr(t, "UpdateComment(missing)", tx.UpdateComment(comment(caseID, 99, 5)), sird.ErrNotExist)
		return nil
	})
	err := s.Write(t.Context(), func(tx sird.Tx) error { return tx.InsertComment(comment("1000000404", 1, 1)) })
	wantErr(t, "InsertComment(missing case)", err, sird.ErrNotExist)

	updated := comment(caseID, 3, 1700000003)
	updated.Body = "edited"
	updated.LastUpdatedBy = "arn:aws:iam::1:user/editor"
	updated.LastUpdatedDate = tp(1800000000, 999)
	write(t, s, func(tx sird.Tx) error {
		if _, err := tx.GetComment(caseID, updated.ID, true); err != nil {
			return err
		}
		return tx.UpdateComment(updated)
	})
	all[2] = updated

	read(t, s, func(tx sird.Tx) error {
		got, err := tx.GetComment(caseID, "000003", false)
		must(t, "GetComment", err)
		equal(t, "GetComment after update", got, updated)
		got, err = tx.GetComment(caseID, "000001", false)
		must(t, "GetComment", err)
		equal(t, "GetComment", got, all[0])
		_, err = tx.GetComment(caseID, "000099", false)
		wantErr(t, "GetComment(missing)", err, sird.ErrNotExist)
		_, err = tx.GetComment(otherCase, "000002", false)
		wantErr(t, "GetComment(other case)", err, sird.ErrNotExist)
		return nil
	})

	for _, limit := range []int{1, 5, 12, 100} {
		t.Run(fmt.Sprintf("ListComments/limit=%d", limit), func(t *testing.T) {
			var got []*sird.Comment
			after, pages := "", 0
			read(t, s, func(tx sird.Tx) error {
				for {
					items, next, err := tx.ListComments(caseID, sird.Page{After: after, Limit: limit})
					must(t, "ListComments", err)
					if len(items) > limit {
						t.Fatalf("page of %d comments, limit %d", len(items), limit)
					}
					got, pages = append(got, items...), pages+1
					if next == "" || pages > 100 {
						return nil
					}
					after = next
				}
			})
			equal(t, "comments", got, all)
			if want := (len(all) + limit - 1) / limit; pages != want {
				t.Errorf("pages: got %d, want %d", pages, want)
			}
		})
	}
}

func testCaseEdits(t *testing.T, s sird.Store) {
	const caseID = "1000000001"
	write(t, s, func(tx sird.Tx) error {
		must(t, "InsertCase", tx.InsertCase(smallCase(caseID, acctA, region1, 1, 0)))
		must(t, "InsertCase", tx.InsertCase(smallCase("1000000002", acctA, region1, 2, 0)))
		for _, seq := range []int64{3, 1, 2, 5, 4, 6, 7} {
			must(t, "AddCaseEdit", tx.AddCaseEdit(caseID, caseEdit(seq)))
		}
		must(t, "AddCaseEdit", tx.AddCaseEdit("1000000002", caseEdit(1)))
		wantErr(t, "AddCaseEdit(same seq)", tx.AddCaseEdit(caseID, caseEdit(2)), sird.ErrDuplicate)
		wantErr(t, "AddCaseEdit(same first seq)", tx.AddCaseEdit(caseID, caseEdit(1)), sird.ErrDuplicate)
		return nil
	})
	err := s.Write(t.Context(), func(tx sird.Tx) error { return tx.AddCaseEdit("1000000404", caseEdit(1)) })
	wantErr(t, "AddCaseEdit(missing case)", err, sird.ErrNotExist)

	var want []*sird.CaseEdit
	for seq := int64(1); seq <= 7; seq++ {
		want = append(want, caseEdit(seq))
	}
	tests := []struct {
		limit     int
		wantPages int
	}{{1, 7}, {3, 3}, {7, 1}, {50, 1}, {0, 1}}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("ListCaseEdits/limit=%d", tc.limit), func(t *testing.T) {
			var got []*sird.CaseEdit
			after, pages := "", 0
			read(t, s, func(tx sird.Tx) error {
				for {
					items, next, err := tx.ListCaseEdits(caseID, sird.Page{After: after, Limit: tc.limit})
					must(t, "ListCaseEdits", err)
					got, pages = append(got, items...), pages+1
					if next == "" || pages > 100 {
						return nil
					}
					after = next
				}
			})
			equal(t, "edits", got, want)
			if pages != tc.wantPages {
				t.Errorf("pages: got %d, want %d", pages, tc.wantPages)
			}
		})
	}
}

// A case inserted with its first history entry lists that entry first, is
// counted like any case, and takes the following entries as usual.
func testCaseWithFirstEdit(t *testing.T, s sird.Store) {
	const caseID = "1000000001"
	write(t, s, func(tx sird.Tx) error {
		must(t, "InsertCaseWithFirstEdit", tx.InsertCaseWithFirstEdit(smallCase(caseID, acctA, region1, 1, 0), caseEdit(1)))
		wantErr(t, "InsertCaseWithFirstEdit(same case)", tx.InsertCaseWithFirstEdit(smallCase(caseID, acctA, region1, 2, 0), caseEdit(1)), sird.ErrDuplicate)
		wantErr(t, "AddCaseEdit(seq 1 again)", tx.AddCaseEdit(caseID, caseEdit(1)), sird.ErrDuplicate)
		must(t, "AddCaseEdit", tx.AddCaseEdit(caseID, caseEdit(2)))
		if err := tx.InsertCaseWithFirstEdit(smallCase("1000000002", acctA, region1, 2, 0), caseEdit(2)); err == nil {
			t.Error("InsertCaseWithFirstEdit with entry 2: got nil error, want one")
		}
		return nil
	})
	read(t, s, func(tx sird.Tx) error {
		items, next, err := tx.ListCaseEdits(caseID, sird.Page{Limit: 10})
		must(t, "ListCaseEdits", err)
		equal(t, "edits", items, []*sird.CaseEdit{caseEdit(1), caseEdit(2)})
		if next != "" {
			t.Errorf("next: got %q, want none", next)
		}
		n, err := tx.CountCases(acctA, region1)
		must(t, "CountCases", err)
		if n != 1 {
			t.Errorf("CountCases: got %d, want 1", n)
		}
		_, err = tx.GetCase(acctA, region1, "1000000002", false)
		wantErr(t, "GetCase(refused insert)", err, sird.ErrNotExist)
		return nil
	})
}
