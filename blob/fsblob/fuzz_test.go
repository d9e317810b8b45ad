package fsblob

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/sird-project/sird/blob"
)

// FuzzBlobPath feeds request targets to the handler, each signed for the key
// it names, so only the handler's parsing and key check stand between the
// input and the file system. It must never panic, never touch anything
// outside the store's directory, and only ever store valid keys.
func FuzzBlobPath(f *testing.F) {
	for _, seed := range []string{
		"/_sird/blobs/123456789012/us-east-1/1234567/att-1",
		"/_sird/blobs/../secret",
		"/_sird/blobs/%2e%2e/%2e%2e/secret",
		"/_sird/blobs/%252e%252e/secret",
		"/_sird/blobs//etc/passwd",
		"/_sird/blobs/a\\..\\secret",
		"/_sird/blobs/a%00b",
	} {
		f.Add(http.MethodPut, seed)
		f.Add(http.MethodGet, seed)
	}
	fx := newFixture(f)
	fx.tracker.reuse = true
	f.Fuzz(func(t *testing.T, method, target string) {
		rec, key, ok := serveRaw(t, fx.store, method, target)
		if !ok {
			return
		}
		fx.checkOutside(t)
		if rec.Code != http.StatusOK {
			return
		}
		if err := blob.ValidKey(key); err != nil {
			t.Fatalf("%s %q: status 200 for invalid key %q", method, target, key)
		}
		if method == http.MethodPut {
			got, err := os.ReadFile(filepath.Join(fx.dir, filepath.FromSlash(key)))
			if err != nil || string(got) != rawBody {
				t.Fatalf("%s %q: stored %q, %v; want %q at %q", method, target, got, err, rawBody, key)
			}
		}
	})
}
