package e2e

import (
	"fmt"
	"regexp"
	"testing"
	"time"
)

var caseIDRE = regexp.MustCompile(`^[1-9][0-9]{9}$`)

// caseAccounts creates keys for two principals of 111111111111 (alice and
// dave) and one of 222222222222 in a fresh data dir, then starts a server on it.
func caseAccounts(t *testing.T) (*server, map[string][2]string) {
	dir := t.TempDir()
	creds := map[string][2]string{
		"a":  createKey(t, dir, "111111111111", "alice"),
		"a2": createKey(t, dir, "111111111111", "dave"),
		"b":  createKey(t, dir, "222222222222", "bob"),
	}
	return startServer(t, "SIRD_DATA_DIR="+dir), creds
}

func TestBoto3Cases(t *testing.T) {
	t.Parallel()
	python3Boto3(t)
	s, creds := caseAccounts(t)
	res := s.py(t, "cases.py", creds)
	g := s.awsOK(t, creds["a"], "get-case", "--case-id", str(res, "caseId"))
	if str(g, "caseStatus") != "Closed" || str(g, "title") != "Renamed" {
		t.Errorf("CLI sees %v after the boto3 flow", g)
	}
}

func TestCLICases(t *testing.T) {
	t.Parallel()
	awsCLI(t)
	s, creds := caseAccounts(t)
	a, a2, b := creds["a"], creds["a2"], creds["b"]
	s.awsOK(t, a, "create-membership", "--membership-name", "Security", "--incident-response-team", jsonArg(cliTeam))

	// Create with every member; get returns each exactly, lists in order.
	watchers := []map[string]string{
		{"email": "w1@example.com", "name": "Wanda One", "jobTitle": "CISO"},
		{"email": "w2@example.com"},
	}
	ips := []map[string]string{{"ipAddress": "198.51.100.7", "userAgent": "curl/8.0"}, {"ipAddress": "203.0.113.9"}}
	regions := []map[string]string{{"region": "us-east-1"}, {"region": "eu-west-1"}}
	create := []string{"create-case", "--client-token", "cli-case-1", "--resolver-type", "Self",
		"--title", "Credential exfiltration", "--description", "Keys leaked.\nSecond line: ünïcödé & <tags>",
		"--engagement-type", "Security Incident", "--reported-incident-start-date", "2025-01-02T03:04:05Z",
		"--impacted-accounts", "111111111111", "444455556666", "--watchers", jsonArg(watchers),
		"--threat-actor-ip-addresses", jsonArg(ips), "--impacted-services", "Amazon EC2", "AWS IAM",
		"--impacted-aws-regions", jsonArg(regions), "--tags", `{"severity":"high"}`}
	before := time.Now()
	cid := str(s.awsOK(t, a, create...), "caseId")
	after := time.Now()
	if !caseIDRE.MatchString(cid) {
		t.Fatalf("caseId %q", cid)
	}
	if again := str(s.awsOK(t, a, create...), "caseId"); again != cid {
		t.Errorf("retry with the same clientToken: %s, want %s", again, cid)
	}
	changed := append([]string{}, create...)
	changed[6] = "Another title"
	s.awsErr(t, a, "ConflictException", changed...)

	g := s.awsOK(t, a, "get-case", "--case-id", cid)
	epochNear(t, "createdDate", g["createdDate"], before, after)
	if g["lastUpdatedDate"] != g["createdDate"] {
		t.Errorf("lastUpdatedDate %v, createdDate %v", g["lastUpdatedDate"], g["createdDate"])
	}
	arn := "arn:aws:security-ir:us-east-1:111111111111:case/" + cid
	delete(g, "createdDate")
	delete(g, "lastUpdatedDate")
	wantJSON(t, "get-case", g, map[string]any{
		"title": "Credential exfiltration", "caseArn": arn, "description": "Keys leaked.\nSecond line: ünïcödé & <tags>",
		"caseStatus": "Submitted", "engagementType": "Security Incident", "reportedIncidentStartDate": 1735787045,
		"impactedAwsRegions": regions, "threatActorIpAddresses": ips, "pendingAction": "None",
		"impactedAccounts": []string{"111111111111", "444455556666"}, "watchers": watchers, "resolverType": "Self",
		"impactedServices": []string{"Amazon EC2", "AWS IAM"}, "caseAttachments": []any{},
	})
	s.awsErr(t, b, "ResourceNotFoundException", "get-case", "--case-id", cid)

	// list-cases: the CLI's paginator and explicit pages, newest first, with total.
	var ids []string
	for i := range 2 {
		ids = append(ids, str(s.awsOK(t, a, "create-case", "--resolver-type", "Self", "--title", fmt.Sprintf("Case %d", i),
			"--description", "d", "--engagement-type", "Investigation", "--reported-incident-start-date", "1735787045",
			"--impacted-accounts", "[]", "--watchers", "[]"), "caseId"))
	}
	newestFirst := []string{ids[1], ids[0], cid}
	l := s.awsOK(t, a, "list-cases", "--page-size", "1")
	var got []string
	for _, it := range list(l, "items") {
		got = append(got, str(it, "caseId"))
	}
	if fmt.Sprint(got) != fmt.Sprint(newestFirst) || num(l, "total") != 3 {
		t.Errorf("list-cases with the paginator: %v (total %v), want %v (3)", got, l["total"], newestFirst)
	}
	p1 := s.awsOK(t, a, "list-cases", "--max-results", "2")
	p2 := s.awsOK(t, a, "list-cases", "--max-results", "2", "--next-token", str(p1, "nextToken"))
	if len(list(p1, "items")) != 2 || num(p1, "total") != 3 || len(list(p2, "items")) != 1 ||
		str(p2, "items", 0, "caseId") != cid || p2["nextToken"] != nil {
		t.Errorf("explicit pages: %v then %v", p1, p2)
	}

	// update-case: every scalar and every add/delete pair, by another principal.
	s.awsOK(t, a2, "update-case", "--case-id", cid, "--title", "Renamed", "--description", "New description",
		"--reported-incident-start-date", "2024-12-31T23:59:59Z", "--actual-incident-start-date", "2024-12-30T00:00:00Z",
		"--engagement-type", "Investigation",
		"--watchers-to-add", `[{"email":"w3@example.com","name":"Will Three"},{"email":"w3@example.com","name":"Will Three"}]`,
		"--watchers-to-delete", `[{"email":"W2@example.com"},{"email":"absent@example.com"}]`,
		"--threat-actor-ip-addresses-to-add", `[{"ipAddress":"192.0.2.1"},{"ipAddress":"203.0.113.9"}]`,
		"--threat-actor-ip-addresses-to-delete", `[{"ipAddress":"198.51.100.7"}]`,
		"--impacted-services-to-add", "Amazon S3", "Amazon EC2", "--impacted-services-to-delete", "AWS IAM", "Absent",
		"--impacted-aws-regions-to-add", `[{"region":"ap-south-1"}]`, "--impacted-aws-regions-to-delete", `[{"region":"us-east-1"}]`,
		"--impacted-accounts-to-add", "777788889999", "--impacted-accounts-to-delete", "444455556666", "000000000000",
		"--case-metadata", `[{"key":"ticket","value":"IR-42"}]`)
	g = s.awsOK(t, a, "get-case", "--case-id", cid)
	wantJSON(t, "get-case after update-case",
		[]any{g["title"], g["description"], g["reportedIncidentStartDate"], g["actualIncidentStartDate"], g["engagementType"],
			g["watchers"], g["threatActorIpAddresses"], g["impactedServices"], g["impactedAwsRegions"], g["impactedAccounts"], g["caseMetadata"]},
		[]any{"Renamed", "New description", 1735689599, 1735516800, "Investigation",
			[]any{watchers[0], map[string]string{"email": "w3@example.com", "name": "Will Three"}},
			[]any{map[string]string{"ipAddress": "203.0.113.9"}, map[string]string{"ipAddress": "192.0.2.1"}},
			[]string{"Amazon EC2", "Amazon S3"}, []any{regions[1], map[string]string{"region": "ap-south-1"}},
			[]string{"111111111111", "777788889999"}, []any{map[string]string{"key": "ticket", "value": "IR-42"}}})

	// 31 watchers are refused and nothing of that request applies.
	var more []map[string]string
	for i := range 28 {
		more = append(more, map[string]string{"email": fmt.Sprintf("extra%02d@example.com", i)})
	}
	s.awsOK(t, a, "update-case", "--case-id", cid, "--watchers-to-add", jsonArg(more))
	s.awsErr(t, a, "ValidationException", "update-case", "--case-id", cid, "--title", "Must not apply",
		"--watchers-to-add", `[{"email":"w31@example.com"}]`)
	if g := s.awsOK(t, a, "get-case", "--case-id", cid); len(list(g, "watchers")) != 30 || str(g, "title") != "Renamed" {
		t.Errorf("after the refused 31st watcher: %d watchers, title %q", len(list(g, "watchers")), str(g, "title"))
	}

	// Status workflow of self-managed cases.
	s.awsErr(t, a, "ValidationException", "update-case-status", "--case-id", cid, "--case-status", "Post-incident Activities")
	for _, st := range []string{"Detection and Analysis", "Containment, Eradication and Recovery", "Post-incident Activities", "Detection and Analysis"} {
		if out := s.awsOK(t, a, "update-case-status", "--case-id", cid, "--case-status", st); str(out, "caseStatus") != st {
			t.Errorf("update-case-status to %s answered %v", st, out)
		}
	}
	s.awsErr(t, a, "ValidationException", "update-case-status", "--case-id", cid, "--case-status", "Submitted")

	// AWS-resolved cases; the resolver type goes from Self to AWS only.
	awsCase := str(s.awsOK(t, a, "create-case", "--resolver-type", "AWS", "--title", "Responder", "--description", "d",
		"--engagement-type", "Investigation", "--reported-incident-start-date", "1735787045",
		"--impacted-accounts", "[]", "--watchers", "[]"), "caseId")
	s.awsErr(t, a, "ValidationException", "update-case-status", "--case-id", awsCase, "--case-status", "Detection and Analysis")
	s.awsErr(t, a, "ValidationException", "update-resolver-type", "--case-id", awsCase, "--resolver-type", "Self")
	out := s.awsOK(t, a, "update-resolver-type", "--case-id", ids[0], "--resolver-type", "AWS")
	wantJSON(t, "update-resolver-type", out, map[string]string{"caseId": ids[0], "caseStatus": "Submitted", "resolverType": "AWS"})
	s.awsErr(t, a, "ValidationException", "update-resolver-type", "--case-id", ids[0], "--resolver-type", "Self")

	// Closed cases are read-only; reads and tags still work.
	before = time.Now()
	closed := s.awsOK(t, a, "close-case", "--case-id", cid)
	after = time.Now()
	if str(closed, "caseStatus") != "Closed" {
		t.Errorf("close-case: %v", closed)
	}
	epochNear(t, "closedDate", closed["closedDate"], before, after)
	s.awsErr(t, a, "ConflictException", "update-case", "--case-id", cid, "--title", "after close")
	s.awsErr(t, a, "ConflictException", "update-case-status", "--case-id", cid, "--case-status", "Containment, Eradication and Recovery")
	s.awsErr(t, a, "ConflictException", "create-case-comment", "--case-id", cid, "--body", "after close")
	s.awsErr(t, a, "ConflictException", "get-case-attachment-upload-url", "--case-id", cid, "--file-name", "a.txt", "--content-length", "3")
	s.awsOK(t, a, "tag-resource", "--resource-arn", arn, "--tags", `{"closed":"yes"}`)
	if g := s.awsOK(t, a, "get-case", "--case-id", cid); str(g, "caseStatus") != "Closed" || g["closedDate"] != closed["closedDate"] || str(g, "title") != "Renamed" {
		t.Errorf("get-case of the closed case: %v", g)
	}

	// list-case-edits: every step, in order, with its principal.
	edits := s.awsOK(t, a, "list-case-edits", "--case-id", cid, "--page-size", "2")
	wantActions := []string{"CaseCreated", "CaseUpdated", "CaseUpdated", "CaseStatusUpdated", "CaseStatusUpdated",
		"CaseStatusUpdated", "CaseStatusUpdated", "CaseClosed"}
	items := list(edits, "items")
	var actions []string
	for i, e := range items {
		actions = append(actions, str(e, "action"))
		wantPrincipal := "arn:aws:iam::111111111111:user/alice"
		if i == 1 {
			wantPrincipal = "arn:aws:iam::111111111111:user/dave"
		}
		if p := str(e, "principal"); p != wantPrincipal {
			t.Errorf("edit %d principal %q, want %q", i, p, wantPrincipal)
		}
		if n := len([]rune(str(e, "message"))); n < 10 || n > 4096 {
			t.Errorf("edit %d message has %d characters: %q", i, n, str(e, "message"))
		}
		if i > 0 && num(e, "eventTimestamp") < num(items[i-1], "eventTimestamp") {
			t.Errorf("edit %d is older than edit %d", i, i-1)
		}
	}
	if fmt.Sprint(actions) != fmt.Sprint(wantActions) || num(edits, "total") != float64(len(wantActions)) {
		t.Errorf("list-case-edits actions %v (total %v), want %v", actions, edits["total"], wantActions)
	}
	if p := s.awsOK(t, a, "list-case-edits", "--case-id", cid, "--max-results", "3"); len(list(p, "items")) != 3 ||
		p["nextToken"] == nil || num(p, "total") != float64(len(wantActions)) {
		t.Errorf("list-case-edits page of 3: %v", p)
	}
}
