package sigv4

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// fuzzBody is the body of every fuzzed request; the seeds are signed over it.
const fuzzBody = `{"title":"fuzz"}`

// fuzzRequest builds a received POST to testHost from the fuzzed parts.
func fuzzRequest(authorization, amzDate, rawQuery, path string) *http.Request {
	r := &http.Request{
		Method:        "POST",
		URL:           &url.URL{Path: path, RawQuery: rawQuery},
		RequestURI:    path,
		Host:          testHost,
		Header:        http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(fuzzBody)),
	}
	if rawQuery != "" {
		r.RequestURI += "?" + rawQuery
	}
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	if amzDate != "" {
		r.Header.Set("X-Amz-Date", amzDate)
	}
	return r
}

// FuzzVerify feeds arbitrary Authorization headers, dates, queries and paths:
// Verify must never panic and must fail only with a *sird.Error.
func FuzzVerify(f *testing.F) {
	// Valid requests, so mutations start from the full verification path.
	for _, target := range []string{"/v1/create-case", arnPath + "?tagKeys=a&tagKeys=b%2Fc&q=a%20b"} {
		s := shape{method: "POST", target: target, body: fuzzBody, header: map[string]string{"Content-Type": "application/json"}}
		r, _ := signedShape(f, s, defaultOpts())
		p, q := splitTarget(r)
		f.Add(r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date"), q, p)
		r, _ = presignedShape(f, s, defaultOpts())
		p, q = splitTarget(r)
		f.Add("", "", q, p)
	}
	v := newTestVerifier(signTime.Add(time.Minute))
	f.Fuzz(func(t *testing.T, authorization, amzDate, rawQuery, path string) {
		r := fuzzRequest(authorization, amzDate, rawQuery, path)
		_, err := v.Verify(context.Background(), r, []byte(fuzzBody))
		if err == nil {
			return // an intact seed
		}
		var se *sird.Error
		if !errors.As(err, &se) {
			t.Fatalf("Verify: got %T %v, want *sird.Error", err, err)
		}
		if se.Message == "" || len(se.Message) > 1024 {
			t.Fatalf("Verify: got message of %d bytes, want 1..1024", len(se.Message))
		}
	})
}

// TestFuzzSeedsValid keeps the stored valid seeds valid, so fuzzing keeps
// starting from requests that reach the signature comparison.
func TestFuzzSeedsValid(t *testing.T) {
	v := newTestVerifier(signTime.Add(time.Minute))
	for _, name := range []string{"header-valid-0", "header-valid-1", "presigned-valid-0", "presigned-valid-1"} {
		t.Run(name, func(t *testing.T) {
			args := readFuzzSeed(t, filepath.Join("testdata", "fuzz", "FuzzVerify", name))
			r := fuzzRequest(args[0], args[1], args[2], args[3])
			if _, err := v.Verify(context.Background(), r, []byte(fuzzBody)); err != nil {
				t.Fatalf("Verify: got %v, want nil", err)
			}
		})
	}
}

// readFuzzSeed reads a corpus file of four string(...) lines.
func readFuzzSeed(tb testing.TB, path string) []string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("ReadFile: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 5 || lines[0] != "go test fuzz v1" {
		tb.Fatalf("%s: got %d lines, want header and 4 values", path, len(lines))
	}
	var args []string
	for _, l := range lines[1:] {
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(l, "string("), ")"))
		if err != nil {
			tb.Fatalf("%s: line %q: %v", path, l, err)
		}
		args = append(args, s)
	}
	return args
}
