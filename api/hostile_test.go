package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/api"
)

// rawDo writes raw to a fresh connection to addr and reads one response.
func rawDo(t *testing.T, addr, raw string) (reply, error) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		return reply{}, err
	}
	method, _, _ := strings.Cut(raw, " ")
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}, err
}

func TestHostileBodies(t *testing.T) {
	e := newEnv(t, true)
	e.membership()

	// Chunked, no length announced: the limit is enforced while reading.
	big := io.MultiReader(strings.NewReader(`{"title":"`), strings.NewReader(strings.Repeat("a", api.MaxBodyBytes)), strings.NewReader(`"}`))
	req, _ := http.NewRequest("POST", e.ts.URL+"/v1/list-cases", io.NopCloser(big))
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	res := reply{status: resp.StatusCode, header: resp.Header, body: b}
	checkEnvelope(t, request{method: "POST", target: "/v1/list-cases"}, res)
	expect(t, "chunked oversized body", res, 413, "RequestEntityTooLargeException")

	// A Content-Length far beyond the limit is refused before any byte is read.
	res, err = rawDo(t, e.ts.Listener.Addr().String(),
		"POST /v1/list-cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{}")
	if err != nil {
		t.Fatal(err)
	}
	checkEnvelope(t, request{method: "POST", target: "/v1/list-cases"}, res)
	expect(t, "huge Content-Length", res, 413, "RequestEntityTooLargeException")

	// Short body for its Content-Length: the client gives up; no 5xx.
	conn, err := net.Dial("tcp", e.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "POST /v1/list-cases HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}")
	conn.(*net.TCPConn).CloseWrite()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
		b, _ := io.ReadAll(resp.Body)
		res := reply{status: resp.StatusCode, header: resp.Header, body: b}
		checkEnvelope(t, request{method: "POST", target: "/v1/list-cases"}, res)
		if res.status != 400 {
			t.Errorf("truncated body: %s", res)
		}
	}
	conn.Close()
}

func TestHostileJSON(t *testing.T) {
	e := newEnv(t, false)
	e.membership()
	deepArr := `{"watchers":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`
	deepObj := strings.Repeat(`{"a":`, 1000) + "1" + strings.Repeat("}", 1000)
	deepOpen := strings.Repeat("[", 1000000)
	cases := map[string]string{
		"invalid UTF-8 byte":        "{\"title\":\"a\xffb\"}",
		"truncated UTF-8":           "{\"title\":\"a\xc3\"}",
		"overlong UTF-8":            "{\"title\":\"\xc0\xaf\"}",
		"UTF-8 surrogate":           "{\"title\":\"\xed\xa0\x80\"}",
		"invalid UTF-8 in key":      "{\"ti\xfftle\":\"x\"}",
		"invalid UTF-8 after esc":   "{\"title\":\"\\n\xff\"}",
		"lone surrogate escape":     `{"title":"\udc00"}`,
		"duplicate key":             `{"title":"a","title":"b"}`,
		"duplicate key, escaped":    `{"title":"a","titl\u0065":"b"}`,
		"duplicate nested key":      `{"watchers":[{"email":"a@b.co","email":"c@d.co"}]}`,
		"deep array nesting":        deepArr,
		"deep object nesting":       deepObj,
		"a million open brackets":   deepOpen,
		"NaN":                       `{"maxResults":NaN}`,
		"Infinity":                  `{"maxResults":Infinity}`,
		"hex number":                `{"maxResults":0x10}`,
		"plus sign":                 `{"maxResults":+1}`,
		"comment":                   `{/* hi */}`,
		"NUL byte":                  "{\"title\":\"a\x00b\"}",
		"trailing comma in array":   `{"watchers":[1,]}`,
		"unterminated string":       `{"title":"abc`,
		"unterminated escape":       `{"title":"abc\`,
		"truncated unicode escape":  `{"title":"\u12"}`,
		"object as top-level array": `[{}]`,
	}
	for name, body := range cases {
		for _, target := range []string{"/v1/list-cases", "/v1/create-case"} {
			res := e.serve(request{method: "POST", target: target, body: []byte(body)})
			expect(t, name+" "+target, res, 400, "ValidationException")
			if r := res.json(t)["reason"]; r != sird.ReasonCannotParse {
				t.Errorf("%s: reason %v, want CANNOT_PARSE", name, r)
			}
		}
	}
	// Escaped NUL and other escapes are valid JSON: the title is just odd.
	res := e.serve(request{method: "POST", target: "/v1/create-case", body: []byte(strings.Replace(caseBody, `"Suspicious logins"`, `"a\u0000b\ud83d\ude00\r\n"`, 1))})
	expect(t, "escaped NUL title", res, 201, "")
	id := res.json(t)["caseId"].(string)
	res = e.serve(request{method: "GET", target: "/v1/cases/" + id + "/get-case"})
	if got := res.json(t)["title"]; got != "a\x00b\U0001F600\r\n" {
		t.Errorf("title round trip: %q", got)
	}
}

// TestHugeNumbers: out-of-range numbers are validation errors naming the
// member, never a 5xx; in-range ones round-trip.
func TestHugeNumbers(t *testing.T) {
	e := newEnv(t, false)
	e.membership()
	id := e.newCase()
	for _, n := range []string{"1e400", "-1e400", "9223372036854775808", "9223372036854775807", "-9223372036854775809",
		"18446744073709551616", "1e2", "2.5", "0", "-1", "26", "1" + strings.Repeat("0", 400), "0.0000001e-400"} {
		res := e.serve(request{method: "POST", target: "/v1/list-cases", body: []byte(`{"maxResults":` + n + `}`)})
		expectField(t, "maxResults="+n, res, "maxResults")
		res = e.serve(request{method: "POST", target: "/v1/cases/" + id + "/list-comments", body: []byte(`{"maxResults":` + n + `}`)})
		expectField(t, "ListComments maxResults="+n, res, "maxResults")
		res = e.serve(request{method: "GET", target: "/v1/cases/" + id + "/list-investigations?maxResults=" + url.QueryEscape(n)})
		expectField(t, "ListInvestigations maxResults="+n, res, "maxResults")
	}
	for _, n := range []string{"1e400", "-1e400", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
		"1e2", "2.5", "0", "-1", "104857601", "1" + strings.Repeat("0", 400)} {
		res := e.serve(request{method: "POST", target: "/v1/cases/" + id + "/get-presigned-url", body: []byte(`{"fileName":"a.txt","contentLength":` + n + `}`)})
		expectField(t, "contentLength="+n, res, "contentLength")
	}
	for _, n := range []string{"1", "25", "25.0e0", "2.5e1"} {
		res := e.serve(request{method: "POST", target: "/v1/list-cases", body: []byte(`{"maxResults":` + n + `}`)})
		if res.status >= 500 || res.errType() == "InternalServerException" {
			t.Errorf("maxResults=%s: %s", n, res)
		}
	}

	// Timestamps: out of 0001..9999 is invalid; anything inside is kept exactly.
	for _, n := range []string{"1e400", "-1e400", "9223372036854775808", "-9223372036854775809", "253402300800", "-62135596801",
		"1e12", "2.6e11", "1" + strings.Repeat("0", 400)} {
		body := strings.Replace(caseBody, "1700000000", n, 1)
		res := e.serve(request{method: "POST", target: "/v1/create-case", body: []byte(body)})
		expectField(t, "CreateCase reportedIncidentStartDate="+n, res, "reportedIncidentStartDate")
		res = e.serve(request{method: "POST", target: "/v1/cases/" + id + "/update-case", body: []byte(`{"actualIncidentStartDate":` + n + `}`)})
		expectField(t, "UpdateCase actualIncidentStartDate="+n, res, "actualIncidentStartDate")
	}
	for _, n := range []string{"0", "-1", "1e10", "1E10", "2.5e9", "1.7e9", "253402300799", "-62135596800", "1700000000.123456789",
		"1700000000.5", "-0.5", "1e-400", "0.000000001", "9.99999999999e10", "-62135596800.0"} {
		res := e.serve(request{method: "POST", target: "/v1/cases/" + id + "/update-case", body: []byte(`{"actualIncidentStartDate":` + n + `}`)})
		if res.status != 200 {
			t.Errorf("UpdateCase actualIncidentStartDate=%s: %s", n, res)
			continue
		}
		res = e.serve(request{method: "GET", target: "/v1/cases/" + id + "/get-case"})
		got, _ := res.json(t)["actualIncidentStartDate"].(json.Number)
		if !sameInstant(string(got), n) {
			t.Errorf("actualIncidentStartDate %s came back as %s", n, got)
		}
	}
}

// sameInstant compares two epoch-second numbers to the nanosecond.
func sameInstant(a, b string) bool {
	fa, ok1 := new(big.Float).SetPrec(256).SetString(a)
	fb, ok2 := new(big.Float).SetPrec(256).SetString(b)
	if !ok1 || !ok2 {
		return false
	}
	ns := big.NewFloat(1e9)
	ia, _ := new(big.Float).Mul(fa, ns).Int(nil)
	ib, _ := new(big.Float).Mul(fb, ns).Int(nil)
	return ia.Cmp(ib) == 0
}

// expectField asserts a ValidationException whose fieldList names member.
func expectField(t *testing.T, what string, res reply, member string) {
	t.Helper()
	if res.status != 400 || res.errType() != "ValidationException" {
		t.Errorf("%s: %s, want ValidationException naming %s", what, res, member)
		return
	}
	var v struct {
		FieldList []struct{ Name, Message string } `json:"fieldList"`
	}
	json.Unmarshal(res.body, &v)
	for _, f := range v.FieldList {
		if f.Name == member {
			return
		}
	}
	t.Errorf("%s: fieldList does not name %s: %s", what, member, res.body)
}

// TestContentTypes: the body is JSON whatever the header says; nothing
// about Content-Type may turn into a 5xx.
func TestContentTypes(t *testing.T) {
	e := newEnv(t, false)
	e.membership()
	for _, ct := range []string{"", "text/plain", "application/xml", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "application/x-amz-json-1.1", ";;;", "application/json; charset=iso-8859-1",
		"application/json\x7f", strings.Repeat("a/b;", 1000)} {
		res := e.serve(request{method: "POST", target: "/v1/create-case", body: []byte(caseBody), header: map[string]string{"Content-Type": ct}})
		if res.status != 201 && (res.status < 400 || res.status >= 500 || shapeError(res) == "") {
			t.Errorf("Content-Type %q: %s", ct, res)
		}
		res = e.serve(request{method: "POST", target: "/v1/list-cases", body: []byte(`<ListCases/>`), header: map[string]string{"Content-Type": ct}})
		expect(t, "XML body as "+ct, res, 400, "ValidationException")
	}
	// A body on a GET is ignored by nothing: it is signed and must parse.
	res := e.serve(request{method: "GET", target: "/v1/memberships", body: []byte(`{}`)})
	if res.status >= 500 {
		t.Errorf("GET with body: %s", res)
	}
}

// shapeError returns the __type when it is an error the model or sird defines.
func shapeError(res reply) string {
	switch t := res.errType(); t {
	case "ValidationException", "ConflictException", "ResourceNotFoundException", "AccessDeniedException",
		"SecurityIncidentResponseNotActiveException", "ServiceQuotaExceededException", "InvalidTokenException",
		"ThrottlingException", "UnknownOperationException", "RequestEntityTooLargeException":
		return t
	}
	return ""
}

// TestBlobPathTricks sends traversal attempts to the blob endpoint on the
// wire, unnormalised: each gets a JSON 4xx and nothing outside the blob
// directory is read or written.
func TestBlobPathTricks(t *testing.T) {
	e := newEnv(t, true)
	e.membership()
	id := e.newCase()
	// A file next to the blob directory that a traversal would reach.
	secret := filepath.Join(filepath.Dir(e.blobDir), "secret.txt")
	if err := os.WriteFile(secret, []byte("TOPSECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A genuine upload URL, whose signature tricks try to reuse.
	res := e.serve(request{method: "POST", target: "/v1/cases/" + id + "/get-presigned-url", body: []byte(`{"fileName":"a.txt","contentLength":4}`)})
	expect(t, "upload URL", res, 201, "")
	u, _ := url.Parse(res.json(t)["attachmentPresignedUrl"].(string))
	q := u.RawQuery

	targets := []string{
		"/_sird/blobs/../../etc/passwd",
		"/_sird/blobs/../secret.txt",
		"/_sird/blobs/%2e%2e/secret.txt",
		"/_sird/blobs/%2E%2E/%2E%2E/etc/passwd",
		"/_sird/blobs/%252e%252e/secret.txt",
		"/_sird/blobs/..%2fsecret.txt",
		"/_sird/blobs/..%2Fsecret.txt",
		"/_sird/blobs/..\\secret.txt",
		"/_sird/blobs/..%5csecret.txt",
		"/_sird/blobs/%5c..%5c..%5cetc%5cpasswd",
		"/_sird/blobs//etc/passwd",
		"/_sird/blobs/./secret.txt",
		"/_sird/blobs/a/./b",
		"/_sird/blobs/a/../../secret.txt",
		"/_sird/blobs/a%00b",
		"/_sird/blobs/%c0%ae%c0%ae/secret.txt",
		"/_sird/blobs",
		"/_sird/blobs/",
		"/_sird/./blobs/secret.txt",
		"/_sird/blobs/..",
		"/_sird/blobs/.",
		"/_sird/blobs/~upload-x",
		"/_sird/blobs/" + strings.Repeat("a/", 600) + "a",
		u.Path + "/../../../../secret.txt",
		u.Path + "/..",
		strings.Replace(u.Path, "/_sird/blobs/", "/_sird/blobs/../", 1),
		strings.Replace(u.Path, "/_sird/blobs/", "/_sird/blobs/%2e/", 1),
	}
	for _, target := range targets {
		for _, method := range []string{"GET", "PUT", "HEAD", "DELETE"} {
			for _, query := range []string{"", "?" + q, "?X-Sird-Op=get&X-Sird-Expires=9999999999&X-Sird-Name=secret.txt&X-Sird-Signature=00"} {
				raw := method + " " + target + query + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
				if method == "PUT" {
					raw += "Content-Length: 4\r\n\r\nPWND"
				} else {
					raw += "\r\n"
				}
				res, err := rawDo(t, e.ts.Listener.Addr().String(), raw)
				what := method + " " + target + query
				if err != nil {
					t.Errorf("%s: %v", clip(what), err)
					continue
				}
				if res.status < 400 || res.status >= 500 {
					t.Errorf("%s: status %d, want 4xx: %q", clip(what), res.status, clip(string(res.body)))
				}
				if method != "HEAD" {
					checkEnvelope(t, request{method: method, target: target}, res)
				}
				if bytes.Contains(res.body, []byte("TOPSECRET")) || bytes.Contains(res.body, []byte("root:")) {
					t.Errorf("%s: leaked a file: %q", clip(what), clip(string(res.body)))
				}
			}
		}
	}
	// Nothing was written outside the blob directory, and the secret is intact.
	if b, _ := os.ReadFile(secret); string(b) != "TOPSECRET" {
		t.Errorf("secret.txt changed: %q", b)
	}
	filepath.WalkDir(filepath.Dir(e.blobDir), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); string(b) == "PWND" && !strings.HasPrefix(p, e.blobDir+string(filepath.Separator)) {
				t.Errorf("an upload landed outside the blob directory: %s", p)
			}
		}
		return nil
	})
	// The genuine URL still works once, so the tricks did not spend it.
	res, err := rawDo(t, e.ts.Listener.Addr().String(), "PUT "+u.RequestURI()+" HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\ndata")
	if err != nil || res.status >= 300 {
		t.Errorf("genuine upload after the tricks: %v %s", err, res)
	}
}

// TestFileNameHeaderInjection: whatever a file name holds, the download
// answers with one safe Content-Disposition and no injected header.
func TestFileNameHeaderInjection(t *testing.T) {
	e := newEnv(t, true)
	e.membership()
	id := e.newCase()
	for _, name := range []string{
		"a\r\nSet-Cookie: pwned=1", "a\nX-Injected: 1", "\r\n\r\n<html>", `a"; filename="evil.exe`, "a;b=c",
		"../../etc/passwd", "..", "évidence.txt", "a%0d%0aX-Injected:%201", "a\x00b", "a\u2028b", strings.Repeat("x", 255),
		"\r\n", "é", "\"; ", // nothing of the pattern's alphabet: refused
	} {
		body := mustJSON(t, map[string]any{"fileName": name, "contentLength": 3})
		res := e.serve(request{method: "POST", target: "/v1/cases/" + id + "/get-presigned-url", body: body})
		if res.status == 400 {
			expectField(t, fmt.Sprintf("fileName %q", name), res, "fileName")
			t.Logf("fileName %q refused by validation", name)
			continue
		}
		t.Logf("fileName %q accepted (the model pattern is unanchored); checking the download", name)
		expect(t, fmt.Sprintf("upload URL for %q", name), res, 201, "")
		up := res.json(t)["attachmentPresignedUrl"].(string)
		if strings.ContainsAny(up, "\r\n\x00\" ") {
			t.Errorf("%q: upload URL has raw control or quote characters: %q", name, up)
		}
		attID := e.upload(t, up, []byte("abc"))
		res = e.serve(request{method: "GET", target: "/v1/cases/" + id + "/get-presigned-url/" + attID})
		expect(t, fmt.Sprintf("download URL for %q", name), res, 201, "")
		down := res.json(t)["attachmentPresignedUrl"].(string)
		if strings.ContainsAny(down, "\r\n\x00\" ") {
			t.Errorf("%q: download URL has raw control or quote characters: %q", name, down)
		}
		du, err := url.Parse(down)
		if err != nil {
			t.Fatalf("%q: download URL %q: %v", name, down, err)
		}
		raw, err := rawDo(t, e.ts.Listener.Addr().String(), "GET "+du.RequestURI()+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if err != nil || raw.status != 200 || string(raw.body) != "abc" {
			t.Errorf("%q: download: %v %s", name, err, raw)
			continue
		}
		cd := raw.header.Values("Content-Disposition")
		if len(cd) != 1 || strings.ContainsAny(cd[0], "\r\n\x00") || !strings.HasPrefix(cd[0], "attachment; filename=") {
			t.Errorf("%q: Content-Disposition %q", name, cd)
		}
		if fn := strings.TrimPrefix(cd[0], "attachment; filename="); strings.ContainsAny(strings.Trim(fn, `"`), `"/\;`) || strings.Contains(fn, "..") && !strings.Contains(fn, "_") {
			t.Errorf("%q: unsafe file name in %q", name, cd[0])
		}
		for k := range raw.header {
			if strings.EqualFold(k, "Set-Cookie") || strings.EqualFold(k, "X-Injected") {
				t.Errorf("%q: injected header %s", name, k)
			}
		}
		if raw.header.Get("X-Content-Type-Options") != "nosniff" || raw.header.Get("Content-Type") != "application/octet-stream" {
			t.Errorf("%q: download served as %q (nosniff %q)", name, raw.header.Get("Content-Type"), raw.header.Get("X-Content-Type-Options"))
		}
	}
}

// TestSlowClients runs the API behind api.NewHTTPServer with its timeouts
// shortened: a client dribbling its headers or stalling mid-body is cut off
// while others are served.
func TestSlowClients(t *testing.T) {
	hs := api.NewHTTPServer(nil, nil)
	if hs.ReadHeaderTimeout <= 0 || hs.ReadHeaderTimeout > time.Minute || hs.ReadTimeout <= 0 || hs.WriteTimeout <= 0 ||
		hs.IdleTimeout <= 0 || hs.MaxHeaderBytes <= 0 || hs.MaxHeaderBytes > 1<<20 {
		t.Fatalf("NewHTTPServer limits: header %v read %v write %v idle %v max header %d",
			hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout, hs.MaxHeaderBytes)
	}

	e := newEnv(t, false)
	e.membership()
	hs = api.NewHTTPServer(e.srv, nil)
	hs.ErrorLog = nil
	hs.ReadHeaderTimeout = 300 * time.Millisecond
	hs.ReadTimeout = 800 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	addr := ln.Addr().String()

	// Slowloris: one header byte every 50ms, never finishing.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /v1/list-cases HTTP/1.1\r\nHost: x\r\nX-Slow: ")
	closed := make(chan time.Duration, 1)
	start := time.Now()
	go func() {
		buf := make([]byte, 1024)
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			if _, err := conn.Read(buf); err != nil {
				closed <- time.Since(start)
				return
			}
		}
	}()
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				if _, err := conn.Write([]byte("a")); err != nil {
					return
				}
			}
		}
	}()
	// Meanwhile a well-behaved client is served.
	req := e.build(request{method: "POST", target: "/v1/list-cases", body: []byte(`{}`)}, "http://"+addr)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("normal client during slowloris: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("normal client during slowloris: %d", resp.StatusCode)
	}
	select {
	case d := <-closed:
		if d > 3*time.Second {
			t.Errorf("slowloris connection held for %v", d)
		}
	case <-time.After(6 * time.Second):
		t.Error("slowloris connection never closed")
	}
	close(stop)

	// Headers complete, body stalls: answered (or dropped) within ReadTimeout, never a 5xx.
	body := []byte(`{"maxResults":5}`)
	sreq := e.build(request{method: "POST", target: "/v1/list-cases", body: body}, "http://"+addr)
	var head bytes.Buffer
	fmt.Fprintf(&head, "POST /v1/list-cases HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", addr, len(body))
	for k, vs := range sreq.Header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	head.WriteString("\r\n")
	head.Write(body[:3])
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.Write(head.Bytes())
	c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	start = time.Now()
	resp, err = http.ReadResponse(bufio.NewReader(c2), nil)
	switch {
	case err != nil:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("stalled body: no answer and no close within 5s")
		} else {
			t.Errorf("stalled body: connection dropped without an answer: %v", err)
		}
	default:
		b, _ := io.ReadAll(resp.Body)
		res := reply{status: resp.StatusCode, header: resp.Header, body: b}
		checkEnvelope(t, request{method: "POST", target: "/v1/list-cases"}, res)
		expect(t, "stalled body", res, http.StatusRequestTimeout, "RequestTimeoutException")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("stalled body held for %v", d)
	}

	// Oversized headers are refused by net/http before the handler, with a 431.
	res, err := rawDo(t, addr, "GET /v1/memberships HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 2*api.MaxHeaderBytes)+"\r\n\r\n")
	if err == nil && res.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("oversized header: %s", res)
	}
}

// TestWireOddities sends request lines a client library would not. Those
// net/http accepts reach the handler and get a JSON answer with a request
// ID; the few it refuses itself (a malformed request line, an unknown
// transfer coding, OPTIONS *) get net/http's own plain answer, listed here
// so a change in them is noticed. The server keeps serving either way.
func TestWireOddities(t *testing.T) {
	e := newEnv(t, true)
	addr := e.ts.Listener.Addr().String()
	handled := []struct{ raw, target string }{
		{"GET * HTTP/1.1\r\nHost: x\r\n\r\n", "*"},
		{"CONNECT sird.test:443 HTTP/1.1\r\nHost: sird.test:443\r\n\r\n", "sird.test:443"},
		{"GET http://evil.example/v1/cases/1234567890/get-case HTTP/1.1\r\nHost: x\r\n\r\n", "/v1/cases/1234567890/get-case"},
		{"GET /v1/cases/1234567890/get-case HTTP/1.0\r\n\r\n", "/v1/cases/1234567890/get-case"},
		{"POST /v1/list-cases HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", "/v1/list-cases"},
		{"POST /v1/list-cases HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}", "/v1/list-cases"},
		{"GET /v1/cases/1234567890/get-case HTTP/1.1\r\nHost: x\r\nX-Amz-Date: 99999999T999999Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/99999999/us-east-1/security-ir/aws4_request, SignedHeaders=host, Signature=zz\r\n\r\n", "/v1/cases/1234567890/get-case"},
	}
	for _, c := range handled {
		res, err := rawDo(t, addr, c.raw)
		if err != nil {
			t.Errorf("%q: %v", clip(c.raw), err)
			continue
		}
		checkEnvelope(t, request{method: "GET", target: c.target}, res)
		if res.status < 400 {
			t.Errorf("%q: %s", clip(c.raw), res)
		}
	}
	refused := []struct {
		raw    string
		status int
	}{
		{"GET /v1/cases/%zz/get-case HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"G@T /v1/list-cases HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"GET /v1/memberships HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"GET /v1/memberships HTTP/1.1\r\nHost: x\r\nAuthorization: \x01\x02\r\n\r\n", 400},
		{"POST /v1/list-cases HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 200},
	}
	for _, c := range refused {
		res, err := rawDo(t, addr, c.raw)
		if err != nil || res.status != c.status {
			t.Errorf("%q: %v %s, want net/http's %d", clip(c.raw), err, res, c.status)
		}
	}
	res := e.do(request{method: "POST", target: "/v1/list-cases", body: []byte(`{}`)})
	if res.status >= 500 || res.errType() == "" && res.status != 200 {
		t.Errorf("server after the oddities: %s", res)
	}
}
