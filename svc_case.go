package sird

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Case edit actions, as ListCaseEdits reports them.
const (
	ActionCaseCreated         = "CaseCreated"
	ActionCaseUpdated         = "CaseUpdated"
	ActionStatusUpdated       = "CaseStatusUpdated"
	ActionResolverTypeUpdated = "ResolverTypeUpdated"
	ActionCaseClosed          = "CaseClosed"
	ActionCommentAdded        = "CommentAdded"
	ActionCommentUpdated      = "CommentUpdated"
	ActionAttachmentRequested = "AttachmentUploadUrlRequested"
	ActionAttachmentUploaded  = "AttachmentUploaded"
	ActionAttachmentFailed    = "AttachmentUploadFailed"
	ActionAttachmentDownload  = "AttachmentDownloadUrlRequested"
	ActionTagsChanged         = "TagsUpdated"
	ActionFeedbackSent        = "InvestigationFeedbackSent"
)

// createCaseAttempts bounds retries after a case-ID collision or a racing
// retry with the same clientToken (both surface as ErrDuplicate).
const createCaseAttempts = 5

func (s *Service) CreateCase(ctx context.Context, c Caller, in *CreateCaseInput) (*CreateCaseOutput, error) {
	token := in.ClientToken
	req := *in // the request without its token, leaving the caller's input as it was
	req.ClientToken = ""
	digest := createCaseDigest(&req)
	scope := "CreateCase/" + c.AccountID + "/" + c.Region
	var out CreateCaseOutput
	var err error
	for attempt := 0; attempt < createCaseAttempts; attempt++ {
		err = s.write(ctx, func(tx Tx) error {
			now := s.clock()
			id := s.randomString("123456789", 1) + s.randomString("0123456789", 9)
			// The token is claimed before anything else: one statement in the
			// common case (a new token) instead of a lookup plus an insert.
			if prior, found, err := claimIdempotency(tx, scope, token, digest, id, now); err != nil || found {
				out.CaseID = prior
				return err
			}
			m, err := s.active.requireActive(tx, c)
			if err != nil {
				return err
			}
			cs := &Case{
				ID: id, AccountID: c.AccountID, Region: c.Region, ARN: CaseARN(c.Region, c.AccountID, id),
				Title: in.Title, Description: in.Description, Status: StatusSubmitted,
				EngagementType: in.EngagementType, ReportedIncidentStartDate: in.ReportedIncidentStartDate,
				ImpactedAwsRegions: orEmpty(in.ImpactedAwsRegions), ThreatActorIPAddresses: orEmpty(in.ThreatActorIPAddresses),
				PendingAction: PendingNone, ImpactedAccounts: orEmpty(in.ImpactedAccounts), Watchers: orEmpty(in.Watchers),
				CreatedDate: now, LastUpdatedDate: now, ResolverType: in.ResolverType,
				ImpactedServices: orEmpty(in.ImpactedServices), CaseAttachments: []Attachment{},
				Tags: in.Tags, ClientToken: token,
				EditCount: 1, // the creation is the first history entry, recorded below
			}
			message := fmt.Sprintf("Case created by %s: %s (resolver %s, engagement %s)", c.Principal, cs.Title, cs.ResolverType, cs.EngagementType)
			if err := tx.InsertCaseWithFirstEdit(cs, s.caseEdit(c, cs, now, ActionCaseCreated, message)); err != nil {
				return err
			}
			out.CaseID = id
			return s.addCaseEvent(tx, c, m, cs, now, ActionCaseCreated, EventCaseCreated, message)
		})
		if !errors.Is(err, ErrDuplicate) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// caseChanged stores the case with its history entry and outbox event, in
// the change's transaction. keepUpdatedDate leaves lastUpdatedDate alone:
// for audit entries of reads.
func (s *Service) caseChanged(tx Tx, c Caller, m *Membership, cs *Case, action, eventType, message string, keepUpdatedDate bool) error {
	now := s.clock()
	cs.EditCount++
	if !keepUpdatedDate {
		cs.LastUpdatedDate = now
	}
	if err := tx.UpdateCase(cs); err != nil {
		return err
	}
	return s.recordChange(tx, c, m, cs, now, action, eventType, message)
}

// recordChange appends the history entry numbered cs.EditCount and, unless
// eventType is empty, the outbox event of a change to cs already stored.
func (s *Service) recordChange(tx Tx, c Caller, m *Membership, cs *Case, now Time, action, eventType, message string) error {
	if err := tx.AddCaseEdit(cs.ID, s.caseEdit(c, cs, now, action, message)); err != nil {
		return err
	}
	return s.addCaseEvent(tx, c, m, cs, now, action, eventType, message)
}

// caseEdit is the history entry numbered cs.EditCount.
func (s *Service) caseEdit(c Caller, cs *Case, now Time, action, message string) *CaseEdit {
	return &CaseEdit{Seq: int64(cs.EditCount), EventTimestamp: now, Principal: c.Principal, Action: action, Message: editMessage(message)}
}

// addCaseEvent adds the outbox event of a change to cs; none if eventType
// is empty.
func (s *Service) addCaseEvent(tx Tx, c Caller, m *Membership, cs *Case, now Time, action, eventType, message string) error {
	if eventType == "" {
		return nil
	}
	recipients := make([]Recipient, 0, len(cs.Watchers)+10)
	for _, w := range cs.Watchers {
		recipients = append(recipients, Recipient{Email: w.Email, Name: w.Name})
	}
	if m != nil {
		recipients = append(recipients, teamRecipients(m.Team)...)
	}
	return tx.AddEvent(&Event{
		ID: s.newEventID(now), Type: eventType, Time: now, AccountID: cs.AccountID, Region: cs.Region,
		Resources: []string{cs.ARN}, Principal: c.Principal, CaseID: cs.ID, CaseTitle: cs.Title, Summary: message,
		Detail: map[string]any{
			"caseId": cs.ID, "caseArn": cs.ARN, "caseStatus": cs.Status, "resolverType": cs.ResolverType,
			"engagementType": cs.EngagementType, "action": action, "message": message,
		},
		Recipients: recipients,
	})
}

// editMessage keeps history messages within the model's 10..4096 characters.
func editMessage(m string) string {
	for utf8.RuneCountInString(m) < 10 {
		m += "."
	}
	if utf8.RuneCountInString(m) > 4096 {
		r := []rune(m)
		m = string(r[:4093]) + "..."
	}
	return m
}

// visibleCase loads a case of the caller's account and region; any other is
// not found, never leaked.
func visibleCase(tx Tx, c Caller, id string, lock bool) (*Case, error) {
	cs, err := tx.GetCase(c.AccountID, c.Region, id, lock)
	if errors.Is(err, ErrNotExist) {
		return nil, NotFound("Case", id)
	}
	return cs, err
}

// writableCase is visibleCase for changes: the service must be active and the
// case open.
func (s *Service) writableCase(tx Tx, c Caller, id string) (*Membership, *Case, error) {
	m, err := s.active.requireActive(tx, c)
	if err != nil {
		return nil, nil, err
	}
	cs, err := visibleCase(tx, c, id, true)
	if err != nil {
		return nil, nil, err
	}
	if cs.Status == StatusClosed {
		return nil, nil, Conflict("case", cs.ID, "Case %s is closed and can no longer be changed.", cs.ID)
	}
	return m, cs, nil
}

func (s *Service) GetCase(ctx context.Context, c Caller, in *CaseIDInput) (*GetCaseOutput, error) {
	var cs *Case
	err := s.read(ctx, func(tx Tx) (err error) {
		cs, err = visibleCase(tx, c, in.CaseID, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.refreshPendingUploads(ctx, c, cs)
	out := &GetCaseOutput{
		Title: cs.Title, CaseArn: cs.ARN, Description: cs.Description, CaseStatus: cs.Status,
		EngagementType: cs.EngagementType, ReportedIncidentStartDate: cs.ReportedIncidentStartDate,
		ActualIncidentStartDate: cs.ActualIncidentStartDate, ImpactedAwsRegions: cs.ImpactedAwsRegions,
		ThreatActorIPAddresses: cs.ThreatActorIPAddresses, PendingAction: cs.PendingAction,
		ImpactedAccounts: cs.ImpactedAccounts, Watchers: cs.Watchers, CreatedDate: cs.CreatedDate,
		LastUpdatedDate: cs.LastUpdatedDate, ClosureCode: cs.ClosureCode, ResolverType: cs.ResolverType,
		ImpactedServices: cs.ImpactedServices, CaseAttachments: []AttachmentSummary{},
		ClosedDate: cs.ClosedDate, CaseMetadata: cs.CaseMetadata,
	}
	for _, a := range cs.CaseAttachments {
		out.CaseAttachments = append(out.CaseAttachments, AttachmentSummary{
			AttachmentID: a.ID, FileName: a.FileName, AttachmentStatus: a.Status, Creator: a.Creator, CreatedDate: a.CreatedAt,
		})
	}
	return out, nil
}

func (s *Service) ListCases(ctx context.Context, c Caller, in *ListInput) (*ListCasesOutput, error) {
	const list = "ListCases"
	after := ""
	if in.NextToken != "" {
		var err error
		if after, err = s.tokens.Open(list, c, "", in.NextToken); err != nil {
			return nil, err
		}
	}
	out := &ListCasesOutput{Items: []ListCasesItem{}}
	err := s.read(ctx, func(tx Tx) error {
		items, next, err := tx.ListCases(c.AccountID, c.Region, Page{After: after, Limit: pageLimit(in.MaxResults)})
		if err != nil {
			return err
		}
		if out.Total, err = tx.CountCases(c.AccountID, c.Region); err != nil {
			return err
		}
		for _, cs := range items {
			out.Items = append(out.Items, ListCasesItem{
				CaseID: cs.ID, LastUpdatedDate: cs.LastUpdatedDate, Title: cs.Title, CaseArn: cs.ARN,
				EngagementType: cs.EngagementType, CaseStatus: cs.Status, CreatedDate: cs.CreatedDate,
				ClosedDate: cs.ClosedDate, ResolverType: cs.ResolverType, PendingAction: cs.PendingAction,
			})
		}
		if next != "" {
			out.NextToken = s.tokens.Seal(list, c, "", next)
		}
		return nil
	})
	return out, err
}

// Case list limits, enforced on the result of an update.
const (
	maxWatchers         = 30
	maxImpactedAccounts = 200
	maxThreatActorIPs   = 200
	maxImpactedServices = 600
	maxImpactedRegions  = 50
)

// UpdateCase applies scalar changes and the add/delete pairs. Lists have set
// semantics: deletions apply first, then additions; adding an item that is
// already present changes nothing (a watcher with the same e-mail has its
// name and job title replaced); deleting an absent item is ignored. Watchers
// match by e-mail (case-insensitive), threat-actor IPs by address and user
// agent (a delete without user agent removes every entry of that address).
func (s *Service) UpdateCase(ctx context.Context, c Caller, in *UpdateCaseInput) error {
	return s.write(ctx, func(tx Tx) error {
		m, cs, err := s.writableCase(tx, c, in.CaseID)
		if err != nil {
			return err
		}
		var changed []string
		setString := func(name string, dst *string, v *string) {
			if v != nil && *v != *dst {
				changed = append(changed, fmt.Sprintf("%s changed", name))
				*dst = *v
			}
		}
		setString("title", &cs.Title, in.Title)
		setString("description", &cs.Description, in.Description)
		setString("engagementType", &cs.EngagementType, in.EngagementType)
		// Like the strings above, a date set to the value it has is no change.
		sameTime := func(a, b *Time) bool { return a != nil && b != nil && a.Equal(b.Time) }
		if in.ReportedIncidentStartDate != nil && !sameTime(cs.ReportedIncidentStartDate, in.ReportedIncidentStartDate) {
			cs.ReportedIncidentStartDate = in.ReportedIncidentStartDate
			changed = append(changed, "reportedIncidentStartDate set to "+FormatEpoch(in.ReportedIncidentStartDate.Time))
		}
		if in.ActualIncidentStartDate != nil && !sameTime(cs.ActualIncidentStartDate, in.ActualIncidentStartDate) {
			cs.ActualIncidentStartDate = in.ActualIncidentStartDate
			changed = append(changed, "actualIncidentStartDate set to "+FormatEpoch(in.ActualIncidentStartDate.Time))
		}
		var bad []FieldError
		check := func(field string, n, max int) {
			if n > max {
				bad = append(bad, FieldError{Name: field, Message: fmt.Sprintf("The case would have %d entries; at most %d are allowed.", n, max)})
			}
		}
		watcherKey := func(w Watcher) string { return strings.ToLower(w.Email) }
		cs.Watchers, changed = applySet(cs.Watchers, in.WatchersToDelete, keepWatcherEmails(cs.Watchers, in.WatchersToDelete, in.WatchersToAdd, watcherKey),
			watcherKey, watcherKey, "watchers", changed)
		check("watchersToAdd", len(cs.Watchers), maxWatchers)
		ipKey := func(t ThreatActorIP) string { return t.IPAddress + "\x00" + t.UserAgent }
		ipDelKey := func(t ThreatActorIP) string {
			if t.UserAgent == "" {
				return t.IPAddress + "\x00*"
			}
			return ipKey(t)
		}
		cs.ThreatActorIPAddresses, changed = applyIPs(cs.ThreatActorIPAddresses, in.ThreatActorIPAddressesToDelete, in.ThreatActorIPAddressesToAdd, ipKey, ipDelKey, changed)
		check("threatActorIpAddressesToAdd", len(cs.ThreatActorIPAddresses), maxThreatActorIPs)
		same := func(v string) string { return v }
		cs.ImpactedServices, changed = applySet(cs.ImpactedServices, in.ImpactedServicesToDelete, in.ImpactedServicesToAdd, same, same, "impactedServices", changed)
		check("impactedServicesToAdd", len(cs.ImpactedServices), maxImpactedServices)
		regionKey := func(r ImpactedRegion) string { return r.Region }
		cs.ImpactedAwsRegions, changed = applySet(cs.ImpactedAwsRegions, in.ImpactedAwsRegionsToDelete, in.ImpactedAwsRegionsToAdd, regionKey, regionKey, "impactedAwsRegions", changed)
		check("impactedAwsRegionsToAdd", len(cs.ImpactedAwsRegions), maxImpactedRegions)
		cs.ImpactedAccounts, changed = applySet(cs.ImpactedAccounts, in.ImpactedAccountsToDelete, in.ImpactedAccountsToAdd, same, same, "impactedAccounts", changed)
		check("impactedAccountsToAdd", len(cs.ImpactedAccounts), maxImpactedAccounts)
		if len(bad) > 0 {
			return ValidationError(bad...)
		}
		if in.CaseMetadata != nil && !slices.Equal(in.CaseMetadata, cs.CaseMetadata) {
			cs.CaseMetadata = in.CaseMetadata
			changed = append(changed, fmt.Sprintf("caseMetadata replaced (%d entries)", len(in.CaseMetadata)))
		}
		if len(changed) == 0 {
			return nil
		}
		return s.caseChanged(tx, c, m, cs, ActionCaseUpdated, EventCaseUpdated,
			"Case updated: "+strings.Join(changed, "; "), false)
	})
}

// applySet deletes then adds by key, keeping the existing order and
// appending new items; an added item whose key exists replaces it in place.
func applySet[T comparable](cur, del, add []T, key, delKey func(T) string, name string, changed []string) ([]T, []string) {
	if len(del) == 0 && len(add) == 0 {
		return cur, changed
	}
	drop := map[string]bool{}
	for _, d := range del {
		drop[delKey(d)] = true
	}
	out := make([]T, 0, len(cur)+len(add))
	removed := 0
	for _, v := range cur {
		if drop[key(v)] {
			removed++
			continue
		}
		out = append(out, v)
	}
	added := 0
	for _, a := range add {
		k := key(a)
		found := false
		for i := range out {
			if key(out[i]) == k {
				out[i], found = a, true
				break
			}
		}
		if !found {
			out = append(out, a)
			added++
		}
	}
	// Only a list that ends up different is a change: re-adding what is
	// there (or deleting and re-adding the last item) records no edit.
	if !slices.Equal(out, cur) {
		changed = append(changed, fmt.Sprintf("%s: %d added, %d removed", name, added, removed))
	}
	return out, changed
}

// keepWatcherEmails rewrites each added watcher that is already present
// (after the deletions, or earlier in the same list) to the e-mail as it is
// stored: re-adding a watcher replaces only its name and job title.
func keepWatcherEmails(cur, del, add []Watcher, key func(Watcher) string) []Watcher {
	if len(add) == 0 {
		return add
	}
	deleted := map[string]bool{}
	for _, d := range del {
		deleted[key(d)] = true
	}
	stored := map[string]string{}
	for _, w := range cur {
		if !deleted[key(w)] {
			stored[key(w)] = w.Email
		}
	}
	out := make([]Watcher, len(add))
	for i, a := range add {
		if e, ok := stored[key(a)]; ok {
			a.Email = e
		} else {
			stored[key(a)] = a.Email
		}
		out[i] = a
	}
	return out
}

// applyIPs is applySet where a delete without user agent matches every entry
// of that address.
func applyIPs(cur, del, add []ThreatActorIP, key, delKey func(ThreatActorIP) string, changed []string) ([]ThreatActorIP, []string) {
	var expanded []ThreatActorIP
	for _, d := range del {
		if d.UserAgent != "" {
			expanded = append(expanded, d)
			continue
		}
		for _, v := range cur {
			if v.IPAddress == d.IPAddress {
				expanded = append(expanded, v)
			}
		}
	}
	return applySet(cur, expanded, add, key, key, "threatActorIpAddresses", changed)
}

// selfManagedTransitions is the transition table of the API reference for
// self-managed cases. Closing goes through CloseCase.
var selfManagedTransitions = map[string][]string{
	StatusSubmitted:         {StatusDetectionAnalysis},
	StatusAcknowledged:      {StatusDetectionAnalysis},
	StatusDetectionAnalysis: {StatusContainment, StatusPostIncident},
	StatusContainment:       {StatusDetectionAnalysis, StatusPostIncident},
	StatusPostIncident:      {StatusContainment, StatusDetectionAnalysis},
}

// CanTransition reports whether a self-managed case may move from one status to another.
func CanTransition(from, to string) bool {
	for _, s := range selfManagedTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

func (s *Service) UpdateCaseStatus(ctx context.Context, c Caller, in *UpdateCaseStatusInput) (*UpdateCaseStatusOutput, error) {
	err := s.write(ctx, func(tx Tx) error {
		m, cs, err := s.writableCase(tx, c, in.CaseID)
		if err != nil {
			return err
		}
		if cs.ResolverType == ResolverAWS {
			return InvalidField("caseStatus", "The status of an AWS-resolved case is managed by the responder; close it with CloseCase.")
		}
		if !CanTransition(cs.Status, in.CaseStatus) {
			return InvalidField("caseStatus", "A self-managed case cannot move from '%s' to '%s'.", cs.Status, in.CaseStatus)
		}
		from := cs.Status
		cs.Status = in.CaseStatus
		return s.caseChanged(tx, c, m, cs, ActionStatusUpdated, EventCaseStatusUpdated,
			fmt.Sprintf("Case status changed from '%s' to '%s'", from, cs.Status), false)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateCaseStatusOutput{CaseStatus: in.CaseStatus}, nil
}

// UpdateResolverType hands a self-managed case to AWS; it is one-way.
func (s *Service) UpdateResolverType(ctx context.Context, c Caller, in *UpdateResolverTypeInput) (*UpdateResolverTypeOutput, error) {
	var out UpdateResolverTypeOutput
	err := s.write(ctx, func(tx Tx) error {
		m, cs, err := s.writableCase(tx, c, in.CaseID)
		if err != nil {
			return err
		}
		if cs.ResolverType == in.ResolverType {
			return InvalidField("resolverType", "Case %s is already resolved by %s.", cs.ID, cs.ResolverType)
		}
		if in.ResolverType != ResolverAWS {
			return InvalidField("resolverType", "The resolver type can only change from Self to AWS; the change is one-way.")
		}
		cs.ResolverType = ResolverAWS
		out = UpdateResolverTypeOutput{CaseID: cs.ID, CaseStatus: cs.Status, ResolverType: cs.ResolverType}
		return s.caseChanged(tx, c, m, cs, ActionResolverTypeUpdated, EventCaseUpdatedToServiceManaged,
			"Resolver type changed from Self to AWS: the case is now managed by the responder team", false)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Service) CloseCase(ctx context.Context, c Caller, in *CaseIDInput) (*CloseCaseOutput, error) {
	var out CloseCaseOutput
	err := s.write(ctx, func(tx Tx) error {
		m, cs, err := s.writableCase(tx, c, in.CaseID)
		if err != nil {
			return err
		}
		now := s.clock()
		from := cs.Status
		cs.Status, cs.ClosedDate, cs.PendingAction = StatusClosed, &now, PendingNone
		out = CloseCaseOutput{CaseStatus: cs.Status, ClosedDate: cs.ClosedDate}
		return s.caseChanged(tx, c, m, cs, ActionCaseClosed, EventCaseClosed,
			fmt.Sprintf("Case closed (was '%s')", from), false)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Service) ListCaseEdits(ctx context.Context, c Caller, in *ListCaseEditsInput) (*ListCaseEditsOutput, error) {
	const list = "ListCaseEdits"
	after := ""
	if in.NextToken != "" {
		var err error
		if after, err = s.tokens.Open(list, c, in.CaseID, in.NextToken); err != nil {
			return nil, err
		}
	}
	out := &ListCaseEditsOutput{Items: []CaseEdit{}}
	err := s.read(ctx, func(tx Tx) error {
		cs, err := visibleCase(tx, c, in.CaseID, false)
		if err != nil {
			return err
		}
		out.Total = cs.EditCount
		items, next, err := tx.ListCaseEdits(cs.ID, Page{After: after, Limit: pageLimit(in.MaxResults)})
		if err != nil {
			return err
		}
		for _, e := range items {
			out.Items = append(out.Items, *e)
		}
		if next != "" {
			out.NextToken = s.tokens.Seal(list, c, in.CaseID, next)
		}
		return nil
	})
	return out, err
}
