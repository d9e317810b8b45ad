package loadgen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testAccessKey = "AKIDEXAMPLE"
	testSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testRegion    = "eu-west-1"
	fakeMemberID  = "m-benchmember01"
)

// injection makes every nth request to a route fail.
type injection struct {
	every   int
	status  int
	errType string // X-Amzn-ErrorType; "hangup" closes the connection instead
}

// fakeIR is a minimal security-ir server that checks every request's
// SigV4 signature by recomputing it, and records what it was sent.
type fakeIR struct {
	conflict bool // CreateMembership answers ConflictException
	inject   map[string]injection

	nextCase atomic.Int64
	mu       sync.Mutex
	cases    map[string]bool
	hits     map[string]int
	injected map[string]int
	problems []string
}

func newFakeIR() *fakeIR {
	f := &fakeIR{
		inject:   map[string]injection{},
		cases:    map[string]bool{},
		hits:     map[string]int{},
		injected: map[string]int{},
	}
	f.nextCase.Store(1_000_000_000) // 10-digit ids, as CaseId requires
	return f
}

func (f *fakeIR) problem(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.problems) < 10 {
		f.problems = append(f.problems, fmt.Sprintf(format, args...))
	}
}

func (f *fakeIR) check(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.problems {
		t.Error(p)
	}
}

func (f *fakeIR) hitCount(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[route]
}

func (f *fakeIR) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.problem("read body: %v", err)
		return
	}
	if err := verifySigV4(r, body); err != nil {
		f.problem("%s %s: %v", r.Method, r.URL.Path, err)
		writeErr(w, http.StatusForbidden, "InvalidSignatureException")
		return
	}
	route, caseID := routeOf(r.Method, r.URL.Path)
	f.mu.Lock()
	f.hits[route]++
	n := f.hits[route]
	inj, injecting := f.inject[route]
	injecting = injecting && n%inj.every == 0
	if injecting {
		f.injected[route]++
	}
	known := caseID == "" || f.cases[caseID]
	f.mu.Unlock()

	if injecting {
		if inj.errType == "hangup" {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		writeErr(w, inj.status, inj.errType)
		return
	}
	if !known {
		writeErr(w, http.StatusNotFound, "ResourceNotFoundException")
		return
	}
	switch route {
	case "create-membership":
		if f.conflict {
			writeErr(w, http.StatusConflict, "ConflictException")
			return
		}
		writeJSON(w, http.StatusCreated, `{"membershipId":"`+fakeMemberID+`"}`)
	case "list-memberships":
		writeJSON(w, http.StatusOK, `{"items":[{"membershipId":"m-cancelled0001","membershipStatus":"Cancelled"},`+
			`{"membershipId":"`+fakeMemberID+`","membershipStatus":"Active"}]}`)
	case "get-membership":
		if strings.TrimPrefix(r.URL.Path, "/v1/membership/") != fakeMemberID {
			writeErr(w, http.StatusNotFound, "ResourceNotFoundException")
			return
		}
		writeJSON(w, http.StatusOK, `{"membershipId":"`+fakeMemberID+`"}`)
	case "create-case":
		if err := checkCreateCase(body); err != nil {
			f.problem("create-case body: %v", err)
			writeErr(w, http.StatusBadRequest, "ValidationException")
			return
		}
		id := strconv.FormatInt(f.nextCase.Add(1), 10)
		f.mu.Lock()
		f.cases[id] = true
		f.mu.Unlock()
		writeJSON(w, http.StatusCreated, `{"caseId":"`+id+`"}`)
	case "create-comment":
		writeJSON(w, http.StatusCreated, `{"commentId":"1"}`)
	case "list-cases":
		switch string(body) {
		case `{"maxResults":25}`: // a first page: a second one follows
			writeJSON(w, http.StatusOK, `{"items":[],"nextToken":"page/2"}`)
		case `{"maxResults":25,"nextToken":"page/2"}`:
			f.mu.Lock()
			f.hits["list-cases:page2"]++
			f.mu.Unlock()
			writeJSON(w, http.StatusOK, `{"items":[]}`)
		default:
			f.problem("list-cases body %s", body)
			writeJSON(w, http.StatusOK, `{"items":[]}`)
		}
	case "get-case", "update-case", "list-comments", "baseline":
		writeJSON(w, http.StatusOK, `{}`)
	default:
		f.problem("unexpected request %s %s", r.Method, r.URL.Path)
		writeErr(w, http.StatusNotFound, "UnknownOperationException")
	}
}

// routeOf maps a request to the op names used by the mix.
func routeOf(method, path string) (route, caseID string) {
	if rest, ok := strings.CutPrefix(path, "/v1/cases/"); ok {
		id, action, _ := strings.Cut(rest, "/")
		return map[string]string{
			"GET get-case": "get-case", "POST update-case": "update-case",
			"POST create-comment": "create-comment", "POST list-comments": "list-comments",
		}[method+" "+action], id
	}
	switch {
	case method == "POST" && path == "/v1/membership":
		return "create-membership", ""
	case method == "POST" && path == "/v1/memberships":
		return "list-memberships", ""
	case method == "GET" && strings.HasPrefix(path, "/v1/membership/"):
		return "get-membership", ""
	case method == "POST" && path == "/v1/create-case":
		return "create-case", ""
	case method == "POST" && path == "/v1/list-cases":
		return "list-cases", ""
	case method == "GET" && path == "/":
		return "baseline", ""
	}
	return "unknown", ""
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func writeErr(w http.ResponseWriter, status int, errType string) {
	// The namespace suffix is legal on the wire and must be stripped by the client.
	w.Header().Set("X-Amzn-ErrorType", errType+":http://internal.amazon.com/coral/com.amazonaws.securityir/")
	writeJSON(w, status, `{"message":"injected"}`)
}

func checkCreateCase(body []byte) error {
	var in struct {
		ClientToken               string `json:"clientToken"`
		ResolverType              string `json:"resolverType"`
		Title, Description        string
		EngagementType            string   `json:"engagementType"`
		ReportedIncidentStartDate *int64   `json:"reportedIncidentStartDate"`
		ImpactedAccounts          []string `json:"impactedAccounts"`
		Watchers                  []struct {
			Email string `json:"email"`
		} `json:"watchers"`
		ImpactedAwsRegions []struct {
			Region string `json:"region"`
		} `json:"impactedAwsRegions"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return err
	}
	switch {
	case len(in.ClientToken) != 36 || in.ClientToken == tokenPlaceholder:
		return fmt.Errorf("clientToken %q", in.ClientToken)
	case in.ResolverType != "Self" || in.EngagementType != "Security Incident":
		return fmt.Errorf("resolverType/engagementType %q/%q", in.ResolverType, in.EngagementType)
	case in.Title == "" || in.Description == "":
		return fmt.Errorf("missing title/description")
	case in.ReportedIncidentStartDate == nil || *in.ReportedIncidentStartDate > time.Now().Unix():
		return fmt.Errorf("reportedIncidentStartDate must be past epoch seconds")
	case len(in.ImpactedAccounts) == 0 || len(in.ImpactedAccounts[0]) != 12:
		return fmt.Errorf("impactedAccounts %v", in.ImpactedAccounts)
	case len(in.Watchers) < 1 || len(in.Watchers) > 2 || in.Watchers[0].Email == "":
		return fmt.Errorf("watchers %v", in.Watchers)
	case len(in.ImpactedAwsRegions) == 0:
		return fmt.Errorf("no impactedAwsRegions")
	}
	return nil
}

// verifySigV4 recomputes the signature the way a server would: rebuild the
// request from the signed headers only, hash the received body, sign with
// the shared secret at the request's X-Amz-Date, and compare.
func verifySigV4(r *http.Request, body []byte) error {
	auth := r.Header.Get("Authorization")
	const prefix = "AWS4-HMAC-SHA256 Credential="
	rest, ok := strings.CutPrefix(auth, prefix)
	if !ok {
		return fmt.Errorf("authorization header %q", auth)
	}
	parts := strings.Split(rest, ", ")
	if len(parts) != 3 || !strings.HasPrefix(parts[1], "SignedHeaders=") || !strings.HasPrefix(parts[2], "Signature=") {
		return fmt.Errorf("authorization header %q", auth)
	}
	scope := strings.Split(parts[0], "/")
	if len(scope) != 5 || scope[0] != testAccessKey || scope[2] != testRegion || scope[3] != "security-ir" || scope[4] != "aws4_request" {
		return fmt.Errorf("credential scope %q", parts[0])
	}
	signed := strings.Split(strings.TrimPrefix(parts[1], "SignedHeaders="), ";")
	want := []string{"host", "x-amz-date"}
	if len(body) > 0 {
		want = append(want, "content-length", "content-type")
	}
	for _, h := range want {
		if !containsStr(signed, h) {
			return fmt.Errorf("header %s not signed (%v)", h, signed)
		}
	}
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("x-amz-date: %v", err)
	}
	if d := time.Since(when); d > time.Minute || d < -time.Minute {
		return fmt.Errorf("stale signing time %s", when)
	}
	re, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	re.ContentLength = int64(len(body))
	for _, h := range signed {
		if h != "host" && h != "content-length" {
			re.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, re, hex.EncodeToString(sum[:]), "security-ir", testRegion, when); err != nil {
		return err
	}
	if got := re.Header.Get("Authorization"); got != auth {
		return fmt.Errorf("signature mismatch:\n got  %s\n want %s", auth, got)
	}
	return nil
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// startFake serves f and returns a Config aimed at it.
func startFake(t *testing.T, f *fakeIR) Config {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return Config{
		Endpoint:  srv.URL,
		AccessKey: testAccessKey,
		SecretKey: testSecretKey,
		Region:    testRegion,
		Workers:   8,
	}
}
