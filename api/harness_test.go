package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/api"
	"github.com/sird-project/sird/blob/fsblob"
	"github.com/sird-project/sird/sigv4"
	"github.com/sird-project/sird/sqlstore"
)

const testRegion = "us-east-1"

// devCreds are the loopback dev credentials the keyring accepts while no
// access keys exist.
var devCreds = aws.Credentials{AccessKeyID: sird.DevAccessKeyID, SecretAccessKey: sird.DevSecretKey, Source: "test"}

// env is one in-process sird: the real store, service, keyring, verifier,
// API server and embedded blob store, wired as cmd/sird/serve.go wires them.
type env struct {
	tb      testing.TB
	srv     *api.Server
	store   *sqlstore.Store
	svc     *sird.Service
	keys    *sird.Keyring
	blobs   *fsblob.Store
	blobDir string
	ts      *httptest.Server // nil unless started with network
	signer  *v4.Signer
	logs    *logSink
}

// logSink collects error-level log records so tests can assert that no
// request ended in an internal error.
type logSink struct {
	mu   sync.Mutex
	errs []string
}

func (l *logSink) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelError }
func (l *logSink) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	l.mu.Lock()
	l.errs = append(l.errs, b.String())
	l.mu.Unlock()
	return nil
}
func (l *logSink) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logSink) WithGroup(string) slog.Handler      { return l }

func (l *logSink) errors() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errs...)
}

// newEnv builds the server. With network, it also serves it on a loopback
// port (e.ts); the blob URLs then point there.
func newEnv(tb testing.TB, network bool) *env {
	tb.Helper()
	dir := tb.TempDir()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "sird.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		tb.Fatalf("opening the store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	master := make([]byte, 32)
	rand.Read(master)
	logs := &logSink{}
	log := slog.New(logs)
	svc := sird.NewService(sird.Config{Store: st, MasterKey: master, Log: log})
	keys := sird.NewKeyring(st, master, rand.Reader, time.Now)
	keys.AllowDev = true
	verifier := &sigv4.Verifier{Service: "security-ir", ValidRegion: api.ValidRegion, Now: time.Now}
	srv := api.New(svc, keys, verifier, log)

	e := &env{tb: tb, srv: srv, store: st, svc: svc, keys: keys, blobDir: filepath.Join(dir, "blobs"), signer: v4.NewSigner(), logs: logs}
	publicURL := "http://sird.test:8300"
	if network {
		e.ts = httptest.NewUnstartedServer(srv)
		publicURL = "http://" + e.ts.Listener.Addr().String()
	}
	e.blobs = fsblob.New(e.blobDir, sird.DeriveKey(master, "blob-urls"), publicURL, svc, time.Now)
	svc.SetBlobs(e.blobs)
	srv.Handle(fsblob.PathPrefix, e.blobs.Handler())
	srv.SetReady(true)
	if network {
		e.ts.Start()
		tb.Cleanup(e.ts.Close)
	}
	tb.Cleanup(func() {
		if errs := logs.errors(); len(errs) > 0 {
			tb.Errorf("the server logged %d internal errors, first: %s", len(errs), errs[0])
		}
	})
	return e
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
