package fsblob

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/blob/blobtest"
)

// do sends method to u with body (nil: none) and returns status and __type.
func do(tb testing.TB, method, u string, body []byte) (int, string) {
	tb.Helper()
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequest(method, u, bytes.NewReader(body))
	} else {
		req, err = http.NewRequest(method, u, nil)
	}
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := blobtest.Client.Do(req)
	if err != nil {
		tb.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 400 || method == http.MethodHead {
		return resp.StatusCode, ""
	}
	return resp.StatusCode, errorType(tb, resp.Body)
}

// edit returns u with its query changed by fn.
func edit(tb testing.TB, u string, fn func(q url.Values)) string {
	tb.Helper()
	p, err := url.Parse(u)
	if err != nil {
		tb.Fatal(err)
	}
	q := p.Query()
	fn(q)
	p.RawQuery = q.Encode()
	return p.String()
}

func TestTamperedUpload(t *testing.T) {
	fx := newFixture(t)
	const size = 8
	tests := []struct {
		name     string
		change   func(tb testing.TB, u, key string) string
		bodySize int
		want     int
	}{
		{"signature flipped", func(tb testing.TB, u, _ string) string {
			return edit(tb, u, func(q url.Values) {
				s := []byte(q.Get(paramSignature))
				s[0] ^= 1
				q.Set(paramSignature, string(s))
			})
		}, size, http.StatusForbidden},
		{"signature missing", func(tb testing.TB, u, _ string) string {
			return edit(tb, u, func(q url.Values) { q.Del(paramSignature) })
		}, size, http.StatusForbidden},
		{"size raised", func(tb testing.TB, u, _ string) string {
			return edit(tb, u, func(q url.Values) { q.Set(paramSize, "9") })
		}, 9, http.StatusForbidden},
		{"size dropped", func(tb testing.TB, u, _ string) string {
			return edit(tb, u, func(q url.Values) { q.Del(paramSize) })
		}, size, http.StatusForbidden},
		{"size twice", func(tb testing.TB, u, _ string) string {
			return edit(tb, u, func(q url.Values) { q.Add(paramSize, "8") })
		}, size, http.StatusForbidden},
		{"expiry extended", func(tb testing.TB, u, _ string) string {
			return edit(tb, u, func(q url.Values) {
				exp, _ := strconv.ParseInt(q.Get(paramExpires), 10, 64)
				q.Set(paramExpires, strconv.FormatInt(exp+3600, 10))
			})
		}, size, http.StatusForbidden},
		{"op swapped", func(tb testing.TB, u, _ string) string {
			return edit(tb, u, func(q url.Values) { q.Set(paramOp, opGet) })
		}, size, http.StatusForbidden},
		{"name added", func(tb testing.TB, u, _ string) string {
			return edit(tb, u, func(q url.Values) { q.Set(paramName, "x") })
		}, size, http.StatusForbidden},
		{"key changed", func(_ testing.TB, u, key string) string {
			return strings.Replace(u, key, key+"x", 1)
		}, size, http.StatusForbidden},
		{"key shortened", func(_ testing.TB, u, key string) string {
			return strings.Replace(u, key, key[:strings.LastIndex(key, "/")], 1)
		}, size, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := blobtest.Key()
			u := tt.change(t, blobtest.Presign(t, fx.store, key, size), key)
			gotStatus, gotType := do(t, http.MethodPut, u, blobtest.RandomBytes(tt.bodySize))
			if gotStatus != tt.want || gotType != "AccessDenied" {
				t.Errorf("PUT = %d %s, want %d AccessDenied", gotStatus, gotType, tt.want)
			}
			if fx.tracker.claimed(key) {
				t.Error("tracker was asked to claim a refused upload")
			}
			if _, err := fx.store.Stat(context.Background(), key); !errors.Is(err, sird.ErrNotExist) {
				t.Errorf("Stat: err = %v, want ErrNotExist", err)
			}
		})
	}
}

func TestTamperedDownload(t *testing.T) {
	fx := newFixture(t)
	key := blobtest.Key()
	if got := blobtest.Put(t, blobtest.Presign(t, fx.store, key, 3), []byte("abc")); got != http.StatusOK {
		t.Fatalf("PUT status = %d", got)
	}
	get := blobtest.PresignGet(t, fx.store, key, "a.txt")
	tests := []struct {
		name   string
		method string
		u      string
		want   int
	}{
		{"valid", http.MethodGet, get, http.StatusOK},
		{"valid HEAD", http.MethodHead, get, http.StatusOK},
		{"name changed", http.MethodGet, edit(t, get, func(q url.Values) { q.Set(paramName, "evil.exe") }), http.StatusForbidden},
		{"size added", http.MethodGet, edit(t, get, func(q url.Values) { q.Set(paramSize, "3") }), http.StatusForbidden},
		{"op swapped", http.MethodGet, edit(t, get, func(q url.Values) { q.Set(paramOp, opPut) }), http.StatusForbidden},
		{"upload URL", http.MethodGet, blobtest.Presign(t, fx.store, key, 3), http.StatusForbidden},
		{"download URL used to PUT", http.MethodPut, get, http.StatusForbidden},
		{"bad hex", http.MethodGet, edit(t, get, func(q url.Values) { q.Set(paramSignature, "zz") }), http.StatusForbidden},
		{"other key", http.MethodGet, strings.Replace(get, key, blobtest.Key(), 1), http.StatusForbidden},
		{"DELETE", http.MethodDelete, get, http.StatusMethodNotAllowed},
		{"POST", http.MethodPost, get, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			if tt.method == http.MethodPut {
				body = []byte("xyz")
			}
			if got, _ := do(t, tt.method, tt.u, body); got != tt.want {
				t.Errorf("%s = %d, want %d", tt.method, got, tt.want)
			}
		})
	}
	if got, err := fx.store.Stat(context.Background(), key); err != nil || got.Size != 3 {
		t.Errorf("Stat = %+v, %v; want the original 3 bytes", got, err)
	}
}

func TestExpired(t *testing.T) {
	fx := newFixture(t)
	key := blobtest.Key()
	ctx := context.Background()
	exp := fx.clock.Now().Add(time.Minute)
	put, err := fx.store.PresignUpload(ctx, key, 3, exp)
	if err != nil {
		t.Fatal(err)
	}
	get, err := fx.store.PresignDownload(ctx, key, "a", exp)
	if err != nil {
		t.Fatal(err)
	}
	fx.clock.Advance(time.Minute) // expiry is exclusive
	tests := []struct {
		method, u string
	}{
		{http.MethodPut, put},
		{http.MethodGet, get},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			var body []byte
			if tt.method == http.MethodPut {
				body = []byte("abc")
			}
			gotStatus, gotType := do(t, tt.method, tt.u, body)
			if gotStatus != http.StatusForbidden || gotType != "AccessDenied" {
				t.Errorf("%s = %d %s, want 403 AccessDenied", tt.method, gotStatus, gotType)
			}
		})
	}
	if fx.tracker.claimed(key) {
		t.Error("tracker was asked to claim an expired upload")
	}
}
