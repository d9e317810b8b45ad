package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/api"
	"github.com/sird-project/sird/blob/fsblob"
	"github.com/sird-project/sird/internal/testsupport/apitest"
	"github.com/sird-project/sird/sqlstore"
)

const testRegion = "us-east-1"

// devCreds are the loopback dev credentials the keyring accepts while no
// access keys exist.
var devCreds = aws.Credentials{AccessKeyID: sird.DevAccessKeyID, SecretAccessKey: sird.DevSecretKey, Source: "test"}

// env is one in-process sird (see apitest.New), served in-process or, when
// started with network, on a loopback port too.
type env struct {
	tb      testing.TB
	srv     *api.Server
	store   *sqlstore.Store
	keys    *sird.Keyring
	blobDir string
	ts      *httptest.Server // nil unless started with network
	signer  *v4.Signer
}

// newEnv builds the server. With network, it also serves it on a loopback
// port (e.ts); the blob URLs then point there.
func newEnv(tb testing.TB, network bool) *env {
	tb.Helper()
	publicURL := "http://sird.test:8300"
	var ts *httptest.Server
	if network {
		ts = httptest.NewUnstartedServer(nil)
		publicURL = "http://" + ts.Listener.Addr().String()
	}
	s := apitest.New(tb, publicURL)
	if network {
		ts.Config.Handler = s.Server
		ts.Start()
		tb.Cleanup(ts.Close)
	}
	return &env{tb: tb, srv: s.Server, store: s.Store, keys: s.Keys, blobDir: s.BlobDir, ts: ts, signer: v4.NewSigner()}
}

// reply is a response read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string {
	return http.StatusText(r.status) + " " + string(r.body)
}

// json decodes the body into a generic tree.
func (r reply) json(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(r.body))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		tb.Fatalf("response body is not a JSON object (%v): %q", err, r.body)
	}
	return m
}

// errType is the error's __type, "" on success.
func (r reply) errType() string {
	if r.status < 300 {
		return ""
	}
	var m struct {
		Type string `json:"__type"`
	}
	json.Unmarshal(r.body, &m)
	return m.Type
}

// request describes one call.
type request struct {
	method, target string // target: raw path and query, as written on the wire
	body           []byte
	header         map[string]string
	creds          *aws.Credentials // nil: dev credentials
	region         string           // "": testRegion
	at             time.Time        // signing time; zero: now
	unsigned       bool
}

// build makes the *http.Request, signed unless r.unsigned. base is the
// scheme and host ("http://example.com" for in-process calls).
func (e *env) build(r request, base string) *http.Request {
	e.tb.Helper()
	var body io.Reader = http.NoBody
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, base+r.target, body)
	if err != nil {
		e.tb.Fatalf("building %s %s: %v", r.method, r.target, err)
	}
	// Keep the path exactly as written, as a client on the wire would.
	path, _, _ := strings.Cut(r.target, "?")
	req.URL.RawPath = path
	if p, err := url.PathUnescape(path); err == nil {
		req.URL.Path = p
	}
	req.RequestURI = ""
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if !r.unsigned {
		e.sign(req, r)
	}
	return req
}

func (e *env) sign(req *http.Request, r request) {
	e.tb.Helper()
	creds := devCreds
	if r.creds != nil {
		creds = *r.creds
	}
	region := r.region
	if region == "" {
		region = testRegion
	}
	at := r.at
	if at.IsZero() {
		at = time.Now()
	}
	signer := e.signer
	if r.creds != nil {
		// The SDK signer caches derived keys by access key ID, not secret.
		signer = v4.NewSigner()
	}
	sum := sha256.Sum256(r.body)
	if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "security-ir", region, at); err != nil {
		e.tb.Fatalf("signing: %v", err)
	}
}

// serve runs r through the handler in-process.
func (e *env) serve(r request) reply {
	e.tb.Helper()
	req := e.build(r, "http://sird.test:8300")
	req.RequestURI = r.target
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	res := reply{status: rec.Code, header: rec.Result().Header, body: rec.Body.Bytes()}
	checkEnvelope(e.tb, r, res)
	return res
}

// do sends r over the network to e.ts.
func (e *env) do(r request) reply {
	e.tb.Helper()
	req := e.build(r, e.ts.URL)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.tb.Fatalf("%s %s: %v", r.method, r.target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.tb.Fatalf("%s %s: reading the body: %v", r.method, r.target, err)
	}
	res := reply{status: resp.StatusCode, header: resp.Header, body: b}
	checkEnvelope(e.tb, r, res)
	return res
}

// checkEnvelope asserts what every API answer shares: a request ID, never a
// 5xx, a JSON object body (none on 204), and on errors the error type in
// both the body and the X-Amzn-ErrorType header.
func checkEnvelope(tb testing.TB, r request, res reply) {
	tb.Helper()
	what := r.method + " " + clip(r.target)
	if res.header.Get("x-amzn-RequestId") == "" {
		tb.Errorf("%s: no x-amzn-RequestId header", what)
	}
	if strings.HasPrefix(r.target, "/_sird/health") {
		return // sird's own health document, 503 while starting
	}
	if res.status >= 500 {
		tb.Errorf("%s: status %d: %s", what, res.status, clip(string(res.body)))
	}
	if res.status == http.StatusNoContent {
		if len(res.body) != 0 {
			tb.Errorf("%s: 204 with a body: %q", what, clip(string(res.body)))
		}
		return
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !(res.status < 300 && strings.HasPrefix(r.target, fsblob.PathPrefix)) {
		tb.Errorf("%s: Content-Type %q, want application/json (body %q)", what, ct, clip(string(res.body)))
	}
	if res.status < 300 && strings.HasPrefix(r.target, fsblob.PathPrefix) {
		return // blob bytes
	}
	var m map[string]any
	if err := json.Unmarshal(res.body, &m); err != nil {
		tb.Errorf("%s: status %d body is not a JSON object: %q", what, res.status, clip(string(res.body)))
		return
	}
	if res.status >= 300 {
		typ, _ := m["__type"].(string)
		if _, ok := m["message"].(string); typ == "" || !ok {
			tb.Errorf("%s: error body lacks __type or message: %s", what, clip(string(res.body)))
		}
		if h := res.header.Get("X-Amzn-ErrorType"); h != typ {
			tb.Errorf("%s: X-Amzn-ErrorType %q, body __type %q", what, h, typ)
		}
	}
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// mustJSON marshals v.
func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// expect asserts a status and, for errors, the __type.
func expect(tb testing.TB, what string, res reply, status int, typ string) {
	tb.Helper()
	if res.status != status || res.errType() != typ {
		tb.Fatalf("%s: got %d %q, want %d %q: %s", what, res.status, res.errType(), status, typ, clip(string(res.body)))
	}
}

// Fixture bodies.
var (
	teamJSON       = `[{"name":"Alice","jobTitle":"Lead","email":"alice@example.com"},{"name":"Bob","jobTitle":"Analyst","email":"bob@example.com"}]`
	membershipBody = `{"membershipName":"Security","incidentResponseTeam":` + teamJSON + `}`
	caseBody       = `{"resolverType":"Self","title":"Suspicious logins","description":"Several logins from unknown hosts.","engagementType":"Security Incident","reportedIncidentStartDate":1700000000,"impactedAccounts":["123456789012"],"watchers":[{"email":"carol@example.com","name":"Carol"}]}`
)

// membership creates the dev account's membership.
func (e *env) membership() string {
	e.tb.Helper()
	res := e.serve(request{method: "POST", target: "/v1/membership", body: []byte(membershipBody)})
	expect(e.tb, "CreateMembership", res, 201, "")
	id, _ := res.json(e.tb)["membershipId"].(string)
	return id
}

// newCase creates a self-managed case and returns its ID.
func (e *env) newCase() string {
	e.tb.Helper()
	res := e.serve(request{method: "POST", target: "/v1/create-case", body: []byte(caseBody)})
	expect(e.tb, "CreateCase", res, 201, "")
	id, _ := res.json(e.tb)["caseId"].(string)
	return id
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// newRawRequest is an unsigned request for target exactly as written.
func newRawRequest(tb testing.TB, method, target string, body []byte) *http.Request {
	tb.Helper()
	req := httptest.NewRequest(method, "http://sird.test:8300/", bytes.NewReader(body))
	u, err := url.ParseRequestURI(target)
	if err != nil {
		tb.Fatalf("target %q: %v", target, err)
	}
	req.URL = u
	req.RequestURI = target
	req.ContentLength = int64(len(body))
	return req
}
