package sird_test

// The responder side: the provider's team working AWS-resolved cases across
// accounts (svc_responder.go).

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/sqlstore"
)

// eventRecorder is a Store that remembers the outbox events of every
// committed Write, so tests see exactly what a change put in the outbox.
type eventRecorder struct {
	sird.Store
	mu     sync.Mutex
	events []sird.Event
}

type recordingTx struct {
	sird.Tx
	added *[]sird.Event
}

func (t recordingTx) AddEvent(e *sird.Event) error {
	if err := t.Tx.AddEvent(e); err != nil {
		return err
	}
	*t.added = append(*t.added, *e)
	return nil
}

func (r *eventRecorder) Write(ctx context.Context, fn func(sird.Tx) error) error {
	var added []sird.Event
	err := r.Store.Write(ctx, func(tx sird.Tx) error {
		added = added[:0] // fn may run again
		return fn(recordingTx{Tx: tx, added: &added})
	})
	if err == nil {
		r.mu.Lock()
		r.events = append(r.events, added...)
		r.mu.Unlock()
	}
	return err
}

// take returns the events recorded since the last call.
func (r *eventRecorder) take() []sird.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

// newResponderEnv is newTestEnv over an eventRecorder.
func newResponderEnv(tb testing.TB) (*testEnv, *eventRecorder) {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(tb.TempDir(), "sird.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		tb.Fatalf("OpenSQLite: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	rec := &eventRecorder{Store: st}
	clock := newClock()
	svc := sird.NewService(sird.Config{Store: rec, MasterKey: testMasterKey, Now: clock.Now, Rand: newSeededReader(7)})
	return &testEnv{ctx: ctx, svc: svc, store: rec, clock: clock}, rec
}

// createAWSCase creates a case resolved by AWS for c.
func (e *testEnv) createAWSCase(tb testing.TB, c sird.Caller, title string) string {
	tb.Helper()
	return e.createCase(tb, c, func(in *sird.CreateCaseInput) {
		in.ResolverType = sird.ResolverAWS
		in.Title = title
	})
}

// forceStatus sets a case's status in the store, bypassing every rule.
func (e *testEnv) forceStatus(tb testing.TB, c sird.Caller, id, status string) {
	tb.Helper()
	mustOK(tb, e.store.Write(e.ctx, func(tx sird.Tx) error {
		cs, err := tx.GetCase(c.AccountID, c.Region, id, true)
		if err != nil {
			return err
		}
		cs.Status = status
		if status == sird.StatusClosed {
			now := sird.At(e.clock.Now())
			cs.ClosedDate = &now
		}
		return tx.UpdateCase(cs)
	}), "force status")
}

func lastEdit(tb testing.TB, e *testEnv, c sird.Caller, id string) sird.CaseEdit {
	tb.Helper()
	items, _ := e.allEdits(tb, c, id)
	if len(items) == 0 {
		tb.Fatalf("case %s has no history", id)
	}
	return items[len(items)-1]
}

// oneEvent asserts that exactly one event of typ about case id was recorded.
func oneEvent(tb testing.TB, rec *eventRecorder, typ, caseID string) sird.Event {
	tb.Helper()
	ev := rec.take()
	if len(ev) != 1 || ev[0].Type != typ || ev[0].CaseID != caseID {
		tb.Fatalf("events: got %s, want one %q for case %s", fmtList(ev), typ, caseID)
	}
	if ev[0].Principal != sird.ResponderPrincipal {
		tb.Fatalf("event principal: got %q, want %q", ev[0].Principal, sird.ResponderPrincipal)
	}
	return ev[0]
}

var responderStatuses = []string{
	sird.StatusSubmitted, sird.StatusAcknowledged, sird.StatusDetectionAnalysis, sird.StatusContainment,
	sird.StatusPostIncident, sird.StatusReadyToClose, sird.StatusClosed,
}

// responderAllowed is the responder's transition table, written out
// independently of the implementation.
var responderAllowed = map[[2]string]bool{
	{sird.StatusSubmitted, sird.StatusAcknowledged}:         true,
	{sird.StatusAcknowledged, sird.StatusDetectionAnalysis}: true,
	{sird.StatusDetectionAnalysis, sird.StatusContainment}:  true,
	{sird.StatusDetectionAnalysis, sird.StatusPostIncident}: true,
	{sird.StatusContainment, sird.StatusDetectionAnalysis}:  true,
	{sird.StatusContainment, sird.StatusPostIncident}:       true,
	{sird.StatusPostIncident, sird.StatusReadyToClose}:      true,
	{sird.StatusPostIncident, sird.StatusDetectionAnalysis}: true,
	{sird.StatusPostIncident, sird.StatusContainment}:       true,
	{sird.StatusReadyToClose, sird.StatusPostIncident}:      true,
}

func TestResponderTransitionMatrix(t *testing.T) {
	e, rec := newResponderEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	for _, from := range responderStatuses {
		for _, to := range responderStatuses {
			want := responderAllowed[[2]string{from, to}]
			if got := sird.ResponderCanTransition(from, to); got != want {
				t.Errorf("ResponderCanTransition(%q, %q) = %v, want %v", from, to, got, want)
			}
			id := e.createAWSCase(t, c, from+" -> "+to)
			e.forceStatus(t, c, id, from)
			e.clock.Advance(time.Second)
			rec.take()
			edits := e.editTotal(t, c, id)
			err := e.svc.ResponderSetStatus(e.ctx, "Rita", c.AccountID, c.Region, id, to)
			switch {
			case want:
				mustOK(t, err, from+" -> "+to)
				if got := e.getCase(t, c, id); got.CaseStatus != to || !got.LastUpdatedDate.Equal(e.clock.Now()) {
					t.Errorf("%s -> %s: case status %q, updated %v", from, to, got.CaseStatus, got.LastUpdatedDate)
				}
				ed := lastEdit(t, e, c, id)
				wantMsg := "Case status changed from '" + from + "' to '" + to + "' by the responder (Rita)"
				if ed.Principal != sird.ResponderPrincipal || ed.Action != sird.ActionStatusUpdated || ed.Message != wantMsg {
					t.Errorf("%s -> %s: edit %s", from, to, fmtList(ed))
				}
				typ := sird.EventCaseStatusUpdated
				if to == sird.StatusAcknowledged {
					typ = sird.EventCaseAcknowledged
				}
				ev := oneEvent(t, rec, typ, id)
				if ev.Detail["caseStatus"] != to || ev.AccountID != c.AccountID || ev.Region != c.Region {
					t.Errorf("%s -> %s: event %s", from, to, fmtList(ev))
				}
			case from == sird.StatusClosed && to != sird.StatusClosed:
				wantCode(t, err, sird.ErrConflict, from+" -> "+to)
			default:
				wantCode(t, err, sird.ErrValidation, from+" -> "+to)
			}
			if !want {
				if got := e.getCase(t, c, id).CaseStatus; got != from {
					t.Errorf("%s -> %s refused, yet the status is now %q", from, to, got)
				}
				if n := e.editTotal(t, c, id); n != edits {
					t.Errorf("%s -> %s refused, yet history grew from %d to %d", from, to, edits, n)
				}
				if ev := rec.take(); len(ev) != 0 {
					t.Errorf("%s -> %s refused, yet events %s", from, to, fmtList(ev))
				}
			}
		}
	}
	// Unknown statuses are refused by name.
	id := e.createAWSCase(t, c, "unknown")
	e.clock.Advance(time.Second)
	err := e.svc.ResponderSetStatus(e.ctx, "", c.AccountID, c.Region, id, "Investigating")
	if ve := wantCode(t, err, sird.ErrValidation, "unknown status"); !strings.Contains(ve.Message, "Investigating") {
		t.Errorf("unknown status message: %q", ve.Message)
	}
}

func TestResponderLifecycle(t *testing.T) {
	e, rec := newResponderEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createAWSCase(t, c, "Crypto mining")
	rec.take()
	steps := []string{sird.StatusAcknowledged, sird.StatusDetectionAnalysis, sird.StatusContainment,
		sird.StatusPostIncident, sird.StatusContainment, sird.StatusPostIncident, sird.StatusReadyToClose}
	for _, st := range steps {
		e.clock.Advance(time.Minute)
		mustOK(t, e.svc.ResponderSetStatus(e.ctx, "Rita", c.AccountID, c.Region, id, st), "to "+st)
	}
	ev := rec.take()
	if len(ev) != len(steps) || ev[0].Type != sird.EventCaseAcknowledged {
		t.Fatalf("events: %s", fmtList(ev))
	}
	// The team and the watchers hear of it.
	var to []string
	for _, r := range ev[0].Recipients {
		to = append(to, r.Email)
	}
	if !slices.Contains(to, "alice@example.com") || !slices.Contains(to, "watcher@example.com") {
		t.Errorf("recipients: %v", to)
	}
	// The customer still cannot set the status, and closes with CloseCase.
	_, err := e.svc.UpdateCaseStatus(e.ctx, c, &sird.UpdateCaseStatusInput{CaseID: id, CaseStatus: sird.StatusDetectionAnalysis})
	wantCode(t, err, sird.ErrValidation, "customer UpdateCaseStatus on an AWS case")
	_, err = e.svc.CloseCase(e.ctx, c, &sird.CaseIDInput{CaseID: id})
	mustOK(t, err, "CloseCase")
	// Closed is final for the responder too, whatever it tries.
	wantCode(t, e.svc.ResponderSetStatus(e.ctx, "Rita", c.AccountID, c.Region, id, sird.StatusPostIncident), sird.ErrConflict, "status of a closed case")
	wantCode(t, e.svc.ResponderSetPendingAction(e.ctx, "Rita", c.AccountID, c.Region, id, sird.PendingCustomer), sird.ErrConflict, "pending on a closed case")
	_, err = e.svc.ResponderComment(e.ctx, "Rita", c.AccountID, c.Region, id, "hello")
	wantCode(t, err, sird.ErrConflict, "comment on a closed case")
	_, err = e.svc.ResponderAddInvestigation(e.ctx, "Rita", c.AccountID, c.Region, id, sird.ResponderInvestigationInput{ActionType: "Evidence", Title: "t", Content: "c"})
	wantCode(t, err, sird.ErrConflict, "investigation on a closed case")

	items, _ := e.allEdits(t, c, id)
	var got []string
	for _, ed := range items {
		got = append(got, ed.Principal+" "+ed.Action)
	}
	want := []string{c.Principal + " CaseCreated"}
	for range steps {
		want = append(want, "AWS Responder CaseStatusUpdated")
	}
	want = append(want, c.Principal+" CaseClosed")
	if !slices.Equal(got, want) {
		t.Errorf("history:\n got %q\nwant %q", got, want)
	}
}

func TestResponderRefusesSelfManaged(t *testing.T) {
	e, rec := newResponderEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil) // self-managed
	rec.take()
	a, r := c.AccountID, c.Region
	wantCode(t, e.svc.ResponderSetStatus(e.ctx, "", a, r, id, sird.StatusAcknowledged), sird.ErrConflict, "status")
	wantCode(t, e.svc.ResponderSetPendingAction(e.ctx, "", a, r, id, sird.PendingCustomer), sird.ErrConflict, "pending")
	_, err := e.svc.ResponderComment(e.ctx, "", a, r, id, "hi")
	wantCode(t, err, sird.ErrConflict, "comment")
	_, err = e.svc.ResponderAddInvestigation(e.ctx, "", a, r, id, sird.ResponderInvestigationInput{ActionType: "Evidence", Title: "t", Content: "c"})
	wantCode(t, err, sird.ErrConflict, "investigation")
	if n := e.editTotal(t, c, id); n != 1 {
		t.Errorf("history of a refused self-managed case: %d entries, want 1", n)
	}
	if ev := rec.take(); len(ev) != 0 {
		t.Errorf("events: %s", fmtList(ev))
	}
	// Handed to AWS, it is the responder's.
	_, err = e.svc.UpdateResolverType(e.ctx, c, &sird.UpdateResolverTypeInput{CaseID: id, ResolverType: sird.ResolverAWS})
	mustOK(t, err, "UpdateResolverType")
	mustOK(t, e.svc.ResponderSetStatus(e.ctx, "", a, r, id, sird.StatusAcknowledged), "acknowledge after hand-over")
	if ed := lastEdit(t, e, c, id); ed.Message != "Case status changed from 'Submitted' to 'Acknowledged' by the responder" {
		t.Errorf("message without a responder name: %q", ed.Message)
	}

	// A case another account or region has is not found, whatever the ID.
	wantCode(t, e.svc.ResponderSetStatus(e.ctx, "", acctOther, r, id, sird.StatusDetectionAnalysis), sird.ErrResourceNotFound, "wrong account")
	wantCode(t, e.svc.ResponderSetStatus(e.ctx, "", a, "eu-west-1", id, sird.StatusDetectionAnalysis), sird.ErrResourceNotFound, "wrong region")
	wantCode(t, e.svc.ResponderSetStatus(e.ctx, "", "12345", r, id, sird.StatusDetectionAnalysis), sird.ErrValidation, "bad account")
	wantCode(t, e.svc.ResponderSetStatus(e.ctx, strings.Repeat("x", 101), a, r, id, sird.StatusDetectionAnalysis), sird.ErrValidation, "long name")
	wantCode(t, e.svc.ResponderSetStatus(e.ctx, "a\nb", a, r, id, sird.StatusDetectionAnalysis), sird.ErrValidation, "control characters")
}

func TestResponderPendingAction(t *testing.T) {
	e, rec := newResponderEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createAWSCase(t, c, "Phishing")
	rec.take()
	a, r := c.AccountID, c.Region

	mustOK(t, e.svc.ResponderSetPendingAction(e.ctx, "Rita", a, r, id, sird.PendingCustomer), "Customer")
	if got := e.getCase(t, c, id).PendingAction; got != sird.PendingCustomer {
		t.Errorf("pendingAction %q", got)
	}
	oneEvent(t, rec, sird.EventCasePendingCustomerAction, id)
	ed := lastEdit(t, e, c, id)
	if ed.Principal != sird.ResponderPrincipal || ed.Action != sird.ActionPendingActionUpdated {
		t.Errorf("edit %s", fmtList(ed))
	}
	// The same value again changes and records nothing.
	n := e.editTotal(t, c, id)
	mustOK(t, e.svc.ResponderSetPendingAction(e.ctx, "Rita", a, r, id, sird.PendingCustomer), "Customer again")
	if e.editTotal(t, c, id) != n || len(rec.take()) != 0 {
		t.Errorf("setting the same pending action recorded a change")
	}
	// The customer sees it in ListCases too.
	list, err := e.svc.ListCases(e.ctx, c, &sird.ListInput{})
	mustOK(t, err, "ListCases")
	if len(list.Items) != 1 || list.Items[0].PendingAction != sird.PendingCustomer {
		t.Errorf("ListCases: %s", fmtList(list.Items))
	}
	mustOK(t, e.svc.ResponderSetPendingAction(e.ctx, "Rita", a, r, id, sird.PendingNone), "None")
	oneEvent(t, rec, sird.EventCaseUpdated, id)
	if got := e.getCase(t, c, id).PendingAction; got != sird.PendingNone {
		t.Errorf("pendingAction %q", got)
	}
	wantCode(t, e.svc.ResponderSetPendingAction(e.ctx, "Rita", a, r, id, "Responder"), sird.ErrValidation, "bad pending action")
}

func TestResponderComments(t *testing.T) {
	e, rec := newResponderEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createAWSCase(t, c, "Leaked keys")
	a, r := c.AccountID, c.Region

	_, err := e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: id, Body: "We saw odd API calls."})
	mustOK(t, err, "customer comment")
	rec.take()
	e.clock.Advance(time.Minute)
	cid, err := e.svc.ResponderComment(e.ctx, "Rita", a, r, id, "Please rotate the key AKIA…")
	mustOK(t, err, "ResponderComment")
	if cid != "000002" {
		t.Errorf("responder comment ID %q, want 000002", cid)
	}
	oneEvent(t, rec, sird.EventCaseCommentAdded, id)
	if ed := lastEdit(t, e, c, id); ed.Principal != sird.ResponderPrincipal || ed.Action != sird.ActionCommentAdded ||
		ed.Message != "Comment 000002 added by the responder (Rita)" {
		t.Errorf("edit %s", fmtList(ed))
	}
	_, err = e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: id, Body: "Done."})
	mustOK(t, err, "customer reply")

	out, err := e.svc.ListComments(e.ctx, c, &sird.ListCommentsInput{CaseID: id})
	mustOK(t, err, "ListComments")
	var got []string
	for _, cm := range out.Items {
		got = append(got, cm.ID+" "+cm.Creator)
	}
	want := []string{"000001 " + c.Principal, "000002 AWS Responder", "000003 " + c.Principal}
	if !slices.Equal(got, want) || out.Total != 3 {
		t.Fatalf("comments: got %q (total %d), want %q", got, out.Total, want)
	}
	if rc := out.Items[1]; rc.Body != "Please rotate the key AKIA…" || rc.LastUpdatedBy != sird.ResponderPrincipal ||
		!rc.CreatedDate.Equal(testEpoch.Add(time.Minute)) {
		t.Errorf("responder comment %s", fmtList(rc))
	}
	// Only its creator edits a comment: not the customer.
	_, err = e.svc.UpdateCaseComment(e.ctx, c, &sird.UpdateCaseCommentInput{CaseID: id, CommentID: "000002", Body: "x"})
	wantCode(t, err, sird.ErrAccessDenied, "customer edits the responder's comment")

	// Body limits, in characters.
	_, err = e.svc.ResponderComment(e.ctx, "", a, r, id, "")
	wantCode(t, err, sird.ErrValidation, "empty body")
	_, err = e.svc.ResponderComment(e.ctx, "", a, r, id, strings.Repeat("é", 12001))
	wantCode(t, err, sird.ErrValidation, "12001 characters")
	cid, err = e.svc.ResponderComment(e.ctx, "", a, r, id, strings.Repeat("é", 12000))
	mustOK(t, err, "12000 characters")
	if cid != "000004" {
		t.Errorf("comment ID after refusals %q, want 000004", cid)
	}
}

var investigationIDRE = regexp.MustCompile(`^inv-[a-z0-9]{10,32}$`)

func TestResponderInvestigations(t *testing.T) {
	e, rec := newResponderEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createAWSCase(t, c, "Ransomware")
	rec.take()
	a, r := c.AccountID, c.Region

	e.clock.Advance(time.Minute)
	inv1, err := e.svc.ResponderAddInvestigation(e.ctx, "Rita", a, r, id, sird.ResponderInvestigationInput{
		ActionType: sird.InvestigationEvidence, Title: "CloudTrail review", Content: "Keys used from 203.0.113.7.",
	})
	mustOK(t, err, "add evidence")
	oneEvent(t, rec, sird.EventCaseUpdated, id)
	if ed := lastEdit(t, e, c, id); ed.Principal != sird.ResponderPrincipal || ed.Action != sird.ActionInvestigationAdded {
		t.Errorf("edit %s", fmtList(ed))
	}
	e.clock.Advance(time.Minute)
	inv2, err := e.svc.ResponderAddInvestigation(e.ctx, "Rita", a, r, id, sird.ResponderInvestigationInput{
		ActionType: sird.InvestigationSummarization, Title: "Summary", Content: "Contained.", Status: sird.ExecutionInProgress,
	})
	mustOK(t, err, "add summary")
	rec.take()
	for _, inv := range []*sird.Investigation{inv1, inv2} {
		if !investigationIDRE.MatchString(inv.InvestigationID) || len(inv.InvestigationID) != len("inv-")+16 {
			t.Errorf("investigation ID %q", inv.InvestigationID)
		}
	}
	if inv1.InvestigationID == inv2.InvestigationID || inv1.Status != sird.ExecutionCompleted {
		t.Errorf("investigations %s", fmtList([]*sird.Investigation{inv1, inv2}))
	}

	list, err := e.svc.ListInvestigations(e.ctx, c, &sird.ListInvestigationsInput{CaseID: id})
	mustOK(t, err, "ListInvestigations")
	if len(list.InvestigationActions) != 2 || list.InvestigationActions[0] != *inv1 || list.InvestigationActions[1] != *inv2 {
		t.Fatalf("ListInvestigations: %s", fmtList(list))
	}
	if !inv1.LastUpdated.Equal(testEpoch.Add(time.Minute)) {
		t.Errorf("lastUpdated %v", inv1.LastUpdated)
	}

	// The customer rates it; a later update by the responder keeps the rating.
	mustOK(t, e.svc.SendFeedback(e.ctx, c, &sird.SendFeedbackInput{CaseID: id, ResultID: inv2.InvestigationID, Usefulness: "USEFUL", Comment: "thanks"}), "SendFeedback")
	e.clock.Advance(time.Minute)
	upd, err := e.svc.ResponderUpdateInvestigation(e.ctx, "Rita", a, r, id, inv2.InvestigationID, sird.ExecutionCompleted, "Contained and eradicated.")
	mustOK(t, err, "update")
	oneEvent(t, rec, sird.EventCaseUpdated, id)
	if upd.Status != sird.ExecutionCompleted || upd.Content != "Contained and eradicated." || upd.Feedback == nil ||
		upd.Feedback.Usefulness != "USEFUL" || !upd.LastUpdated.Equal(e.clock.Now()) {
		t.Errorf("updated %s", fmtList(upd))
	}
	if ed := lastEdit(t, e, c, id); ed.Action != sird.ActionInvestigationUpdated || ed.Principal != sird.ResponderPrincipal {
		t.Errorf("edit %s", fmtList(ed))
	}
	list, err = e.svc.ListInvestigations(e.ctx, c, &sird.ListInvestigationsInput{CaseID: id})
	mustOK(t, err, "ListInvestigations")
	if got := list.InvestigationActions[1]; got.Content != upd.Content || got.Feedback == nil || got.Feedback.Comment != "thanks" {
		t.Errorf("after update: %s", fmtList(got))
	}
	// No change: nothing recorded.
	n := e.editTotal(t, c, id)
	_, err = e.svc.ResponderUpdateInvestigation(e.ctx, "Rita", a, r, id, inv2.InvestigationID, sird.ExecutionCompleted, "")
	mustOK(t, err, "same status")
	if e.editTotal(t, c, id) != n || len(rec.take()) != 0 {
		t.Errorf("an update to the same values recorded a change")
	}
	_, err = e.svc.ResponderUpdateInvestigation(e.ctx, "", a, r, id, "inv-0000000000", sird.ExecutionFailed, "")
	wantCode(t, err, sird.ErrResourceNotFound, "unknown investigation")
	_, err = e.svc.ResponderUpdateInvestigation(e.ctx, "", a, r, id, inv1.InvestigationID, "", "")
	wantCode(t, err, sird.ErrValidation, "nothing to update")
	_, err = e.svc.ResponderUpdateInvestigation(e.ctx, "", a, r, id, inv1.InvestigationID, "Done", "")
	wantCode(t, err, sird.ErrValidation, "bad status")
	_, err = e.svc.ResponderUpdateInvestigation(e.ctx, "", a, r, id, inv1.InvestigationID, "", strings.Repeat("x", 5001))
	wantCode(t, err, sird.ErrValidation, "long content")

	// Input limits.
	ok := sird.ResponderInvestigationInput{ActionType: sird.InvestigationInvestigation, Title: "t", Content: "c"}
	for name, mut := range map[string]func(*sird.ResponderInvestigationInput){
		"bad type":      func(in *sird.ResponderInvestigationInput) { in.ActionType = "Triage" },
		"no type":       func(in *sird.ResponderInvestigationInput) { in.ActionType = "" },
		"empty title":   func(in *sird.ResponderInvestigationInput) { in.Title = "" },
		"long title":    func(in *sird.ResponderInvestigationInput) { in.Title = strings.Repeat("t", 201) },
		"empty content": func(in *sird.ResponderInvestigationInput) { in.Content = "" },
		"long content":  func(in *sird.ResponderInvestigationInput) { in.Content = strings.Repeat("c", 5001) },
		"bad status":    func(in *sird.ResponderInvestigationInput) { in.Status = "Done" },
	} {
		in := ok
		mut(&in)
		_, err := e.svc.ResponderAddInvestigation(e.ctx, "", a, r, id, in)
		wantCode(t, err, sird.ErrValidation, name)
	}
	long := ok
	long.Title, long.Content = strings.Repeat("é", 200), strings.Repeat("é", 5000)
	_, err = e.svc.ResponderAddInvestigation(e.ctx, "", a, r, id, long)
	mustOK(t, err, "title and content at their limits")
}

func TestResponderInactiveMembership(t *testing.T) {
	e, rec := newResponderEnv(t)
	c := callerOf(acctMgmt)
	mid := e.createMembership(t, c, false)
	id := e.createAWSCase(t, c, "Late case")
	_, err := e.svc.CancelMembership(e.ctx, c, &sird.MembershipIDInput{MembershipID: mid})
	mustOK(t, err, "CancelMembership")
	rec.take()
	// The responder finishes the case; only the watchers hear of it.
	mustOK(t, e.svc.ResponderSetStatus(e.ctx, "", c.AccountID, c.Region, id, sird.StatusAcknowledged), "acknowledge")
	ev := oneEvent(t, rec, sird.EventCaseAcknowledged, id)
	if len(ev.Recipients) != 1 || ev.Recipients[0].Email != "watcher@example.com" {
		t.Errorf("recipients %s", fmtList(ev.Recipients))
	}
}

func TestResponderListCases(t *testing.T) {
	e, _ := newResponderEnv(t)
	e.loadTestOrg(t)
	mgmt, member, other := callerOf(acctMgmt), callerOf(acctMember), inRegion(callerOf(acctOther), "us-west-2")
	dev := callerOf(sird.DevAccountID)
	e.createMembership(t, mgmt, true) // covers acctMember
	e.createMembership(t, other, false)
	e.createMembership(t, dev, false)
	// acctOther is known by its access key; the others by the organization
	// and as the dev account.
	_, _, err := sird.NewKeyring(e.store, testMasterKey, newSeededReader(3), e.clock.Now).Create(e.ctx, acctOther, "user/bob")
	mustOK(t, err, "create key")

	type ref struct{ account, region, id string }
	var all []ref // newest first
	add := func(c sird.Caller, title string, aws bool) ref {
		e.clock.Advance(time.Second)
		var id string
		if aws {
			id = e.createAWSCase(t, c, title)
		} else {
			id = e.createCase(t, c, nil)
		}
		rf := ref{c.AccountID, c.Region, id}
		if aws {
			all = append([]ref{rf}, all...)
		}
		return rf
	}
	add(mgmt, "m1", true)
	add(member, "p1", true)
	add(mgmt, "self", false)
	add(other, "o1", true)
	acked := add(dev, "d1", true)
	closed := add(member, "p2", true)
	add(other, "o2", true)
	mustOK(t, e.svc.ResponderSetStatus(e.ctx, "", acked.account, acked.region, acked.id, sird.StatusAcknowledged), "ack")
	_, err = e.svc.CloseCase(e.ctx, member, &sird.CaseIDInput{CaseID: closed.id})
	mustOK(t, err, "CloseCase")

	list := func(f sird.ResponderCaseFilter, limit int) []ref {
		t.Helper()
		var out []ref
		after := ""
		for i := 0; ; i++ {
			if i > 100 {
				t.Fatalf("paging does not end")
			}
			items, next, err := e.svc.ResponderListCases(e.ctx, f, sird.Page{After: after, Limit: limit})
			mustOK(t, err, "ResponderListCases")
			if len(items) > limit {
				t.Fatalf("page of %d items, limit %d", len(items), limit)
			}
			for _, cs := range items {
				out = append(out, ref{cs.AccountID, cs.Region, cs.ID})
			}
			if next == "" {
				return out
			}
			after = next
		}
	}
	without := func(refs []ref, drop ref) []ref {
		return slices.DeleteFunc(slices.Clone(refs), func(r ref) bool { return r == drop })
	}
	filter := func(refs []ref, keep func(ref) bool) []ref {
		var out []ref
		for _, r := range refs {
			if keep(r) {
				out = append(out, r)
			}
		}
		return out
	}
	check := func(name string, got, want []ref) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", name, got, want)
		}
	}
	open := without(all, closed)
	for _, limit := range []int{1, 2, 3, 100} {
		check("open cases", list(sird.ResponderCaseFilter{}, limit), open)
		check("all cases", list(sird.ResponderCaseFilter{All: true}, limit), all)
	}
	check("closed", list(sird.ResponderCaseFilter{Status: sird.StatusClosed}, 10), []ref{closed})
	check("acknowledged", list(sird.ResponderCaseFilter{Status: sird.StatusAcknowledged}, 10), []ref{acked})
	check("submitted", list(sird.ResponderCaseFilter{Status: sird.StatusSubmitted}, 10), without(open, acked))
	check("account", list(sird.ResponderCaseFilter{AccountID: acctMember, All: true}, 10),
		filter(all, func(r ref) bool { return r.account == acctMember }))
	check("region", list(sird.ResponderCaseFilter{Region: "us-west-2"}, 10),
		filter(open, func(r ref) bool { return r.region == "us-west-2" }))
	check("account and region", list(sird.ResponderCaseFilter{AccountID: acctOther, Region: testRegion}, 10), nil)

	// A case in an account sird knows no key or organization of is found
	// when its account is named.
	lone := callerOf("888888888888")
	e.createMembership(t, lone, false)
	lc := add(lone, "l1", true)
	check("named account", list(sird.ResponderCaseFilter{AccountID: lone.AccountID}, 10), []ref{lc})

	_, _, err = e.svc.ResponderListCases(e.ctx, sird.ResponderCaseFilter{Status: "Open"}, sird.Page{})
	wantCode(t, err, sird.ErrValidation, "bad status filter")
	_, _, err = e.svc.ResponderListCases(e.ctx, sird.ResponderCaseFilter{AccountID: "42"}, sird.Page{})
	wantCode(t, err, sird.ErrValidation, "bad account filter")
	_, _, err = e.svc.ResponderListCases(e.ctx, sird.ResponderCaseFilter{}, sird.Page{After: "garbage"})
	wantCode(t, err, sird.ErrInvalidToken, "bad cursor")
}
