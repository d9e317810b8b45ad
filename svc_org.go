package sird

import (
	"context"
	"errors"
	"slices"
)

// orgOf finds the organization an account manages; a ValidationException
// when it belongs to none, as org-wide coverage needs one, or is only a
// member: only the management account's membership covers the organization.
func (s *Service) orgOf(tx Tx, accountID string) (*Organization, error) {
	a, err := tx.GetOrgAccount(accountID)
	if errors.Is(err, ErrNotExist) {
		return nil, InvalidField("coverEntireOrganization",
			"Account %s is not part of an organization declared to sird (see `sird org`).", accountID)
	}
	if err != nil {
		return nil, err
	}
	org, err := tx.GetOrganization(a.OrgID)
	if err != nil {
		return nil, err
	}
	if org.ManagementAccountID != accountID {
		return nil, InvalidField("coverEntireOrganization",
			"Account %s is a member of organization %s; only its management account %s can cover the organization.",
			accountID, org.ID, org.ManagementAccountID)
	}
	return org, nil
}

type coverageInfo struct {
	customerType string
	org          *Organization // nil for a standalone account
	accounts     map[string]bool
}

// coverage computes which accounts a membership covers: the owner always;
// with an organization, every account (coverEntireOrganization) or those
// under the listed OUs, nested OUs included.
func coverage(tx Tx, m *Membership) (coverageInfo, error) {
	info := coverageInfo{customerType: CustomerStandalone, accounts: map[string]bool{m.AccountID: true}}
	oa, err := tx.GetOrgAccount(m.AccountID)
	if errors.Is(err, ErrNotExist) {
		return info, nil
	}
	if err != nil {
		return info, err
	}
	org, err := tx.GetOrganization(oa.OrgID)
	if err != nil {
		return info, err
	}
	info.customerType, info.org = CustomerOrganization, org
	accounts, err := tx.ListOrgAccounts(org.ID)
	if err != nil {
		return info, err
	}
	if m.CoverEntireOrganization {
		for _, a := range accounts {
			info.accounts[a.AccountID] = true
		}
		return info, nil
	}
	if len(m.OrganizationalUnits) == 0 {
		return info, nil
	}
	units, err := tx.ListOrgUnits(org.ID)
	if err != nil {
		return info, err
	}
	parent := map[string]string{}
	for _, u := range units {
		parent[u.ID] = u.ParentID
	}
	under := func(ou string) bool { // is ou one of the listed OUs or nested below one?
		for seen := 0; ou != "" && seen <= len(parent); seen++ {
			if slices.Contains(m.OrganizationalUnits, ou) {
				return true
			}
			ou = parent[ou]
		}
		return false
	}
	for _, a := range accounts {
		if a.OUID != "" && under(a.OUID) {
			info.accounts[a.AccountID] = true
		}
	}
	return info, nil
}

// requireActive finds the active membership covering the caller's account in
// its region: its own, or one of its organization's that covers it.
func requireActive(tx Tx, c Caller) (*Membership, error) {
	own, err := tx.MembershipsByAccount(c.AccountID)
	if err != nil {
		return nil, err
	}
	candidates := own
	if oa, err := tx.GetOrgAccount(c.AccountID); err == nil {
		orgs, err := tx.MembershipsByOrg(oa.OrgID)
		if err != nil {
			return nil, err
		}
		candidates = append(candidates, orgs...)
	} else if !errors.Is(err, ErrNotExist) {
		return nil, err
	}
	for _, m := range candidates {
		if m.Status != MembershipActive || m.Region != c.Region {
			continue
		}
		if m.AccountID == c.AccountID {
			return m, nil
		}
		cov, err := coverage(tx, m)
		if err != nil {
			return nil, err
		}
		if cov.accounts[c.AccountID] {
			return m, nil
		}
	}
	return nil, Errorf(ErrNotActive,
		"Security Incident Response is not active for account %s in %s: create a membership or resume a cancelled one.", c.AccountID, c.Region)
}

type BatchGetMemberAccountDetailsInput struct {
	MembershipID string   `json:"membershipId"`
	AccountIDs   []string `json:"accountIds"`
}

type MemberAccountDetail struct {
	AccountID          string `json:"accountId"`
	RelationshipStatus string `json:"relationshipStatus"`
	RelationshipType   string `json:"relationshipType"`
}

type MemberAccountError struct {
	AccountID string `json:"accountId"`
	Error     string `json:"error"`
	Message   string `json:"message"`
}

type BatchGetMemberAccountDetailsOutput struct {
	Items  []MemberAccountDetail `json:"items"`
	Errors []MemberAccountError  `json:"errors"`
}

// BatchGetMemberAccountDetails tells, for each account, how it relates to the
// membership: Associated (covered), Disassociated (in the organization but not
// covered) or Unassociated (outside it); Organization or Unrelated.
func (s *Service) BatchGetMemberAccountDetails(ctx context.Context, c Caller, in *BatchGetMemberAccountDetailsInput) (*BatchGetMemberAccountDetailsOutput, error) {
	out := &BatchGetMemberAccountDetailsOutput{Items: []MemberAccountDetail{}, Errors: []MemberAccountError{}}
	err := s.read(ctx, func(tx Tx) error {
		m, err := ownMembership(tx, c, in.MembershipID, false)
		if err != nil {
			return err
		}
		cov, err := coverage(tx, m)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, id := range in.AccountIDs {
			if seen[id] {
				out.Errors = append(out.Errors, MemberAccountError{AccountID: id, Error: "DuplicateAccountId",
					Message: "The account ID appears more than once in the request."})
				continue
			}
			seen[id] = true
			d := MemberAccountDetail{AccountID: id, RelationshipType: RelationshipUnrelated, RelationshipStatus: RelationshipUnassociated}
			if cov.org != nil {
				a, err := tx.GetOrgAccount(id)
				switch {
				case err == nil && a.OrgID == cov.org.ID:
					d.RelationshipType, d.RelationshipStatus = RelationshipOrganization, RelationshipDisassociated
				case err == nil:
					out.Errors = append(out.Errors, MemberAccountError{AccountID: id, Error: "AccessDenied",
						Message: "The account belongs to another organization."})
					continue
				case !errors.Is(err, ErrNotExist):
					return err
				}
			}
			if cov.accounts[id] && m.Status == MembershipActive {
				d.RelationshipStatus = RelationshipAssociated
			} else if cov.accounts[id] {
				d.RelationshipStatus = RelationshipDisassociated
			}
			out.Items = append(out.Items, d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
