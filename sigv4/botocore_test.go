package sigv4

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// botocoreSpec is one request for testdata/botocore_send.py.
type botocoreSpec struct {
	Endpoint      string            `json:"endpoint"`
	Method        string            `json:"method"`
	Path          string            `json:"path"`
	Query         map[string]any    `json:"query,omitempty"`
	QueryAsParams bool              `json:"query_as_params,omitempty"`
	Body          string            `json:"body"`
	Headers       map[string]string `json:"headers,omitempty"`
	AccessKey     string            `json:"access_key"`
	SecretKey     string            `json:"secret_key"`
	Token         string            `json:"token,omitempty"`
	Region        string            `json:"region"`
}

type botocoreResult struct {
	Status        int    `json:"status"`
	Body          string `json:"body"`
	Authorization string `json:"authorization"`
}

// requireBotocore skips when python3 or botocore is missing, unless
// SIRD_REQUIRE_AWSCLI says the machine must have them.
func requireBotocore(tb testing.TB) string {
	tb.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import botocore.auth, botocore.httpsession").Run()
	}
	if err != nil {
		if os.Getenv("SIRD_REQUIRE_AWSCLI") != "" {
			tb.Fatalf("python3 with botocore is required (SIRD_REQUIRE_AWSCLI is set): %v", err)
		}
		tb.Skipf("python3 with botocore not available: %v", err)
	}
	return py
}

// TestVerifyBotocoreSigned has botocore, as the AWS CLI uses it, sign and
// send requests to a real server running the verifier.
func TestVerifyBotocoreSigned(t *testing.T) {
	py := requireBotocore(t)
	// botocore signs with the real clock.
	v := newTestVerifier(time.Time{})
	v.Now = time.Now
	srv := httptest.NewServer(verifyHandler(v))
	defer srv.Close()

	base := botocoreSpec{Endpoint: srv.URL, AccessKey: testAK, SecretKey: testSecret, Region: testRegion}
	tests := []struct {
		name       string
		edit       func(*botocoreSpec)
		wantStatus int
		wantBody   string
	}{
		{name: "post json", edit: func(s *botocoreSpec) {
			s.Method, s.Path, s.Body = "POST", "/v1/create-case", `{"title":"breach"}`
			s.Headers = map[string]string{"Content-Type": "application/json"}
		}, wantStatus: 200, wantBody: "ok " + testAK},
		{name: "get no body", edit: func(s *botocoreSpec) {
			s.Method, s.Path = "GET", "/v1/cases/1234567890/get-case"
		}, wantStatus: 200, wantBody: "ok " + testAK},
		{name: "arn path and repeated query keys", edit: func(s *botocoreSpec) {
			s.Method, s.Path = "DELETE", arnPath
			s.Query = map[string]any{"tagKeys": []string{"a", "b/c"}}
		}, wantStatus: 200, wantBody: "ok " + testAK},
		{name: "query with spaces", edit: func(s *botocoreSpec) {
			s.Method, s.Path, s.Body = "POST", "/v1/cases/1/list-comments", "{}"
			s.Query = map[string]any{"q": "a b", "r": "x+y~z"}
		}, wantStatus: 200, wantBody: "ok " + testAK},
		{name: "query params with plus on the wire", edit: func(s *botocoreSpec) {
			s.Method, s.Path = "GET", "/v1/list"
			s.Query, s.QueryAsParams = map[string]any{"q": "a b"}, true
		}, wantStatus: 200, wantBody: "ok " + testAK},
		{name: "session token", edit: func(s *botocoreSpec) {
			s.Method, s.Path, s.Token = "GET", "/v1/list", "FwoGZXIvYXdzE/token+="
		}, wantStatus: 200, wantBody: "ok " + testAK},
		{name: "wrong secret", edit: func(s *botocoreSpec) {
			s.Method, s.Path, s.SecretKey = "GET", "/v1/list", otherSecret
		}, wantStatus: 403, wantBody: "InvalidSignatureException: The request signature we calculated does not match"},
		{name: "wrong region", edit: func(s *botocoreSpec) {
			s.Method, s.Path, s.Region = "GET", "/v1/list", "ap-south-2"
		}, wantStatus: 403, wantBody: "InvalidSignatureException: Credential should be scoped to a valid region"},
	}
	specs := make([]botocoreSpec, len(tests))
	for i, tt := range tests {
		specs[i] = base
		tt.edit(&specs[i])
	}
	in, err := json.Marshal(specs)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	cmd := exec.Command(py, "testdata/botocore_send.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore_send.py: %v\n%s", err, stderr.String())
	}
	var results []botocoreResult
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(tests) {
		t.Fatalf("botocore_send.py output: got %q (%v), want %d results", out, err, len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := results[i]
			if got.Status != tt.wantStatus || !strings.HasPrefix(got.Body, tt.wantBody) {
				t.Errorf("botocore request: got %d %q, want %d %q... (Authorization %s)",
					got.Status, got.Body, tt.wantStatus, tt.wantBody, got.Authorization)
			}
		})
	}
}
