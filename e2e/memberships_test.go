package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// orgDeclaration is the organization the membership tests load with
// `sird org load`: 111111111111 manages it; Cards is nested two levels under
// Prod; 777777777777 belongs to another organization.
const orgDeclaration = `{"organizations": [
  {"id": "o-a1b2c3d4e5", "managementAccountId": "111111111111",
   "units": [{"id": "ou-ab12-prod0001", "name": "Prod"},
             {"id": "ou-ab12-paym0001", "name": "Payments", "parentId": "ou-ab12-prod0001"},
             {"id": "ou-ab12-card0001", "name": "Cards", "parentId": "ou-ab12-paym0001"},
             {"id": "ou-ab12-dev00001", "name": "Dev"}],
   "accounts": [{"accountId": "222222222222", "ouId": "ou-ab12-paym0001"},
                {"accountId": "232323232323", "ouId": "ou-ab12-card0001"},
                {"accountId": "333333333333", "ouId": "ou-ab12-dev00001"},
                {"accountId": "444444444444"}]},
  {"id": "o-zz99zz99zz", "managementAccountId": "666666666666",
   "accounts": [{"accountId": "777777777777"}]}
]}`

var (
	cliTeam = []map[string]any{
		{"name": "Alice Lead", "jobTitle": "Lead", "email": "alice@example.com",
			"communicationPreferences": []string{"Case Created", "Case Closed"}},
		{"name": "Bob Analyst", "jobTitle": "Analyst", "email": "bob@example.com"},
	}
	membershipIDRE = regexp.MustCompile(`^m-[a-z0-9]{10,32}$`)
)

// membershipAccounts starts a server, then declares the test organization
// and creates keys for a (its management account), b (an account in OU
// Payments), c (standalone) and d (in OU Cards) while it runs.
func membershipAccounts(t *testing.T) (*server, map[string][2]string) {
	s := startServer(t)
	loadOrg(t, s.DataDir, orgDeclaration)
	return s, map[string][2]string{
		"a": createKey(t, s.DataDir, "111111111111", "alice"),
		"b": createKey(t, s.DataDir, "222222222222", "bob"),
		"c": createKey(t, s.DataDir, "555555555555", "carol"),
		"d": createKey(t, s.DataDir, "232323232323", "dan"),
	}
}

func TestBoto3Memberships(t *testing.T) {
	t.Parallel()
	python3Boto3(t)
	s, creds := membershipAccounts(t)
	res := s.py(t, "memberships.py", creds)
	// What boto3 left behind, as the CLI sees it.
	m := s.awsOK(t, creds["a"], "get-membership", "--membership-id", str(res, "membershipId"))
	if str(m, "membershipName") != "Resumed" || str(m, "membershipStatus") != "Active" {
		t.Errorf("CLI sees %v after the boto3 flow", m)
	}
}

func TestCLIMemberships(t *testing.T) {
	t.Parallel()
	awsCLI(t)
	s, creds := membershipAccounts(t)
	a, b, c := creds["a"], creds["b"], creds["c"]
	west := func(args ...string) []string { return append(args, "--region", "us-west-2") }
	// Once a key exists, the dev credentials stop working.
	s.awsErr(t, devCreds, "UnrecognizedClientException", "list-memberships")

	// Create, with clientToken idempotency; one membership per account.
	create := []string{"create-membership", "--client-token", "cli-membership-a", "--membership-name", "Security",
		"--incident-response-team", jsonArg(cliTeam),
		"--opt-in-features", `[{"featureName":"Triage","isEnabled":true}]`, "--tags", `{"env":"prod"}`}
	before := time.Now()
	mid := str(s.awsOK(t, a, create...), "membershipId")
	after := time.Now()
	if !membershipIDRE.MatchString(mid) {
		t.Fatalf("membershipId %q", mid)
	}
	if again := str(s.awsOK(t, a, create...), "membershipId"); again != mid {
		t.Errorf("retry with the same clientToken gave %s, want %s", again, mid)
	}
	changed := append([]string{}, create...)
	changed[4] = "Other name"
	s.awsErr(t, a, "ConflictException", changed...)
	other := append([]string{}, create...)
	other[2] = "cli-membership-a2"
	s.awsErr(t, a, "ConflictException", other...)
	s.awsErr(t, c, "ValidationException", "create-membership", "--membership-name", "Standalone",
		"--incident-response-team", jsonArg(cliTeam), "--cover-entire-organization")
	cid := str(s.awsOK(t, c, "create-membership", "--membership-name", "Standalone", "--incident-response-team", jsonArg(cliTeam)), "membershipId")
	bid := str(s.awsOK(t, b, "create-membership", "--membership-name", "Member B", "--incident-response-team", jsonArg(cliTeam)), "membershipId")

	// Get: every member.
	g := s.awsOK(t, a, "get-membership", "--membership-id", mid)
	epochNear(t, "membershipActivationTimestamp", g["membershipActivationTimestamp"], before, after)
	delete(g, "membershipActivationTimestamp")
	wantJSON(t, "get-membership", g, map[string]any{
		"membershipId": mid, "accountId": "111111111111", "region": "us-east-1", "membershipName": "Security",
		"membershipArn":    "arn:aws:security-ir:us-east-1:111111111111:membership/" + mid,
		"membershipStatus": "Active", "customerType": "Organization", "numberOfAccountsCovered": 1,
		"incidentResponseTeam": cliTeam, "optInFeatures": []any{map[string]any{"featureName": "Triage", "isEnabled": true}},
		"membershipAccountsConfigurations": map[string]any{"coverEntireOrganization": false, "organizationalUnits": []any{}},
	})
	if g := s.awsOK(t, c, "get-membership", "--membership-id", cid); str(g, "customerType") != "Standalone" || num(g, "numberOfAccountsCovered") != 1 {
		t.Errorf("standalone membership: %v", g)
	}

	// List, one page of one per account.
	for who, want := range map[string]string{"a": mid, "b": bid, "c": cid} {
		l := s.awsOK(t, creds[who], "list-memberships", "--max-results", "1")
		if items := list(l, "items"); len(items) != 1 || str(items[0], "membershipId") != want || l["nextToken"] != nil {
			t.Errorf("list-memberships for %s: %v, want only %s", who, l, want)
		}
	}
	if l := s.awsOK(t, a, "list-memberships", "--page-size", "1"); len(list(l, "items")) != 1 {
		t.Errorf("paginated list-memberships: %v", l)
	}
	s.awsErr(t, a, "InvalidTokenException", "list-memberships", "--next-token", "forged")

	// Update every field; OUs cover nested OUs.
	team2 := append(append([]map[string]any{}, cliTeam...), map[string]any{
		"name": "Carol Forensics", "jobTitle": "Forensics", "email": "carol@example.com", "communicationPreferences": []string{"Case Comment Added"}})
	s.awsOK(t, a, "update-membership", "--membership-id", mid, "--membership-name", "Security Ops",
		"--incident-response-team", jsonArg(team2), "--opt-in-features", `[{"featureName":"Triage","isEnabled":false}]`,
		"--membership-accounts-configurations-update", `{"organizationalUnitsToAdd":["ou-ab12-prod0001"]}`)
	g = s.awsOK(t, a, "get-membership", "--membership-id", mid)
	wantJSON(t, "updated membership", []any{g["membershipName"], g["incidentResponseTeam"], g["optInFeatures"], g["numberOfAccountsCovered"], g["membershipAccountsConfigurations"]},
		[]any{"Security Ops", team2, []any{map[string]any{"featureName": "Triage", "isEnabled": false}}, 3,
			map[string]any{"coverEntireOrganization": false, "organizationalUnits": []string{"ou-ab12-prod0001"}}})

	bg := s.awsOK(t, a, "batch-get-member-account-details", "--membership-id", mid, "--account-ids",
		"111111111111", "222222222222", "232323232323", "333333333333", "444444444444", "999999999999", "777777777777")
	wantJSON(t, "batch-get-member-account-details items", bg["items"], []map[string]string{
		{"accountId": "111111111111", "relationshipStatus": "Associated", "relationshipType": "Organization"},
		{"accountId": "222222222222", "relationshipStatus": "Associated", "relationshipType": "Organization"},
		{"accountId": "232323232323", "relationshipStatus": "Associated", "relationshipType": "Organization"},
		{"accountId": "333333333333", "relationshipStatus": "Disassociated", "relationshipType": "Organization"},
		{"accountId": "444444444444", "relationshipStatus": "Disassociated", "relationshipType": "Organization"},
		{"accountId": "999999999999", "relationshipStatus": "Unassociated", "relationshipType": "Unrelated"},
	})
	if errs := list(bg, "errors"); len(errs) != 1 || str(errs[0], "accountId") != "777777777777" {
		t.Errorf("batch-get-member-account-details errors: %v, want one for 777777777777", errs)
	}

	s.awsOK(t, a, "update-membership", "--membership-id", mid, "--membership-accounts-configurations-update",
		`{"organizationalUnitsToAdd":["ou-ab12-dev00001"],"organizationalUnitsToRemove":["ou-ab12-prod0001"]}`)
	if g := s.awsOK(t, a, "get-membership", "--membership-id", mid); num(g, "numberOfAccountsCovered") != 2 ||
		fmt.Sprint(field(g, "membershipAccountsConfigurations", "organizationalUnits")) != "[ou-ab12-dev00001]" {
		t.Errorf("after swapping Prod for Dev: %v", g)
	}
	s.awsOK(t, a, "update-membership", "--membership-id", mid, "--membership-accounts-configurations-update", `{"coverEntireOrganization":true}`)
	if g := s.awsOK(t, a, "get-membership", "--membership-id", mid); num(g, "numberOfAccountsCovered") != 5 ||
		field(g, "membershipAccountsConfigurations", "coverEntireOrganization") != true {
		t.Errorf("covering the whole organization: %v", g)
	}
	s.awsErr(t, a, "ValidationException", "update-membership", "--membership-id", mid, "--no-undo-membership-cancellation")
	s.awsErr(t, a, "ValidationException", "update-membership", "--membership-id", mid,
		"--membership-accounts-configurations-update", `{"organizationalUnitsToAdd":["ou-zz99-notours1"]}`)

	// Isolation between accounts and regions.
	s.awsErr(t, b, "ResourceNotFoundException", "get-membership", "--membership-id", mid)
	s.awsErr(t, a, "ResourceNotFoundException", west("get-membership", "--membership-id", mid)...)
	if l := s.awsOK(t, a, west("list-memberships")...); len(list(l, "items")) != 0 {
		t.Errorf("us-west-2 lists %v", l)
	}

	// Tags on the membership and on a case.
	caseID := str(s.awsOK(t, a, "create-case", "--resolver-type", "Self", "--title", "Tagged", "--description", "d",
		"--engagement-type", "Investigation", "--reported-incident-start-date", "2025-03-01T00:00:00Z",
		"--impacted-accounts", "[]", "--watchers", "[]", "--tags", `{"case-tag":"1"}`), "caseId")
	marn := "arn:aws:security-ir:us-east-1:111111111111:membership/" + mid
	carn := "arn:aws:security-ir:us-east-1:111111111111:case/" + caseID
	s.awsOK(t, a, "tag-resource", "--resource-arn", marn, "--tags", `{"owner":"ir","tmp":"x"}`)
	s.awsOK(t, a, "untag-resource", "--resource-arn", marn, "--tag-keys", "tmp", "absent")
	wantJSON(t, "membership tags", s.awsOK(t, a, "list-tags-for-resource", "--resource-arn", marn)["tags"],
		map[string]string{"env": "prod", "owner": "ir"})
	s.awsErr(t, a, "ValidationException", "tag-resource", "--resource-arn", marn, "--tags", `{"aws:owner":"x"}`)
	s.awsErr(t, a, "ResourceNotFoundException", "list-tags-for-resource", "--resource-arn",
		"arn:aws:security-ir:us-east-1:999999999999:case/1234567890")
	s.awsErr(t, b, "ResourceNotFoundException", "tag-resource", "--resource-arn", carn, "--tags", `{"x":"y"}`)
	many := map[string]string{}
	for i := range 199 {
		many[fmt.Sprintf("k%03d", i)] = "v"
	}
	s.awsOK(t, a, "tag-resource", "--resource-arn", carn, "--tags", jsonArg(many))
	s.awsErr(t, a, "ValidationException", "tag-resource", "--resource-arn", carn, "--tags", `{"tag-201":"x"}`)
	if tags, _ := s.awsOK(t, a, "list-tags-for-resource", "--resource-arn", carn)["tags"].(map[string]any); len(tags) != 200 || tags["case-tag"] != "1" {
		t.Errorf("case has %d tags (case-tag=%v), want 200", len(tags), tags["case-tag"])
	}

	// Cases of a are invisible to b and to us-west-2.
	s.awsErr(t, b, "ResourceNotFoundException", "get-case", "--case-id", caseID)
	s.awsErr(t, a, "ResourceNotFoundException", west("get-case", "--case-id", caseID)...)

	// Cancel: writes need an active membership; reads still work.
	before = time.Now()
	s.awsOK(t, a, "cancel-membership", "--membership-id", mid)
	after = time.Now()
	g = s.awsOK(t, a, "get-membership", "--membership-id", mid)
	if str(g, "membershipStatus") != "Cancelled" {
		t.Errorf("status after cancel: %v", g["membershipStatus"])
	}
	epochNear(t, "membershipDeactivationTimestamp", g["membershipDeactivationTimestamp"], before, after)
	s.awsErr(t, a, "SecurityIncidentResponseNotActiveException", "create-case", "--resolver-type", "Self", "--title", "t",
		"--description", "d", "--engagement-type", "Investigation", "--reported-incident-start-date", "2025-03-01T00:00:00Z",
		"--impacted-accounts", "[]", "--watchers", "[]")
	s.awsErr(t, a, "SecurityIncidentResponseNotActiveException", "update-case", "--case-id", caseID, "--title", "x")
	if g := s.awsOK(t, a, "get-case", "--case-id", caseID); str(g, "title") != "Tagged" {
		t.Errorf("get-case while cancelled: %v", g)
	}

	// Resume.
	s.awsOK(t, a, "update-membership", "--membership-id", mid, "--undo-membership-cancellation")
	g = s.awsOK(t, a, "get-membership", "--membership-id", mid)
	if str(g, "membershipStatus") != "Active" || g["membershipDeactivationTimestamp"] != nil {
		t.Errorf("after resume: %v", g)
	}
	s.awsOK(t, a, "update-case", "--case-id", caseID, "--title", "Resumed")
	if g := s.awsOK(t, a, "get-case", "--case-id", caseID); str(g, "title") != "Resumed" {
		t.Errorf("update after resume: %v", g["title"])
	}
	if strings.Contains(s.logs.String(), `"level":"ERROR"`) {
		t.Errorf("sird logged errors:\n%s", s.logs)
	}
}
