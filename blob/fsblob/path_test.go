package fsblob

import (
	"bufio"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird/blob"
)

const rawBody = "abc"

// serveRaw parses target the way net/http's server does, signs whatever key
// the path then names (so only key validation stands in the way), and runs
// the handler on it. ok is false when net/http would refuse the request line.
func serveRaw(tb testing.TB, st *Store, method, target string) (rec *httptest.ResponseRecorder, key string, ok bool) {
	tb.Helper()
	raw := method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
		strconv.Itoa(len(rawBody)) + "\r\n\r\n" + rawBody
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		return nil, "", false
	}
	key = strings.TrimPrefix(req.URL.Path, PathPrefix)
	g := grant{op: opPut, key: key, expires: st.now().Add(time.Hour).Unix(), size: int64(len(rawBody))}
	if method != http.MethodPut {
		g.op, g.size, g.name = opGet, -1, "f"
	}
	q := url.Values{}
	q.Set(paramOp, g.op)
	q.Set(paramExpires, strconv.FormatInt(g.expires, 10))
	if g.op == opPut {
		q.Set(paramSize, strconv.Itoa(len(rawBody)))
	} else {
		q.Set(paramName, g.name)
	}
	q.Set(paramSignature, hex.EncodeToString(st.mac(g)))
	req.URL.RawQuery = q.Encode()
	rec = httptest.NewRecorder()
	st.Handler().ServeHTTP(rec, req)
	return rec, key, true
}

func TestPathTraversal(t *testing.T) {
	fx := newFixture(t)
	fx.tracker.reuse = true
	// A target for the handler to find: tricks must not reach it either.
	if err := os.MkdirAll(filepath.Join(fx.dir, "a"), 0o750); err != nil {
		t.Fatal(err)
	}
	// Control: serveRaw's signing works, so refusals below are the key check's.
	for _, method := range []string{http.MethodPut, http.MethodGet} {
		if rec, _, _ := serveRaw(t, fx.store, method, "/_sird/blobs/a/b"); rec.Code != http.StatusOK {
			t.Fatalf("control %s: status = %d, want 200", method, rec.Code)
		}
	}
	targets := []string{
		"/_sird/blobs/../secret",
		"/_sird/blobs/../../etc/passwd",
		"/_sird/blobs/a/../../secret",
		"/_sird/blobs/%2e%2e/secret",
		"/_sird/blobs/%2E%2E%2Fsecret",
		"/_sird/blobs/%252e%252e/secret",
		"/_sird/blobs/a/%252e%252e%252f%252e%252e%252fsecret",
		"/_sird/blobs//etc/passwd",
		"/_sird/blobs/%2fetc%2fpasswd",
		"/_sird/blobs/a\\..\\..\\secret",
		"/_sird/blobs/a%5c..%5c..%5csecret",
		"/_sird/blobs/a%00/b",
		"/_sird/blobs/a/./b",
		"/_sird/blobs/a/.",
		"/_sird/blobs/a/",
		"/_sird/blobs/",
		"/_sird/blobs",
		"/_sird/blobsX/a",
		"/other/a/b",
		"/_sird/blobs/a/~upload-0123",
		"/_sird/blobs/a/b%20c",
		"/_sird/blobs/a/b;c",
		"/_sird/blobs/" + strings.Repeat("a/", 600) + "b",
		"http://127.0.0.1/_sird/blobs/../secret",
	}
	for _, target := range targets {
		for _, method := range []string{http.MethodPut, http.MethodGet} {
			t.Run(method+" "+target, func(t *testing.T) {
				rec, key, ok := serveRaw(t, fx.store, method, target)
				if !ok {
					return // net/http refuses it before any handler
				}
				// 400, not 403: the key check refuses before the signature.
				if rec.Code != http.StatusBadRequest {
					t.Errorf("status = %d for key %q, want 400", rec.Code, key)
				}
				if blob.ValidKey(key) == nil {
					t.Errorf("test target %q names a valid key %q", target, key)
				}
				fx.checkOutside(t)
			})
		}
	}
}
