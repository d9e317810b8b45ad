package sird

// The responder side: the incident response provider's team (in AWS, the
// AWS CIRT) working the cases customers hand to it (resolverType AWS). It is
// an operator-side API, not part of the customer's SigV4 API: it reaches
// cases of every account and region, and every change it makes is recorded
// under the principal "AWS Responder" (the model's PrincipalId form), in the
// case history and in the outbox like any customer change.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ResponderPrincipal is who the responder's changes and comments are by, as
// ListCaseEdits and ListComments show them.
const ResponderPrincipal = "AWS Responder"

// Case edit actions of the responder that have no customer counterpart.
const (
	ActionPendingActionUpdated = "PendingActionUpdated"
	ActionInvestigationAdded   = "InvestigationAdded"
	ActionInvestigationUpdated = "InvestigationUpdated"
)

// Investigation action types (the model's ActionType).
const (
	InvestigationEvidence      = "Evidence"
	InvestigationInvestigation = "Investigation"
	InvestigationSummarization = "Summarization"
)

// Investigation execution statuses (the model's ExecutionStatus).
const (
	ExecutionPending    = "Pending"
	ExecutionInProgress = "InProgress"
	ExecutionWaiting    = "Waiting"
	ExecutionCompleted  = "Completed"
	ExecutionFailed     = "Failed"
	ExecutionCancelled  = "Cancelled"
)

var (
	investigationActionTypes = []string{InvestigationEvidence, InvestigationInvestigation, InvestigationSummarization}
	executionStatuses        = []string{ExecutionPending, ExecutionInProgress, ExecutionWaiting, ExecutionCompleted, ExecutionFailed, ExecutionCancelled}
	caseStatuses             = []string{StatusSubmitted, StatusAcknowledged, StatusDetectionAnalysis, StatusContainment, StatusPostIncident, StatusReadyToClose, StatusClosed}
)

// Limits of the model the responder's inputs are held to (Unicode characters).
const (
	maxCommentBody         = 12000 // CommentBody 1..12000
	maxInvestigationTitle  = 200   // InvestigationTitle 1..200
	maxInvestigationText   = 5000  // InvestigationContent 1..5000
	maxResponderName       = 100
	maxInvestigations      = 500 // per case; they live in the case document
	investigationIDLength  = 16  // inv-[a-z0-9]{10,32}
	responderListPageLimit = 100
)

// responderTransitions is the responder's status workflow for AWS-resolved
// cases. Ready to Close is reached only from Post-incident Activities and
// leads back there (the customer raised something before closing); the
// customer closes the case with CloseCase, and Closed is final.
var responderTransitions = map[string][]string{
	StatusSubmitted:         {StatusAcknowledged},
	StatusAcknowledged:      {StatusDetectionAnalysis},
	StatusDetectionAnalysis: {StatusContainment, StatusPostIncident},
	StatusContainment:       {StatusDetectionAnalysis, StatusPostIncident},
	StatusPostIncident:      {StatusReadyToClose, StatusDetectionAnalysis, StatusContainment},
	StatusReadyToClose:      {StatusPostIncident},
}

// ResponderCanTransition reports whether the responder may move an
// AWS-resolved case from one status to another.
func ResponderCanTransition(from, to string) bool {
	return slices.Contains(responderTransitions[from], to)
}

// ResponderTransitions returns the statuses the responder may move a case
// in status from to (none for Closed).
func ResponderTransitions(from string) []string {
	return slices.Clone(responderTransitions[from])
}

// ResponderCaseFilter selects the cases ResponderListCases returns. Only
// AWS-resolved cases are ever listed; closed ones only with All or Status
// Closed. Empty fields match everything.
type ResponderCaseFilter struct {
	Status    string
	AccountID string
	Region    string
	All       bool // closed cases too
}

// ResponderListCases pages the AWS-resolved cases of every account and
// region, newest first (created date, then case ID), like ListCases. The
// cursor (p.After, next) is plain: this is an operator-side API.
//
// Without both AccountID and Region, the accounts and regions looked at are
// those sird knows of: accounts of access keys, the dev account, accounts of
// declared organizations, and the regions of their memberships (a case can
// only be created where a membership serves).
func (s *Service) ResponderListCases(ctx context.Context, f ResponderCaseFilter, p Page) (items []*Case, next string, err error) {
	if f.Status != "" && !slices.Contains(caseStatuses, f.Status) {
		return nil, "", InvalidField("caseStatus", "Unknown case status '%s'; one of: %s.", f.Status, strings.Join(caseStatuses, ", "))
	}
	if f.AccountID != "" && !isAccountID(f.AccountID) {
		return nil, "", InvalidField("accountId", "An account ID is 12 digits, not '%s'.", f.AccountID)
	}
	afterNS, afterID, hasAfter, err := parseResponderCursor(p.After)
	if err != nil {
		return nil, "", err
	}
	limit := p.Limit
	if limit <= 0 {
		limit = 25
	}
	var all []*Case
	err = s.read(ctx, func(tx Tx) error {
		all = all[:0]
		scopes, err := responderScopes(tx, f)
		if err != nil {
			return err
		}
		for _, sc := range scopes {
			if n, err := tx.CountCases(sc.account, sc.region); err != nil {
				return err
			} else if n == 0 {
				continue
			}
			cur := ""
			for {
				page, nxt, err := tx.ListCases(sc.account, sc.region, Page{After: cur, Limit: responderListPageLimit})
				if err != nil {
					return err
				}
				for _, cs := range page {
					if responderListed(cs, f) {
						all = append(all, cs)
					}
				}
				if nxt == "" {
					break
				}
				cur = nxt
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	slices.SortFunc(all, func(a, b *Case) int {
		if c := b.CreatedDate.Compare(a.CreatedDate.Time); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	start := 0
	if hasAfter {
		start = len(all)
		for i, cs := range all {
			ns := cs.CreatedDate.UnixNano()
			if ns < afterNS || (ns == afterNS && cs.ID < afterID) {
				start = i
				break
			}
		}
	}
	end := min(start+limit, len(all))
	items = all[start:end]
	if end < len(all) {
		last := items[len(items)-1]
		next = strconv.FormatInt(last.CreatedDate.UnixNano(), 10) + "/" + last.ID
	}
	return items, next, nil
}

func responderListed(cs *Case, f ResponderCaseFilter) bool {
	switch {
	case cs.ResolverType != ResolverAWS:
		return false
	case f.Status != "":
		return cs.Status == f.Status
	default:
		return f.All || cs.Status != StatusClosed
	}
}

func parseResponderCursor(after string) (ns int64, id string, ok bool, err error) {
	if after == "" {
		return 0, "", false, nil
	}
	nsText, id, found := strings.Cut(after, "/")
	ns, perr := strconv.ParseInt(nsText, 10, 64)
	if !found || perr != nil || id == "" {
		return 0, "", false, Errorf(ErrInvalidToken, "The page cursor '%s' is not one ResponderListCases gave.", after)
	}
	return ns, id, true, nil
}

type responderScope struct{ account, region string }

// responderScopes lists the account and region pairs that can hold cases
// matching f, sorted.
func responderScopes(tx Tx, f ResponderCaseFilter) ([]responderScope, error) {
	if f.AccountID != "" && f.Region != "" {
		return []responderScope{{f.AccountID, f.Region}}, nil
	}
	accounts := map[string]bool{}
	if f.AccountID != "" {
		accounts[f.AccountID] = true
	} else {
		accounts[DevAccountID] = true
		keys, err := tx.ListAccessKeys()
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			accounts[k.AccountID] = true
		}
		orgs, err := tx.ListOrganizations()
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			accounts[o.ManagementAccountID] = true
			members, err := tx.ListOrgAccounts(o.ID)
			if err != nil {
				return nil, err
			}
			for _, a := range members {
				accounts[a.AccountID] = true
			}
		}
	}
	regions := map[string]bool{}
	if f.Region != "" {
		regions[f.Region] = true
	} else {
		// Every region any membership serves: a case of an account is
		// created where its own membership or its organization's serves.
		seen := map[string]bool{}
		addMemberships := func(ms []*Membership) {
			for _, m := range ms {
				regions[m.Region] = true
			}
		}
		for a := range accounts {
			ms, err := tx.MembershipsByAccount(a)
			if err != nil {
				return nil, err
			}
			addMemberships(ms)
			oa, err := tx.GetOrgAccount(a)
			if errors.Is(err, ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if !seen[oa.OrgID] {
				seen[oa.OrgID] = true
				ms, err := tx.MembershipsByOrg(oa.OrgID)
				if err != nil {
					return nil, err
				}
				addMemberships(ms)
			}
		}
	}
	var out []responderScope
	for _, a := range slices.Sorted(maps.Keys(accounts)) {
		for _, r := range slices.Sorted(maps.Keys(regions)) {
			out = append(out, responderScope{a, r})
		}
	}
	return out, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// responderCaller is the identity the responder's changes are recorded under.
func responderCaller(cs *Case) Caller {
	return Caller{AccountID: cs.AccountID, Region: cs.Region, Principal: ResponderPrincipal}
}

// responderCase loads an open, AWS-resolved case of any account for a change
// by the responder, with the membership whose team is notified (nil when
// the service is no longer active there: the responder still finishes the
// case, and only its watchers hear of it).
func responderCase(tx Tx, account, region, id string) (*Membership, *Case, error) {
	if !isAccountID(account) {
		return nil, nil, InvalidField("accountId", "An account ID is 12 digits, not '%s'.", account)
	}
	if region == "" {
		return nil, nil, InvalidField("region", "The case's region is required.")
	}
	cs, err := tx.GetCase(account, region, id, true)
	if errors.Is(err, ErrNotExist) {
		return nil, nil, NotFound("Case", account+"/"+region+"/"+id)
	}
	if err != nil {
		return nil, nil, err
	}
	if cs.Status == StatusClosed {
		return nil, nil, Conflict("case", cs.ID, "Case %s is closed and can no longer be changed.", cs.ID)
	}
	if cs.ResolverType != ResolverAWS {
		return nil, nil, Conflict("case", cs.ID,
			"Case %s is self-managed (resolverType %s): the responder works only cases whose resolverType is AWS.", cs.ID, cs.ResolverType)
	}
	m, err := requireActive(tx, Caller{AccountID: account, Region: region})
	if CodeOf(err) == ErrNotActive {
		return nil, cs, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return m, cs, nil
}

// byResponder is the suffix naming the responder in history messages.
func byResponder(name string) (string, error) {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > maxResponderName {
		return "", InvalidField("responder", "A responder name has at most %d characters.", maxResponderName)
	}
	for _, r := range name {
		if r < ' ' || r == 0x7f {
			return "", InvalidField("responder", "A responder name cannot contain control characters.")
		}
	}
	if name == "" {
		return " by the responder", nil
	}
	return " by the responder (" + name + ")", nil
}

// checkLength validates a text input against the model's bounds.
func checkLength(field, v string, max int) error {
	n := utf8.RuneCountInString(v)
	if n < 1 || n > max {
		return InvalidField(field, "The %s must be 1 to %d characters long (got %d).", field, max, n)
	}
	return nil
}

// ResponderSetStatus moves an AWS-resolved case along the responder's
// workflow (ResponderCanTransition).
func (s *Service) ResponderSetStatus(ctx context.Context, responder, account, region, caseID, status string) error {
	by, err := byResponder(responder)
	if err != nil {
		return err
	}
	if !slices.Contains(caseStatuses, status) {
		return InvalidField("caseStatus", "Unknown case status '%s'; one of: %s.", status, strings.Join(caseStatuses, ", "))
	}
	if status == StatusClosed {
		return InvalidField("caseStatus", "The responder cannot close a case: the customer closes it with CloseCase.")
	}
	return s.write(ctx, func(tx Tx) error {
		m, cs, err := responderCase(tx, account, region, caseID)
		if err != nil {
			return err
		}
		if !ResponderCanTransition(cs.Status, status) {
			allowed := "none"
			if next := responderTransitions[cs.Status]; len(next) > 0 {
				allowed = "'" + strings.Join(next, "', '") + "'"
			}
			return InvalidField("caseStatus", "The responder cannot move case %s from '%s' to '%s' (allowed from '%s': %s).",
				cs.ID, cs.Status, status, cs.Status, allowed)
		}
		from := cs.Status
		cs.Status = status
		event := EventCaseStatusUpdated
		if status == StatusAcknowledged {
			event = EventCaseAcknowledged
		}
		return s.caseChanged(tx, responderCaller(cs), m, cs, ActionStatusUpdated, event,
			fmt.Sprintf("Case status changed from '%s' to '%s'%s", from, status, by), false)
	})
}

// ResponderSetPendingAction says whether the responder waits for the
// customer (Customer) or not (None). Setting the value the case has changes
// nothing and records nothing.
func (s *Service) ResponderSetPendingAction(ctx context.Context, responder, account, region, caseID, pending string) error {
	by, err := byResponder(responder)
	if err != nil {
		return err
	}
	if pending != PendingCustomer && pending != PendingNone {
		return InvalidField("pendingAction", "The pending action is '%s' or '%s', not '%s'.", PendingCustomer, PendingNone, pending)
	}
	return s.write(ctx, func(tx Tx) error {
		m, cs, err := responderCase(tx, account, region, caseID)
		if err != nil {
			return err
		}
		if cs.PendingAction == pending {
			return nil
		}
		cs.PendingAction = pending
		event, msg := EventCaseUpdated, "Pending action set to None"+by+": no action is awaited from the customer"
		if pending == PendingCustomer {
			event, msg = EventCasePendingCustomerAction, "Pending action set to Customer"+by+": the responder awaits the customer's input"
		}
		return s.caseChanged(tx, responderCaller(cs), m, cs, ActionPendingActionUpdated, event, msg, false)
	})
}

// ResponderComment adds a comment by "AWS Responder" and returns its ID,
// the next of the case's sequential 6-digit comment IDs.
func (s *Service) ResponderComment(ctx context.Context, responder, account, region, caseID, body string) (string, error) {
	by, err := byResponder(responder)
	if err != nil {
		return "", err
	}
	if err := checkLength("body", body, maxCommentBody); err != nil {
		return "", err
	}
	var id string
	err = s.write(ctx, func(tx Tx) error {
		m, cs, err := responderCase(tx, account, region, caseID)
		if err != nil {
			return err
		}
		if cs.CommentCount >= maxComments {
			return QuotaExceeded("case", cs.ID, "comments-per-case", "Case %s has reached %d comments.", cs.ID, maxComments)
		}
		cs.CommentCount++
		cm := &Comment{CaseID: cs.ID, ID: fmt.Sprintf("%06d", cs.CommentCount), Body: body, Creator: ResponderPrincipal, CreatedDate: s.clock()}
		if err := tx.InsertComment(cm); err != nil {
			return err
		}
		id = cm.ID
		return s.caseChanged(tx, responderCaller(cs), m, cs, ActionCommentAdded, EventCaseCommentAdded,
			fmt.Sprintf("Comment %s added%s", cm.ID, by), false)
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// ResponderInvestigationInput is an investigation action to record on a case.
type ResponderInvestigationInput struct {
	ActionType string // Evidence, Investigation or Summarization
	Title      string // 1..200 characters
	Content    string // 1..5000 characters
	Status     string // an ExecutionStatus; empty is Completed
}

// ResponderAddInvestigation records an investigation action on a case; the
// customer sees it with ListInvestigations and rates it with SendFeedback.
func (s *Service) ResponderAddInvestigation(ctx context.Context, responder, account, region, caseID string, in ResponderInvestigationInput) (*Investigation, error) {
	by, err := byResponder(responder)
	if err != nil {
		return nil, err
	}
	if in.Status == "" {
		in.Status = ExecutionCompleted
	}
	var bad []FieldError
	if !slices.Contains(investigationActionTypes, in.ActionType) {
		bad = append(bad, FieldError{Name: "actionType", Message: fmt.Sprintf("The action type is one of %s, not '%s'.", strings.Join(investigationActionTypes, ", "), in.ActionType)})
	}
	for _, e := range []error{checkLength("title", in.Title, maxInvestigationTitle), checkLength("content", in.Content, maxInvestigationText)} {
		if e, ok := AsError(e); ok {
			bad = append(bad, e.Fields...)
		}
	}
	if !slices.Contains(executionStatuses, in.Status) {
		bad = append(bad, FieldError{Name: "status", Message: fmt.Sprintf("The status is one of %s, not '%s'.", strings.Join(executionStatuses, ", "), in.Status)})
	}
	if len(bad) > 0 {
		return nil, ValidationError(bad...)
	}
	var out Investigation
	err = s.write(ctx, func(tx Tx) error {
		m, cs, err := responderCase(tx, account, region, caseID)
		if err != nil {
			return err
		}
		if len(cs.Investigations) >= maxInvestigations {
			return QuotaExceeded("case", cs.ID, "investigations-per-case", "Case %s has reached %d investigation actions.", cs.ID, maxInvestigations)
		}
		id := ""
		for id == "" || slices.ContainsFunc(cs.Investigations, func(v Investigation) bool { return v.InvestigationID == id }) {
			id = "inv-" + s.randomString(idAlphabet, investigationIDLength)
		}
		out = Investigation{
			InvestigationID: id, ActionType: in.ActionType, Title: in.Title, Content: in.Content,
			Status: in.Status, LastUpdated: s.clock(),
		}
		cs.Investigations = append(cs.Investigations, out)
		return s.caseChanged(tx, responderCaller(cs), m, cs, ActionInvestigationAdded, EventCaseUpdated,
			fmt.Sprintf("%s action %s added%s: %s (%s)", in.ActionType, id, by, in.Title, in.Status), false)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ResponderUpdateInvestigation changes an investigation action's status
// and/or content (empty: unchanged); its feedback stays. A change to the
// values it has records nothing.
func (s *Service) ResponderUpdateInvestigation(ctx context.Context, responder, account, region, caseID, investigationID, status, content string) (*Investigation, error) {
	by, err := byResponder(responder)
	if err != nil {
		return nil, err
	}
	if status == "" && content == "" {
		return nil, InvalidField("status", "Give a new status, new content or both.")
	}
	if status != "" && !slices.Contains(executionStatuses, status) {
		return nil, InvalidField("status", "The status is one of %s, not '%s'.", strings.Join(executionStatuses, ", "), status)
	}
	if content != "" {
		if err := checkLength("content", content, maxInvestigationText); err != nil {
			return nil, err
		}
	}
	var out Investigation
	err = s.write(ctx, func(tx Tx) error {
		m, cs, err := responderCase(tx, account, region, caseID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cs.Investigations, func(v Investigation) bool { return v.InvestigationID == investigationID })
		if i < 0 {
			return NotFound("Investigation", investigationID)
		}
		inv := &cs.Investigations[i]
		var changed []string
		if status != "" && status != inv.Status {
			changed = append(changed, fmt.Sprintf("status '%s' -> '%s'", inv.Status, status))
			inv.Status = status
		}
		if content != "" && content != inv.Content {
			changed = append(changed, "content replaced")
			inv.Content = content
		}
		out = *inv
		if len(changed) == 0 {
			return nil
		}
		inv.LastUpdated = s.clock()
		out = *inv
		return s.caseChanged(tx, responderCaller(cs), m, cs, ActionInvestigationUpdated, EventCaseUpdated,
			fmt.Sprintf("Investigation action %s updated%s: %s", inv.InvestigationID, by, strings.Join(changed, "; ")), false)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
