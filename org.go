package sird

import (
	"context"
	"fmt"
	"regexp"
)

// Organization is an AWS Organization as the operator declares it to sird.
type Organization struct {
	ID                  string `json:"id"`
	ManagementAccountID string `json:"managementAccountId"`
}

// OrgUnit is an organizational unit; ParentID is empty for a child of the root.
type OrgUnit struct {
	ID       string `json:"id"`
	OrgID    string `json:"orgId"`
	ParentID string `json:"parentId,omitempty"`
	Name     string `json:"name,omitempty"`
}

// OrgAccount places an account in an organization, under an OU or the root (OUID empty).
type OrgAccount struct {
	AccountID string `json:"accountId"`
	OrgID     string `json:"orgId"`
	OUID      string `json:"ouId,omitempty"`
}

// Relationship values of BatchGetMemberAccountDetails.
const (
	RelationshipAssociated    = "Associated"
	RelationshipDisassociated = "Disassociated"
	RelationshipUnassociated  = "Unassociated"
	RelationshipOrganization  = "Organization"
	RelationshipUnrelated     = "Unrelated"
)

// OrgDeclaration is the operator's description of organizations, loaded from
// a JSON file (`sird org load`, `sird serve --org-file`).
type OrgDeclaration struct {
	Organizations []DeclaredOrganization `json:"organizations"`
}

// DeclaredOrganization is one organization with its units and accounts.
type DeclaredOrganization struct {
	Organization
	Units    []OrgUnit    `json:"units"`
	Accounts []OrgAccount `json:"accounts"`
}

var (
	orgIDRE = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	ouIDRE  = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
)

// LoadOrganizations validates a declaration and stores it in one
// transaction: each declared organization's units and accounts replace what
// was stored for it, so units and accounts left out are removed.
func LoadOrganizations(ctx context.Context, st Store, d *OrgDeclaration) error {
	for _, o := range d.Organizations {
		if !orgIDRE.MatchString(o.ID) {
			return fmt.Errorf("organization id %q must match o-[a-z0-9]{10,32}", o.ID)
		}
		if !accountRE.MatchString(o.ManagementAccountID) {
			return fmt.Errorf("organization %s: managementAccountId must be 12 digits", o.ID)
		}
		units := map[string]bool{}
		for _, u := range o.Units {
			if !ouIDRE.MatchString(u.ID) {
				return fmt.Errorf("organization %s: unit id %q must match ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}", o.ID, u.ID)
			}
			units[u.ID] = true
		}
		for _, u := range o.Units {
			if u.ParentID != "" && !units[u.ParentID] {
				return fmt.Errorf("organization %s: unit %s has unknown parent %s", o.ID, u.ID, u.ParentID)
			}
		}
		for _, a := range o.Accounts {
			if !accountRE.MatchString(a.AccountID) {
				return fmt.Errorf("organization %s: account id %q must be 12 digits", o.ID, a.AccountID)
			}
			if a.OUID != "" && !units[a.OUID] {
				return fmt.Errorf("organization %s: account %s is in unknown unit %s", o.ID, a.AccountID, a.OUID)
			}
		}
	}
	return st.Write(ctx, func(tx Tx) error {
		for _, o := range d.Organizations {
			org := o.Organization
			if err := tx.PutOrganization(&org); err != nil {
				return err
			}
			oldUnits, err := tx.ListOrgUnits(org.ID)
			if err != nil {
				return err
			}
			declared := map[string]bool{}
			for _, u := range o.Units {
				declared[u.ID] = true
				u.OrgID = org.ID
				if err := tx.PutOrgUnit(&u); err != nil {
					return err
				}
			}
			for _, u := range oldUnits {
				if !declared[u.ID] {
					if err := tx.DeleteOrgUnit(u.ID); err != nil {
						return err
					}
				}
			}
			old, err := tx.ListOrgAccounts(org.ID)
			if err != nil {
				return err
			}
			keep := map[string]bool{org.ManagementAccountID: true}
			for _, a := range o.Accounts {
				keep[a.AccountID] = true
			}
			for _, a := range old {
				if !keep[a.AccountID] {
					if err := tx.DeleteOrgAccount(a.AccountID); err != nil {
						return err
					}
				}
			}
			if err := tx.PutOrgAccount(&OrgAccount{AccountID: org.ManagementAccountID, OrgID: org.ID}); err != nil {
				return err
			}
			for _, a := range o.Accounts {
				a.OrgID = org.ID
				if a.AccountID == org.ManagementAccountID && a.OUID == "" {
					continue
				}
				if err := tx.PutOrgAccount(&a); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
