package sqlstore

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Syncing the WAL outside the write turn (SQLite).
//
// Under synchronous=FULL every COMMIT fsyncs the WAL while the committing
// Write holds the write turn (group.go), so no fn can run during the
// millisecond or two the fsync takes. Instead the writer's COMMIT writes
// its frames without syncing them, as under synchronous=NORMAL (walvfs.go
// turns the COMMIT's sync into a write of its frames; SQLite's other syncs,
// of the WAL header when the WAL restarts, of the WAL before a checkpoint
// copies it, and of the database file after, still happen), and walSyncer
// fsyncs the WAL file itself, from a goroutine of its own, after the turn
// is released:
//
//   - A Write is acknowledged only once an fsync that started after its
//     COMMIT returned has succeeded: it is on disk, as it was under FULL.
//   - Meanwhile the next group runs its fns. It stays open while an
//     fsync waits or runs, taking in the Writes that arrive, and is
//     committed right before the next fsync, which covers it (group.go:
//     settle, commitOpen).
//   - Crash recovery replays the WAL up to the first frame whose checksum
//     fails, and the checksums chain from frame to frame: the synced
//     prefix recovers whatever became of the unsynced frames after it.
//
// A failed fsync is final. Linux may drop the dirty pages it could not
// write and let the next fsync succeed, so frames that SQLite considers
// committed may be missing on disk, and recovery would stop there, losing
// every later frame too. From the first failed fsync on, no Write is
// acknowledged and new Writes are refused: the process is unhealthy and
// should be restarted (recovery then reads what the disk really holds).
// Failing to open the file is not final: nothing was dropped, and the
// next fsync still covers every frame.

// errWALSyncerClosed answers a COMMIT that returned after the store closed.
var errWALSyncerClosed = errors.New("sqlstore: store closed before the WAL was synced")

// walSyncer fsyncs the writer's WAL file for the group commit.
type walSyncer struct {
	path string // the WAL file, set before the first commit

	// commitOpen commits the group the write turn left open, if any
	// (groupCommit.commitOpen); wait: wait for the turn rather than give
	// up if a Write holds it. nil: no group commit (tests).
	commitOpen func(wait bool)

	kick    chan struct{}  // cap 1: a round is waiting for its fsync
	rescues sync.WaitGroup // commitOpen calls on goroutines of their own

	// busy: a round waits for its fsync or one is running. While it is
	// set, the write turn leaves its group open for the next fsync
	// (settle): written under mu, read without it.
	busy atomic.Bool

	mu         sync.Mutex
	syncFn     func(*os.File) error // (*os.File).Sync; tests replace it (setSyncFn)
	next       *syncRound           // the COMMITs since the last fsync started; nil if none
	failed     error                // the first failed fsync, for good
	exited     bool                 // the goroutine has answered its last round
	background                      // from the first commit on

	// Owned by the goroutine (by a test calling sync when none runs).
	f     *os.File
	opens int // files opened, for tests

	// Counters for WriteStats.
	syncs, syncNanos atomic.Int64
}

// syncRound is one fsync and the COMMITs it covers.
type syncRound struct {
	done    chan struct{} // closed once err is final
	err     error
	waiters []*writeReq // the Writes it acknowledges
}

func newWALSyncer(path string) *walSyncer {
	return &walSyncer{
		path: path, syncFn: (*os.File).Sync,
		kick: make(chan struct{}, 1), background: newBackground(),
	}
}

func finishedRound(err error) *syncRound {
	r := &syncRound{done: make(chan struct{}), err: err}
	close(r.done)
	return r
}

// committed registers a COMMIT that has returned and returns the round
// whose fsync acknowledges it: one that has not started yet. It never
// blocks.
func (w *walSyncer) committed(waiters ...*writeReq) *syncRound {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.failed != nil:
		ackAll(waiters, w.failed)
		return finishedRound(w.failed)
	case w.exited, w.closed && !w.started:
		ackAll(waiters, errWALSyncerClosed)
		return finishedRound(errWALSyncerClosed) // nobody left to fsync
	}
	w.startLocked(w.run) // no goroutine until the first commit
	if w.next == nil {
		w.next = &syncRound{done: make(chan struct{})}
		w.busy.Store(true)
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	w.next.waiters = append(w.next.waiters, waiters...) // under mu: before the syncer takes the round
	return w.next
}

// failure returns the failed fsync that stopped acknowledgements, if any.
func (w *walSyncer) failure() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.failed
}

// setSyncFn replaces the fsync, for tests.
func (w *walSyncer) setSyncFn(fn func(*os.File) error) {
	w.mu.Lock()
	w.syncFn = fn
	w.mu.Unlock()
}

func (w *walSyncer) run() {
	defer close(w.done)
	for {
		select {
		case <-w.kick:
			w.drain()
		case <-w.stop:
			// Answer what committed before Close. No Write starts once the
			// store is closed, but one may still commit before exited is set.
			for {
				w.drain()
				w.rescues.Wait()
				w.mu.Lock()
				if w.next == nil {
					w.exited = true
					w.mu.Unlock()
					return
				}
				w.mu.Unlock()
			}
		}
	}
}

// drain fsyncs and answers rounds, and commits the groups left open for
// them, until no COMMIT waits for an fsync.
func (w *walSyncer) drain() {
	for {
		if w.commitOpen != nil {
			w.commitOpen(false) // the turn is free: this fsync covers the open group too
		}
		w.mu.Lock()
		r, failed, syncFn := w.next, w.failed, w.syncFn
		w.next = nil // COMMITs from now on wait for the next fsync
		w.busy.Store(r != nil)
		w.mu.Unlock()
		if r == nil {
			// busy is clear from here on, so turns stop leaving their
			// group open for the syncer. A turn that saw it set may have
			// left one; that turn has ended by the time commitOpen holds
			// the turn, so the group is committed (adding a round), not
			// stranded. A goroutine of its own waits for the turn: the
			// syncer must stay free to fsync the next round meanwhile.
			if w.commitOpen != nil {
				w.rescues.Go(func() { w.commitOpen(true) })
			}
			return
		}
		if failed == nil {
			failed = w.sync(syncFn)
		}
		r.err = failed
		close(r.done)
		ackAll(r.waiters, failed)
	}
}

// sync makes every frame written to the WAL so far durable.
func (w *walSyncer) sync(syncFn func(*os.File) error) error {
	if err := w.open(); err != nil {
		return fmt.Errorf("sqlstore: sync WAL: %w", err)
	}
	t0 := time.Now()
	err := syncFn(w.f)
	w.syncNanos.Add(int64(time.Since(t0)))
	w.syncs.Add(1)
	if err != nil {
		err = fmt.Errorf("sqlstore: fsync %s failed; writes are refused until the process restarts: %w", w.path, err)
		w.mu.Lock()
		if w.failed == nil {
			w.failed = err
		}
		w.mu.Unlock()
	}
	return err
}

// open makes w.f the file now at w.path. SQLite deletes the WAL when its
// last connection closes and creates a new one at the next open: an fsync
// of the old inode would miss the new file's frames.
func (w *walSyncer) open() error {
	if w.f != nil {
		held, err1 := w.f.Stat()
		now, err2 := os.Stat(w.path)
		if err1 == nil && err2 == nil && os.SameFile(held, now) {
			return nil
		}
		w.f.Close()
		w.f = nil
	}
	// Read-only is enough for fsync on Linux. The file exists: SQLite
	// creates it before the first COMMIT, which came before this call.
	f, err := os.Open(w.path)
	if err != nil {
		return err
	}
	w.f = f
	w.opens++
	return nil
}

// close answers the waiting COMMITs (one last fsync), stops the goroutine
// and closes the file; it may be called more than once.
func (w *walSyncer) close() error {
	if !w.shutdown(&w.mu) {
		return nil
	}
	if w.path != "" {
		undeferWALSync(w.path) // from now on a COMMIT on this WAL syncs by itself
	}
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}
