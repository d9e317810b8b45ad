package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/api"
	"github.com/sird-project/sird/internal/shape"
	"github.com/sird-project/sird/internal/testsupport/apitest"
)

// modelPath is the official model, beside the repository.
const modelPath = "../../shared/models/security-ir/service-2.json"

// sampleLabels are syntactically valid values for every URI label.
var sampleLabels = map[string]string{
	"caseId":       "1234567890",
	"membershipId": "m-0123456789",
	"attachmentId": "0123abcd-0123-4567-89ab-0123456789ab",
	"commentId":    "000001",
	"resultId":     "inv-0123456789",
	"resourceArn":  "arn:aws:security-ir:us-east-1:123456789012:case/1234567890",
}

// expandURI fills a URI template's labels, percent-encoding each value as
// the SDKs do (':' and '/' included).
func expandURI(tb testing.TB, uri string, labels map[string]string) string {
	tb.Helper()
	return apitest.ExpandURI(uri, func(name string) string {
		v, ok := labels[name]
		if !ok {
			tb.Fatalf("no sample value for label {%s}", name)
		}
		return v
	})
}

func bodyFor(method string) []byte {
	if method == "GET" || method == "DELETE" {
		return nil
	}
	return []byte("{}")
}

func TestModelOperationsMatchTables(t *testing.T) {
	raw, err := os.ReadFile(modelPath)
	if os.IsNotExist(err) {
		t.Skipf("model not present at %s", modelPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Operations map[string]struct {
			HTTP struct {
				Method       string `json:"method"`
				RequestURI   string `json:"requestUri"`
				ResponseCode int    `json:"responseCode"`
			} `json:"http"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if got, want := len(shape.Operations()), len(m.Operations); got != want {
		t.Errorf("tables have %d operations, the model %d", got, want)
	}
	for name, mo := range m.Operations {
		op := shape.LookupOperation(name)
		if op == nil {
			t.Errorf("model operation %s is missing from the tables", name)
			continue
		}
		if op.Method != mo.HTTP.Method || op.URI != mo.HTTP.RequestURI || op.SuccessStatus != mo.HTTP.ResponseCode {
			t.Errorf("%s: tables say %s %s %d, model says %s %s %d", name, op.Method, op.URI, op.SuccessStatus,
				mo.HTTP.Method, mo.HTTP.RequestURI, mo.HTTP.ResponseCode)
		}
	}
}

// TestEveryOperationRouted sends each operation's method and URI, signed:
// whatever the outcome, it must not be UnknownOperationException.
func TestEveryOperationRouted(t *testing.T) {
	e := newEnv(t, false)
	e.membership()
	ops := shape.Operations()
	if len(ops) != 24 {
		t.Errorf("%d operations, want 24", len(ops))
	}
	for _, op := range ops {
		target := expandURI(t, op.URI, sampleLabels)
		res := e.serve(request{method: op.Method, target: target, body: bodyFor(op.Method)})
		if res.errType() == "UnknownOperationException" {
			t.Errorf("%s (%s %s) is not routed: %s", op.Name, op.Method, target, res)
		}
		// Unsigned, the operation is still found: the refusal is about the signature.
		res = e.serve(request{method: op.Method, target: target, body: bodyFor(op.Method), unsigned: true})
		expect(t, op.Name+" unsigned", res, http.StatusForbidden, "IncompleteSignature")
	}
}

func TestUnknownOperation(t *testing.T) {
	e := newEnv(t, false)
	cases := []struct{ method, target string }{
		{"GET", "/"},
		{"GET", "/v1"},
		{"GET", "/v1/"},
		{"GET", "/v1/cases"},
		{"GET", "/v1/cases/1234567890"},
		{"GET", "/v1/cases//get-case"},
		{"GET", "/v1/cases/1234567890/get-case/extra"},
		{"GET", "/v1/create-case"},
		{"PATCH", "/v1/create-case"},
		{"PUT", "/v1/create-case"},
		{"DELETE", "/v1/membership/m-0123456789"},
		{"POST", "/v1/cases/1234567890/get-case"},
		{"OPTIONS", "/v1/list-cases"},
		{"HEAD", "/v1/cases/1234567890/get-case"},
		{"BREW", "/v1/list-cases"},
		{"GET", "/v2/list-cases"},
		{"POST", "/V1/LIST-CASES"},
		{"GET", "/favicon.ico"},
		{"GET", "/v1/tags/arn:aws:security-ir:us-east-1:123456789012:case/1234567890"},
		{"GET", "/_sird/"},
		{"GET", "/_sird/nothing"},
		{"POST", "/_sird/health"},
		{"GET", "/_sird/debug/pprof/"},
	}
	for _, c := range cases {
		for _, unsigned := range []bool{false, true} {
			res := e.serve(request{method: c.method, target: c.target, body: bodyFor(c.method), unsigned: unsigned})
			expect(t, c.method+" "+c.target, res, http.StatusNotFound, "UnknownOperationException")
			if !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
				t.Errorf("%s %s: Content-Type %q", c.method, c.target, res.header.Get("Content-Type"))
			}
		}
	}
}

func TestHealth(t *testing.T) {
	e := newEnv(t, false)
	res := e.serve(request{method: "GET", target: "/_sird/health", unsigned: true})
	if res.status != 200 || res.json(t)["status"] != "ok" {
		t.Errorf("health: %s", res)
	}
	e.srv.SetReady(false)
	res = e.serve(request{method: "GET", target: "/_sird/health", unsigned: true})
	if res.status != 503 {
		t.Errorf("health while not ready: %s", res)
	}
}

// checkErrorMembers asserts an error body has exactly __type, message and
// the error shape's modeled body members, each required one present.
func checkErrorMembers(t *testing.T, what string, res reply) {
	t.Helper()
	body := res.json(t)
	typ, _ := body["__type"].(string)
	es := shape.LookupShape(typ)
	allowed := map[string]bool{"__type": true, "message": true}
	if es != nil && es.Exception {
		if es.ErrorStatus != res.status {
			t.Errorf("%s: %s with status %d, model says %d", what, typ, res.status, es.ErrorStatus)
		}
		for _, m := range es.Members {
			if m.Location != shape.LocationBody {
				continue
			}
			allowed[m.Name] = true
			if _, ok := body[m.Name]; m.Required && !ok {
				t.Errorf("%s: %s lacks required member %s: %s", what, typ, m.Name, res.body)
			}
		}
	}
	for k := range body {
		if !allowed[k] {
			t.Errorf("%s: %s carries unmodeled member %q: %s", what, typ, k, res.body)
		}
	}
}

func TestErrorBodies(t *testing.T) {
	e := newEnv(t, false)

	// Not active: no membership yet.
	res := e.serve(request{method: "POST", target: "/v1/create-case", body: []byte(caseBody)})
	expect(t, "CreateCase without membership", res, 400, "SecurityIncidentResponseNotActiveException")
	checkErrorMembers(t, "not active", res)

	mid := e.membership()

	// Validation: every missing required member is named.
	res = e.serve(request{method: "POST", target: "/v1/create-case", body: []byte(`{"title":""}`)})
	expect(t, "CreateCase {}", res, 400, "ValidationException")
	checkErrorMembers(t, "validation", res)
	v := res.json(t)
	if v["reason"] != sird.ReasonFieldValidationFailed {
		t.Errorf("reason %v", v["reason"])
	}
	fields, _ := v["fieldList"].([]any)
	var names []string
	for _, f := range fields {
		fm, _ := f.(map[string]any)
		n, _ := fm["name"].(string)
		msg, _ := fm["message"].(string)
		if n == "" || msg == "" {
			t.Errorf("fieldList entry without name or message: %v", f)
		}
		names = append(names, n)
	}
	for _, want := range []string{"resolverType", "title", "description", "engagementType", "reportedIncidentStartDate", "impactedAccounts", "watchers"} {
		if !slices.Contains(names, want) {
			t.Errorf("fieldList %v lacks %s", names, want)
		}
	}

	// Conflict: a second membership for the account.
	res = e.serve(request{method: "POST", target: "/v1/membership", body: []byte(membershipBody)})
	expect(t, "second CreateMembership", res, 409, "ConflictException")
	checkErrorMembers(t, "conflict", res)
	c := res.json(t)
	if c["resourceId"] != mid || c["resourceType"] == "" || c["resourceType"] == nil {
		t.Errorf("conflict members: %s", res.body)
	}

	// Not found.
	res = e.serve(request{method: "GET", target: "/v1/cases/9999999999/get-case"})
	expect(t, "GetCase unknown", res, 404, "ResourceNotFoundException")
	checkErrorMembers(t, "not found", res)

	// Invalid token.
	res = e.serve(request{method: "POST", target: "/v1/list-cases", body: []byte(`{"nextToken":"bm90LWEtdG9rZW4"}`)})
	expect(t, "ListCases bad token", res, 423, "InvalidTokenException")
	checkErrorMembers(t, "invalid token", res)

	// Service quota: a case holds at most 50 attachments.
	id := e.newCase()
	for i := range 50 {
		res = e.serve(request{method: "POST", target: "/v1/cases/" + id + "/get-presigned-url",
			body: []byte(fmt.Sprintf(`{"fileName":"f%d.txt","contentLength":10}`, i))})
		expect(t, "upload URL", res, 201, "")
	}
	res = e.serve(request{method: "POST", target: "/v1/cases/" + id + "/get-presigned-url", body: []byte(`{"fileName":"last.txt","contentLength":10}`)})
	expect(t, "51st upload URL", res, 402, "ServiceQuotaExceededException")
	checkErrorMembers(t, "quota", res)
	q := res.json(t)
	for _, k := range []string{"resourceId", "resourceType", "serviceCode", "quotaCode"} {
		if s, _ := q[k].(string); s == "" {
			t.Errorf("ServiceQuotaExceededException %s is empty: %s", k, res.body)
		}
	}

	// Conflict on a closed case.
	res = e.serve(request{method: "POST", target: "/v1/cases/" + id + "/close-case"})
	expect(t, "CloseCase", res, 200, "")
	res = e.serve(request{method: "POST", target: "/v1/cases/" + id + "/update-case", body: []byte(`{"title":"t"}`)})
	expect(t, "UpdateCase closed", res, 409, "ConflictException")
	checkErrorMembers(t, "conflict closed", res)
	if c := res.json(t); c["resourceId"] != id {
		t.Errorf("conflict resourceId: %s", res.body)
	}

	// Authentication errors are not in the model: __type and message only.
	res = e.serve(request{method: "POST", target: "/v1/list-cases", body: []byte(`{}`), unsigned: true})
	checkErrorMembers(t, "unsigned", res)
	// Unknown operation.
	res = e.serve(request{method: "GET", target: "/nowhere"})
	checkErrorMembers(t, "unknown operation", res)
}

// TestAccessDenied: comments are edited only by their author.
func TestAccessDenied(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	ak1, sk1, err := e.keys.Create(ctx, "111122223333", "user/alice")
	if err != nil {
		t.Fatal(err)
	}
	ak2, sk2, err := e.keys.Create(ctx, "111122223333", "user/bob")
	if err != nil {
		t.Fatal(err)
	}
	alice := &aws.Credentials{AccessKeyID: ak1, SecretAccessKey: sk1}
	bob := &aws.Credentials{AccessKeyID: ak2, SecretAccessKey: sk2}
	expect(t, "membership", e.serve(request{method: "POST", target: "/v1/membership", body: []byte(membershipBody), creds: alice}), 201, "")
	res := e.serve(request{method: "POST", target: "/v1/create-case", body: []byte(caseBody), creds: alice})
	expect(t, "case", res, 201, "")
	id := res.json(t)["caseId"].(string)
	res = e.serve(request{method: "POST", target: "/v1/cases/" + id + "/create-comment", body: []byte(`{"body":"hello"}`), creds: alice})
	expect(t, "comment", res, 201, "")
	cid := res.json(t)["commentId"].(string)
	res = e.serve(request{method: "PUT", target: "/v1/cases/" + id + "/update-case-comment/" + cid, body: []byte(`{"body":"mine now"}`), creds: bob})
	expect(t, "edit by another principal", res, 403, "AccessDeniedException")
	checkErrorMembers(t, "access denied", res)

	// Once a key exists, the dev credentials stop working.
	res = e.serve(request{method: "POST", target: "/v1/list-cases", body: []byte(`{}`)})
	expect(t, "dev creds with keys", res, 403, "UnrecognizedClientException")
	// A disabled key is refused.
	if err := e.keys.SetDisabled(ctx, ak2, true); err != nil {
		t.Fatal(err)
	}
	res = e.serve(request{method: "POST", target: "/v1/list-cases", body: []byte(`{}`), creds: bob})
	expect(t, "disabled key", res, 403, "UnrecognizedClientException")
}

func TestAuthRefused(t *testing.T) {
	e := newEnv(t, false)
	e.membership()
	list := func(r request) reply {
		r.method, r.target = "POST", "/v1/list-cases"
		if r.body == nil {
			r.body = []byte(`{}`)
		}
		return e.serve(r)
	}
	expect(t, "signed", list(request{}), 200, "")
	expect(t, "unsigned", list(request{unsigned: true}), 403, "IncompleteSignature")
	expect(t, "wrong secret", list(request{creds: &aws.Credentials{AccessKeyID: "test", SecretAccessKey: "wrong"}}), 403, "InvalidSignatureException")
	expect(t, "unknown key", list(request{creds: &aws.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: "x"}}), 403, "UnrecognizedClientException")
	expect(t, "expired", list(request{at: time.Now().Add(-20 * time.Minute)}), 400, "RequestExpired")
	expect(t, "from the future", list(request{at: time.Now().Add(20 * time.Minute)}), 400, "RequestExpired")
	expect(t, "within skew", list(request{at: time.Now().Add(-10 * time.Minute)}), 200, "")
	expect(t, "bad region", list(request{region: "xx-nowhere-1"}), 403, "InvalidSignatureException")
	expect(t, "other region", list(request{region: "eu-west-1"}), 200, "")

	// Body changed after signing.
	req := e.build(request{method: "POST", target: "/v1/list-cases", body: []byte(`{}`)}, "http://sird.test:8300")
	req.Body = http.NoBody
	req.ContentLength = 0
	req.RequestURI = "/v1/list-cases"
	rec := newRecorder()
	e.srv.ServeHTTP(rec, req)
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "InvalidSignatureException") {
		t.Errorf("tampered body: %d %s", rec.Code, rec.Body)
	}

	// Wrong service in the scope.
	req = e.build(request{method: "POST", target: "/v1/list-cases", body: []byte(`{}`), unsigned: true}, "http://sird.test:8300")
	e.signer.SignHTTP(context.Background(), devCreds, req, sha256Hex([]byte(`{}`)), "s3", testRegion, time.Now())
	req.RequestURI = "/v1/list-cases"
	rec = newRecorder()
	e.srv.ServeHTTP(rec, req)
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "InvalidSignatureException") {
		t.Errorf("wrong service: %d %s", rec.Code, rec.Body)
	}

	// Garbage Authorization headers.
	for _, h := range []string{"", "Bearer x", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=test/20200101/us-east-1/security-ir/aws4_request, SignedHeaders=host, Signature=00"} {
		res := list(request{unsigned: true, header: map[string]string{"Authorization": h}})
		if res.status != 403 && res.status != 400 {
			t.Errorf("Authorization %q: %s", h, res)
		}
		checkErrorMembers(t, "auth "+h, res)
	}
}

// TestSuccessStatusCodes makes every operation succeed once and checks the
// model's status code: 201 and 204 where the model says so, no body on 204,
// and {} for an output without members.
func TestSuccessStatusCodes(t *testing.T) {
	e := newEnv(t, false)
	seen := map[string]bool{}
	call := func(op, target string, body string) reply {
		t.Helper()
		o := shape.LookupOperation(op)
		var b []byte
		if body != "" {
			b = []byte(body)
		}
		res := e.serve(request{method: o.Method, target: target, body: b})
		if res.status != o.SuccessStatus {
			t.Fatalf("%s: status %d, model says %d: %s", op, res.status, o.SuccessStatus, res.body)
		}
		seen[op] = true
		out := shape.LookupShape(o.Output)
		switch {
		case res.status == http.StatusNoContent:
			if len(res.body) != 0 {
				t.Errorf("%s: 204 with body %q", op, res.body)
			}
		case out == nil || len(out.Members) == 0:
			if string(res.body) != "{}" {
				t.Errorf("%s: empty output is %q, want {}", op, res.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s: Content-Type %q", op, ct)
			}
		}
		return res
	}
	res := call("CreateMembership", "/v1/membership", membershipBody)
	mid := res.json(t)["membershipId"].(string)
	call("GetMembership", "/v1/membership/"+mid, "")
	call("ListMemberships", "/v1/memberships", "{}")
	call("UpdateMembership", "/v1/membership/"+mid+"/update-membership", `{"membershipName":"Renamed"}`)
	call("BatchGetMemberAccountDetails", "/v1/membership/"+mid+"/batch-member-details", `{"accountIds":["123456789012"]}`)
	res = call("CreateCase", "/v1/create-case", caseBody)
	id := res.json(t)["caseId"].(string)
	call("GetCase", "/v1/cases/"+id+"/get-case", "")
	call("ListCases", "/v1/list-cases", "{}")
	call("UpdateCase", "/v1/cases/"+id+"/update-case", `{"title":"Renamed"}`)
	call("UpdateCaseStatus", "/v1/cases/"+id+"/update-case-status", `{"caseStatus":"Detection and Analysis"}`)
	res = call("CreateCaseComment", "/v1/cases/"+id+"/create-comment", `{"body":"first"}`)
	cid := res.json(t)["commentId"].(string)
	call("UpdateCaseComment", "/v1/cases/"+id+"/update-case-comment/"+cid, `{"body":"edited"}`)
	call("ListComments", "/v1/cases/"+id+"/list-comments", "{}")
	call("ListCaseEdits", "/v1/cases/"+id+"/list-case-edits", "{}")
	res = call("GetCaseAttachmentUploadUrl", "/v1/cases/"+id+"/get-presigned-url", `{"fileName":"evidence.log","contentLength":5}`)
	attID := e.upload(t, res.json(t)["attachmentPresignedUrl"].(string), []byte("hello"))
	call("GetCaseAttachmentDownloadUrl", "/v1/cases/"+id+"/get-presigned-url/"+attID, "")
	invID := e.addInvestigation(t, id)
	call("ListInvestigations", "/v1/cases/"+id+"/list-investigations", "")
	call("SendFeedback", "/v1/cases/"+id+"/feedback/"+invID+"/send-feedback", `{"usefulness":"USEFUL"}`)
	arn := apitest.EscapeLabel(sird.CaseARN(testRegion, sird.DevAccountID, id))
	call("TagResource", "/v1/tags/"+arn, `{"tags":{"team":"blue"}}`)
	call("ListTagsForResource", "/v1/tags/"+arn, "")
	call("UntagResource", "/v1/tags/"+arn+"?tagKeys=team", "")
	call("UpdateResolverType", "/v1/cases/"+id+"/update-resolver-type", `{"resolverType":"AWS"}`)
	call("CloseCase", "/v1/cases/"+id+"/close-case", "")
	call("CancelMembership", "/v1/membership/"+mid, "")
	for _, op := range shape.Operations() {
		if !seen[op.Name] {
			t.Errorf("%s was not exercised", op.Name)
		}
	}
}

// upload PUTs data to a presigned upload URL through the handler and
// returns the attachment ID (the key's last segment).
func (e *env) upload(t testing.TB, presigned string, data []byte) string {
	t.Helper()
	u, err := url.Parse(presigned)
	if err != nil {
		t.Fatal(err)
	}
	target := u.RequestURI()
	req := newRawRequest(t, "PUT", target, data)
	req.Header.Set("Content-Length", fmt.Sprint(len(data)))
	rec := newRecorder()
	e.srv.ServeHTTP(rec, req)
	if rec.Code != 200 && rec.Code != 201 && rec.Code != 204 {
		t.Fatalf("upload to %s: %d %s", target, rec.Code, rec.Body)
	}
	return u.Path[strings.LastIndexByte(u.Path, '/')+1:]
}

// addInvestigation stores an investigation on a case directly: the API has
// no operation that creates one.
func (e *env) addInvestigation(t testing.TB, caseID string) string {
	t.Helper()
	id := "inv-0123456789abcdef"
	apitest.AddInvestigation(t, e.store, sird.DevAccountID, testRegion, caseID, sird.Investigation{
		InvestigationID: id, ActionType: "Investigation", Title: "Login analysis",
		Content: "No lateral movement found.", Status: "Completed", LastUpdated: sird.At(time.Now()),
	})
	return id
}

// TestTagsARNLabel: the ARN travels percent-encoded in one path segment.
func TestTagsARNLabel(t *testing.T) {
	e := newEnv(t, false)
	mid := e.membership()
	id := e.newCase()
	for _, arn := range []string{sird.CaseARN(testRegion, sird.DevAccountID, id), "arn:aws:security-ir:" + testRegion + ":" + sird.DevAccountID + ":membership/" + mid} {
		enc := apitest.EscapeLabel(arn)
		res := e.serve(request{method: "POST", target: "/v1/tags/" + enc, body: []byte(`{"tags":{"k":"v","a b":"c/d"}}`)})
		expect(t, "TagResource "+arn, res, 204, "")
		// Lower-case escapes and a literal ':' are the same ARN.
		for _, alt := range []string{strings.ToLower(enc), strings.ReplaceAll(enc, "%3A", ":")} {
			res = e.serve(request{method: "GET", target: "/v1/tags/" + alt})
			expect(t, "ListTagsForResource "+alt, res, 200, "")
			tags, _ := res.json(t)["tags"].(map[string]any)
			if tags["k"] != "v" || tags["a b"] != "c/d" {
				t.Errorf("%s: tags %v", alt, tags)
			}
		}
		res = e.serve(request{method: "DELETE", target: "/v1/tags/" + enc + "?tagKeys=k&tagKeys=a%20b"})
		expect(t, "UntagResource", res, 200, "")
		res = e.serve(request{method: "GET", target: "/v1/tags/" + enc})
		if tags, _ := res.json(t)["tags"].(map[string]any); len(tags) != 0 {
			t.Errorf("after untag: %s", res.body)
		}
		// An unencoded '/' splits the label: no operation has that shape.
		res = e.serve(request{method: "GET", target: "/v1/tags/" + arn})
		expect(t, "raw slash", res, 404, "UnknownOperationException")
	}
	// Someone else's or a malformed ARN is not found / invalid, never a 500.
	res := e.serve(request{method: "GET", target: "/v1/tags/" + apitest.EscapeLabel("arn:aws:security-ir:us-east-1:210987654321:case/"+id)})
	expect(t, "other account", res, 404, "ResourceNotFoundException")
	res = e.serve(request{method: "GET", target: "/v1/tags/not-an-arn"})
	expect(t, "not an ARN", res, 400, "ValidationException")
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t, true)
	big := make([]byte, api.MaxBodyBytes+1)
	for i := range big {
		big[i] = ' '
	}
	big[0] = '{'
	big[len(big)-1] = '}'
	res := e.serve(request{method: "POST", target: "/v1/list-cases", body: big})
	expect(t, "in-process", res, 413, "RequestEntityTooLargeException")
	res = e.do(request{method: "POST", target: "/v1/list-cases", body: big})
	expect(t, "network", res, 413, "RequestEntityTooLargeException")
	// Exactly the limit is read, parsed and answered.
	res = e.serve(request{method: "POST", target: "/v1/list-cases", body: big[1:]})
	if res.status == 413 {
		t.Errorf("a body of exactly MaxBodyBytes was refused as too large")
	}
}

func TestMalformedJSON(t *testing.T) {
	e := newEnv(t, false)
	e.membership()
	for _, b := range []string{
		`{`, `}`, `[]`, `"x"`, `null`, `1`, `{"a":}`, `{"a" 1}`, `{"a":1,}`, `{} {}`, `{}x`,
		`{"title":"x\q"}`, `{"title":"\ud800"}`, `{'a':1}`, `{"a":tru}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`,
		"{\"a\":\"\x01\"}", "\xef\xbb\xbf{}",
	} {
		res := e.serve(request{method: "POST", target: "/v1/list-cases", body: []byte(b)})
		expect(t, fmt.Sprintf("body %q", b), res, 400, "ValidationException")
		if r := res.json(t)["reason"]; r != sird.ReasonCannotParse {
			t.Errorf("body %q: reason %v, want CANNOT_PARSE", b, r)
		}
		checkErrorMembers(t, "malformed", res)
	}
	// Whitespace around the object and an empty body are fine.
	for _, b := range []string{" {} ", "\n{}\n", ""} {
		res := e.serve(request{method: "POST", target: "/v1/list-cases", body: []byte(b)})
		expect(t, fmt.Sprintf("body %q", b), res, 200, "")
	}
}

// TestRequestIDsUnique: every answer, success or not, has its own ID.
func TestRequestIDsUnique(t *testing.T) {
	e := newEnv(t, false)
	seen := map[string]bool{}
	for _, r := range []request{
		{method: "POST", target: "/v1/list-cases", body: []byte(`{}`)},
		{method: "POST", target: "/v1/list-cases", body: []byte(`{}`), unsigned: true},
		{method: "GET", target: "/nowhere"},
		{method: "GET", target: "/_sird/health"},
		{method: "GET", target: "/_sird/blobs/x"},
	} {
		for range 3 {
			id := e.serve(r).header.Get("x-amzn-RequestId")
			if seen[id] {
				t.Errorf("request ID %q repeated", id)
			}
			seen[id] = true
		}
	}
}
