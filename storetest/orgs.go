package storetest

import (
	"testing"

	"github.com/sird-project/sird"
)

func testOrganizations(t *testing.T, s sird.Store) {
	o1 := &sird.Organization{ID: "o-1", ManagementAccountID: acctA}
	o2 := &sird.Organization{ID: "o-0", ManagementAccountID: acctB}
	units := []*sird.OrgUnit{
		{ID: "ou-2", OrgID: "o-1", ParentID: "ou-1", Name: "Child"},
		{ID: "ou-1", OrgID: "o-1", Name: "Top"},
		{ID: "ou-9", OrgID: "o-0", Name: "Elsewhere"},
	}
	accounts := []*sird.OrgAccount{
		{AccountID: "300000000000", OrgID: "o-1", OUID: "ou-2"},
		{AccountID: acctA, OrgID: "o-1"},
		{AccountID: acctB, OrgID: "o-0", OUID: "ou-9"},
	}
	write(t, s, func(tx sird.Tx) error {
		// Units and accounts before their organization: puts load in any order.
		for _, u := range units {
			must(t, "PutOrgUnit", tx.PutOrgUnit(u))
		}
		for _, a := range accounts {
			must(t, "PutOrgAccount", tx.PutOrgAccount(a))
		}
		must(t, "PutOrganization", tx.PutOrganization(o1))
		must(t, "PutOrganization", tx.PutOrganization(o2))
		return nil
	})
	read(t, s, func(tx sird.Tx) error {
		got, err := tx.GetOrganization("o-1")
		must(t, "GetOrganization", err)
		equal(t, "GetOrganization", got, o1)
		_, err = tx.GetOrganization("o-404")
		wantErr(t, "GetOrganization(missing)", err, sird.ErrNotExist)

		orgs, err := tx.ListOrganizations()
		must(t, "ListOrganizations", err)
		equal(t, "ListOrganizations", orgs, []*sird.Organization{o2, o1})

		ous, err := tx.ListOrgUnits("o-1")
		must(t, "ListOrgUnits", err)
		equal(t, "ListOrgUnits", ous, []*sird.OrgUnit{units[1], units[0]})

		accts, err := tx.ListOrgAccounts("o-1")
		must(t, "ListOrgAccounts", err)
		equal(t, "ListOrgAccounts", accts, []*sird.OrgAccount{accounts[1], accounts[0]})

		a, err := tx.GetOrgAccount(acctB)
		must(t, "GetOrgAccount", err)
		equal(t, "GetOrgAccount", a, accounts[2])
		_, err = tx.GetOrgAccount("404404404404")
		wantErr(t, "GetOrgAccount(missing)", err, sird.ErrNotExist)
		return nil
	})

	// Puts replace: move an account and a unit, rename the management account.
	moved := &sird.OrgAccount{AccountID: acctB, OrgID: "o-1", OUID: "ou-1"}
	o1b := &sird.Organization{ID: "o-1", ManagementAccountID: "300000000000"}
	ou := &sird.OrgUnit{ID: "ou-2", OrgID: "o-1", Name: "Renamed"}
	write(t, s, func(tx sird.Tx) error {
		must(t, "PutOrgAccount(move)", tx.PutOrgAccount(moved))
		must(t, "PutOrganization(replace)", tx.PutOrganization(o1b))
		must(t, "PutOrgUnit(replace)", tx.PutOrgUnit(ou))
		must(t, "DeleteOrgAccount", tx.DeleteOrgAccount(acctA))
		must(t, "DeleteOrgAccount(missing)", tx.DeleteOrgAccount("404404404404"))
		must(t, "DeleteOrgUnit", tx.DeleteOrgUnit("ou-9"))
		must(t, "DeleteOrgUnit(missing)", tx.DeleteOrgUnit("ou-404"))
		return nil
	})
	read(t, s, func(tx sird.Tx) error {
		accts, err := tx.ListOrgAccounts("o-1")
		must(t, "ListOrgAccounts", err)
		equal(t, "ListOrgAccounts after changes", accts, []*sird.OrgAccount{moved, accounts[0]})
		accts, err = tx.ListOrgAccounts("o-0")
		must(t, "ListOrgAccounts", err)
		if len(accts) != 0 {
			t.Errorf("ListOrgAccounts(o-0) after the move: got %d accounts, want 0", len(accts))
		}
		_, err = tx.GetOrgAccount(acctA)
		wantErr(t, "GetOrgAccount(deleted)", err, sird.ErrNotExist)
		got, err := tx.GetOrganization("o-1")
		must(t, "GetOrganization", err)
		equal(t, "GetOrganization after replace", got, o1b)
		ous, err := tx.ListOrgUnits("o-1")
		must(t, "ListOrgUnits", err)
		equal(t, "ListOrgUnits after replace", ous, []*sird.OrgUnit{units[1], ou})
		ous, err = tx.ListOrgUnits("o-0")
		must(t, "ListOrgUnits", err)
		if len(ous) != 0 {
			t.Errorf("ListOrgUnits(o-0) after DeleteOrgUnit: got %d units, want 0", len(ous))
		}
		return nil
	})
}
