package fsblob

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sird-project/sird/blob/blobtest"
)

func TestSweep(t *testing.T) {
	fx := newFixture(t)
	key := blobtest.Key()
	if got := blobtest.Put(t, blobtest.Presign(t, fx.store, key, 2), []byte("ok")); got != 200 {
		t.Fatalf("PUT status = %d", got)
	}
	now := fx.clock.Now()
	files := []struct {
		name  string
		age   time.Duration
		swept bool
	}{
		{"a/b/" + tmpPrefix + "old", 2 * time.Hour, true},
		{"a/" + tmpPrefix + "old2", 25 * time.Hour, true},
		{"a/b/" + tmpPrefix + "fresh", 10 * time.Minute, false},
		{"a/b/old-blob", 48 * time.Hour, false}, // a blob, however old
		{key, 0, false},
	}
	for _, f := range files {
		p := filepath.Join(fx.dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if f.name != key {
			if err := os.WriteFile(p, []byte("x"), 0o640); err != nil {
				t.Fatal(err)
			}
		}
		mt := now.Add(-f.age)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	n, err := fx.store.Sweep(time.Hour)
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	if n != 2 {
		t.Errorf("Sweep removed %d files, want 2", n)
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			_, err := os.Stat(filepath.Join(fx.dir, filepath.FromSlash(f.name)))
			if got := os.IsNotExist(err); got != f.swept {
				t.Errorf("removed = %v (err %v), want %v", got, err, f.swept)
			}
		})
	}
	left := tempFiles(t, fx.dir)
	if want := []string{filepath.Join(fx.dir, "a", "b", tmpPrefix+"fresh")}; !slices.Equal(left, want) {
		t.Errorf("temp files left = %q, want %q", left, want)
	}
}

func TestSweepMissingDir(t *testing.T) {
	fx := newFixture(t)
	if n, err := fx.store.Sweep(time.Hour); n != 0 || err != nil {
		t.Errorf("Sweep on a new store = %d, %v; want 0, nil", n, err)
	}
}
