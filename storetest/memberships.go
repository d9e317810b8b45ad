package storetest

import (
	"fmt"
	"testing"

	"github.com/sird-project/sird"
)

func testMemberships(t *testing.T, s sird.Store) {
	m := fullMembership("m-1", acctA, region1)
	write(t, s, func(tx sird.Tx) error {
		must(t, "InsertMembership", tx.InsertMembership(m))
		wantErr(t, "InsertMembership again", tx.InsertMembership(fullMembership("m-1", acctB, region2)), sird.ErrDuplicate)
		wantErr(t, "UpdateMembership(missing)", tx.UpdateMembership(fullMembership("m-404", acctA, region1)), sird.ErrNotExist)
		_, err := tx.GetMembership("m-404", false)
		wantErr(t, "GetMembership(missing)", err, sird.ErrNotExist)
		return nil
	})
	read(t, s, func(tx sird.Tx) error {
		got, err := tx.GetMembership("m-1", false)
		must(t, "GetMembership", err)
		equal(t, "GetMembership", got, m)
		return nil
	})

	// Update through a locked read, clearing optional members.
	want := fullMembership("m-1", acctA, region1)
	want.Status = sird.MembershipCancelled
	want.DeactivatedAt = nil
	want.Team = want.Team[:1]
	want.OptInFeatures = nil
	want.Tags = nil
	want.UpdatedAt = sird.At(ts(1800000000, 5))
	write(t, s, func(tx sird.Tx) error {
		if _, err := tx.GetMembership("m-1", true); err != nil {
			return err
		}
		return tx.UpdateMembership(want)
	})
	read(t, s, func(tx sird.Tx) error {
		got, err := tx.GetMembership("m-1", true) // lock is ignored by a Read
		must(t, "GetMembership after update", err)
		equal(t, "GetMembership after update", got, want)
		return nil
	})
}

func testMembershipLists(t *testing.T, s sird.Store) {
	// acctA: 7 memberships in region1 and 2 in region2; acctB (in the
	// organization) 1; acctM (management account, not declared as an org
	// account) 1; an account of another organization 1.
	const acctM, acctOther = "999999999999", "555555555555"
	var inA1 []*sird.Membership
	write(t, s, func(tx sird.Tx) error {
		for _, id := range []string{"m-a1-5", "m-a1-2", "m-a1-7", "m-a1-1", "m-a1-3", "m-a1-6", "m-a1-4"} {
			must(t, "InsertMembership", tx.InsertMembership(fullMembership(id, acctA, region1)))
		}
		for _, m := range []*sird.Membership{
			fullMembership("m-a2-1", acctA, region2), fullMembership("m-a2-0", acctA, region2),
			fullMembership("m-b", acctB, region1), fullMembership("m-m", acctM, region1),
			fullMembership("m-other", acctOther, region1),
		} {
			must(t, "InsertMembership", tx.InsertMembership(m))
		}
		must(t, "PutOrganization", tx.PutOrganization(&sird.Organization{ID: "o-1", ManagementAccountID: acctM}))
		must(t, "PutOrganization", tx.PutOrganization(&sird.Organization{ID: "o-2", ManagementAccountID: acctOther}))
		must(t, "PutOrgAccount", tx.PutOrgAccount(&sird.OrgAccount{AccountID: acctA, OrgID: "o-1"}))
		must(t, "PutOrgAccount", tx.PutOrgAccount(&sird.OrgAccount{AccountID: acctB, OrgID: "o-1", OUID: "ou-1"}))
		return nil
	})
	for i := 1; i <= 7; i++ {
		inA1 = append(inA1, fullMembership(fmt.Sprintf("m-a1-%d", i), acctA, region1))
	}
	ids := func(ms []*sird.Membership) []string {
		out := []string{}
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}

	read(t, s, func(tx sird.Tx) error {
		byAcct, err := tx.MembershipsByAccount(acctA)
		must(t, "MembershipsByAccount", err)
		equal(t, "MembershipsByAccount IDs", ids(byAcct),
			[]string{"m-a1-1", "m-a1-2", "m-a1-3", "m-a1-4", "m-a1-5", "m-a1-6", "m-a1-7", "m-a2-0", "m-a2-1"})
		equal(t, "MembershipsByAccount[0]", byAcct[0], inA1[0])

		byOrg, err := tx.MembershipsByOrg("o-1")
		must(t, "MembershipsByOrg", err)
		equal(t, "MembershipsByOrg IDs", ids(byOrg),
			[]string{"m-a1-1", "m-a1-2", "m-a1-3", "m-a1-4", "m-a1-5", "m-a1-6", "m-a1-7", "m-a2-0", "m-a2-1", "m-b", "m-m"})

		none, err := tx.MembershipsByOrg("o-404")
		must(t, "MembershipsByOrg(missing)", err)
		if len(none) != 0 {
			t.Errorf("MembershipsByOrg(missing): got %v, want none", ids(none))
		}
		return nil
	})

	// Paging as the service does it: ask for limit+1, continue after the last ID.
	tests := []struct {
		limit int
		pages [][]string
	}{
		{limit: 3, pages: [][]string{{"m-a1-1", "m-a1-2", "m-a1-3"}, {"m-a1-4", "m-a1-5", "m-a1-6"}, {"m-a1-7"}}},
		{limit: 7, pages: [][]string{{"m-a1-1", "m-a1-2", "m-a1-3", "m-a1-4", "m-a1-5", "m-a1-6", "m-a1-7"}}},
		{limit: 100, pages: [][]string{{"m-a1-1", "m-a1-2", "m-a1-3", "m-a1-4", "m-a1-5", "m-a1-6", "m-a1-7"}}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("ListMemberships/limit=%d", tc.limit), func(t *testing.T) {
			var pages [][]string
			after := ""
			read(t, s, func(tx sird.Tx) error {
				for len(pages) < 10 {
					ms, err := tx.ListMemberships(acctA, region1, sird.Page{After: after, Limit: tc.limit + 1})
					must(t, "ListMemberships", err)
					more := len(ms) > tc.limit
					if more {
						ms = ms[:tc.limit]
					}
					pages = append(pages, ids(ms))
					if !more {
						break
					}
					after = ms[len(ms)-1].ID
				}
				return nil
			})
			equal(t, "pages", pages, tc.pages)
		})
	}
	read(t, s, func(tx sird.Tx) error {
		ms, err := tx.ListMemberships(acctA, region1, sird.Page{Limit: 2})
		must(t, "ListMemberships", err)
		equal(t, "ListMemberships first page", ms, inA1[:2])
		ms, err = tx.ListMemberships(acctB, region2, sird.Page{Limit: 2})
		must(t, "ListMemberships(empty)", err)
		if len(ms) != 0 {
			t.Errorf("ListMemberships(acctB, region2): got %v, want none", ids(ms))
		}
		return nil
	})
}

func testMembershipChanges(t *testing.T, s sird.Store) {
	change := func(mid string, seq int64) *sird.MembershipChange {
		return &sird.MembershipChange{
			MembershipID: mid, Seq: seq, At: sird.At(ts(1700000000+seq, seq*7)),
			Principal: "arn:aws:iam::1:user/p", Action: "Updated", Message: fmt.Sprintf("change %d of %s", seq, mid),
		}
	}
	write(t, s, func(tx sird.Tx) error {
		must(t, "InsertMembership", tx.InsertMembership(fullMembership("m-1", acctA, region1)))
		must(t, "InsertMembership", tx.InsertMembership(fullMembership("m-2", acctA, region1)))
		for _, seq := range []int64{3, 1, 2} {
			must(t, "AddMembershipChange", tx.AddMembershipChange(change("m-1", seq)))
		}
		must(t, "AddMembershipChange", tx.AddMembershipChange(change("m-2", 1)))
		return nil
	})
	write(t, s, func(tx sird.Tx) error {
		wantErr(t, "AddMembershipChange(same seq)", tx.AddMembershipChange(change("m-1", 2)), sird.ErrDuplicate)
		return nil
	})
	err := s.Write(t.Context(), func(tx sird.Tx) error { return tx.AddMembershipChange(change("m-404", 1)) })
	wantErr(t, "AddMembershipChange(missing membership)", err, sird.ErrNotExist)

	read(t, s, func(tx sird.Tx) error {
		got, err := tx.ListMembershipChanges("m-1")
		must(t, "ListMembershipChanges", err)
		equal(t, "ListMembershipChanges(m-1)", got, []*sird.MembershipChange{change("m-1", 1), change("m-1", 2), change("m-1", 3)})
		got, err = tx.ListMembershipChanges("m-2")
		must(t, "ListMembershipChanges", err)
		equal(t, "ListMembershipChanges(m-2)", got, []*sird.MembershipChange{change("m-2", 1)})
		got, err = tx.ListMembershipChanges("m-404")
		must(t, "ListMembershipChanges", err)
		if len(got) != 0 {
			t.Errorf("ListMembershipChanges(missing): got %d changes, want 0", len(got))
		}
		return nil
	})
}
