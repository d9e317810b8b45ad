package sird_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

func TestMembershipCreateGet(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	in := &sird.CreateMembershipInput{
		MembershipName: "Security", IncidentResponseTeam: team(),
		OptInFeatures: []sird.OptInFeature{{FeatureName: "Triage", IsEnabled: true}},
		Tags:          map[string]string{"env": "prod"},
	}
	out, err := e.svc.CreateMembership(e.ctx, c, in)
	mustOK(t, err, "CreateMembership")
	id := out.MembershipID
	if len(id) != 18 || id[:2] != "m-" {
		t.Errorf("membership ID %q: want m- and 16 characters", id)
	}
	e.clock.Advance(time.Minute)
	got, err := e.svc.GetMembership(e.ctx, c, &sird.MembershipIDInput{MembershipID: id})
	mustOK(t, err, "GetMembership")
	want := &sird.GetMembershipOutput{
		MembershipID: id, AccountID: acctMgmt, Region: testRegion, MembershipName: "Security",
		MembershipArn:    "arn:aws:security-ir:us-east-1:" + acctMgmt + ":membership/" + id,
		MembershipStatus: sird.MembershipActive, MembershipActivationTimestamp: sird.At(testEpoch),
		CustomerType: sird.CustomerStandalone, NumberOfAccountsCovered: 1,
		IncidentResponseTeam: team(), OptInFeatures: in.OptInFeatures,
		MembershipAccountsConfigurations: &sird.MembershipAccountsConfigurations{OrganizationalUnits: []string{}},
	}
	if fmtList(got) != fmtList(want) {
		t.Errorf("GetMembership:\n got %s\nwant %s", fmtList(got), fmtList(want))
	}
	tags, err := e.svc.ListTagsForResource(e.ctx, c, &sird.ResourceArnInput{ResourceArn: want.MembershipArn})
	mustOK(t, err, "ListTagsForResource")
	if fmtList(tags.Tags) != `{"env":"prod"}` {
		t.Errorf("tags = %s, want {\"env\":\"prod\"}", fmtList(tags.Tags))
	}

	// Memberships are per account and region: anyone else gets "not found".
	for _, other := range []sird.Caller{callerOf(acctOther), inRegion(c, "eu-west-1")} {
		_, err := e.svc.GetMembership(e.ctx, other, &sird.MembershipIDInput{MembershipID: id})
		wantCode(t, err, sird.ErrResourceNotFound, "GetMembership by "+other.AccountID+"/"+other.Region)
		_, err = e.svc.CancelMembership(e.ctx, other, &sird.MembershipIDInput{MembershipID: id})
		wantCode(t, err, sird.ErrResourceNotFound, "CancelMembership by "+other.AccountID+"/"+other.Region)
		err = e.svc.UpdateMembership(e.ctx, other, &sird.UpdateMembershipInput{MembershipID: id, MembershipName: ptr("x")})
		wantCode(t, err, sird.ErrResourceNotFound, "UpdateMembership by "+other.AccountID+"/"+other.Region)
	}
	_, err = e.svc.GetMembership(e.ctx, c, &sird.MembershipIDInput{MembershipID: "m-doesnotexist0000"})
	wantCode(t, err, sird.ErrResourceNotFound, "GetMembership(unknown)")

	// One per account, in any region.
	for _, again := range []sird.Caller{c, inRegion(c, "eu-west-1"), asUser(c, "bob")} {
		_, err := e.svc.CreateMembership(e.ctx, again, &sird.CreateMembershipInput{MembershipName: "Second", IncidentResponseTeam: team()})
		ce := wantCode(t, err, sird.ErrConflict, "second CreateMembership in "+again.Region)
		if ce.ResourceID != id || ce.ResourceType == "" {
			t.Errorf("conflict names %s %q, want the membership %s", ce.ResourceType, ce.ResourceID, id)
		}
	}
}

func TestMembershipClientToken(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	req := func(name string) *sird.CreateMembershipInput {
		return &sird.CreateMembershipInput{ClientToken: "tok-1", MembershipName: name, IncidentResponseTeam: team()}
	}
	first, err := e.svc.CreateMembership(e.ctx, c, req("Security"))
	mustOK(t, err, "CreateMembership")
	e.clock.Advance(time.Hour)
	// The same request again, even reusing the caller's input value.
	in := req("Security")
	for i := range 3 {
		again, err := e.svc.CreateMembership(e.ctx, c, in)
		mustOK(t, err, "retry of CreateMembership")
		if again.MembershipID != first.MembershipID {
			t.Errorf("retry %d: got membership %s, want %s", i, again.MembershipID, first.MembershipID)
		}
	}
	// Same token, different request.
	_, err = e.svc.CreateMembership(e.ctx, c, req("Other name"))
	wantCode(t, err, sird.ErrConflict, "same token, different request")
	// The token belongs to this account: another account may use it freely.
	o, err := e.svc.CreateMembership(e.ctx, callerOf(acctOther), req("Security"))
	mustOK(t, err, "same token in another account")
	if o.MembershipID == first.MembershipID {
		t.Errorf("another account got the same membership %s", o.MembershipID)
	}
	list, err := e.svc.ListMemberships(e.ctx, c, &sird.ListInput{})
	mustOK(t, err, "ListMemberships")
	if len(list.Items) != 1 || list.Items[0].MembershipID != first.MembershipID {
		t.Errorf("ListMemberships = %s, want only %s", fmtList(list.Items), first.MembershipID)
	}
}

func TestMembershipListScoped(t *testing.T) {
	e := newTestEnv(t)
	accounts := []string{"100000000001", "100000000002", "100000000003"}
	ids := map[string]string{}
	for _, a := range accounts {
		ids[a] = e.createMembership(t, callerOf(a), false)
	}
	for _, a := range accounts {
		out, err := e.svc.ListMemberships(e.ctx, callerOf(a), &sird.ListInput{MaxResults: ptr(1)})
		mustOK(t, err, "ListMemberships")
		want := []sird.ListMembershipItem{{
			MembershipID: ids[a], AccountID: a, Region: testRegion, MembershipStatus: sird.MembershipActive,
			MembershipArn: "arn:aws:security-ir:us-east-1:" + a + ":membership/" + ids[a],
		}}
		if fmtList(out.Items) != fmtList(want) || out.NextToken != "" {
			t.Errorf("ListMemberships(%s) = %s next %q; want %s", a, fmtList(out.Items), out.NextToken, fmtList(want))
		}
		other, err := e.svc.ListMemberships(e.ctx, inRegion(callerOf(a), "eu-west-1"), &sird.ListInput{})
		mustOK(t, err, "ListMemberships in another region")
		if len(other.Items) != 0 {
			t.Errorf("ListMemberships(%s, eu-west-1) = %s, want none", a, fmtList(other.Items))
		}
	}
}

func TestMembershipUpdateCancelResume(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	id := e.createMembership(t, c, false)
	get := func() *sird.GetMembershipOutput {
		t.Helper()
		m, err := e.svc.GetMembership(e.ctx, c, &sird.MembershipIDInput{MembershipID: id})
		mustOK(t, err, "GetMembership")
		return m
	}

	newTeam := []sird.IncidentResponder{{Name: "Carol", JobTitle: "CISO", Email: "carol@example.com"}}
	mustOK(t, e.svc.UpdateMembership(e.ctx, c, &sird.UpdateMembershipInput{
		MembershipID: id, MembershipName: ptr("Renamed"), IncidentResponseTeam: newTeam,
	}), "UpdateMembership")
	if m := get(); m.MembershipName != "Renamed" || fmtList(m.IncidentResponseTeam) != fmtList(newTeam) {
		t.Errorf("after update: name %q team %s; want Renamed and %s", m.MembershipName, fmtList(m.IncidentResponseTeam), fmtList(newTeam))
	}

	err := e.svc.UpdateMembership(e.ctx, c, &sird.UpdateMembershipInput{MembershipID: id, UndoMembershipCancellation: ptr(false)})
	wantCode(t, err, sird.ErrValidation, "undoMembershipCancellation=false")
	err = e.svc.UpdateMembership(e.ctx, c, &sird.UpdateMembershipInput{MembershipID: id, UndoMembershipCancellation: ptr(true)})
	wantCode(t, err, sird.ErrConflict, "undo on an Active membership")

	caseID := e.createCase(t, c, nil)

	e.clock.Advance(time.Hour)
	cancelAt := e.clock.Now()
	out, err := e.svc.CancelMembership(e.ctx, c, &sird.MembershipIDInput{MembershipID: id})
	mustOK(t, err, "CancelMembership")
	if out.MembershipID != id {
		t.Errorf("CancelMembership returned %q, want %q", out.MembershipID, id)
	}
	m := get()
	if m.MembershipStatus != sird.MembershipCancelled || m.MembershipDeactivationTimestamp == nil || !m.MembershipDeactivationTimestamp.Equal(cancelAt) {
		t.Errorf("after cancel: status %s deactivated %v; want Cancelled at %v", m.MembershipStatus, m.MembershipDeactivationTimestamp, cancelAt)
	}
	_, err = e.svc.CancelMembership(e.ctx, c, &sird.MembershipIDInput{MembershipID: id})
	wantCode(t, err, sird.ErrConflict, "second CancelMembership")
	err = e.svc.UpdateMembership(e.ctx, c, &sird.UpdateMembershipInput{MembershipID: id, MembershipName: ptr("While cancelled")})
	wantCode(t, err, sird.ErrConflict, "UpdateMembership of a cancelled membership")
	_, err = e.svc.CreateMembership(e.ctx, c, &sird.CreateMembershipInput{MembershipName: "New", IncidentResponseTeam: team()})
	wantCode(t, err, sird.ErrConflict, "CreateMembership while one is cancelled")

	checkNotActive(t, e, c, caseID)

	// Resume, renaming in the same call.
	mustOK(t, e.svc.UpdateMembership(e.ctx, c, &sird.UpdateMembershipInput{
		MembershipID: id, UndoMembershipCancellation: ptr(true), MembershipName: ptr("Back"),
	}), "resume")
	m = get()
	if m.MembershipStatus != sird.MembershipActive || m.MembershipDeactivationTimestamp != nil || m.MembershipName != "Back" {
		t.Errorf("after resume: status %s deactivated %v name %q; want Active, none, Back", m.MembershipStatus, m.MembershipDeactivationTimestamp, m.MembershipName)
	}
	mustOK(t, e.svc.UpdateCase(e.ctx, c, &sird.UpdateCaseInput{CaseID: caseID, Title: ptr("Writable again")}), "UpdateCase after resume")
	var changes []*sird.MembershipChange
	mustOK(t, e.store.Read(e.ctx, func(tx sird.Tx) (err error) { changes, err = tx.ListMembershipChanges(id); return err }), "ListMembershipChanges")
	var actions []string
	for _, ch := range changes {
		actions = append(actions, ch.Action)
	}
	if want := []string{"Created", "Updated", "Cancelled", "Updated"}; !slices.Equal(actions, want) {
		t.Errorf("membership changes %v, want %v", actions, want)
	}
}

// checkNotActive: with no active membership, case writes answer
// SecurityIncidentResponseNotActiveException while reads still work.
func checkNotActive(t *testing.T, e *testEnv, c sird.Caller, caseID string) {
	t.Helper()
	writes := map[string]func() error{
		"CreateCase": func() error { _, err := e.svc.CreateCase(e.ctx, c, newCaseInput("x")); return err },
		"UpdateCase": func() error {
			return e.svc.UpdateCase(e.ctx, c, &sird.UpdateCaseInput{CaseID: caseID, Title: ptr("new")})
		},
		"UpdateCaseStatus": func() error {
			_, err := e.svc.UpdateCaseStatus(e.ctx, c, &sird.UpdateCaseStatusInput{CaseID: caseID, CaseStatus: sird.StatusDetectionAnalysis})
			return err
		},
		"UpdateResolverType": func() error {
			_, err := e.svc.UpdateResolverType(e.ctx, c, &sird.UpdateResolverTypeInput{CaseID: caseID, ResolverType: sird.ResolverAWS})
			return err
		},
		"CloseCase": func() error { _, err := e.svc.CloseCase(e.ctx, c, &sird.CaseIDInput{CaseID: caseID}); return err },
		"CreateCaseComment": func() error {
			_, err := e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: caseID, Body: "hi"})
			return err
		},
		"GetCaseAttachmentUploadUrl": func() error {
			_, err := e.svc.GetCaseAttachmentUploadURL(e.ctx, c, &sird.GetCaseAttachmentUploadURLInput{CaseID: caseID, FileName: "a.txt", ContentLength: 3})
			return err
		},
	}
	before := e.caseBytes(t, c, caseID)
	for name, call := range writes {
		wantCode(t, call(), sird.ErrNotActive, name+" without an active membership")
	}
	if after := e.caseBytes(t, c, caseID); string(after) != string(before) {
		t.Errorf("refused writes changed the case:\n got %s\nwant %s", after, before)
	}
	_, err := e.svc.ListCases(e.ctx, c, &sird.ListInput{})
	mustOK(t, err, "ListCases without an active membership")
	_, err = e.svc.ListCaseEdits(e.ctx, c, &sird.ListCaseEditsInput{CaseID: caseID})
	mustOK(t, err, "ListCaseEdits without an active membership")
	_, err = e.svc.ListComments(e.ctx, c, &sird.ListCommentsInput{CaseID: caseID})
	mustOK(t, err, "ListComments without an active membership")
}

func TestNoMembershipNotActive(t *testing.T) {
	e := newTestEnv(t)
	_, err := e.svc.CreateCase(e.ctx, callerOf(acctOther), newCaseInput("x"))
	wantCode(t, err, sird.ErrNotActive, "CreateCase without any membership")
	// A membership serves only the region it was created in.
	e.createMembership(t, callerOf(acctOther), false)
	_, err = e.svc.CreateCase(e.ctx, inRegion(callerOf(acctOther), "eu-west-1"), newCaseInput("x"))
	wantCode(t, err, sird.ErrNotActive, "CreateCase in another region")
}

func TestMembershipOrganizationCoverage(t *testing.T) {
	e := newTestEnv(t)
	e.loadTestOrg(t)
	mgmt := callerOf(acctMgmt)

	// Coverage needs a declared organization.
	_, err := e.svc.CreateMembership(e.ctx, callerOf(acctOther), &sird.CreateMembershipInput{
		MembershipName: "x", IncidentResponseTeam: team(), CoverEntireOrganization: ptr(true)})
	wantCode(t, err, sird.ErrValidation, "coverEntireOrganization for a standalone account")
	// Only the management account's membership covers the organization.
	_, err = e.svc.CreateMembership(e.ctx, callerOf("333333333333"), &sird.CreateMembershipInput{
		MembershipName: "x", IncidentResponseTeam: team(), CoverEntireOrganization: ptr(true)})
	wantCode(t, err, sird.ErrValidation, "coverEntireOrganization by a member account")

	id := e.createMembership(t, mgmt, true)
	get := func() *sird.GetMembershipOutput {
		t.Helper()
		m, err := e.svc.GetMembership(e.ctx, mgmt, &sird.MembershipIDInput{MembershipID: id})
		mustOK(t, err, "GetMembership")
		return m
	}
	batch := func() map[string]string {
		t.Helper()
		out, err := e.svc.BatchGetMemberAccountDetails(e.ctx, mgmt, &sird.BatchGetMemberAccountDetailsInput{
			MembershipID: id,
			AccountIDs:   []string{acctMgmt, acctMember, "333333333333", "444444444444", "555555555555", acctOther},
		})
		mustOK(t, err, "BatchGetMemberAccountDetails")
		got := map[string]string{}
		for _, d := range out.Items {
			got[d.AccountID] = d.RelationshipType + "/" + d.RelationshipStatus
		}
		if len(out.Errors) != 0 {
			t.Errorf("BatchGetMemberAccountDetails errors: %s", fmtList(out.Errors))
		}
		return got
	}
	const (
		assoc    = "Organization/Associated"
		disassoc = "Organization/Disassociated"
		outside  = "Unrelated/Unassociated"
	)
	type step struct {
		name      string
		update    *sird.MembershipAccountsConfigurationsUpdate
		wantErr   sird.ErrorCode // 0: success
		wantCover bool
		wantOUs   []string
		wantN     int64
		want      map[string]string
	}
	all := map[string]string{acctMgmt: assoc, acctMember: assoc, "333333333333": assoc, "444444444444": assoc, "555555555555": assoc, acctOther: outside}
	steps := []step{
		{name: "whole organization", wantCover: true, wantOUs: []string{}, wantN: 5, want: all},
		{name: "switch to Prod OU (Payments nested)",
			update:  &sird.MembershipAccountsConfigurationsUpdate{CoverEntireOrganization: ptr(false), OrganizationalUnitsToAdd: []string{ouProd}},
			wantOUs: []string{ouProd}, wantN: 3,
			want: map[string]string{acctMgmt: assoc, acctMember: assoc, "333333333333": assoc, "444444444444": disassoc, "555555555555": disassoc, acctOther: outside}},
		{name: "unknown OU refused, nothing applied",
			update:  &sird.MembershipAccountsConfigurationsUpdate{OrganizationalUnitsToAdd: []string{ouDev, "ou-zz99-unknown00"}},
			wantErr: sird.ErrValidation, wantOUs: []string{ouProd}, wantN: 3},
		{name: "OU of another organization refused",
			update:  &sird.MembershipAccountsConfigurationsUpdate{OrganizationalUnitsToAdd: []string{"ou-zz99-otherorg0"}},
			wantErr: sird.ErrValidation, wantOUs: []string{ouProd}, wantN: 3},
		{name: "removing an OU not covered refused",
			update:  &sird.MembershipAccountsConfigurationsUpdate{OrganizationalUnitsToRemove: []string{ouDev}},
			wantErr: sird.ErrValidation, wantOUs: []string{ouProd}, wantN: 3},
		{name: "add Dev",
			update:  &sird.MembershipAccountsConfigurationsUpdate{OrganizationalUnitsToAdd: []string{ouDev}},
			wantOUs: []string{ouProd, ouDev}, wantN: 4,
			want: map[string]string{acctMgmt: assoc, acctMember: assoc, "333333333333": assoc, "444444444444": assoc, "555555555555": disassoc, acctOther: outside}},
		{name: "remove Prod, only nested Payments",
			update:  &sird.MembershipAccountsConfigurationsUpdate{OrganizationalUnitsToRemove: []string{ouProd}, OrganizationalUnitsToAdd: []string{ouPayments}},
			wantOUs: []string{ouDev, ouPayments}, wantN: 3,
			want: map[string]string{acctMgmt: assoc, acctMember: assoc, "333333333333": disassoc, "444444444444": assoc, "555555555555": disassoc, acctOther: outside}},
		{name: "back to the whole organization",
			update:    &sird.MembershipAccountsConfigurationsUpdate{CoverEntireOrganization: ptr(true)},
			wantCover: true, wantOUs: []string{ouDev, ouPayments}, wantN: 5, want: all},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.update != nil {
				err := e.svc.UpdateMembership(e.ctx, mgmt, &sird.UpdateMembershipInput{MembershipID: id, MembershipAccountsConfigurationsUpdate: s.update})
				if s.wantErr != 0 {
					wantCode(t, err, s.wantErr, "UpdateMembership")
				} else {
					mustOK(t, err, "UpdateMembership")
				}
			}
			m := get()
			if m.CustomerType != sird.CustomerOrganization {
				t.Errorf("customerType %s, want Organization", m.CustomerType)
			}
			cfg := m.MembershipAccountsConfigurations
			if cfg.CoverEntireOrganization != s.wantCover || !slices.Equal(cfg.OrganizationalUnits, s.wantOUs) {
				t.Errorf("accounts configuration %s, want cover %t OUs %v", fmtList(cfg), s.wantCover, s.wantOUs)
			}
			if m.NumberOfAccountsCovered != s.wantN {
				t.Errorf("numberOfAccountsCovered %d, want %d", m.NumberOfAccountsCovered, s.wantN)
			}
			if s.want != nil {
				if got := batch(); fmtList(got) != fmtList(s.want) {
					t.Errorf("relationships\n got %s\nwant %s", fmtList(got), fmtList(s.want))
				}
				// Covered member accounts can create cases; the others cannot.
				for acct, rel := range s.want {
					if acct == acctMgmt || acct == acctOther {
						continue
					}
					_, err := e.svc.CreateCase(e.ctx, callerOf(acct), newCaseInput("member case"))
					if rel == assoc {
						mustOK(t, err, "CreateCase by covered account "+acct)
					} else {
						wantCode(t, err, sird.ErrNotActive, "CreateCase by uncovered account "+acct)
					}
				}
			}
		})
	}

	// Duplicates and accounts of another organization are per-account errors.
	out, err := e.svc.BatchGetMemberAccountDetails(e.ctx, mgmt, &sird.BatchGetMemberAccountDetailsInput{
		MembershipID: id, AccountIDs: []string{acctMember, acctMember, "777777777777"},
	})
	mustOK(t, err, "BatchGetMemberAccountDetails")
	if len(out.Items) != 1 || out.Items[0].AccountID != acctMember || len(out.Errors) != 2 ||
		out.Errors[0].AccountID != acctMember || out.Errors[1].AccountID != "777777777777" {
		t.Errorf("BatchGetMemberAccountDetails(dup, other org) = items %s errors %s; want 1 item and errors for %s and 777777777777",
			fmtList(out.Items), fmtList(out.Errors), acctMember)
	}

	// A member's case belongs to the member account: the management account does not see it.
	memberCase := e.createCase(t, callerOf(acctMember), nil)
	_, err = e.svc.GetCase(e.ctx, mgmt, &sird.CaseIDInput{CaseID: memberCase})
	wantCode(t, err, sird.ErrResourceNotFound, "GetCase of a member's case by the management account")

	// Cancelling the organization's membership stops its members' writes, not their reads.
	_, err = e.svc.CancelMembership(e.ctx, mgmt, &sird.MembershipIDInput{MembershipID: id})
	mustOK(t, err, "CancelMembership")
	if got := batch(); got[acctMember] != disassoc || got[acctMgmt] != disassoc {
		t.Errorf("relationships after cancel = %s; want covered accounts Disassociated", fmtList(got))
	}
	checkNotActive(t, e, callerOf(acctMember), memberCase)
}

// TestMembershipStandaloneBatch: a standalone membership covers its own account only.
func TestMembershipStandaloneBatch(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctOther)
	id := e.createMembership(t, c, false)
	out, err := e.svc.BatchGetMemberAccountDetails(e.ctx, c, &sird.BatchGetMemberAccountDetailsInput{
		MembershipID: id, AccountIDs: []string{acctOther, acctMgmt},
	})
	mustOK(t, err, "BatchGetMemberAccountDetails")
	got := map[string]string{}
	for _, d := range out.Items {
		got[d.AccountID] = d.RelationshipStatus
	}
	if got[acctOther] != sird.RelationshipAssociated || got[acctMgmt] != sird.RelationshipUnassociated {
		t.Errorf("relationships %s; want own account Associated, another Unassociated", fmtList(out.Items))
	}
	m, err := e.svc.GetMembership(e.ctx, c, &sird.MembershipIDInput{MembershipID: id})
	mustOK(t, err, "GetMembership")
	if m.CustomerType != sird.CustomerStandalone || m.NumberOfAccountsCovered != 1 {
		t.Errorf("customerType %s covered %d; want Standalone 1", m.CustomerType, m.NumberOfAccountsCovered)
	}
	// Coverage cannot be switched on without an organization.
	err = e.svc.UpdateMembership(e.ctx, c, &sird.UpdateMembershipInput{MembershipID: id,
		MembershipAccountsConfigurationsUpdate: &sird.MembershipAccountsConfigurationsUpdate{CoverEntireOrganization: ptr(true)}})
	wantCode(t, err, sird.ErrValidation, "coverEntireOrganization without an organization")
}

// TestOrganizationReload: loading a declaration again replaces the accounts
// stored for that organization, and coverage follows.
func TestOrganizationReload(t *testing.T) {
	e := newTestEnv(t)
	e.loadTestOrg(t)
	mgmt := callerOf(acctMgmt)
	id := e.createMembership(t, mgmt, true)
	d := &sird.OrgDeclaration{Organizations: []sird.DeclaredOrganization{{
		Organization: sird.Organization{ID: "o-aaaaaaaaaa", ManagementAccountID: acctMgmt},
		Units:        []sird.OrgUnit{{ID: ouProd, Name: "Prod"}},
		Accounts:     []sird.OrgAccount{{AccountID: "333333333333", OUID: ouProd}},
	}}}
	mustOK(t, sird.LoadOrganizations(e.ctx, e.store, d), "LoadOrganizations again")
	// Units left out of the declaration are gone, not only their accounts.
	mustOK(t, e.store.Read(e.ctx, func(tx sird.Tx) error {
		units, err := tx.ListOrgUnits("o-aaaaaaaaaa")
		if err != nil {
			return err
		}
		var ids []string
		for _, u := range units {
			ids = append(ids, u.ID)
		}
		if len(ids) != 1 || ids[0] != ouProd {
			t.Errorf("units after reload: got %v, want only %s", ids, ouProd)
		}
		return nil
	}), "ListOrgUnits")
	err := e.svc.UpdateMembership(e.ctx, mgmt, &sird.UpdateMembershipInput{MembershipID: id,
		MembershipAccountsConfigurationsUpdate: &sird.MembershipAccountsConfigurationsUpdate{OrganizationalUnitsToAdd: []string{ouDev}}})
	wantCode(t, err, sird.ErrValidation, "adding a unit removed from the declaration")
	m, err := e.svc.GetMembership(e.ctx, mgmt, &sird.MembershipIDInput{MembershipID: id})
	mustOK(t, err, "GetMembership")
	if m.NumberOfAccountsCovered != 2 {
		t.Errorf("numberOfAccountsCovered after reload %d, want 2 (management and 333333333333)", m.NumberOfAccountsCovered)
	}
	_, err = e.svc.CreateCase(e.ctx, callerOf(acctMember), newCaseInput("x"))
	wantCode(t, err, sird.ErrNotActive, "CreateCase by an account removed from the organization")

	for _, bad := range []sird.DeclaredOrganization{
		{Organization: sird.Organization{ID: "bad", ManagementAccountID: acctMgmt}},
		{Organization: sird.Organization{ID: "o-cccccccccc", ManagementAccountID: "1"}},
		{Organization: sird.Organization{ID: "o-cccccccccc", ManagementAccountID: "888888888888"}, Units: []sird.OrgUnit{{ID: "ou-x"}}},
		{Organization: sird.Organization{ID: "o-cccccccccc", ManagementAccountID: "888888888888"},
			Units: []sird.OrgUnit{{ID: "ou-ab12-child0000", ParentID: "ou-ab12-missing00"}}},
		{Organization: sird.Organization{ID: "o-cccccccccc", ManagementAccountID: "888888888888"},
			Accounts: []sird.OrgAccount{{AccountID: "888888888881", OUID: "ou-ab12-missing00"}}},
		{Organization: sird.Organization{ID: "o-cccccccccc", ManagementAccountID: "888888888888"},
			Accounts: []sird.OrgAccount{{AccountID: "12"}}},
	} {
		err := sird.LoadOrganizations(e.ctx, e.store, &sird.OrgDeclaration{Organizations: []sird.DeclaredOrganization{bad}})
		if err == nil {
			t.Errorf("LoadOrganizations(%s): got success, want an error", fmtList(bad))
		}
	}
}
