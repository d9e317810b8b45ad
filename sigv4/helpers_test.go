package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/sird-project/sird"
)

const (
	testAK       = "AKIDEXAMPLE"
	testSecret   = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	otherAK      = "AKIDOTHEREXAMPLE"
	otherSecret  = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
	testRegion   = "us-east-1"
	otherRegion  = "eu-west-1"
	testService  = "security-ir"
	testHost     = "sird.test:8443"
	arnPath      = "/v1/tags/arn%3Aaws%3Asecurity-ir%3Aus-east-1%3A123456789012%3Amembership%2Fm-abc"
	emptySHA256  = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	mismatchText = "The request signature we calculated does not match"
)

// signTime is when test requests are signed; verifiers run a minute later.
var signTime = time.Date(2026, 11, 23, 11, 0, 10, 0, time.UTC)

func testLookup(_ context.Context, ak string) (string, error) {
	switch ak {
	case testAK:
		return testSecret, nil
	case otherAK:
		return otherSecret, nil
	}
	return "", sird.Errorf(sird.ErrUnrecognizedClient, "The security token included in the request is invalid.")
}

func newTestVerifier(now time.Time) *Verifier {
	return &Verifier{
		Service:     testService,
		ValidRegion: func(r string) bool { return r == testRegion || r == otherRegion },
		Now:         func() time.Time { return now },
		Lookup:      testLookup,
	}
}

// shape is one kind of request the SDKs send to this service.
type shape struct {
	name   string
	method string
	target string // path and raw query as the client writes them
	body   string
	header map[string]string
}

var shapes = []shape{
	{name: "post json", method: "POST", target: "/v1/create-case", body: `{"title":"breach","impactedAccounts":["123456789012"]}`,
		header: map[string]string{"Content-Type": "application/json"}},
	{name: "get no body", method: "GET", target: "/v1/cases/1234567890/get-case"},
	{name: "arn path", method: "GET", target: arnPath},
	{name: "repeated query keys", method: "DELETE", target: arnPath + "?tagKeys=a&tagKeys=b%2Fc"},
	{name: "query with spaces", method: "POST", target: "/v1/cases/1234567890/list-comments?q=a%20b&r=c+d&maxResults=5",
		body: `{}`, header: map[string]string{"Content-Type": "application/json"}},
}

type signOpts struct {
	ak, secret, region, service string
	at                          time.Time
}

func defaultOpts() signOpts {
	return signOpts{ak: testAK, secret: testSecret, region: testRegion, service: testService, at: signTime}
}

func hashHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// newClientRequest builds the request a client would send to baseURL.
func newClientRequest(tb testing.TB, baseURL string, s shape) *http.Request {
	tb.Helper()
	var body io.Reader // nil, not an empty reader, so GETs carry no length
	if s.body != "" {
		body = strings.NewReader(s.body)
	}
	r, err := http.NewRequest(s.method, baseURL+s.target, body)
	if err != nil {
		tb.Fatalf("NewRequest(%s): %v", s.target, err)
	}
	for k, v := range s.header {
		r.Header.Set(k, v)
	}
	return r
}

// sdkSign signs r in place with aws-sdk-go-v2's signer. A fresh signer each
// time: its key cache is keyed by access key, not secret.
func sdkSign(tb testing.TB, r *http.Request, body []byte, o signOpts) {
	tb.Helper()
	creds := aws.Credentials{AccessKeyID: o.ak, SecretAccessKey: o.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hashHex(body), o.service, o.region, o.at); err != nil {
		tb.Fatalf("SignHTTP: %v", err)
	}
}

// sdkPresign presigns r with aws-sdk-go-v2 and returns the request a client
// holding the URL would send.
func sdkPresign(tb testing.TB, r *http.Request, body []byte, o signOpts) *http.Request {
	tb.Helper()
	creds := aws.Credentials{AccessKeyID: o.ak, SecretAccessKey: o.secret, SessionToken: "session-token/with+chars"}
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, hashHex(body), o.service, o.region, o.at)
	if err != nil {
		tb.Fatalf("PresignHTTP: %v", err)
	}
	out, err := http.NewRequest(r.Method, u, bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("NewRequest(%s): %v", u, err)
	}
	for k, vs := range hdr {
		if k == "Host" {
			continue
		}
		out.Header[k] = vs
	}
	return out
}

// asReceived makes a client request look as net/http's server hands it to
// a handler: the request line in RequestURI, Content-Length in the header.
func asReceived(r *http.Request) *http.Request {
	r.RequestURI = r.URL.RequestURI()
	if r.ContentLength > 0 {
		r.Header.Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
	}
	return r
}

// signedShape is a received request for s signed with o, and its body.
func signedShape(tb testing.TB, s shape, o signOpts) (*http.Request, []byte) {
	tb.Helper()
	r := newClientRequest(tb, "http://"+testHost, s)
	body := []byte(s.body)
	sdkSign(tb, r, body, o)
	return asReceived(r), body
}

// presignedShape is a received presigned request for s, valid for 5 minutes.
func presignedShape(tb testing.TB, s shape, o signOpts) (*http.Request, []byte) {
	tb.Helper()
	r := newClientRequest(tb, "http://"+testHost, s)
	q := r.URL.Query()
	q.Set("X-Amz-Expires", "300")
	r.URL.RawQuery = q.Encode()
	body := []byte(s.body)
	return asReceived(sdkPresign(tb, r, body, o)), body
}

// checkErr fails unless err is a *sird.Error with code want whose message
// contains msg.
func checkErr(tb testing.TB, err error, want sird.ErrorCode, msg string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("Verify: got nil error, want %s", want.Name())
	}
	var se *sird.Error
	if !errors.As(err, &se) {
		tb.Fatalf("Verify: got %T %v, want *sird.Error", err, err)
	}
	if se.Code != want {
		tb.Fatalf("Verify: got %s (%q), want %s", se.Code.Name(), se.Message, want.Name())
	}
	if !strings.Contains(se.Message, msg) {
		tb.Fatalf("Verify message: got %q, want it to contain %q", se.Message, msg)
	}
}

// setTarget rewrites the request line's path and query.
func setTarget(r *http.Request, path, rawQuery string) {
	r.RequestURI = path
	if rawQuery != "" {
		r.RequestURI += "?" + rawQuery
	}
	r.URL.RawQuery = rawQuery
}

func splitTarget(r *http.Request) (path, rawQuery string) {
	path, rawQuery, _ = strings.Cut(r.RequestURI, "?")
	return path, rawQuery
}
