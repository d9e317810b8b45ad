package sird_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sird-project/sird"
)

// allStatuses is every case status of the model.
var allStatuses = []string{
	sird.StatusSubmitted, sird.StatusAcknowledged, sird.StatusDetectionAnalysis, sird.StatusContainment,
	sird.StatusPostIncident, sird.StatusReadyToClose, sird.StatusClosed,
}

// allowedTransitions is the self-managed transition table the service was
// seeded with (the API reference's table; closing goes through CloseCase).
var allowedTransitions = map[[2]string]bool{
	{sird.StatusSubmitted, sird.StatusDetectionAnalysis}:    true,
	{sird.StatusAcknowledged, sird.StatusDetectionAnalysis}: true,
	{sird.StatusDetectionAnalysis, sird.StatusContainment}:  true,
	{sird.StatusDetectionAnalysis, sird.StatusPostIncident}: true,
	{sird.StatusContainment, sird.StatusDetectionAnalysis}:  true,
	{sird.StatusContainment, sird.StatusPostIncident}:       true,
	{sird.StatusPostIncident, sird.StatusContainment}:       true,
	{sird.StatusPostIncident, sird.StatusDetectionAnalysis}: true,
}

func TestCanTransitionMatrix(t *testing.T) {
	statuses := append(slices.Clone(allStatuses), "", "Bogus", "submitted")
	for _, from := range statuses {
		for _, to := range statuses {
			want := allowedTransitions[[2]string{from, to}]
			if got := sird.CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%q, %q) = %t, want %t", from, to, got, want)
			}
		}
	}
}

func TestCreateGetCase(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	start := sird.TimePtr(testEpoch.Add(-time.Hour))
	id := e.createCase(t, c, func(in *sird.CreateCaseInput) {
		in.ReportedIncidentStartDate = start
		in.ImpactedServices = []string{"s3"}
		in.ImpactedAwsRegions = []sird.ImpactedRegion{{Region: "eu-west-1"}}
		in.ThreatActorIPAddresses = []sird.ThreatActorIP{{IPAddress: "198.51.100.7", UserAgent: "curl/8"}}
	})
	if len(id) != 10 || id[0] == '0' || strings.Trim(id, "0123456789") != "" {
		t.Errorf("case ID %q: want 10 digits not starting with 0", id)
	}
	got := e.getCase(t, c, id)
	want := &sird.GetCaseOutput{
		Title: "Leaked keys", CaseArn: "arn:aws:security-ir:us-east-1:" + acctMgmt + ":case/" + id,
		Description: "Something happened", CaseStatus: sird.StatusSubmitted, EngagementType: "Security Incident",
		ReportedIncidentStartDate: start, ImpactedAwsRegions: []sird.ImpactedRegion{{Region: "eu-west-1"}},
		ThreatActorIPAddresses: []sird.ThreatActorIP{{IPAddress: "198.51.100.7", UserAgent: "curl/8"}},
		PendingAction:          sird.PendingNone, ImpactedAccounts: []string{"123456789012"},
		Watchers:    []sird.Watcher{{Email: "watcher@example.com", Name: "W", JobTitle: "SOC"}},
		CreatedDate: sird.At(testEpoch), LastUpdatedDate: sird.At(testEpoch), ResolverType: sird.ResolverSelf,
		ImpactedServices: []string{"s3"}, CaseAttachments: []sird.AttachmentSummary{},
	}
	if fmtList(got) != fmtList(want) {
		t.Errorf("GetCase:\n got %s\nwant %s", fmtList(got), fmtList(want))
	}
	edits, total := e.allEdits(t, c, id)
	if total != 1 || len(edits) != 1 || edits[0].Action != sird.ActionCaseCreated || edits[0].Principal != c.Principal {
		t.Errorf("history %s total %d; want one CaseCreated by %s", fmtList(edits), total, c.Principal)
	}
	// Cases are per account and region.
	for _, other := range []sird.Caller{callerOf(acctOther), inRegion(c, "eu-west-1")} {
		_, err := e.svc.GetCase(e.ctx, other, &sird.CaseIDInput{CaseID: id})
		wantCode(t, err, sird.ErrResourceNotFound, "GetCase by "+other.AccountID+"/"+other.Region)
		_, err = e.svc.ListCaseEdits(e.ctx, other, &sird.ListCaseEditsInput{CaseID: id})
		wantCode(t, err, sird.ErrResourceNotFound, "ListCaseEdits by "+other.AccountID+"/"+other.Region)
	}
	e.createMembership(t, callerOf(acctOther), false)
	err := e.svc.UpdateCase(e.ctx, callerOf(acctOther), &sird.UpdateCaseInput{CaseID: id, Title: ptr("x")})
	wantCode(t, err, sird.ErrResourceNotFound, "UpdateCase by another account")
}

func TestCreateCaseClientToken(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	in := newCaseInput("Tokened")
	in.ClientToken = "case-token"
	first, err := e.svc.CreateCase(e.ctx, c, in)
	mustOK(t, err, "CreateCase")
	e.clock.Advance(time.Minute)
	again, err := e.svc.CreateCase(e.ctx, c, in)
	mustOK(t, err, "retry")
	if again.CaseID != first.CaseID {
		t.Errorf("retry created %s, want %s", again.CaseID, first.CaseID)
	}
	other := newCaseInput("Different")
	other.ClientToken = "case-token"
	_, err = e.svc.CreateCase(e.ctx, c, other)
	wantCode(t, err, sird.ErrConflict, "same token, different request")
	list, err := e.svc.ListCases(e.ctx, c, &sird.ListInput{})
	mustOK(t, err, "ListCases")
	if list.Total != 1 || len(list.Items) != 1 {
		t.Errorf("ListCases total %d items %d, want 1 and 1", list.Total, len(list.Items))
	}
}

// baseCase is the case every UpdateCase row starts from.
func baseCase(in *sird.CreateCaseInput) {
	in.Watchers = []sird.Watcher{{Email: "a@example.com", Name: "A", JobTitle: "Lead"}, {Email: "b@example.com", Name: "B"}}
	in.ImpactedAccounts = []string{"111111111111", "222222222222"}
	in.ThreatActorIPAddresses = []sird.ThreatActorIP{
		{IPAddress: "198.51.100.1", UserAgent: "curl"}, {IPAddress: "198.51.100.1", UserAgent: "wget"}, {IPAddress: "203.0.113.5"},
	}
	in.ImpactedServices = []string{"s3", "iam"}
	in.ImpactedAwsRegions = []sird.ImpactedRegion{{Region: "us-east-1"}, {Region: "eu-west-1"}}
}

// caseSets renders a case's set-like lists as sorted strings, and fails
// when a list holds the same key twice.
func caseSets(tb testing.TB, g *sird.GetCaseOutput) map[string][]string {
	tb.Helper()
	out := map[string][]string{}
	add := func(list, key, item string) {
		for _, x := range out[list+"#keys"] {
			if x == key {
				tb.Errorf("%s holds %q twice: %s", list, key, fmtList(g))
			}
		}
		out[list+"#keys"] = append(out[list+"#keys"], key)
		out[list] = append(out[list], item)
	}
	for _, w := range g.Watchers {
		add("watchers", strings.ToLower(w.Email), w.Email+"|"+w.Name+"|"+w.JobTitle)
	}
	for _, ip := range g.ThreatActorIPAddresses {
		add("ips", ip.IPAddress+"|"+ip.UserAgent, ip.IPAddress+"|"+ip.UserAgent)
	}
	for _, s := range g.ImpactedServices {
		add("services", s, s)
	}
	for _, r := range g.ImpactedAwsRegions {
		add("regions", r.Region, r.Region)
	}
	for _, a := range g.ImpactedAccounts {
		add("accounts", a, a)
	}
	for k := range out {
		if strings.HasSuffix(k, "#keys") {
			delete(out, k)
			continue
		}
		slices.Sort(out[k])
	}
	return out
}

func nWatchers(prefix string, n int) []sird.Watcher {
	var out []sird.Watcher
	for i := range n {
		out = append(out, sird.Watcher{Email: fmt.Sprintf("%s%d@example.com", prefix, i), Name: "N"})
	}
	return out
}

func nStrings(format string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf(format, i))
	}
	return out
}

func nRegions(n int) []sird.ImpactedRegion {
	var out []sird.ImpactedRegion
	for i := range n {
		out = append(out, sird.ImpactedRegion{Region: fmt.Sprintf("xx-test-%d", i)})
	}
	return out
}

func nIPs(n int) []sird.ThreatActorIP {
	var out []sird.ThreatActorIP
	for i := range n {
		out = append(out, sird.ThreatActorIP{IPAddress: fmt.Sprintf("10.0.%d.%d", i/250, i%250)})
	}
	return out
}

// counts checks the number of entries of one list of caseSets.
func counts(list string, n int) func(*testing.T, *sird.GetCaseOutput) {
	return func(t *testing.T, g *sird.GetCaseOutput) {
		t.Helper()
		if got := len(caseSets(t, g)[list]); got != n {
			t.Errorf("%s has %d entries, want %d", list, got, n)
		}
	}
}

func TestUpdateCaseRules(t *testing.T) {
	const (
		noEdit  = 0
		oneEdit = 1
		anyEdit = -1
	)
	type row struct {
		name    string
		pre     *sird.UpdateCaseInput // applied before the row's update
		in      sird.UpdateCaseInput
		wantErr sird.ErrorCode // 0: success
		fields  []string       // ValidationException field names
		edit    int
		want    map[string][]string // lists that differ from the base case, sorted
		check   func(t *testing.T, g *sird.GetCaseOutput)
	}
	day := sird.TimePtr(testEpoch.Add(-24 * time.Hour))
	rows := []row{
		{name: "nothing", edit: noEdit},
		{name: "title", in: sird.UpdateCaseInput{Title: ptr("New title")}, edit: oneEdit,
			check: func(t *testing.T, g *sird.GetCaseOutput) {
				if g.Title != "New title" {
					t.Errorf("title %q, want New title", g.Title)
				}
			}},
		{name: "same title", in: sird.UpdateCaseInput{Title: ptr("Leaked keys")}, edit: noEdit},
		{name: "same description and engagement type", in: sird.UpdateCaseInput{
			Description: ptr("Something happened"), EngagementType: ptr("Security Incident")}, edit: noEdit},
		{name: "dates", in: sird.UpdateCaseInput{ReportedIncidentStartDate: day, ActualIncidentStartDate: day}, edit: oneEdit,
			check: func(t *testing.T, g *sird.GetCaseOutput) {
				if g.ReportedIncidentStartDate == nil || !g.ReportedIncidentStartDate.Equal(day.Time) ||
					g.ActualIncidentStartDate == nil || !g.ActualIncidentStartDate.Equal(day.Time) {
					t.Errorf("dates %v %v, want %v", g.ReportedIncidentStartDate, g.ActualIncidentStartDate, day)
				}
			}},
		{name: "same dates again", pre: &sird.UpdateCaseInput{ReportedIncidentStartDate: day, ActualIncidentStartDate: day},
			in: sird.UpdateCaseInput{ReportedIncidentStartDate: sird.TimePtr(day.Time), ActualIncidentStartDate: sird.TimePtr(day.Time)}, edit: noEdit},
		{name: "same metadata again", pre: &sird.UpdateCaseInput{CaseMetadata: []sird.MetadataEntry{{Key: "k", Value: "v"}}},
			in: sird.UpdateCaseInput{CaseMetadata: []sird.MetadataEntry{{Key: "k", Value: "v"}}}, edit: noEdit},
		{name: "metadata replaced", pre: &sird.UpdateCaseInput{CaseMetadata: []sird.MetadataEntry{{Key: "k", Value: "v"}}},
			in: sird.UpdateCaseInput{CaseMetadata: []sird.MetadataEntry{{Key: "k", Value: "w"}}}, edit: oneEdit,
			check: func(t *testing.T, g *sird.GetCaseOutput) {
				if fmtList(g.CaseMetadata) != `[{"key":"k","value":"w"}]` {
					t.Errorf("caseMetadata %s, want k=w", fmtList(g.CaseMetadata))
				}
			}},
		{name: "add watcher", in: sird.UpdateCaseInput{WatchersToAdd: []sird.Watcher{{Email: "c@example.com"}}}, edit: oneEdit,
			want: map[string][]string{"watchers": {"a@example.com|A|Lead", "b@example.com|B|", "c@example.com||"}}},
		{name: "re-add watcher with new name, e-mail case differs",
			in: sird.UpdateCaseInput{WatchersToAdd: []sird.Watcher{{Email: "A@Example.com", Name: "Alice", JobTitle: "CISO"}}}, edit: oneEdit,
			want: map[string][]string{"watchers": {"a@example.com|Alice|CISO", "b@example.com|B|"}}},
		{name: "re-add watcher, only the e-mail's case differs",
			in: sird.UpdateCaseInput{WatchersToAdd: []sird.Watcher{{Email: "A@EXAMPLE.COM", Name: "A", JobTitle: "Lead"}}}, edit: noEdit},
		{name: "delete and re-add watcher in another case takes the new e-mail",
			in:   sird.UpdateCaseInput{WatchersToDelete: []sird.Watcher{{Email: "b@example.com"}}, WatchersToAdd: []sird.Watcher{{Email: "B@example.com", Name: "B"}}},
			edit: oneEdit, want: map[string][]string{"watchers": {"B@example.com|B|", "a@example.com|A|Lead"}}},
		{name: "re-add identical watcher", in: sird.UpdateCaseInput{WatchersToAdd: []sird.Watcher{{Email: "a@example.com", Name: "A", JobTitle: "Lead"}}}, edit: noEdit},
		{name: "re-add present items of every list", in: sird.UpdateCaseInput{
			ImpactedServicesToAdd: []string{"s3"}, ImpactedAccountsToAdd: []string{"222222222222"},
			ImpactedAwsRegionsToAdd:     []sird.ImpactedRegion{{Region: "eu-west-1"}},
			ThreatActorIPAddressesToAdd: []sird.ThreatActorIP{{IPAddress: "203.0.113.5"}}}, edit: noEdit},
		{name: "delete absent items", in: sird.UpdateCaseInput{
			WatchersToDelete: []sird.Watcher{{Email: "zz@example.com"}}, ImpactedServicesToDelete: []string{"ec2"},
			ImpactedAccountsToDelete: []string{"333333333333"}, ImpactedAwsRegionsToDelete: []sird.ImpactedRegion{{Region: "ap-south-1"}},
			ThreatActorIPAddressesToDelete: []sird.ThreatActorIP{{IPAddress: "192.0.2.1"}, {IPAddress: "203.0.113.5", UserAgent: "curl"}}}, edit: noEdit},
		{name: "delete watcher, e-mail case differs", in: sird.UpdateCaseInput{WatchersToDelete: []sird.Watcher{{Email: "B@EXAMPLE.COM"}}}, edit: oneEdit,
			want: map[string][]string{"watchers": {"a@example.com|A|Lead"}}},
		{name: "delete and add the same item", in: sird.UpdateCaseInput{ImpactedServicesToDelete: []string{"s3"}, ImpactedServicesToAdd: []string{"s3"}}, edit: anyEdit},
		{name: "delete and add the last item", in: sird.UpdateCaseInput{ImpactedServicesToDelete: []string{"iam"}, ImpactedServicesToAdd: []string{"iam"}}, edit: noEdit},
		{name: "duplicates within one add", in: sird.UpdateCaseInput{ImpactedServicesToAdd: []string{"ec2", "ec2", "s3"},
			WatchersToAdd: []sird.Watcher{{Email: "d@example.com", Name: "1"}, {Email: "D@example.com", Name: "2"}}}, edit: oneEdit,
			want: map[string][]string{"services": {"ec2", "iam", "s3"}, "watchers": {"a@example.com|A|Lead", "b@example.com|B|", "d@example.com|2|"}}},
		{name: "IP delete without user agent removes every entry of the address",
			in: sird.UpdateCaseInput{ThreatActorIPAddressesToDelete: []sird.ThreatActorIP{{IPAddress: "198.51.100.1"}}}, edit: oneEdit,
			want: map[string][]string{"ips": {"203.0.113.5|"}}},
		{name: "IP delete with user agent removes that entry",
			in: sird.UpdateCaseInput{ThreatActorIPAddressesToDelete: []sird.ThreatActorIP{{IPAddress: "198.51.100.1", UserAgent: "curl"}}}, edit: oneEdit,
			want: map[string][]string{"ips": {"198.51.100.1|wget", "203.0.113.5|"}}},
		{name: "IP with another user agent is another entry",
			in: sird.UpdateCaseInput{ThreatActorIPAddressesToAdd: []sird.ThreatActorIP{{IPAddress: "203.0.113.5", UserAgent: "curl"}}}, edit: oneEdit,
			want: map[string][]string{"ips": {"198.51.100.1|curl", "198.51.100.1|wget", "203.0.113.5|", "203.0.113.5|curl"}}},
		{name: "every list at once", in: sird.UpdateCaseInput{
			ImpactedAccountsToAdd: []string{"333333333333"}, ImpactedAccountsToDelete: []string{"111111111111"},
			ImpactedAwsRegionsToAdd: []sird.ImpactedRegion{{Region: "ap-south-1"}}, ImpactedAwsRegionsToDelete: []sird.ImpactedRegion{{Region: "us-east-1"}},
			ImpactedServicesToAdd: []string{"ec2"}, ImpactedServicesToDelete: []string{"iam"}}, edit: oneEdit,
			want: map[string][]string{"accounts": {"222222222222", "333333333333"}, "regions": {"ap-south-1", "eu-west-1"}, "services": {"ec2", "s3"}}},
		{name: "30 watchers accepted", in: sird.UpdateCaseInput{WatchersToAdd: nWatchers("w", 28)}, edit: oneEdit,
			check: counts("watchers", 30)},
		{name: "31 watchers refused, nothing applied",
			in:      sird.UpdateCaseInput{Title: ptr("not applied"), WatchersToAdd: nWatchers("w", 29), ImpactedServicesToAdd: []string{"ec2"}},
			wantErr: sird.ErrValidation, fields: []string{"watchersToAdd"}},
		{name: "deletions apply first: 2 - 2 + 30 watchers accepted",
			in:   sird.UpdateCaseInput{WatchersToDelete: []sird.Watcher{{Email: "a@example.com"}, {Email: "b@example.com"}}, WatchersToAdd: nWatchers("w", 30)},
			edit: oneEdit,
			check: func(t *testing.T, g *sird.GetCaseOutput) {
				if len(g.Watchers) != 30 || g.Watchers[0].Email != "w0@example.com" {
					t.Errorf("%d watchers starting %v, want the 30 added", len(g.Watchers), g.Watchers[:1])
				}
			}},
		{name: "re-adding present watchers does not count against the limit",
			in:   sird.UpdateCaseInput{WatchersToAdd: append(nWatchers("w", 28), sird.Watcher{Email: "a@example.com", Name: "A2"})},
			edit: oneEdit, check: counts("watchers", 30)},
		{name: "200 accounts accepted", in: sird.UpdateCaseInput{ImpactedAccountsToAdd: nStrings("5000000%05d", 198)}, edit: oneEdit,
			check: counts("accounts", 200)},
		{name: "201 accounts refused", in: sird.UpdateCaseInput{ImpactedAccountsToAdd: nStrings("5000000%05d", 199)},
			wantErr: sird.ErrValidation, fields: []string{"impactedAccountsToAdd"}},
		{name: "201 IPs refused", in: sird.UpdateCaseInput{ThreatActorIPAddressesToAdd: nIPs(198)},
			wantErr: sird.ErrValidation, fields: []string{"threatActorIpAddressesToAdd"}},
		{name: "200 IPs accepted", in: sird.UpdateCaseInput{ThreatActorIPAddressesToAdd: nIPs(197)}, edit: oneEdit,
			check: counts("ips", 200)},
		{name: "601 services refused", in: sird.UpdateCaseInput{ImpactedServicesToAdd: nStrings("svc%d", 599)},
			wantErr: sird.ErrValidation, fields: []string{"impactedServicesToAdd"}},
		{name: "600 services accepted", in: sird.UpdateCaseInput{ImpactedServicesToAdd: nStrings("svc%d", 598)}, edit: oneEdit,
			check: counts("services", 600)},
		{name: "51 regions refused", in: sird.UpdateCaseInput{ImpactedAwsRegionsToAdd: nRegions(49)},
			wantErr: sird.ErrValidation, fields: []string{"impactedAwsRegionsToAdd"}},
		{name: "50 regions accepted", in: sird.UpdateCaseInput{ImpactedAwsRegionsToAdd: nRegions(48)}, edit: oneEdit,
			check: counts("regions", 50)},
		{name: "every limit exceeded at once", in: sird.UpdateCaseInput{
			WatchersToAdd: nWatchers("w", 29), ImpactedAccountsToAdd: nStrings("5000000%05d", 199), ThreatActorIPAddressesToAdd: nIPs(198),
			ImpactedServicesToAdd: nStrings("svc%d", 599), ImpactedAwsRegionsToAdd: nRegions(49)},
			wantErr: sird.ErrValidation,
			fields:  []string{"watchersToAdd", "threatActorIpAddressesToAdd", "impactedServicesToAdd", "impactedAwsRegionsToAdd", "impactedAccountsToAdd"}},
	}
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			id := e.createCase(t, c, baseCase)
			baseEdits := 1
			if r.pre != nil {
				pre := *r.pre
				pre.CaseID = id
				mustOK(t, e.svc.UpdateCase(e.ctx, c, &pre), "UpdateCase before the row")
				baseEdits = 2
			}
			base := e.getCase(t, c, id)
			baseBytes := e.caseBytes(t, c, id)
			e.clock.Advance(time.Second)
			in := r.in
			in.CaseID = id
			err := e.svc.UpdateCase(e.ctx, c, &in)
			got := e.getCase(t, c, id)
			edits := e.editTotal(t, c, id) - baseEdits
			if r.wantErr != 0 {
				ve := wantCode(t, err, r.wantErr, "UpdateCase")
				var names []string
				for _, f := range ve.Fields {
					names = append(names, f.Name)
				}
				slices.Sort(names)
				wantFields := slices.Sorted(slices.Values(r.fields))
				if !slices.Equal(names, wantFields) {
					t.Errorf("invalid fields %v, want %v", names, r.fields)
				}
				if after := e.caseBytes(t, c, id); string(after) != string(baseBytes) {
					t.Errorf("refused update changed the case:\n got %s\nwant %s", after, baseBytes)
				}
				if edits != 0 {
					t.Errorf("refused update recorded %d edits", edits)
				}
				return
			}
			mustOK(t, err, "UpdateCase")
			gotSets := caseSets(t, got)
			if r.want != nil || r.check == nil { // rows with only a check look at the lists themselves
				want := caseSets(t, base)
				for k, v := range r.want {
					want[k] = v
				}
				if fmtList(gotSets) != fmtList(want) {
					t.Errorf("lists\n got %s\nwant %s", fmtList(gotSets), fmtList(want))
				}
			}
			for name, n := range map[string]int{"watchers": len(got.Watchers), "impactedAccounts": len(got.ImpactedAccounts),
				"threatActorIpAddresses": len(got.ThreatActorIPAddresses), "impactedServices": len(got.ImpactedServices),
				"impactedAwsRegions": len(got.ImpactedAwsRegions)} {
				if limit := map[string]int{"watchers": 30, "impactedAccounts": 200, "threatActorIpAddresses": 200,
					"impactedServices": 600, "impactedAwsRegions": 50}[name]; n > limit {
					t.Errorf("%s has %d entries, over the limit %d", name, n, limit)
				}
			}
			switch {
			case r.edit == noEdit && edits != 0:
				t.Errorf("no-op update recorded %d edits", edits)
			case r.edit == oneEdit && edits != 1:
				t.Errorf("update recorded %d edits, want 1", edits)
			}
			changed := string(e.caseBytes(t, c, id)) != string(baseBytes)
			if changed != (edits == 1) {
				t.Errorf("case changed %t but %d edits recorded", changed, edits)
			}
			if edits == 1 && !got.LastUpdatedDate.Equal(e.clock.Now()) {
				t.Errorf("lastUpdatedDate %v, want %v", got.LastUpdatedDate, e.clock.Now())
			}
			if r.check != nil {
				r.check(t, got)
			}
		})
	}
}

func TestUpdateCaseStatusWorkflow(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil)
	status := sird.StatusSubmitted
	steps := []struct {
		to string
		ok bool
	}{
		{sird.StatusSubmitted, false},
		{sird.StatusContainment, false},
		{sird.StatusClosed, false},
		{sird.StatusReadyToClose, false},
		{"Bogus", false},
		{sird.StatusDetectionAnalysis, true},
		{sird.StatusDetectionAnalysis, false},
		{sird.StatusSubmitted, false},
		{sird.StatusAcknowledged, false},
		{sird.StatusContainment, true},
		{sird.StatusPostIncident, true},
		{sird.StatusDetectionAnalysis, true},
		{sird.StatusPostIncident, true},
		{sird.StatusContainment, true},
		{sird.StatusDetectionAnalysis, true},
		{sird.StatusClosed, false},
	}
	wantEdits := 1
	for i, s := range steps {
		e.clock.Advance(time.Second)
		before := e.caseBytes(t, c, id)
		out, err := e.svc.UpdateCaseStatus(e.ctx, c, &sird.UpdateCaseStatusInput{CaseID: id, CaseStatus: s.to})
		what := fmt.Sprintf("step %d: %q -> %q", i, status, s.to)
		if !s.ok {
			wantCode(t, err, sird.ErrValidation, what)
			if after := e.caseBytes(t, c, id); string(after) != string(before) {
				t.Errorf("%s: refused change altered the case", what)
			}
			continue
		}
		mustOK(t, err, what)
		if out.CaseStatus != s.to {
			t.Errorf("%s: answered %q", what, out.CaseStatus)
		}
		status = s.to
		wantEdits++
		if g := e.getCase(t, c, id); g.CaseStatus != s.to {
			t.Errorf("%s: status %q after", what, g.CaseStatus)
		}
	}
	edits, total := e.allEdits(t, c, id)
	if total != wantEdits || len(edits) != wantEdits {
		t.Fatalf("history total %d items %d, want %d", total, len(edits), wantEdits)
	}
	for _, ed := range edits[1:] {
		if ed.Action != sird.ActionStatusUpdated {
			t.Errorf("edit %s, want %s", fmtList(ed), sird.ActionStatusUpdated)
		}
	}
}

func TestResolverTypeOneWay(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil)
	_, err := e.svc.UpdateResolverType(e.ctx, c, &sird.UpdateResolverTypeInput{CaseID: id, ResolverType: sird.ResolverSelf})
	wantCode(t, err, sird.ErrValidation, "Self -> Self")
	out, err := e.svc.UpdateResolverType(e.ctx, c, &sird.UpdateResolverTypeInput{CaseID: id, ResolverType: sird.ResolverAWS})
	mustOK(t, err, "Self -> AWS")
	if out.CaseID != id || out.ResolverType != sird.ResolverAWS || out.CaseStatus != sird.StatusSubmitted {
		t.Errorf("UpdateResolverType = %+v; want case %s AWS Submitted", out, id)
	}
	before := e.caseBytes(t, c, id)
	for _, to := range []string{sird.ResolverSelf, sird.ResolverAWS, "Other"} {
		_, err := e.svc.UpdateResolverType(e.ctx, c, &sird.UpdateResolverTypeInput{CaseID: id, ResolverType: to})
		wantCode(t, err, sird.ErrValidation, "AWS -> "+to)
	}
	// An AWS-resolved case changes status only through the responder.
	_, err = e.svc.UpdateCaseStatus(e.ctx, c, &sird.UpdateCaseStatusInput{CaseID: id, CaseStatus: sird.StatusDetectionAnalysis})
	wantCode(t, err, sird.ErrValidation, "UpdateCaseStatus on an AWS-resolved case")
	if after := e.caseBytes(t, c, id); string(after) != string(before) {
		t.Errorf("refused changes altered the case")
	}
	// It can still be edited and closed.
	mustOK(t, e.svc.UpdateCase(e.ctx, c, &sird.UpdateCaseInput{CaseID: id, Title: ptr("AWS case")}), "UpdateCase")
	_, err = e.svc.CloseCase(e.ctx, c, &sird.CaseIDInput{CaseID: id})
	mustOK(t, err, "CloseCase")
}

func TestCloseCaseIsFinal(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil)
	cm, err := e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: id, Body: "before close"})
	mustOK(t, err, "CreateCaseComment")
	e.clock.Advance(time.Minute)
	closedAt := e.clock.Now()
	out, err := e.svc.CloseCase(e.ctx, c, &sird.CaseIDInput{CaseID: id})
	mustOK(t, err, "CloseCase")
	if out.CaseStatus != sird.StatusClosed || out.ClosedDate == nil || !out.ClosedDate.Equal(closedAt) {
		t.Errorf("CloseCase = %s; want Closed at %v", fmtList(out), closedAt)
	}
	g := e.getCase(t, c, id)
	if g.CaseStatus != sird.StatusClosed || g.ClosedDate == nil || !g.ClosedDate.Equal(closedAt) || !g.LastUpdatedDate.Equal(closedAt) {
		t.Errorf("closed case %s; want Closed, closedDate and lastUpdatedDate %v", fmtList(g), closedAt)
	}
	before := e.caseBytes(t, c, id)
	editsBefore := e.editTotal(t, c, id)
	e.clock.Advance(time.Minute)
	writes := map[string]func() error{
		"UpdateCase":         func() error { return e.svc.UpdateCase(e.ctx, c, &sird.UpdateCaseInput{CaseID: id, Title: ptr("x")}) },
		"UpdateCase nothing": func() error { return e.svc.UpdateCase(e.ctx, c, &sird.UpdateCaseInput{CaseID: id}) },
		"UpdateCaseStatus": func() error {
			_, err := e.svc.UpdateCaseStatus(e.ctx, c, &sird.UpdateCaseStatusInput{CaseID: id, CaseStatus: sird.StatusDetectionAnalysis})
			return err
		},
		"UpdateResolverType": func() error {
			_, err := e.svc.UpdateResolverType(e.ctx, c, &sird.UpdateResolverTypeInput{CaseID: id, ResolverType: sird.ResolverAWS})
			return err
		},
		"CloseCase": func() error { _, err := e.svc.CloseCase(e.ctx, c, &sird.CaseIDInput{CaseID: id}); return err },
		"CreateCaseComment": func() error {
			_, err := e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: id, Body: "after"})
			return err
		},
		"UpdateCaseComment": func() error {
			_, err := e.svc.UpdateCaseComment(e.ctx, c, &sird.UpdateCaseCommentInput{CaseID: id, CommentID: cm.CommentID, Body: "edited"})
			return err
		},
		"GetCaseAttachmentUploadUrl": func() error {
			_, err := e.svc.GetCaseAttachmentUploadURL(e.ctx, c, &sird.GetCaseAttachmentUploadURLInput{CaseID: id, FileName: "a.txt", ContentLength: 1})
			return err
		},
	}
	for name, call := range writes {
		ce := wantCode(t, call(), sird.ErrConflict, name+" on a closed case")
		if ce.ResourceID != id {
			t.Errorf("%s: conflict names %q, want the case %s", name, ce.ResourceID, id)
		}
	}
	if after := e.caseBytes(t, c, id); string(after) != string(before) {
		t.Errorf("closed case changed:\n got %s\nwant %s", after, before)
	}
	if n := e.editTotal(t, c, id); n != editsBefore {
		t.Errorf("closed case history grew from %d to %d", editsBefore, n)
	}
	// Reads and tags still work.
	_, err = e.svc.ListComments(e.ctx, c, &sird.ListCommentsInput{CaseID: id})
	mustOK(t, err, "ListComments")
	arn := "arn:aws:security-ir:us-east-1:" + acctMgmt + ":case/" + id
	mustOK(t, e.svc.TagResource(e.ctx, c, &sird.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"k": "v"}}), "TagResource")
	tags, err := e.svc.ListTagsForResource(e.ctx, c, &sird.ResourceArnInput{ResourceArn: arn})
	mustOK(t, err, "ListTagsForResource")
	if tags.Tags["k"] != "v" {
		t.Errorf("tags %v, want k=v", tags.Tags)
	}
}

// TestEditMessages: every history message is 10..4096 characters, however
// short or long what it describes.
func TestEditMessages(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	ids := []string{
		e.createCase(t, c, func(in *sird.CreateCaseInput) { in.Title = strings.Repeat("x", 5000) }),
		e.createCase(t, c, func(in *sird.CreateCaseInput) { in.Title = strings.Repeat("é", 5000) }),
		e.createCase(t, c, func(in *sird.CreateCaseInput) { in.Title = "" }),
	}
	for _, id := range ids {
		mustOK(t, e.svc.UpdateCase(e.ctx, c, &sird.UpdateCaseInput{CaseID: id, Title: ptr("t")}), "UpdateCase")
		_, err := e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: id, Body: "b"})
		mustOK(t, err, "CreateCaseComment")
		_, err = e.svc.UpdateCaseStatus(e.ctx, c, &sird.UpdateCaseStatusInput{CaseID: id, CaseStatus: sird.StatusDetectionAnalysis})
		mustOK(t, err, "UpdateCaseStatus")
		_, err = e.svc.CloseCase(e.ctx, c, &sird.CaseIDInput{CaseID: id})
		mustOK(t, err, "CloseCase")
		edits, _ := e.allEdits(t, c, id)
		if len(edits) != 5 {
			t.Errorf("case %s: %d edits, want 5", id, len(edits))
		}
		for _, ed := range edits {
			n := utf8.RuneCountInString(ed.Message)
			if n < 10 || n > 4096 || !utf8.ValidString(ed.Message) {
				t.Errorf("case %s: %s message of %d characters (valid UTF-8 %t), want 10..4096",
					id, ed.Action, n, utf8.ValidString(ed.Message))
			}
		}
	}
}

func TestListCasesOrderAndPaging(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	e.createMembership(t, callerOf(acctOther), false)
	e.createCase(t, callerOf(acctOther), nil) // another account's case is never listed
	type created struct {
		id string
		at time.Time
	}
	var cases []created
	for i := range 9 {
		if i != 3 && i != 4 && i != 5 { // cases 3..5 share one createdDate
			e.clock.Advance(time.Second)
		}
		cases = append(cases, created{e.createCase(t, c, nil), e.clock.Now()})
	}
	// Newest first: createdDate descending, then case ID descending.
	want := slices.Clone(cases)
	slices.SortFunc(want, func(a, b created) int {
		if d := b.at.Compare(a.at); d != 0 {
			return d
		}
		return strings.Compare(b.id, a.id)
	})
	var wantIDs []string
	for _, w := range want {
		wantIDs = append(wantIDs, w.id)
	}
	all, err := e.svc.ListCases(e.ctx, c, &sird.ListInput{MaxResults: ptr(100)})
	mustOK(t, err, "ListCases")
	var gotIDs []string
	for _, it := range all.Items {
		gotIDs = append(gotIDs, it.CaseID)
	}
	if !slices.Equal(gotIDs, wantIDs) || all.Total != 9 || all.NextToken != "" {
		t.Errorf("ListCases = %v total %d next %q; want %v total 9", gotIDs, all.Total, all.NextToken, wantIDs)
	}
	// Default page size is 25; the item carries the case's members.
	if it := all.Items[0]; it.CaseArn != "arn:aws:security-ir:us-east-1:"+acctMgmt+":case/"+it.CaseID ||
		it.CaseStatus != sird.StatusSubmitted || it.ResolverType != sird.ResolverSelf || it.Title != "Leaked keys" {
		t.Errorf("ListCases item %s", fmtList(it))
	}

	// Page by 2 while new cases keep arriving and old ones change: no skips, no repeats.
	in := &sird.ListInput{MaxResults: ptr(2)}
	gotIDs = nil
	for page := 0; ; page++ {
		out, err := e.svc.ListCases(e.ctx, c, in)
		mustOK(t, err, "ListCases page")
		if len(out.Items) > 2 {
			t.Fatalf("page %d has %d items, want at most 2", page, len(out.Items))
		}
		if wantTotal := int64(9 + page); out.Total != wantTotal {
			t.Errorf("page %d: total %d, want %d", page, out.Total, wantTotal)
		}
		for _, it := range out.Items {
			gotIDs = append(gotIDs, it.CaseID)
		}
		if out.NextToken == "" {
			break
		}
		in.NextToken = out.NextToken
		e.clock.Advance(time.Second)
		e.createCase(t, c, nil)
		mustOK(t, e.svc.UpdateCase(e.ctx, c, &sird.UpdateCaseInput{CaseID: wantIDs[len(wantIDs)-1], Title: ptr(fmt.Sprint(page))}), "UpdateCase")
	}
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("paged ListCases = %v, want %v", gotIDs, wantIDs)
	}
}

func TestListCaseEditsPagingWhileAppending(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil)
	for i := range 4 {
		e.clock.Advance(time.Second)
		mustOK(t, e.svc.UpdateCase(e.ctx, c, &sird.UpdateCaseInput{CaseID: id, Title: ptr(fmt.Sprint("title ", i))}), "UpdateCase")
	}
	in := &sird.ListCaseEditsInput{CaseID: id, MaxResults: ptr(2)}
	var got []sird.CaseEdit
	for page := 0; ; page++ {
		out, err := e.svc.ListCaseEdits(e.ctx, c, in)
		mustOK(t, err, "ListCaseEdits")
		got = append(got, out.Items...)
		if out.NextToken == "" {
			break
		}
		in.NextToken = out.NextToken
		if page < 3 { // appended edits show up on later pages
			e.clock.Advance(time.Second)
			_, err := e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: id, Body: "more"})
			mustOK(t, err, "CreateCaseComment")
		}
	}
	if len(got) != 8 {
		t.Fatalf("paged history has %d entries, want 8: %s", len(got), fmtList(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].EventTimestamp.Before(got[i-1].EventTimestamp.Time) {
			t.Errorf("edit %d at %v before edit %d at %v", i, got[i].EventTimestamp, i-1, got[i-1].EventTimestamp)
		}
	}
	wantActions := []string{sird.ActionCaseCreated, sird.ActionCaseUpdated, sird.ActionCaseUpdated, sird.ActionCaseUpdated,
		sird.ActionCaseUpdated, sird.ActionCommentAdded, sird.ActionCommentAdded, sird.ActionCommentAdded}
	var actions []string
	for _, ed := range got {
		actions = append(actions, ed.Action)
	}
	if !slices.Equal(actions, wantActions) {
		t.Errorf("actions %v, want %v", actions, wantActions)
	}
}

// TestIdempotencyAcrossRestart: clientTokens and nextTokens survive a restart.
func TestIdempotencyAcrossRestart(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	mIn := func() *sird.CreateMembershipInput {
		return &sird.CreateMembershipInput{ClientToken: "m-tok", MembershipName: "Security", IncidentResponseTeam: team()}
	}
	m, err := e.svc.CreateMembership(e.ctx, c, mIn())
	mustOK(t, err, "CreateMembership")
	cIn := func(title string) *sird.CreateCaseInput {
		in := newCaseInput(title)
		in.ClientToken = "c-tok"
		return in
	}
	cs, err := e.svc.CreateCase(e.ctx, c, cIn("Before restart"))
	mustOK(t, err, "CreateCase")
	e.createCase(t, c, nil)
	cm, err := e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: cs.CaseID, ClientToken: "k-tok", Body: "hi"})
	mustOK(t, err, "CreateCaseComment")
	page, err := e.svc.ListCases(e.ctx, c, &sird.ListInput{MaxResults: ptr(1)})
	mustOK(t, err, "ListCases")

	e.restart(t)
	e.clock.Advance(time.Hour)

	m2, err := e.svc.CreateMembership(e.ctx, c, mIn())
	mustOK(t, err, "CreateMembership retry after restart")
	cs2, err := e.svc.CreateCase(e.ctx, c, cIn("Before restart"))
	mustOK(t, err, "CreateCase retry after restart")
	cm2, err := e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: cs.CaseID, ClientToken: "k-tok", Body: "hi"})
	mustOK(t, err, "CreateCaseComment retry after restart")
	if m2.MembershipID != m.MembershipID || cs2.CaseID != cs.CaseID || cm2.CommentID != cm.CommentID {
		t.Errorf("retries after restart gave %s %s %s, want %s %s %s",
			m2.MembershipID, cs2.CaseID, cm2.CommentID, m.MembershipID, cs.CaseID, cm.CommentID)
	}
	_, err = e.svc.CreateCase(e.ctx, c, cIn("Different"))
	wantCode(t, err, sird.ErrConflict, "CreateCase with the token and another request after restart")
	next, err := e.svc.ListCases(e.ctx, c, &sird.ListInput{MaxResults: ptr(1), NextToken: page.NextToken})
	mustOK(t, err, "ListCases with a nextToken from before the restart")
	if len(next.Items) != 1 || next.Items[0].CaseID == page.Items[0].CaseID || next.Total != 2 {
		t.Errorf("second page %s total %d; want the other case of 2", fmtList(next.Items), next.Total)
	}
}
