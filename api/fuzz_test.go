package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/internal/testsupport/apitest"
)

// FuzzServeHTTP feeds arbitrary requests to the API handler: any method,
// target, headers and body that net/http would hand to a handler. With sign
// set the request is signed with the dev credentials after parsing, so
// fuzzed bodies get past authentication into decoding, validation and the
// service. Whatever arrives, the answer is never a 5xx, never a panic, and
// always a JSON object (no body on 204 and HEAD).
//
// In targets and bodies, CASEID, MEMBERSHIPID and CASEARN stand for a real
// case, membership and (percent-encoded) case ARN of the fuzzed server.
func FuzzServeHTTP(f *testing.F) {
	e := newEnv(f, false)
	mid := e.membership()
	caseID := e.newCase()
	arn := apitest.EscapeLabel(sird.CaseARN(testRegion, sird.DevAccountID, caseID))
	subst := strings.NewReplacer("CASEID", caseID, "MEMBERSHIPID", mid, "CASEARN", arn)

	f.Add("POST", "/v1/list-cases", "Content-Type: application/json", []byte(`{"maxResults":5}`), true)
	f.Add("GET", "/v1/cases/CASEID/get-case", "", []byte(nil), true)
	f.Add("POST", "/v1/cases/CASEID/update-case", "", []byte(`{"title":"x","watchersToAdd":[{"email":"a@b.co"}]}`), true)
	f.Add("GET", "/v1/tags/CASEARN", "", []byte(nil), false)
	f.Add("GET", "/_sird/blobs/../../etc/passwd", "", []byte(nil), false)

	f.Fuzz(func(t *testing.T, method, target, headers string, body []byte, sign bool) {
		target = subst.Replace(target)
		body = []byte(subst.Replace(string(body)))
		var raw bytes.Buffer
		fmt.Fprintf(&raw, "%s %s HTTP/1.1\r\nHost: sird.test:8300\r\n", method, target)
		for _, line := range strings.Split(headers, "\n") {
			if line = strings.TrimRight(line, "\r"); line != "" {
				raw.WriteString(line + "\r\n")
			}
		}
		fmt.Fprintf(&raw, "Content-Length: %d\r\n\r\n", len(body))
		raw.Write(body)
		req, err := http.ReadRequest(bufio.NewReader(&raw))
		if err != nil || len(req.Header.Values("Host")) > 1 {
			return // net/http answers these itself; no handler sees them
		}
		if sign {
			req.Header.Del("Authorization")
			req.Header.Del("X-Amz-Date")
			if err := e.signer.SignHTTP(context.Background(), devCreds, req, sha256Hex(body), "security-ir", testRegion, time.Now()); err != nil {
				return
			}
		}
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		t.Logf("%s %s -> %d %s", method, clip(target), rec.Code, clip(rec.Body.String()))

		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", method, target, rec.Code, rec.Body)
		}
		if rec.Header().Get("x-amzn-RequestId") == "" {
			t.Errorf("%s %q: no request ID", method, target)
		}
		if rec.Code == http.StatusNoContent || req.Method == "HEAD" && rec.Code < 300 {
			if rec.Body.Len() != 0 && rec.Code == http.StatusNoContent {
				t.Errorf("%s %q: 204 with a body", method, target)
			}
			return
		}
		if rec.Code < 300 && strings.HasPrefix(req.URL.Path, "/_sird/blobs/") {
			return // attachment bytes; a fuzzer cannot forge the URL signature anyway
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s %q: status %d, body is not a JSON object: %q", method, target, rec.Code, rec.Body)
		}
		if rec.Code >= 300 {
			if _, ok := m["__type"].(string); !ok {
				t.Fatalf("%s %q: error without __type: %s", method, target, rec.Body)
			}
			if rec.Header().Get("X-Amzn-ErrorType") != m["__type"] {
				t.Errorf("%s %q: X-Amzn-ErrorType %q, __type %v", method, target, rec.Header().Get("X-Amzn-ErrorType"), m["__type"])
			}
		}
	})
}
