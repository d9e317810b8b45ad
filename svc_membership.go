package sird

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

type CreateMembershipInput struct {
	ClientToken             string              `json:"clientToken,omitempty"`
	MembershipName          string              `json:"membershipName"`
	IncidentResponseTeam    []IncidentResponder `json:"incidentResponseTeam"`
	OptInFeatures           []OptInFeature      `json:"optInFeatures,omitempty"`
	Tags                    map[string]string   `json:"tags,omitempty"`
	CoverEntireOrganization *bool               `json:"coverEntireOrganization,omitempty"`
}

type CreateMembershipOutput struct {
	MembershipID string `json:"membershipId"`
}

type MembershipIDInput struct {
	MembershipID string `json:"membershipId"`
}

type MembershipAccountsConfigurations struct {
	CoverEntireOrganization bool     `json:"coverEntireOrganization"`
	OrganizationalUnits     []string `json:"organizationalUnits"`
}

type GetMembershipOutput struct {
	MembershipID                     string                            `json:"membershipId"`
	AccountID                        string                            `json:"accountId"`
	Region                           string                            `json:"region"`
	MembershipName                   string                            `json:"membershipName"`
	MembershipArn                    string                            `json:"membershipArn"`
	MembershipStatus                 string                            `json:"membershipStatus"`
	MembershipActivationTimestamp    Time                              `json:"membershipActivationTimestamp"`
	MembershipDeactivationTimestamp  *Time                             `json:"membershipDeactivationTimestamp,omitempty"`
	CustomerType                     string                            `json:"customerType"`
	NumberOfAccountsCovered          int64                             `json:"numberOfAccountsCovered"`
	IncidentResponseTeam             []IncidentResponder               `json:"incidentResponseTeam"`
	OptInFeatures                    []OptInFeature                    `json:"optInFeatures,omitempty"`
	MembershipAccountsConfigurations *MembershipAccountsConfigurations `json:"membershipAccountsConfigurations,omitempty"`
}

type ListInput struct {
	NextToken  string `json:"nextToken,omitempty"`
	MaxResults *int   `json:"maxResults,omitempty"`
}

type ListMembershipItem struct {
	MembershipID     string `json:"membershipId"`
	AccountID        string `json:"accountId"`
	Region           string `json:"region"`
	MembershipArn    string `json:"membershipArn"`
	MembershipStatus string `json:"membershipStatus"`
}

type ListMembershipsOutput struct {
	Items     []ListMembershipItem `json:"items"`
	NextToken string               `json:"nextToken,omitempty"`
}

type MembershipAccountsConfigurationsUpdate struct {
	CoverEntireOrganization     *bool    `json:"coverEntireOrganization,omitempty"`
	OrganizationalUnitsToAdd    []string `json:"organizationalUnitsToAdd,omitempty"`
	OrganizationalUnitsToRemove []string `json:"organizationalUnitsToRemove,omitempty"`
}

type UpdateMembershipInput struct {
	MembershipID                           string                                  `json:"membershipId"`
	MembershipName                         *string                                 `json:"membershipName,omitempty"`
	IncidentResponseTeam                   []IncidentResponder                     `json:"incidentResponseTeam,omitempty"`
	OptInFeatures                          []OptInFeature                          `json:"optInFeatures,omitempty"`
	MembershipAccountsConfigurationsUpdate *MembershipAccountsConfigurationsUpdate `json:"membershipAccountsConfigurationsUpdate,omitempty"`
	UndoMembershipCancellation             *bool                                   `json:"undoMembershipCancellation,omitempty"`
}

type CancelMembershipOutput struct {
	MembershipID string `json:"membershipId"`
}

// CreateMembership activates the service for the caller's account (and,
// with coverEntireOrganization or OUs, for its organization).
func (s *Service) CreateMembership(ctx context.Context, c Caller, in *CreateMembershipInput) (*CreateMembershipOutput, error) {
	token := in.ClientToken
	req := *in // the request without its token, leaving the caller's input as it was
	req.ClientToken = ""
	digest := jsonDigest(&req)
	scope := "CreateMembership/" + c.AccountID + "/" + c.Region
	var out CreateMembershipOutput
	err := s.write(ctx, func(tx Tx) error {
		if id, found, err := idempotent(tx, scope, token, digest); err != nil || found {
			out.MembershipID = id
			return err
		}
		existing, err := tx.MembershipsByAccount(c.AccountID)
		if err != nil {
			return err
		}
		for _, m := range existing {
			if m.Status != MembershipTerminated {
				return Conflict("membership", m.ID, "Account %s already has membership %s.", c.AccountID, m.ID)
			}
		}
		cover := in.CoverEntireOrganization != nil && *in.CoverEntireOrganization
		if cover {
			if _, err := s.orgOf(tx, c.AccountID); err != nil {
				return err
			}
		}
		now := s.clock()
		m := &Membership{
			ID: "m-" + s.randomString(idAlphabet, 16), AccountID: c.AccountID, Region: c.Region,
			Name: in.MembershipName, Status: MembershipActive, ActivatedAt: now,
			Team: in.IncidentResponseTeam, OptInFeatures: in.OptInFeatures,
			CoverEntireOrganization: cover, Tags: in.Tags,
			CreatedBy: c.Principal, UpdatedAt: now, UpdatedBy: c.Principal,
		}
		if err := tx.InsertMembership(m); err != nil {
			return err
		}
		if token != "" {
			if err := tx.PutIdempotency(scope, token, digest.sum, m.ID, now.Time); err != nil {
				return err
			}
		}
		out.MembershipID = m.ID
		return s.membershipChanged(tx, c, m, EventMembershipCreated, "Created",
			fmt.Sprintf("Membership %s (%s) created", m.ID, m.Name))
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// membershipChanged records the change and its event in the same transaction.
func (s *Service) membershipChanged(tx Tx, c Caller, m *Membership, eventType, action, message string) error {
	now := s.clock()
	changes, err := tx.ListMembershipChanges(m.ID)
	if err != nil {
		return err
	}
	if err := tx.AddMembershipChange(&MembershipChange{
		MembershipID: m.ID, Seq: int64(len(changes)) + 1, At: now, Principal: c.Principal, Action: action, Message: message,
	}); err != nil {
		return err
	}
	return tx.AddEvent(&Event{
		ID: s.newEventID(now), Type: eventType, Time: now, AccountID: m.AccountID, Region: m.Region,
		Resources: []string{m.ARN()}, Principal: c.Principal, Membership: m.ID, Summary: message,
		Detail:     map[string]any{"membershipId": m.ID, "membershipName": m.Name, "membershipStatus": m.Status},
		Recipients: teamRecipients(m.Team),
	})
}

func teamRecipients(team []IncidentResponder) []Recipient {
	out := make([]Recipient, 0, len(team))
	for _, r := range team {
		out = append(out, Recipient{Email: r.Email, Name: r.Name, Preferences: r.CommunicationPreferences})
	}
	return out
}

// ownMembership loads a membership the caller owns in its region; any other
// is simply not found.
func ownMembership(tx Tx, c Caller, id string, lock bool) (*Membership, error) {
	m, err := tx.GetMembership(id, lock)
	if errors.Is(err, ErrNotExist) || (err == nil && (m.AccountID != c.AccountID || m.Region != c.Region)) {
		return nil, NotFound("Membership", id)
	}
	return m, err
}

func (s *Service) GetMembership(ctx context.Context, c Caller, in *MembershipIDInput) (*GetMembershipOutput, error) {
	var out *GetMembershipOutput
	err := s.read(ctx, func(tx Tx) error {
		m, err := ownMembership(tx, c, in.MembershipID, false)
		if err != nil {
			return err
		}
		cov, err := coverage(tx, m)
		if err != nil {
			return err
		}
		out = &GetMembershipOutput{
			MembershipID: m.ID, AccountID: m.AccountID, Region: m.Region, MembershipName: m.Name,
			MembershipArn: m.ARN(), MembershipStatus: m.Status,
			MembershipActivationTimestamp: m.ActivatedAt, MembershipDeactivationTimestamp: m.DeactivatedAt,
			CustomerType: cov.customerType, NumberOfAccountsCovered: int64(len(cov.accounts)),
			IncidentResponseTeam: m.Team, OptInFeatures: m.OptInFeatures,
			MembershipAccountsConfigurations: &MembershipAccountsConfigurations{
				CoverEntireOrganization: m.CoverEntireOrganization,
				OrganizationalUnits:     append([]string{}, m.OrganizationalUnits...),
			},
		}
		return nil
	})
	return out, err
}

func (s *Service) ListMemberships(ctx context.Context, c Caller, in *ListInput) (*ListMembershipsOutput, error) {
	const list = "ListMemberships"
	after := ""
	if in.NextToken != "" {
		var err error
		if after, err = s.tokens.Open(list, c, "", in.NextToken); err != nil {
			return nil, err
		}
	}
	limit := pageLimit(in.MaxResults)
	out := &ListMembershipsOutput{Items: []ListMembershipItem{}}
	err := s.read(ctx, func(tx Tx) error {
		ms, err := tx.ListMemberships(c.AccountID, c.Region, Page{After: after, Limit: limit + 1})
		if err != nil {
			return err
		}
		more := len(ms) > limit
		if more {
			ms = ms[:limit]
		}
		for _, m := range ms {
			out.Items = append(out.Items, ListMembershipItem{
				MembershipID: m.ID, AccountID: m.AccountID, Region: m.Region, MembershipArn: m.ARN(), MembershipStatus: m.Status,
			})
		}
		if more {
			out.NextToken = s.tokens.Seal(list, c, "", ms[len(ms)-1].ID)
		}
		return nil
	})
	return out, err
}

func (s *Service) UpdateMembership(ctx context.Context, c Caller, in *UpdateMembershipInput) error {
	if in.UndoMembershipCancellation != nil && !*in.UndoMembershipCancellation {
		return InvalidField("undoMembershipCancellation", "Only true is accepted: it resumes a cancelled membership.")
	}
	return s.write(ctx, func(tx Tx) error {
		m, err := ownMembership(tx, c, in.MembershipID, true)
		if err != nil {
			return err
		}
		var changed []string
		eventType := EventMembershipUpdated
		if in.UndoMembershipCancellation != nil {
			if m.Status != MembershipCancelled {
				return Conflict("membership", m.ID, "Membership %s is %s, not Cancelled; there is no cancellation to undo.", m.ID, m.Status)
			}
			m.Status, m.DeactivatedAt = MembershipActive, nil
			changed = append(changed, "cancellation undone")
		} else if m.Status != MembershipActive {
			return Conflict("membership", m.ID, "Membership %s is %s; resume it with undoMembershipCancellation first.", m.ID, m.Status)
		}
		if in.MembershipName != nil && *in.MembershipName != m.Name {
			changed = append(changed, fmt.Sprintf("name %q -> %q", m.Name, *in.MembershipName))
			m.Name = *in.MembershipName
		}
		if in.IncidentResponseTeam != nil {
			m.Team = in.IncidentResponseTeam
			changed = append(changed, fmt.Sprintf("incident response team replaced (%d responders)", len(m.Team)))
		}
		if in.OptInFeatures != nil {
			m.OptInFeatures = in.OptInFeatures
			changed = append(changed, "opt-in features updated")
		}
		if u := in.MembershipAccountsConfigurationsUpdate; u != nil {
			msg, err := s.applyAccountsUpdate(tx, m, u)
			if err != nil {
				return err
			}
			changed = append(changed, msg...)
		}
		if len(changed) == 0 {
			return nil
		}
		m.UpdatedAt, m.UpdatedBy = s.clock(), c.Principal
		if err := tx.UpdateMembership(m); err != nil {
			return err
		}
		return s.membershipChanged(tx, c, m, eventType, "Updated",
			fmt.Sprintf("Membership %s updated: %s", m.ID, strings.Join(changed, "; ")))
	})
}

func (s *Service) applyAccountsUpdate(tx Tx, m *Membership, u *MembershipAccountsConfigurationsUpdate) ([]string, error) {
	var changed []string
	needOrg := (u.CoverEntireOrganization != nil && *u.CoverEntireOrganization) || len(u.OrganizationalUnitsToAdd) > 0
	var units map[string]*OrgUnit
	if needOrg || len(u.OrganizationalUnitsToRemove) > 0 {
		org, err := s.orgOf(tx, m.AccountID)
		if err != nil && needOrg {
			return nil, err
		}
		if org != nil {
			us, err := tx.ListOrgUnits(org.ID)
			if err != nil {
				return nil, err
			}
			units = map[string]*OrgUnit{}
			for _, ou := range us {
				units[ou.ID] = ou
			}
		}
	}
	if u.CoverEntireOrganization != nil && *u.CoverEntireOrganization != m.CoverEntireOrganization {
		m.CoverEntireOrganization = *u.CoverEntireOrganization
		changed = append(changed, fmt.Sprintf("coverEntireOrganization set to %t", m.CoverEntireOrganization))
	}
	var bad []FieldError
	for i, ou := range u.OrganizationalUnitsToRemove {
		if !slices.Contains(m.OrganizationalUnits, ou) {
			bad = append(bad, FieldError{Name: fmt.Sprintf("membershipAccountsConfigurationsUpdate.organizationalUnitsToRemove.%d", i+1),
				Message: fmt.Sprintf("Organizational unit %s is not part of this membership.", ou)})
			continue
		}
		m.OrganizationalUnits = slices.DeleteFunc(m.OrganizationalUnits, func(x string) bool { return x == ou })
		changed = append(changed, "organizational unit "+ou+" removed")
	}
	for i, ou := range u.OrganizationalUnitsToAdd {
		if _, ok := units[ou]; !ok {
			bad = append(bad, FieldError{Name: fmt.Sprintf("membershipAccountsConfigurationsUpdate.organizationalUnitsToAdd.%d", i+1),
				Message: fmt.Sprintf("Organizational unit %s is not in the membership account's organization.", ou)})
			continue
		}
		if !slices.Contains(m.OrganizationalUnits, ou) {
			m.OrganizationalUnits = append(m.OrganizationalUnits, ou)
			changed = append(changed, "organizational unit "+ou+" added")
		}
	}
	if len(bad) > 0 {
		return nil, ValidationError(bad...)
	}
	return changed, nil
}

func (s *Service) CancelMembership(ctx context.Context, c Caller, in *MembershipIDInput) (*CancelMembershipOutput, error) {
	err := s.write(ctx, func(tx Tx) error {
		m, err := ownMembership(tx, c, in.MembershipID, true)
		if err != nil {
			return err
		}
		if m.Status != MembershipActive {
			return Conflict("membership", m.ID, "Membership %s is already %s.", m.ID, m.Status)
		}
		now := s.clock()
		m.Status, m.DeactivatedAt = MembershipCancelled, &now
		m.UpdatedAt, m.UpdatedBy = now, c.Principal
		if err := tx.UpdateMembership(m); err != nil {
			return err
		}
		return s.membershipChanged(tx, c, m, EventMembershipCancelled, "Cancelled",
			fmt.Sprintf("Membership %s cancelled", m.ID))
	})
	if err != nil {
		return nil, err
	}
	return &CancelMembershipOutput{MembershipID: in.MembershipID}, nil
}
