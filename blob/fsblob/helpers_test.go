package fsblob

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

var errAlreadyUsed = errors.New("upload URL already used")

// fakeTracker stands in for the domain service: each key may be claimed once.
type fakeTracker struct {
	mu       sync.Mutex
	claimErr error // when set, every claim fails with it
	reuse    bool  // when set, a key may be claimed again (fuzzing)
	claims   map[string]int64
	finishes map[string]finish
}

type finish struct {
	info    sird.BlobInfo
	failure error
}

func newFakeTracker() *fakeTracker {
	return &fakeTracker{claims: map[string]int64{}, finishes: map[string]finish{}}
}

func (f *fakeTracker) ClaimUpload(_ context.Context, key string, size int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.claimErr != nil {
		return f.claimErr
	}
	if _, ok := f.claims[key]; ok && !f.reuse {
		return errAlreadyUsed
	}
	f.claims[key] = size
	return nil
}

func (f *fakeTracker) FinishUpload(_ context.Context, key string, info sird.BlobInfo, failure error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finishes[key] = finish{info, failure}
	return nil
}

func (f *fakeTracker) claimed(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.claims[key]
	return ok
}

func (f *fakeTracker) finished(key string) (finish, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fin, ok := f.finishes[key]
	return fin, ok
}

// clock is a settable time source for expiry tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	store   *Store
	tracker *fakeTracker
	clock   *clock
	srv     *httptest.Server
	dir     string // the store's directory
	outside string // a file beside dir that nothing may touch
}

// newFixture serves a store on loopback with a fake tracker and clock.
func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	base := tb.TempDir()
	fx := &fixture{
		tracker: newFakeTracker(),
		clock:   &clock{t: time.Now()},
		dir:     filepath.Join(base, "blobs"),
		outside: filepath.Join(base, "secret"),
	}
	if err := os.WriteFile(fx.outside, []byte("secret"), 0o600); err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	fx.srv = httptest.NewServer(mux)
	tb.Cleanup(fx.srv.Close)
	fx.store = New(fx.dir, []byte("test-secret-0123456789"), fx.srv.URL+"/", fx.tracker, fx.clock.Now)
	mux.Handle(PathPrefix, fx.store.Handler())
	return fx
}

// checkOutside fails tb if the file beside the store's directory changed.
func (fx *fixture) checkOutside(tb testing.TB) {
	tb.Helper()
	got, err := os.ReadFile(fx.outside)
	if err != nil || string(got) != "secret" {
		tb.Fatalf("file outside the store: %q, %v; want it untouched", got, err)
	}
	entries, err := os.ReadDir(filepath.Dir(fx.dir))
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "blobs" && e.Name() != "secret" {
			tb.Fatalf("file %q appeared outside the store", e.Name())
		}
	}
}

// errorType decodes the __type of a JSON error answer.
func errorType(tb testing.TB, body io.Reader) string {
	tb.Helper()
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.NewDecoder(body).Decode(&e); err != nil {
		tb.Fatalf("error body: %v", err)
	}
	return e.Type
}

// tempFiles lists the upload temp files under dir.
func tempFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	var found []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && isTemp(d.Name()) {
			found = append(found, p)
		}
		return nil
	})
	return found
}
