package conformance

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/internal/testsupport/apitest"
)

// suite is one run: the model, a server and the principals calling it.
type suite struct {
	m   *model
	c   *checker
	srv *server
	cov coverage

	succeeded map[string]bool // operations with a success that matched the model
	walked    map[string]bool // operations whose constraint walk ran

	alice *principal // account A: the membership most calls run under
	bob   *principal // account B: created and cancelled by the success walk
	dave  *principal // account D: its membership is cancelled by the walk
	memA  string
	memD  string
}

func TestPatternExamples(t *testing.T) {
	m := loadModel(t)
	for name, s := range m.Shapes {
		if s.re == nil {
			continue
		}
		ex, ok := patternExamples[name]
		if !ok {
			t.Errorf("no example for pattern shape %s (%s)", name, *s.Pattern)
			continue
		}
		if !s.re.MatchString(ex) {
			t.Errorf("%s: example %q does not match %s", name, ex, *s.Pattern)
		}
		if s.Min != nil && int64(len(ex)) > *s.Min {
			continue // padding only ever lengthens
		}
		if s.Max != nil {
			if p := ex + strings.Repeat("a", int(*s.Max)-len(ex)); !s.re.MatchString(p) {
				t.Errorf("%s: padded example %q does not match", name, p)
			}
		}
	}
}

// TestConformance is the suite: fixtures, one success of every operation,
// then every input constraint of every operation, over HTTP.
func TestConformance(t *testing.T) {
	m := loadModel(t)
	s := &suite{m: m, c: &checker{m}, srv: startServer(t), succeeded: map[string]bool{}, walked: map[string]bool{}}
	s.alice = s.srv.newPrincipal(t, "111122223333", "alice")
	s.bob = s.srv.newPrincipal(t, "444455556666", "bob")
	s.dave = s.srv.newPrincipal(t, "777788889999", "dave")
	s.memA = s.createMembership(t, s.alice)
	s.memD = s.createMembership(t, s.dave)

	t.Run("success", s.successWalk)
	t.Run("errors", s.errorWalk)

	names := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run("constraints/"+name, func(t *testing.T) { s.constraintWalk(t, m.Operations[name]) })
	}

	ops := 0
	for _, n := range names {
		if s.succeeded[n] && s.walked[n] {
			ops++
		} else {
			t.Errorf("operation %s not exercised (success matched the model: %t, constraints walked: %t)", n, s.succeeded[n], s.walked[n])
		}
	}
	fmt.Printf("conformance: constraints exercised %d/%d, operations exercised %d/%d\n", s.cov.exercised, s.cov.total, ops, len(names))
	t.Logf("constraints: %d (%d vacuous minimum-0 bounds, boundary only); %d wrong-type checks (%d failed); %d boundary values refused later by a business rule",
		s.cov.total, s.cov.vacuous, s.cov.typeChecks, s.cov.typeFailed, s.cov.business)
	if s.cov.total == 0 || s.cov.exercised < s.cov.total {
		t.Errorf("constraints exercised %d/%d, want all; missed: %v", s.cov.exercised, s.cov.total, s.cov.missed)
	}
	if ops < len(names) {
		t.Errorf("operations exercised %d/%d, want all", ops, len(names))
	}
}

// ok calls an operation that must succeed: the model's status code and a
// body that parses against the output shape.
func (s *suite) ok(t *testing.T, p *principal, opName, target string, body string) reply {
	t.Helper()
	op := s.m.Operations[opName]
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	r := s.srv.call(t, p, op.HTTP.Method, target, b)
	if r.status >= 300 {
		for _, e := range s.c.errorReply(op, r) {
			t.Errorf("%s: error does not match the model: %s", opName, e)
		}
		t.Fatalf("%s %s: %s", opName, clip(target), r)
	}
	errs := s.c.output(op, r)
	for _, e := range errs {
		t.Errorf("%s %s: output does not match the model: %s", opName, clip(target), e)
	}
	if len(errs) == 0 {
		s.succeeded[opName] = true
	}
	return r
}

func str(t *testing.T, r reply, member string) string {
	t.Helper()
	v, ok := r.tree[member].(string)
	if !ok {
		t.Fatalf("no %s in %s", member, r)
	}
	return v
}

const teamJSON = `[{"name":"Alice","jobTitle":"Lead","email":"alice@example.com","communicationPreferences":["Case Created","Case Updated"]},{"name":"Bob","jobTitle":"Analyst","email":"bob@example.com"}]`

func (s *suite) createMembership(t *testing.T, p *principal) string {
	t.Helper()
	r := s.ok(t, p, "CreateMembership", "/v1/membership", `{"membershipName":"Security","incidentResponseTeam":`+teamJSON+`}`)
	return str(t, r, "membershipId")
}

const caseJSON = `{"resolverType":"Self","title":"Suspicious logins","description":"Several logins from unknown hosts.","engagementType":"Security Incident","reportedIncidentStartDate":1700000000,"impactedAccounts":["111122223333"],"watchers":[{"email":"carol@example.com","name":"Carol","jobTitle":"CISO"}]}`

func (s *suite) createCase(t *testing.T, p *principal) string {
	t.Helper()
	return str(t, s.ok(t, p, "CreateCase", "/v1/create-case", caseJSON), "caseId")
}

// attach asks for an upload URL and PUTs data to it exactly as handed out.
func (s *suite) attach(t *testing.T, p *principal, caseID, fileName string, data []byte) string {
	t.Helper()
	r := s.ok(t, p, "GetCaseAttachmentUploadUrl", "/v1/cases/"+caseID+"/get-presigned-url",
		fmt.Sprintf(`{"fileName":%q,"contentLength":%d}`, fileName, len(data)))
	u := str(t, r, "attachmentPresignedUrl")
	req, err := http.NewRequest("PUT", u, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	up := s.srv.send(t, req)
	if up.status >= 300 {
		t.Fatalf("upload to %s: %s", clip(u), up)
	}
	pu, _ := url.Parse(u)
	return pu.Path[strings.LastIndexByte(pu.Path, '/')+1:]
}

// addInvestigation stores an investigation on a case: the API has no
// operation that creates one.
func (s *suite) addInvestigation(t *testing.T, account, caseID, id string) {
	t.Helper()
	apitest.AddInvestigation(t, s.srv.store, account, region, caseID, sird.Investigation{
		InvestigationID: id, ActionType: "Investigation", Title: "Login analysis",
		Content: "No lateral movement was found.", Status: "Completed", LastUpdated: sird.At(time.Now()),
	})
}

// successWalk makes every operation succeed at least once, with fixtures
// rich enough that optional output members appear too.
func (s *suite) successWalk(t *testing.T) {
	a, b := s.alice, s.bob

	// Memberships, on account B: create (and retry), read, change, tag, cancel, resume.
	create := `{"clientToken":"conformance-1","membershipName":"Blue team","incidentResponseTeam":` + teamJSON +
		`,"optInFeatures":[{"featureName":"Triage","isEnabled":true}],"tags":{"env":"test"},"coverEntireOrganization":false}`
	mB := str(t, s.ok(t, b, "CreateMembership", "/v1/membership", create), "membershipId")
	if again := str(t, s.ok(t, b, "CreateMembership", "/v1/membership", create), "membershipId"); again != mB {
		t.Errorf("CreateMembership retry with the same clientToken: %s, first %s", again, mB)
	}
	s.ok(t, b, "GetMembership", "/v1/membership/"+mB, "")
	s.ok(t, b, "ListMemberships", "/v1/memberships", `{"maxResults":25}`)
	s.ok(t, b, "UpdateMembership", "/v1/membership/"+mB+"/update-membership",
		`{"membershipName":"Red team","incidentResponseTeam":`+teamJSON+`,"optInFeatures":[{"featureName":"Triage","isEnabled":false}]}`)
	s.ok(t, b, "BatchGetMemberAccountDetails", "/v1/membership/"+mB+"/batch-member-details",
		`{"accountIds":["444455556666","210987654321","444455556666"]}`)
	mARN := apitest.EscapeLabel("arn:aws:security-ir:" + region + ":444455556666:membership/" + mB)
	s.ok(t, b, "TagResource", "/v1/tags/"+mARN, `{"tags":{"team":"red","cost-center":""}}`)
	s.ok(t, b, "ListTagsForResource", "/v1/tags/"+mARN, "")
	s.ok(t, b, "UntagResource", "/v1/tags/"+mARN+"?tagKeys=team&tagKeys=cost-center", "")
	s.ok(t, b, "CancelMembership", "/v1/membership/"+mB, "")
	s.ok(t, b, "GetMembership", "/v1/membership/"+mB, "") // with its deactivation timestamp
	s.ok(t, b, "UpdateMembership", "/v1/membership/"+mB+"/update-membership", `{"undoMembershipCancellation":true}`)

	// Cases, on account A.
	full := `{"clientToken":"conformance-case-1","resolverType":"Self","title":"Credential exposure","description":"Access keys were found in a public repository.",` +
		`"engagementType":"Investigation","reportedIncidentStartDate":1700000000.25,"impactedAccounts":["111122223333","210987654321"],` +
		`"watchers":[{"email":"carol@example.com","name":"Carol","jobTitle":"CISO"},{"email":"dan@example.com"}],` +
		`"threatActorIpAddresses":[{"ipAddress":"192.0.2.1","userAgent":"curl/8.0"},{"ipAddress":"2001:DB8:0:0:0:0:0:1"}],` +
		`"impactedServices":["iam","s3"],"impactedAwsRegions":[{"region":"us-east-1"},{"region":"eu-west-1"}],"tags":{"severity":"high"}}`
	id := str(t, s.ok(t, a, "CreateCase", "/v1/create-case", full), "caseId")
	c := "/v1/cases/" + id
	s.ok(t, a, "GetCase", c+"/get-case", "")
	s.ok(t, a, "UpdateCase", c+"/update-case", `{"title":"Credential exposure (contained)","actualIncidentStartDate":1699990000,`+
		`"watchersToAdd":[{"email":"erin@example.com","name":"Erin"}],"watchersToDelete":[{"email":"dan@example.com"}],`+
		`"threatActorIpAddressesToDelete":[{"ipAddress":"192.0.2.1"}],"impactedServicesToAdd":["ec2"],"impactedAwsRegionsToDelete":[{"region":"eu-west-1"}],`+
		`"impactedAccountsToDelete":["210987654321"],"caseMetadata":[{"key":"ticket","value":"SEC-1234"}]}`)
	s.ok(t, a, "UpdateCaseStatus", c+"/update-case-status", `{"caseStatus":"Detection and Analysis"}`)
	cm1 := str(t, s.ok(t, a, "CreateCaseComment", c+"/create-comment", `{"clientToken":"cm-1","body":"Rotated the keys."}`), "commentId")
	s.ok(t, a, "CreateCaseComment", c+"/create-comment", `{"body":"Reviewing CloudTrail."}`)
	s.ok(t, a, "UpdateCaseComment", c+"/update-case-comment/"+cm1, `{"body":"Rotated the keys at 10:00."}`)
	r := s.ok(t, a, "ListComments", c+"/list-comments", `{"maxResults":1}`)
	s.ok(t, a, "ListComments", c+"/list-comments", fmt.Sprintf(`{"maxResults":1,"nextToken":%q}`, str(t, r, "nextToken")))
	r = s.ok(t, a, "ListCaseEdits", c+"/list-case-edits", `{"maxResults":2}`)
	s.ok(t, a, "ListCaseEdits", c+"/list-case-edits", fmt.Sprintf(`{"nextToken":%q}`, str(t, r, "nextToken")))

	// Attachments: one Verified (uploaded through its URL), one still Pending.
	att := s.attach(t, a, id, "evidence.log", []byte("hello, evidence"))
	s.ok(t, a, "GetCaseAttachmentUploadUrl", c+"/get-presigned-url", `{"fileName":"later.pcap","contentLength":1024,"clientToken":"up-1"}`)
	r = s.ok(t, a, "GetCaseAttachmentDownloadUrl", c+"/get-presigned-url/"+att, "")
	req, _ := http.NewRequest("GET", str(t, r, "attachmentPresignedUrl"), nil)
	if dl := s.srv.send(t, req); dl.status != 200 || string(dl.body) != "hello, evidence" {
		t.Errorf("download through the presigned URL: %s", dl)
	}
	s.ok(t, a, "GetCase", c+"/get-case", "")

	// Investigations exist only through the store.
	s.addInvestigation(t, a.account, id, "inv-0123456789abcdef")
	s.addInvestigation(t, a.account, id, "inv-fedcba9876543210")
	r = s.ok(t, a, "ListInvestigations", c+"/list-investigations?maxResults=1", "")
	s.ok(t, a, "ListInvestigations", c+"/list-investigations?maxResults=1&nextToken="+url.QueryEscape(str(t, r, "nextToken")), "")
	s.ok(t, a, "SendFeedback", c+"/feedback/inv-0123456789abcdef/send-feedback", `{"usefulness":"USEFUL","comment":"Spot on."}`)
	s.ok(t, a, "SendFeedback", c+"/feedback/inv-fedcba9876543210/send-feedback", `{"usefulness":"NOT_USEFUL"}`)
	s.ok(t, a, "ListInvestigations", c+"/list-investigations", "")

	arn := apitest.EscapeLabel(sird.CaseARN(region, a.account, id))
	s.ok(t, a, "TagResource", "/v1/tags/"+arn, `{"tags":{"owner":"soc","empty":""}}`)
	s.ok(t, a, "ListTagsForResource", "/v1/tags/"+arn, "")
	s.ok(t, a, "UntagResource", "/v1/tags/"+arn+"?tagKeys=owner", "")

	// A second case goes to AWS; the first is closed.
	id2 := s.createCase(t, a)
	s.ok(t, a, "UpdateResolverType", "/v1/cases/"+id2+"/update-resolver-type", `{"resolverType":"AWS"}`)
	s.ok(t, a, "GetCase", "/v1/cases/"+id2+"/get-case", "")
	s.ok(t, a, "CloseCase", c+"/close-case", "")
	s.ok(t, a, "GetCase", c+"/get-case", "")
	r = s.ok(t, a, "ListCases", "/v1/list-cases", `{"maxResults":1}`)
	s.ok(t, a, "ListCases", "/v1/list-cases", fmt.Sprintf(`{"maxResults":25,"nextToken":%q}`, str(t, r, "nextToken")))
	s.ok(t, a, "ListMemberships", "/v1/memberships", "")
	s.ok(t, a, "GetMembership", "/v1/membership/"+s.memA, "")
}

// constraintWalk runs the operation's constraint walk against fixtures of
// its own: a fresh case (with a comment, a Verified attachment and an
// investigation) for case operations, so state one walk leaves behind
// (a closed case, an AWS resolver) cannot affect another.
func (s *suite) constraintWalk(t *testing.T, op *operation) {
	in := s.m.Shapes[op.Input.Shape]
	p := s.alice
	labels := map[string]string{}
	needs := func(label string) bool {
		for _, m := range in.Members {
			if m.Location == "uri" && m.LocationName == label {
				return true
			}
		}
		return false
	}
	if needs("caseId") || needs("resourceArn") {
		id := s.createCase(t, p)
		labels["caseId"] = id
		labels["resourceArn"] = sird.CaseARN(region, p.account, id)
		if needs("commentId") {
			r := s.ok(t, p, "CreateCaseComment", "/v1/cases/"+id+"/create-comment", `{"body":"fixture"}`)
			labels["commentId"] = str(t, r, "commentId")
		}
		if needs("attachmentId") {
			labels["attachmentId"] = s.attach(t, p, id, "fixture.txt", []byte("fixture"))
		}
		if needs("resultId") {
			labels["resultId"] = "inv-0123456789abcdef"
			s.addInvestigation(t, p.account, id, labels["resultId"])
		}
	}
	if needs("membershipId") {
		labels["membershipId"] = s.memA
		if op.Name == "CancelMembership" {
			p, labels["membershipId"] = s.dave, s.memD
		}
	}
	w := &walker{t: t, m: s.m, c: s.c, srv: s.srv, cov: &s.cov, op: op, in: in, p: p}
	w.base = w.valid(in.name).(map[string]any)
	for name, m := range in.Members {
		if m.Location != "uri" {
			continue
		}
		v, ok := labels[m.LocationName]
		if !ok {
			t.Fatalf("no fixture for label {%s}", m.LocationName)
		}
		w.base[name] = v
	}
	before := s.cov.total
	w.walk()
	t.Logf("%s: %d constraints", op.Name, s.cov.total-before)
	s.walked[op.Name] = !t.Failed()
}

// errorWalk provokes every modeled error a sird can answer with and checks
// each against its error shape: status, X-Amzn-ErrorType, members.
// InternalServerException and ThrottlingException have no trigger (sird
// does not throttle; internal errors are bugs) and are only checked where
// they happen to occur.
func (s *suite) errorWalk(t *testing.T) {
	a := s.alice
	eve := s.srv.newPrincipal(t, "111122223333", "eve")     // same account, other principal
	frank := s.srv.newPrincipal(t, "999988887777", "frank") // no membership
	id := s.createCase(t, a)
	cm := str(t, s.ok(t, a, "CreateCaseComment", "/v1/cases/"+id+"/create-comment", `{"body":"mine"}`), "commentId")
	seen := map[string]bool{}
	expectErr := func(p *principal, opName, target, body, want string) {
		t.Helper()
		op := s.m.Operations[opName]
		var b []byte
		if body != "" {
			b = []byte(body)
		}
		r := s.srv.call(t, p, op.HTTP.Method, target, b)
		if r.errType() != want {
			t.Errorf("%s %s: got %s, want %s", opName, clip(target), r, want)
			return
		}
		errs := s.c.errorReply(op, r)
		for _, e := range errs {
			t.Errorf("%s: %s does not match the model: %s", opName, want, e)
		}
		if len(errs) == 0 {
			seen[want] = true
		}
	}
	expectErr(a, "CreateCase", "/v1/create-case", `{"title":""}`, "ValidationException")
	expectErr(a, "ListCases", "/v1/list-cases", `{`, "ValidationException")
	expectErr(a, "GetCase", "/v1/cases/9999999999/get-case", "", "ResourceNotFoundException")
	expectErr(a, "CreateMembership", "/v1/membership", `{"membershipName":"Again","incidentResponseTeam":`+teamJSON+`}`, "ConflictException")
	expectErr(eve, "UpdateCaseComment", "/v1/cases/"+id+"/update-case-comment/"+cm, `{"body":"not mine"}`, "AccessDeniedException")
	expectErr(frank, "CreateCase", "/v1/create-case", caseJSON, "SecurityIncidentResponseNotActiveException")
	expectErr(a, "ListCases", "/v1/list-cases", `{"nextToken":"not-a-token"}`, "InvalidTokenException")
	for i := range 50 {
		s.ok(t, a, "GetCaseAttachmentUploadUrl", "/v1/cases/"+id+"/get-presigned-url", fmt.Sprintf(`{"fileName":"f%d.bin","contentLength":1}`, i))
	}
	expectErr(a, "GetCaseAttachmentUploadUrl", "/v1/cases/"+id+"/get-presigned-url", `{"fileName":"one-too-many.bin","contentLength":1}`, "ServiceQuotaExceededException")
	s.ok(t, a, "CloseCase", "/v1/cases/"+id+"/close-case", "")
	expectErr(a, "UpdateCase", "/v1/cases/"+id+"/update-case", `{"title":"closed"}`, "ConflictException")

	var modeled []string
	for name, sh := range s.m.Shapes {
		if sh.Exception {
			modeled = append(modeled, name)
		}
	}
	sort.Strings(modeled)
	var missing []string
	for _, n := range modeled {
		if !seen[n] && n != "InternalServerException" && n != "ThrottlingException" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		t.Errorf("modeled errors never provoked: %v", missing)
	}
	t.Logf("modeled errors provoked and checked: %d of %d (not InternalServerException, ThrottlingException)", len(seen), len(modeled))
}
