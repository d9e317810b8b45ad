// Package blobtest is the behaviour every sird.BlobStore shares, checked the
// way a client sees it: plain HTTP requests to the presigned URLs.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// Client talks to presigned URLs without any proxy: tests reach loopback only.
var Client = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: time.Minute}

var keySeq atomic.Int64

// Key returns a key no earlier call returned, shaped like sird's
// "<account>/<region>/<caseId>/<attachmentId>".
func Key() string {
	return fmt.Sprintf("123456789012/us-east-1/%010d/att-%d-%s", keySeq.Add(1), time.Now().UnixNano(), randomHex(4))
}

// Run checks a store. newStore returns a store whose URLs the test can reach
// and whose uploads are allowed (a permissive tracker for fsblob).
func Run(t *testing.T, newStore func(t *testing.T) sird.BlobStore) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("Missing", func(t *testing.T) { testMissing(t, newStore(t)) })
	t.Run("WrongLength", func(t *testing.T) { testWrongLength(t, newStore(t)) })
	t.Run("HostileFileName", func(t *testing.T) { testHostileFileName(t, newStore(t)) })
	t.Run("InvalidKey", func(t *testing.T) { testInvalidKey(t, newStore(t)) })
}

func testRoundTrip(t *testing.T, st sird.BlobStore) {
	tests := []struct {
		name string
		size int
	}{
		{"1MiB", 1 << 20},
		{"1B", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			key, data := Key(), RandomBytes(tt.size)
			if got, want := Put(t, Presign(t, st, key, int64(len(data))), data), http.StatusOK; got != want {
				t.Fatalf("PUT status = %d, want %d", got, want)
			}
			const fileName = "incident-report_v2.final.bin"
			resp, body := Get(t, PresignGet(t, st, key, fileName))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET status = %d, want 200: %s", resp.StatusCode, body)
			}
			if !bytes.Equal(body, data) {
				t.Fatalf("GET body: got %d bytes, want the %d uploaded", len(body), len(data))
			}
			if got, want := DispositionName(t, resp), fileName; got != want {
				t.Errorf("Content-Disposition filename = %q, want %q", got, want)
			}
			if got, want := resp.Header.Get("Content-Type"), "application/octet-stream"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			info, err := st.Stat(ctx, key)
			if err != nil {
				t.Fatalf("Stat: %v", err)
			}
			sum := sha256.Sum256(data)
			if want := (sird.BlobInfo{Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}); info != want {
				t.Errorf("Stat = %+v, want %+v", info, want)
			}
			if err := st.Delete(ctx, key); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, err := st.Stat(ctx, key); !errors.Is(err, sird.ErrNotExist) {
				t.Errorf("Stat after Delete: err = %v, want ErrNotExist", err)
			}
			if resp, _ := Get(t, PresignGet(t, st, key, fileName)); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET after Delete: status = %d, want 404", resp.StatusCode)
			}
		})
	}
}

func testMissing(t *testing.T, st sird.BlobStore) {
	ctx, key := context.Background(), Key()
	if _, err := st.Stat(ctx, key); !errors.Is(err, sird.ErrNotExist) {
		t.Errorf("Stat: err = %v, want ErrNotExist", err)
	}
	if err := st.Delete(ctx, key); err != nil {
		t.Errorf("Delete: err = %v, want nil", err)
	}
	if resp, _ := Get(t, PresignGet(t, st, key, "x.txt")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET: status = %d, want 404", resp.StatusCode)
	}
}

// testWrongLength: an upload URL is bound to its size.
func testWrongLength(t *testing.T, st sird.BlobStore) {
	tests := []struct {
		name string
		size int
	}{
		{"shorter", 9},
		{"longer", 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := Key()
			got := Put(t, Presign(t, st, key, 10), RandomBytes(tt.size))
			if got < 400 || got > 499 {
				t.Errorf("PUT of %d bytes to a 10-byte URL: status = %d, want 4xx", tt.size, got)
			}
			if _, err := st.Stat(context.Background(), key); !errors.Is(err, sird.ErrNotExist) {
				t.Errorf("Stat: err = %v, want ErrNotExist (nothing stored)", err)
			}
		})
	}
}

// testHostileFileName: whatever the name, it cannot add a header or break
// out of the Content-Disposition value.
func testHostileFileName(t *testing.T, st sird.BlobStore) {
	key, data := Key(), RandomBytes(3)
	if got := Put(t, Presign(t, st, key, 3), data); got != http.StatusOK {
		t.Fatalf("PUT status = %d, want 200", got)
	}
	t.Cleanup(func() { st.Delete(context.Background(), key) })
	names := []string{
		"a\"\r\nX-Evil: 1",
		"x\nX-Evil: 1",
		"\"; filename=evil.exe",
		"../../etc/passwd",
		"résumé ünïcode.pdf",
		"semi;colon\x00nul\x7f.txt",
		"",
	}
	for _, name := range names {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			resp, body := Get(t, PresignGet(t, st, key, name))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET status = %d, want 200: %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("X-Evil"); got != "" {
				t.Errorf("X-Evil header = %q, want none", got)
			}
			got := DispositionName(t, resp)
			if got == "" || strings.ContainsAny(got, "\"\r\n\x00/;\\ ") {
				t.Errorf("filename = %q: want a non-empty name without quotes, separators or controls", got)
			}
			if !bytes.Equal(body, data) {
				t.Errorf("body = %x, want %x", body, data)
			}
		})
	}
}

func testInvalidKey(t *testing.T, st sird.BlobStore) {
	ctx, exp := context.Background(), time.Now().Add(time.Hour)
	for _, key := range []string{"", "../x", "a/../../x", "/abs/x", "a//b", "a/./b", "a\\b", "a/b\x00", "a/%2e%2e/b", "a b"} {
		t.Run(fmt.Sprintf("%q", key), func(t *testing.T) {
			if u, err := st.PresignUpload(ctx, key, 1, exp); err == nil {
				t.Errorf("PresignUpload = %q, want an error", u)
			}
			if u, err := st.PresignDownload(ctx, key, "x", exp); err == nil {
				t.Errorf("PresignDownload = %q, want an error", u)
			}
		})
	}
}

// Presign is PresignUpload valid for ten minutes, failing tb on error.
func Presign(tb testing.TB, st sird.BlobStore, key string, size int64) string {
	tb.Helper()
	u, err := st.PresignUpload(context.Background(), key, size, time.Now().Add(10*time.Minute))
	if err != nil {
		tb.Fatalf("PresignUpload(%q, %d): %v", key, size, err)
	}
	return u
}

// PresignGet is PresignDownload valid for ten minutes, failing tb on error.
func PresignGet(tb testing.TB, st sird.BlobStore, key, fileName string) string {
	tb.Helper()
	u, err := st.PresignDownload(context.Background(), key, fileName, time.Now().Add(10*time.Minute))
	if err != nil {
		tb.Fatalf("PresignDownload(%q): %v", key, err)
	}
	return u
}

// Put uploads data the way any HTTP client would and returns the status.
func Put(tb testing.TB, url string, data []byte) int {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := Client.Do(req)
	if err != nil {
		tb.Fatalf("PUT: %v", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// Get downloads url and returns the response with its body read.
func Get(tb testing.TB, url string) (*http.Response, []byte) {
	tb.Helper()
	resp, err := Client.Get(url)
	if err != nil {
		tb.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("GET body: %v", err)
	}
	return resp, body
}

// DispositionName parses Content-Disposition: an attachment's file name.
func DispositionName(tb testing.TB, resp *http.Response) string {
	tb.Helper()
	cd := resp.Header.Values("Content-Disposition")
	if len(cd) != 1 {
		tb.Fatalf("Content-Disposition = %q, want one value", cd)
	}
	typ, params, err := mime.ParseMediaType(cd[0])
	if err != nil || typ != "attachment" {
		tb.Fatalf("Content-Disposition %q: type %q, err %v; want attachment", cd[0], typ, err)
	}
	return params["filename"]
}

// RandomBytes returns n random bytes.
func RandomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func randomHex(n int) string { return hex.EncodeToString(RandomBytes(n)) }
