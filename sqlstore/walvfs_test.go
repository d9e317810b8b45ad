package sqlstore

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sird-project/sird"
)

// walVFSFile returns the walVFS state of the store's WAL.
func walVFSFile(t *testing.T, s *Store) *walFile {
	t.Helper()
	walFilesMu.Lock()
	defer walFilesMu.Unlock()
	for _, w := range walFiles {
		if w.path == s.group.wal.path {
			return w
		}
	}
	t.Fatalf("the WAL %s is not open through %s", s.group.wal.path, walVFSName)
	return nil
}

type walVFSCounts struct{ osWrites, deferredSyncs, osSyncs int64 }

func (w *walFile) counts() walVFSCounts {
	return walVFSCounts{w.osWrites.Load(), w.deferredSyncs.Load(), w.osSyncs.Load()}
}

func (c walVFSCounts) minus(d walVFSCounts) walVFSCounts {
	return walVFSCounts{c.osWrites - d.osWrites, c.deferredSyncs - d.deferredSyncs, c.osSyncs - d.osSyncs}
}

// vfsTestStore opens a store whose WAL only restarts when a test says so:
// without the background checkpointer nothing backfills it.
func vfsTestStore(t *testing.T) (*Store, *walFile) {
	t.Helper()
	s := freshSQLite(t)(t, Options{Migrate: true})
	s.group.ckpt = nil
	write(t, s, insertCase(0)) // the WAL exists from here on
	return s, walVFSFile(t, s)
}

func insertCases(from, to int) func(sird.Tx) error {
	return func(tx sird.Tx) error {
		for i := from; i < to; i++ {
			if err := tx.InsertCase(smallTestCase(i)); err != nil {
				return err
			}
		}
		return nil
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// A commit's frames reach the OS in a few large writes, not two per frame,
// and its sync is left to the walSyncer.
func TestWALVFSCoalescesCommit(t *testing.T) {
	s, w := vfsTestStore(t)
	size0, before := fileSize(t, s.group.wal.path), w.counts()
	write(t, s, insertCases(1, 200))
	got := w.counts().minus(before)
	frames := (fileSize(t, s.group.wal.path) - size0) / (4096 + 24)
	if frames < 20 {
		t.Fatalf("the Write added %d frames; the test needs at least 20", frames)
	}
	if maxWrites := (frames*(4096+24))/walWriteMax + 2; got.osWrites > maxWrites {
		t.Errorf("writes to the OS for %d frames: got %d, want at most %d", frames, got.osWrites, maxWrites)
	}
	if got.deferredSyncs != 1 || got.osSyncs != 0 {
		t.Errorf("syncs of the COMMIT: got %d deferred and %d to the OS, want 1 and 0", got.deferredSyncs, got.osSyncs)
	}
}

// The syncs SQLite needs for crash safety reach the disk: the WAL's before
// a checkpoint, and the header's when the WAL restarts. So do all syncs of
// a WAL no walSyncer covers.
func TestWALVFSSyncsWhatSQLiteNeeds(t *testing.T) {
	s, w := vfsTestStore(t)
	write(t, s, insertCase(1))

	before := w.counts()
	if _, err := s.w.ExecContext(t.Context(), "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	if got := w.counts().minus(before); got.osSyncs < 1 || got.deferredSyncs != 0 {
		t.Errorf("checkpoint: got %d syncs to the OS and %d deferred, want at least 1 and 0", got.osSyncs, got.deferredSyncs)
	}

	before = w.counts()
	write(t, s, insertCase(2)) // restarts the WAL: the new header is synced before frames follow it
	if got := w.counts().minus(before); got.osSyncs != 1 || got.deferredSyncs != 1 {
		t.Errorf("first commit after a restart: got %d syncs to the OS and %d deferred, want 1 (the header) and 1 (the COMMIT)", got.osSyncs, got.deferredSyncs)
	}
	before = w.counts()
	write(t, s, insertCase(3))
	if got := w.counts().minus(before); got.osSyncs != 0 || got.deferredSyncs != 1 {
		t.Errorf("next commit: got %d syncs to the OS and %d deferred, want 0 and 1", got.osSyncs, got.deferredSyncs)
	}

	undeferWALSync(s.group.wal.path)
	before = w.counts()
	write(t, s, insertCase(4))
	if got := w.counts().minus(before); got.osSyncs != 1 || got.deferredSyncs != 0 {
		t.Errorf("commit on a WAL no walSyncer covers: got %d syncs to the OS and %d deferred, want 1 and 0", got.osSyncs, got.deferredSyncs)
	}
}

// When a Write returns, its frames are in the WAL file, valid: a copy of
// the files taken then, opened without walVFS, recovers the case.
func TestWALVFSFramesInFileAtAck(t *testing.T) {
	s, _ := vfsTestStore(t)
	write(t, s, insertCases(1, 30))

	dir := t.TempDir()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(s.group.wal.path[:len(s.group.wal.path)-len("-wal")] + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "copy.db"+suffix), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open(sqliteDriver, "file:"+sqliteURIPath(filepath.Join(dir, "copy.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM cases").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 30 {
		t.Errorf("cases in a copy of the files: got %d, want 30", n)
	}
}

// A write the OS refuses fails the COMMIT that needed it: the group's
// Writes fail and leave nothing behind, and the store goes on writing.
func TestWALVFSWriteFailureFailsCommit(t *testing.T) {
	s, w := vfsTestStore(t)
	w.failWrites.Store(true)
	err := s.Write(t.Context(), insertCases(1, 50))
	w.failWrites.Store(false)
	if err == nil {
		t.Fatal("Write succeeded while the WAL could not be written")
	}
	write(t, s, insertCase(100))
	read(t, s, func(tx sird.Tx) error {
		if _, err := tx.GetCase(testAccount, testRegion, caseID(1), false); !errors.Is(err, sird.ErrNotExist) {
			t.Errorf("case of the failed Write: got %v, want not found", err)
		}
		if _, err := tx.GetCase(testAccount, testRegion, caseID(100), false); err != nil {
			t.Errorf("case of the next Write: %v", err)
		}
		return nil
	})
}
