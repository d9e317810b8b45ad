package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sird-project/sird"
)

// newestFirst orders cases as ListCases does: createdDate descending, then
// case ID descending.
func newestFirst(a, b *sird.Case) int {
	if c := b.CreatedDate.Compare(a.CreatedDate.Time); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}

// manyCases inserts n cases of account/region1 and returns them in ListCases
// order. Creation instants come three to a second, two of them equal and one
// a nanosecond later, so both nanoseconds and the ID tie-break matter; IDs
// are not in creation order. Cases of another account and region go in
// between, and must never show.
func manyCases(t *testing.T, s sird.Store, account string, n int) []*sird.Case {
	t.Helper()
	want := []*sird.Case{}
	write(t, s, func(tx sird.Tx) error {
		for i := range n {
			c := smallCase(fmt.Sprintf("%s-%06d", account, (i*7919)%100003), account, region1, 1700000000+int64(i/3), int64(i%3/2))
			must(t, "InsertCase", tx.InsertCase(c))
			want = append(want, c)
			if i%10 == 0 {
				must(t, "InsertCase", tx.InsertCase(smallCase(fmt.Sprintf("o-%s-%06d", account, i), acctB, region1, 1700000000+int64(i), 0)))
				must(t, "InsertCase", tx.InsertCase(smallCase(fmt.Sprintf("r-%s-%06d", account, i), account, region2, 1700000000+int64(i), 0)))
			}
		}
		return nil
	})
	slices.SortFunc(want, newestFirst)
	return want
}

func caseIDs(cs []*sird.Case) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// listAll pages through account/region1's cases, each page in its own Read,
// calling between after every page that has a next one.
func listAll(t *testing.T, s sird.Store, account string, limit int, between func()) (all []*sird.Case, pages int) {
	t.Helper()
	all = []*sird.Case{}
	after := ""
	for {
		var items []*sird.Case
		var next string
		read(t, s, func(tx sird.Tx) (err error) {
			items, next, err = tx.ListCases(account, region1, sird.Page{After: after, Limit: limit})
			return err
		})
		pages++
		if limit > 0 && len(items) > limit {
			t.Fatalf("page %d: got %d items, want at most %d", pages, len(items), limit)
		}
		if next != "" && len(items) == 0 {
			t.Fatalf("page %d: no items but a next cursor", pages)
		}
		all = append(all, items...)
		if next == "" {
			return all, pages
		}
		if pages > 1000 {
			t.Fatalf("more than 1000 pages: the cursor does not advance")
		}
		if between != nil {
			between()
		}
		after = next
	}
}

func testListCasesPages(t *testing.T, s sird.Store) {
	tests := []struct {
		n, limit, wantPages int
	}{
		{n: 0, limit: 10, wantPages: 1},
		{n: 1, limit: 10, wantPages: 1},
		{n: 10, limit: 10, wantPages: 1}, // a full last page has no next
		{n: 11, limit: 10, wantPages: 2},
		{n: 100, limit: 25, wantPages: 4},
		{n: 103, limit: 10, wantPages: 11},
		{n: 40, limit: 1, wantPages: 40},
		{n: 40, limit: 0, wantPages: 1}, // no limit
	}
	for i, tc := range tests {
		t.Run(fmt.Sprintf("n=%d/limit=%d", tc.n, tc.limit), func(t *testing.T) {
			// An account per case keeps the earlier cases' rows out.
			account := fmt.Sprintf("7000000000%02d", i)
			want := manyCases(t, s, account, tc.n)
			got, pages := listAll(t, s, account, tc.limit, nil)
			equal(t, "listed IDs", caseIDs(got), caseIDs(want))
			equal(t, "listed cases", got, want)
			if pages != tc.wantPages {
				t.Errorf("pages: got %d, want %d", pages, tc.wantPages)
			}
		})
	}
}

// New cases are created now, so they sort before the cursor: paging on must
// neither repeat nor skip a case, nor show the new ones.
func testListCasesInsertsBetweenPages(t *testing.T, s sird.Store) {
	const n = 137
	want := manyCases(t, s, acctA, n)
	newest := want[0].CreatedDate.Unix()
	inserted := 0
	got, _ := listAll(t, s, acctA, 10, func() {
		write(t, s, func(tx sird.Tx) error {
			for range 3 {
				inserted++
				c := smallCase(fmt.Sprintf("new-%04d", inserted), acctA, region1, newest+int64(inserted), 0)
				must(t, "InsertCase", tx.InsertCase(c))
			}
			return nil
		})
	})
	seen := map[string]bool{}
	for i, c := range got {
		if seen[c.ID] {
			t.Errorf("case %s listed twice", c.ID)
		}
		seen[c.ID] = true
		if i > 0 && newestFirst(got[i-1], c) >= 0 {
			t.Errorf("cases %s and %s out of order", got[i-1].ID, c.ID)
		}
	}
	equal(t, "IDs paged while inserting", caseIDs(got), caseIDs(want))
	read(t, s, func(tx sird.Tx) error {
		got, err := tx.CountCases(acctA, region1)
		must(t, "CountCases", err)
		if want := int64(n + inserted); got != want {
			t.Errorf("CountCases: got %d, want %d", got, want)
		}
		return nil
	})
}

func testListCasesBadCursor(t *testing.T, s sird.Store) {
	manyCases(t, s, acctA, 5)
	var commentCursor string
	write(t, s, func(tx sird.Tx) error {
		must(t, "InsertCase", tx.InsertCase(smallCase("cx", acctB, region2, 1, 0)))
		for i := 1; i <= 3; i++ {
			must(t, "InsertComment", tx.InsertComment(comment("cx", i, 1)))
		}
		var err error
		_, commentCursor, err = tx.ListComments("cx", sird.Page{Limit: 1})
		return err
	})
	tests := []struct{ name, after string }{
		{"not base64", "garbage!"},
		{"random bytes", "AAAA"},
		{"cursor of ListComments", commentCursor},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Read(t.Context(), func(tx sird.Tx) error {
				_, _, err := tx.ListCases(acctA, region1, sird.Page{After: tc.after, Limit: 2})
				return err
			})
			if err == nil {
				t.Errorf("ListCases(After: %q): got nil error, want one", tc.after)
			}
		})
	}
}
