package conformance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
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

const region = "us-east-1"

// server is a real sird serving on a loopback port, wired as
// cmd/sird/serve.go wires it (api.NewHTTPServer included).
//
// Its public URL is http://sird.test:PORT, not a loopback address: the
// model's Url pattern wants a dotted host name ending in 2 to 6 letters
// (http://127.0.0.1:PORT and even http://sird.localhost:PORT do not match
// it). The client dials the loopback listener whatever host a URL names,
// so presigned URLs are used exactly as handed out, with no DNS lookup.
type server struct {
	base   string // http://127.0.0.1:PORT, where API calls go
	store  *sqlstore.Store
	keys   *sird.Keyring
	client *http.Client
}

// principal is one access key: an account and an IAM user.
type principal struct {
	account string
	creds   aws.Credentials
	signer  *v4.Signer
}

func startServer(t *testing.T) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	s := apitest.New(t, "http://sird.test:"+port)
	hs := api.NewHTTPServer(s.Server, nil)
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	addr := ln.Addr().String()
	dial := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dial.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 4,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &server{base: "http://" + addr, store: s.Store, keys: s.Keys, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// newPrincipal issues an access key for user/NAME of account.
func (s *server) newPrincipal(t *testing.T, account, name string) *principal {
	t.Helper()
	id, secret, err := s.keys.Create(context.Background(), account, "user/"+name)
	if err != nil {
		t.Fatal(err)
	}
	return &principal{account: account, creds: aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, Source: "conformance"}, signer: v4.NewSigner()}
}

// reply is one response, read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
	tree   map[string]any // the JSON body; nil when there is none
}

func (r reply) String() string { return fmt.Sprintf("%d %s", r.status, clip(string(r.body))) }

func (r reply) errType() string {
	if r.status < 300 || r.tree == nil {
		return ""
	}
	s, _ := r.tree["__type"].(string)
	return s
}

func clip(s string) string {
	if len(s) > 400 {
		return s[:400] + "..."
	}
	return s
}

// call sends one signed API request: target is the raw path and query.
func (s *server) call(t *testing.T, p *principal, method, target string, body []byte) reply {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.base+target, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, clip(target), err)
	}
	path, _, _ := strings.Cut(target, "?")
	if dec, err := url.PathUnescape(path); err == nil {
		req.URL.Path, req.URL.RawPath = dec, path
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(body)
	if err := p.signer.SignHTTP(context.Background(), p.creds, req, hex.EncodeToString(sum[:]), "security-ir", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	return s.send(t, req)
}

// send performs req and applies the checks every answer must pass: a
// request ID, never a 5xx, and a JSON object body unless it is a 204.
func (s *server) send(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, clip(req.URL.String()), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading: %v", req.Method, clip(req.URL.String()), err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, body: b}
	what := req.Method + " " + clip(req.URL.RequestURI())
	if r.header.Get("x-amzn-RequestId") == "" {
		t.Errorf("%s: no x-amzn-RequestId", what)
	}
	if r.status >= 500 {
		t.Errorf("%s: server error %s", what, r)
	}
	if r.status == http.StatusNoContent {
		if len(b) != 0 {
			t.Errorf("%s: 204 with a body: %q", what, clip(string(b)))
		}
		return r
	}
	if strings.HasPrefix(req.URL.Path, fsblob.PathPrefix) && r.status < 300 {
		return r // attachment bytes
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&r.tree); err != nil || d.More() {
		t.Errorf("%s: body is not one JSON object (%v): %q", what, err, clip(string(b)))
	}
	return r
}
