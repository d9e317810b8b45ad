package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestCLIListMembershipsEmpty(t *testing.T) {
	s := startServer(t)
	res := s.aws(t, devCreds, "list-memberships")
	if res.Code != 0 {
		t.Fatalf("list-memberships exited %d: %s", res.Code, res.Stderr)
	}
	items, ok := res.Out["items"].([]any)
	if !ok || len(items) != 0 {
		t.Errorf("got %v, want an empty items list", res.Out)
	}
}

func TestCLIBadCredentialsRefused(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		name  string
		creds [2]string
		want  string
	}{
		{"unknown key", [2]string{"AKIANOTAKEY", "secret"}, "UnrecognizedClientException"},
		{"wrong secret", [2]string{"test", "not-test"}, "InvalidSignatureException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := s.aws(t, tt.creds, "list-memberships")
			if res.Code == 0 || !strings.Contains(res.Stderr, tt.want) {
				t.Errorf("got exit %d, stderr %q; want failure naming %s", res.Code, res.Stderr, tt.want)
			}
		})
	}
}

func TestUnsignedAndUnknownRoutesAnswerJSON(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		name, method, path string
		status             int
		errType            string
	}{
		{"unsigned", "POST", "/v1/memberships", 403, "IncompleteSignature"},
		{"unknown path", "GET", "/nope", 404, "UnknownOperationException"},
		{"wrong method", "DELETE", "/v1/create-case", 404, "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, s.URL+tt.path, strings.NewReader("{}"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var body map[string]any
			if err := json.Unmarshal(b, &body); err != nil {
				t.Fatalf("body is not JSON: %q", b)
			}
			if resp.StatusCode != tt.status || resp.Header.Get("X-Amzn-ErrorType") != tt.errType || body["__type"] != tt.errType {
				t.Errorf("got %d %s %v, want %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body, tt.status, tt.errType)
			}
			if resp.Header.Get("x-amzn-RequestId") == "" {
				t.Errorf("no x-amzn-RequestId header")
			}
		})
	}
}
