package sqlstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// The WAL fsync happens outside the write turn, after the COMMIT, and
// before the Write returns.

// heldSync is an fsync hook that holds every fsync until release.
type heldSync struct {
	entered chan struct{} // one value per fsync that started
	release func()        // lets every fsync, present and future, through
	gate    chan struct{}
}

// holdSyncs makes the store's fsyncs wait for release. Cleanup releases
// them before the store closes (cleanups run last-registered first).
func holdSyncs(t *testing.T, s *Store, onSync func()) *heldSync {
	t.Helper()
	h := &heldSync{entered: make(chan struct{}, 1000), gate: make(chan struct{})}
	h.release = sync.OnceFunc(func() { close(h.gate) })
	t.Cleanup(h.release)
	s.group.wal.setSyncFn(func(f *os.File) error {
		if onSync != nil {
			onSync()
		}
		h.entered <- struct{}{}
		<-h.gate
		return f.Sync()
	})
	return h
}

// waitFor fails t if ch yields nothing within a generous time.
func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// quiet fails t if any of chs yields something within a short time.
func quiet(t *testing.T, what string, chs ...<-chan error) {
	t.Helper()
	timeout := time.After(100 * time.Millisecond)
	for {
		for i, ch := range chs {
			select {
			case err := <-ch:
				t.Fatalf("%s: Write %d returned (%v)", what, i+1, err)
			default:
			}
		}
		select {
		case <-timeout:
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func insertCase(i int) func(sird.Tx) error {
	return func(tx sird.Tx) error { return tx.InsertCase(smallTestCase(i)) }
}

// eventually fails t unless cond holds within a generous time.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// openGroup reports whether a group holding successful fns is open.
func openGroup(s *Store) bool {
	s.group.mu.Lock()
	defer s.group.mu.Unlock()
	return s.group.cur != nil && len(s.group.cur.waiters) > 0
}

// A Write returns only after an fsync that started after its COMMIT, and
// while that fsync runs the turn is free: the next Writes' fns run, and
// their group, left open meanwhile, commits once it is too old, to be
// acknowledged by the next fsync, not the running one.
func TestWALSyncOverlapsNextGroup(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	var calls atomic.Int32
	var sawCommit atomic.Bool
	h := holdSyncs(t, s, func() {
		if calls.Add(1) == 1 { // the fsync for the first Write: its COMMIT is visible already
			err := s.Read(t.Context(), func(tx sird.Tx) error {
				_, err := tx.GetCase(testAccount, testRegion, caseID(1), false)
				return err
			})
			sawCommit.Store(err == nil)
		}
	})

	first := make(chan error, 1)
	go func() { first <- s.Write(t.Context(), insertCase(1)) }()
	waitFor(t, h.entered, "the first Write's fsync")

	ran := make(chan struct{})
	second := make(chan error, 1)
	go func() {
		second <- s.Write(t.Context(), func(tx sird.Tx) error {
			close(ran)
			return tx.InsertCase(smallTestCase(2))
		})
	}()
	waitFor(t, ran, "the second Write's fn while the first fsync is held")
	eventually(t, "the second Write's group, left open", func() bool { return openGroup(s) })

	time.Sleep(maxGroupAge + 5*time.Millisecond)
	commits := s.WriteStats().Commits
	third := make(chan error, 1)
	go func() { third <- s.Write(t.Context(), insertCase(3)) }()
	eventually(t, "the commit of the group once too old", func() bool { return s.WriteStats().Commits > commits })
	quiet(t, "an fsync is held", first, second, third)

	h.release()
	for i, ch := range []chan error{first, second, third} {
		if err := waitFor(t, ch, "a Write"); err != nil {
			t.Errorf("Write %d: %v", i+1, err)
		}
	}
	if !sawCommit.Load() {
		t.Error("the first fsync started before the first Write's COMMIT")
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("fsyncs: got %d, want 2 (the second group committed during the first fsync)", got)
	}
}

var errInjectedFsync = errors.New("injected fsync failure")

// A failed fsync fails the Writes it was to acknowledge and every Write
// after it, even once fsync works again: the process must restart. A new
// Store on the same file writes again.
func TestWALSyncFailure(t *testing.T) {
	for _, writers := range []int{1, 20} {
		t.Run(fmt.Sprintf("writers=%d", writers), func(t *testing.T) {
			open := opener("OpenSQLite", OpenSQLite, filepath.Join(t.TempDir(), "sird.db"))
			s := open(t, Options{Migrate: true})
			var failing atomic.Bool
			failing.Store(true)
			s.group.wal.setSyncFn(func(f *os.File) error {
				if failing.Load() {
					return errInjectedFsync
				}
				return f.Sync()
			})

			errs := make([]error, writers)
			startTogether(writers, func(i int) { errs[i] = s.Write(t.Context(), insertCase(i)) })
			for i, err := range errs {
				if !errors.Is(err, errInjectedFsync) {
					t.Errorf("Write %d during the failure: got %v, want the fsync error", i, err)
				}
			}

			failing.Store(false)
			ran := false
			err := s.Write(t.Context(), func(tx sird.Tx) error { ran = true; return nil })
			if !errors.Is(err, errInjectedFsync) || ran {
				t.Errorf("Write after the failure: got %v (fn ran: %v), want the fsync error without running fn", err, ran)
			}
			if err := s.Ping(t.Context()); !errors.Is(err, errInjectedFsync) {
				t.Errorf("Ping after the failure: got %v, want the fsync error (health answers 503)", err)
			}

			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			s = open(t, Options{})
			write(t, s, insertCase(writers))
			if st := s.WriteStats(); st.Syncs != 1 {
				t.Errorf("fsyncs after the restart: got %d, want 1", st.Syncs)
			}
		})
	}
}

// The syncer fsyncs the file now at its path: after SQLite deletes the WAL
// and creates it again, it opens the new one. A missing file fails that
// fsync only; the next one may succeed.
func TestWALSyncerReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sird.db-wal")
	w := newWALSyncer(path)
	t.Cleanup(func() { w.close() })
	var synced os.FileInfo
	w.setSyncFn(func(f *os.File) error {
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		synced = fi
		return f.Sync()
	})
	create := func(t *testing.T) {
		t.Helper()
		if err := os.WriteFile(path, []byte("frames"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	remove := func(t *testing.T) {
		t.Helper()
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name      string
		before    []func(*testing.T)
		wantErr   bool
		wantOpens int
	}{
		{"missing", nil, true, 0},
		{"created", []func(*testing.T){create}, false, 1},
		{"unchanged", nil, false, 1},
		{"rewritten in place", []func(*testing.T){create}, false, 1},
		{"replaced", []func(*testing.T){remove, create}, false, 2},
		{"deleted", []func(*testing.T){remove}, true, 2},
		{"created again", []func(*testing.T){create}, false, 3},
	}
	for _, st := range steps {
		for _, f := range st.before {
			f(t)
		}
		synced = nil
		err := w.sync(w.syncFn)
		if (err != nil) != st.wantErr {
			t.Fatalf("%s: sync: got %v, want error: %v", st.name, err, st.wantErr)
		}
		if w.opens != st.wantOpens {
			t.Errorf("%s: files opened: got %d, want %d", st.name, w.opens, st.wantOpens)
		}
		if err != nil {
			if synced != nil {
				t.Errorf("%s: fsynced a file that is no longer the WAL", st.name)
			}
			continue
		}
		cur, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if !os.SameFile(synced, cur) {
			t.Errorf("%s: fsynced an old inode, not the file at %s", st.name, path)
		}
	}
	if err := w.failure(); err != nil {
		t.Errorf("a missing file made the syncer fail for good: %v", err)
	}
}

// A group a turn left open while the syncer was busy is committed (and
// synced) once the syncer runs out of rounds, even if the turn was taken
// every time the syncer tried it without waiting.
func TestWALSyncerCommitsGroupLeftOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sird.db-wal")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWALSyncer(path)
	t.Cleanup(func() { w.close() })
	var mu sync.Mutex
	open := true // the group left open
	second := make(chan *syncRound, 1)
	w.commitOpen = func(wait bool) {
		mu.Lock()
		defer mu.Unlock()
		if wait && open { // without waiting, the turn is always taken
			open = false
			second <- w.committed()
		}
	}
	first := w.committed()
	waitFor(t, first.done, "the first round")
	r := waitFor(t, second, "the commit of the group left open")
	waitFor(t, r.done, "the fsync of the group left open")
	if first.err != nil || r.err != nil {
		t.Errorf("rounds: got %v and %v, want no errors", first.err, r.err)
	}
	if got := w.syncs.Load(); got != 2 {
		t.Errorf("fsyncs: got %d, want 2", got)
	}
}

// Close waits for the fsync that is running, commits and syncs the group
// left open during it, stops the goroutine, and may be called again.
func TestWALSyncClosePending(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	wal := s.group.wal
	h := holdSyncs(t, s, nil)

	first := make(chan error, 1)
	go func() { first <- s.Write(t.Context(), insertCase(1)) }()
	waitFor(t, h.entered, "the first Write's fsync")
	second := make(chan error, 1)
	go func() { second <- s.Write(t.Context(), insertCase(2)) }()
	eventually(t, "the second Write's group, left open during the fsync", func() bool { return openGroup(s) })

	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	quiet(t, "Close with an fsync held", closed, first, second)
	h.release()
	if err := waitFor(t, closed, "Close"); err != nil {
		t.Errorf("Close: %v", err)
	}
	for i, ch := range []chan error{first, second} {
		if err := waitFor(t, ch, "a Write"); err != nil {
			t.Errorf("Write %d: %v", i+1, err)
		}
	}
	waitFor(t, wal.done, "the syncer's goroutine")
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	r := wal.committed()
	waitFor(t, r.done, "the answer to a COMMIT after Close")
	if !errors.Is(r.err, errWALSyncerClosed) {
		t.Errorf("a COMMIT after Close: got %v, want errWALSyncerClosed", r.err)
	}
	if err := s.Write(t.Context(), insertCase(3)); err == nil {
		t.Error("Write after Close: got nil error")
	}
}

// The syncer fsyncs the WAL SQLite writes: next to the file SQLite opened,
// symbolic links followed.
func TestWALSyncerPath(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "data", "sird.db")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path string }{{"file", real}, {"symlink", link}} {
		t.Run(tc.name, func(t *testing.T) {
			s := opener("OpenSQLite", OpenSQLite, tc.path)(t, Options{Migrate: true})
			write(t, s, insertCase(len(tc.name)))
			want, err := filepath.EvalSymlinks(real)
			if err != nil {
				t.Fatal(err)
			}
			want += "-wal"
			if s.group.wal.path != want {
				t.Errorf("WAL path: got %s, want %s", s.group.wal.path, want)
			}
			if _, err := os.Stat(want); err != nil {
				t.Errorf("WAL file: %v", err)
			}
		})
	}
}
