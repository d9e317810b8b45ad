package fsblob

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/blob/blobtest"
)

func TestUploadTracked(t *testing.T) {
	fx := newFixture(t)
	key, data := blobtest.Key(), blobtest.RandomBytes(100)
	u := blobtest.Presign(t, fx.store, key, 100)
	if got := blobtest.Put(t, u, data); got != http.StatusOK {
		t.Fatalf("first PUT status = %d, want 200", got)
	}
	sum := sha256.Sum256(data)
	want := finish{info: sird.BlobInfo{Size: 100, SHA256: hex.EncodeToString(sum[:])}}
	if got, ok := fx.tracker.finished(key); !ok || got != want {
		t.Errorf("FinishUpload got %+v (called: %v), want %+v", got, ok, want)
	}
	gotStatus, gotType := do(t, http.MethodPut, u, blobtest.RandomBytes(100))
	if gotStatus != http.StatusConflict || gotType != "UploadAlreadyUsed" {
		t.Errorf("second PUT = %d %s, want 409 UploadAlreadyUsed", gotStatus, gotType)
	}
	if got, err := fx.store.Stat(context.Background(), key); err != nil || got != want.info {
		t.Errorf("Stat = %+v, %v; want the first upload %+v", got, err, want.info)
	}
}

func TestClaimRefused(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantType   string
	}{
		{"plain error", errors.New("used"), http.StatusConflict, "UploadAlreadyUsed"},
		{"not found", sird.NotFound("attachment", "x"), http.StatusNotFound, "ResourceNotFoundException"},
		{"conflict", sird.Conflict("attachment", "x", "done"), http.StatusConflict, "ConflictException"},
		{"expired", sird.Errorf(sird.ErrAccessDenied, "expired"), http.StatusForbidden, "AccessDeniedException"},
		{"wrong size", sird.InvalidField("Content-Length", "bad"), http.StatusBadRequest, "ValidationException"},
		{"internal", sird.Errorf(sird.ErrInternal, "db down"), http.StatusInternalServerError, "InternalServerException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			fx.tracker.claimErr = tt.err
			key := blobtest.Key()
			gotStatus, gotType := do(t, http.MethodPut, blobtest.Presign(t, fx.store, key, 1), []byte("x"))
			if gotStatus != tt.wantStatus || gotType != tt.wantType {
				t.Errorf("PUT = %d %s, want %d %s", gotStatus, gotType, tt.wantStatus, tt.wantType)
			}
			if _, err := fx.store.Stat(context.Background(), key); !errors.Is(err, sird.ErrNotExist) {
				t.Errorf("Stat: err = %v, want ErrNotExist", err)
			}
		})
	}
}

func TestNoTracker(t *testing.T) {
	fx := newFixture(t)
	fx.store.SetTracker(nil)
	gotStatus, _ := do(t, http.MethodPut, blobtest.Presign(t, fx.store, blobtest.Key(), 1), []byte("x"))
	if gotStatus != http.StatusServiceUnavailable {
		t.Errorf("PUT without tracker = %d, want 503", gotStatus)
	}
}

// rawPut writes an HTTP request by hand, so the framing can lie, and returns
// the status line's code (0 if the server closed without answering).
func rawPut(tb testing.TB, srvURL, target string, headers []string, body string, closeWrite bool) int {
	tb.Helper()
	su, _ := url.Parse(srvURL)
	conn, err := net.Dial("tcp", su.Host)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\n%s\r\n%s", target, su.Host, strings.Join(append(headers, ""), "\r\n"), body)
	if closeWrite {
		conn.(*net.TCPConn).CloseWrite()
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestUploadFraming(t *testing.T) {
	const size = 10
	tests := []struct {
		name        string
		headers     []string
		body        string
		closeWrite  bool
		wantStatus  int
		wantClaimed bool
	}{
		{"no Content-Length", nil, "", false, http.StatusLengthRequired, false},
		{"chunked", []string{"Transfer-Encoding: chunked"}, "a\r\n0123456789\r\n0\r\n\r\n", false, http.StatusLengthRequired, false},
		{"Content-Length too small", []string{"Content-Length: 9"}, "012345678", false, http.StatusBadRequest, false},
		{"Content-Length too large", []string{"Content-Length: 11"}, "0123456789a", false, http.StatusBadRequest, false},
		{"Content-Length zero", []string{"Content-Length: 0"}, "", false, http.StatusBadRequest, false},
		{"body cut short", []string{"Content-Length: 10"}, "01234", true, http.StatusBadRequest, true},
		{"exact", []string{"Content-Length: 10"}, "0123456789", false, http.StatusOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			key := blobtest.Key()
			u, _ := url.Parse(blobtest.Presign(t, fx.store, key, size))
			got := rawPut(t, fx.srv.URL, u.RequestURI(), tt.headers, tt.body, tt.closeWrite)
			if got != tt.wantStatus {
				t.Errorf("status = %d, want %d", got, tt.wantStatus)
			}
			if got := fx.tracker.claimed(key); got != tt.wantClaimed {
				t.Errorf("claimed = %v, want %v", got, tt.wantClaimed)
			}
			if tt.wantStatus == http.StatusOK {
				return
			}
			if _, err := fx.store.Stat(context.Background(), key); !errors.Is(err, sird.ErrNotExist) {
				t.Errorf("Stat: err = %v, want ErrNotExist", err)
			}
			if tt.wantClaimed {
				waitFinished(t, fx.tracker, key, true)
			}
			if tmp := tempFiles(t, fx.dir); len(tmp) != 0 {
				t.Errorf("temp files left: %q", tmp)
			}
		})
	}
}

// waitFinished waits for the handler, which may still be running after the
// client saw its answer, to report to the tracker.
func waitFinished(tb testing.TB, tr *fakeTracker, key string, wantFailure bool) {
	tb.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if fin, ok := tr.finished(key); ok {
			if got := fin.failure != nil; got != wantFailure {
				tb.Errorf("FinishUpload failure = %v, want failure: %v", fin.failure, wantFailure)
			}
			return
		}
	}
	tb.Errorf("FinishUpload was not called for %s", key)
}

// A body longer than Content-Length cannot come through net/http's server,
// which stops reading at the length; other servers could pass one on.
func TestUploadLongBody(t *testing.T) {
	fx := newFixture(t)
	key := blobtest.Key()
	req := httptest.NewRequest(http.MethodPut, blobtest.Presign(t, fx.store, key, 3), strings.NewReader("abcdef"))
	req.ContentLength = 3
	req.Header.Set("Content-Length", "3")
	rec := httptest.NewRecorder()
	fx.store.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", rec.Code)
	}
	waitFinished(t, fx.tracker, key, true)
	if _, err := fx.store.Stat(context.Background(), key); !errors.Is(err, sird.ErrNotExist) {
		t.Errorf("Stat: err = %v, want ErrNotExist", err)
	}
}

// While an upload is in flight its key shows nothing; afterwards, everything.
func TestUploadAtomic(t *testing.T) {
	fx := newFixture(t)
	key := blobtest.Key()
	data := blobtest.RandomBytes(64 << 10)
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPut, blobtest.Presign(t, fx.store, key, int64(len(data))), pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(data))
	done := make(chan int, 1)
	go func() {
		resp, err := blobtest.Client.Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	if _, err := pw.Write(data[:len(data)/2]); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); len(tempFiles(t, fx.dir)) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no temp file appeared")
		}
	}
	if _, err := fx.store.Stat(context.Background(), key); !errors.Is(err, sird.ErrNotExist) {
		t.Errorf("Stat mid-upload: err = %v, want ErrNotExist", err)
	}
	if resp, _ := blobtest.Get(t, blobtest.PresignGet(t, fx.store, key, "f")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET mid-upload: status = %d, want 404", resp.StatusCode)
	}
	pw.Write(data[len(data)/2:])
	pw.Close()
	if got := <-done; got != http.StatusOK {
		t.Fatalf("PUT status = %d, want 200", got)
	}
	if got, err := fx.store.Stat(context.Background(), key); err != nil || got.Size != int64(len(data)) {
		t.Errorf("Stat = %+v, %v; want %d bytes", got, err, len(data))
	}
	if tmp := tempFiles(t, fx.dir); len(tmp) != 0 {
		t.Errorf("temp files left: %q", tmp)
	}
}

func TestHead(t *testing.T) {
	fx := newFixture(t)
	key := blobtest.Key()
	if got := blobtest.Put(t, blobtest.Presign(t, fx.store, key, 5), []byte("hello")); got != http.StatusOK {
		t.Fatalf("PUT status = %d", got)
	}
	resp, err := blobtest.Client.Head(blobtest.PresignGet(t, fx.store, key, "h.txt"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tests := []struct{ header, want string }{
		{"Content-Length", "5"},
		{"Content-Type", "application/octet-stream"},
		{"Content-Disposition", "attachment; filename=h.txt"},
		{"X-Content-Type-Options", "nosniff"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := resp.Header.Get(tt.header); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}
