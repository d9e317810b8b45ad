package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sird-project/sird"
)

// Group commit (SQLite).
//
// A durable SQLite commit costs an fsync, a few milliseconds on most disks,
// and SQLite has one writer. Committing every Write on its own caps writes
// at one fsync each. Instead, Writes that arrive while another is running
// share its transaction: each fn runs inside its own SAVEPOINT of one
// BEGIN IMMEDIATE transaction, and the last Write of the group commits it
// once for all of them.
//
//   - fn runs on its caller's goroutine, one at a time (g.mu is the write
//     turn), so panics and runtime.Goexit unwind as they would without
//     grouping.
//   - A fn that returns an error (or panics) rolls back to its savepoint
//     and only its caller sees the error; the others go on.
//   - A Write whose fn succeeded returns only after the COMMIT that
//     includes it has returned: acknowledged means on disk
//     (synchronous=FULL).
//   - The group commits when no other Write is waiting for the turn, when it
//     holds maxGroup fns, or when it is older than maxGroupAge, so an
//     endless stream of writers cannot hold back the first ones.
//   - If SQLite abandons the whole transaction (an I/O error, a full disk;
//     detected when ROLLBACK TO or RELEASE fails), the fns that had already
//     succeeded in it run again in a new transaction: the Store.Write
//     contract allows fn to run more than once.
//   - A failed COMMIT fails every Write of the group: none of them is
//     applied.

const (
	maxGroup    = 256
	maxGroupAge = 20 * time.Millisecond
)

// groupCommit serializes Writes onto the single SQLite writer connection,
// several per transaction.
type groupCommit struct {
	s       *Store
	mu      sync.Mutex    // the write turn, held while one fn runs and while committing
	waiting atomic.Int32  // Writes blocked on mu: the open group leaves them room
	cur     *group        // the open transaction; nil between groups; guarded by mu
	ckpt    *checkpointer // nil: SQLite checkpoints within commits

	// Counters for WriteStats.
	commits, grouped, commitNanos, fnNanos, lost atomic.Int64
}

// WriteStats describes the SQLite group commit since the store opened.
type WriteStats struct {
	Commits    int64         `json:"commits"`     // transactions committed
	Writes     int64         `json:"writes"`      // successful Writes they held
	Lost       int64         `json:"lost"`        // transactions abandoned by SQLite, their Writes rerun
	CommitTime time.Duration `json:"commitNs"`    // wall time in COMMIT (the fsync), summed
	FnTime     time.Duration `json:"fnNs"`        // wall time running Write functions, summed
	AvgGroup   float64       `json:"avgGroup"`    // Writes per commit
	AvgCommit  time.Duration `json:"avgCommitNs"` // per COMMIT
}

// WriteStats reports the group commit's counters; zero on PostgreSQL.
func (s *Store) WriteStats() WriteStats {
	g := s.group
	if g == nil {
		return WriteStats{}
	}
	st := WriteStats{
		Commits: g.commits.Load(), Writes: g.grouped.Load(), Lost: g.lost.Load(),
		CommitTime: time.Duration(g.commitNanos.Load()), FnTime: time.Duration(g.fnNanos.Load()),
	}
	if st.Commits > 0 {
		st.AvgGroup = float64(st.Writes) / float64(st.Commits)
		st.AvgCommit = st.CommitTime / time.Duration(st.Commits)
	}
	return st
}

// group is one transaction shared by several Writes.
type group struct {
	tx      *sql.Tx
	sp      [3]*sql.Stmt // SAVEPOINT w, RELEASE w, ROLLBACK TO w: parsed once per group
	bound   []boundStmt  // statements bound to tx, shared by the fns in turn
	members int          // fns that succeeded and wait for the commit
	start   time.Time
	done    chan struct{} // closed once err is final
	err     error
}

// lostError says the group's transaction was abandoned through no fault of
// the fn that succeeded in it: Write runs that fn again.
type lostError struct{ cause error }

func (e *lostError) Error() string { return "sqlstore: group transaction lost: " + e.cause.Error() }
func (e *lostError) Unwrap() error { return e.cause }

// writeCtx runs the statements of grouped fns: the transaction outlives any
// single caller, and interrupting one caller's statement would make SQLite
// roll back everyone's work. A caller's cancellation is checked before its
// turn instead.
var writeCtx = context.Background()

func newGroupCommit(s *Store) *groupCommit { return &groupCommit{s: s} }

// The savepoint statements, by index in group.sp.
var savepointSQL = [3]string{"SAVEPOINT w", "RELEASE w", "ROLLBACK TO w"}

const (
	spSave = iota
	spRelease
	spRollback
)

// write is Store.Write for SQLite.
func (g *groupCommit) write(ctx context.Context, fn func(sird.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := g.writeOnce(ctx, fn)
		var lost *lostError
		if !errors.As(err, &lost) {
			return err
		}
		if attempt == maxAttempts {
			return lost.cause
		}
	}
}

func (g *groupCommit) writeOnce(ctx context.Context, fn func(sird.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ps, err := g.s.prepare(ctx)
	if err != nil {
		return err
	}
	g.waiting.Add(1)
	g.mu.Lock()
	g.waiting.Add(-1)
	joined, err := g.turn(ctx, ps, fn)
	if err != nil {
		return err
	}
	<-joined.done
	return joined.err
}

// turn runs fn in the open group (beginning one if needed) and, on
// success, returns the group whose commit fn's caller must wait for. It
// is called with g.mu held and releases it.
func (g *groupCommit) turn(ctx context.Context, ps *preparedSet, fn func(sird.Tx) error) (joined *group, err error) {
	defer g.mu.Unlock()
	defer g.settle() // runs on every way out, panics included
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := g.cur
	if b == nil {
		sqlTx, err := g.s.w.BeginTx(writeCtx, g.s.d.writeOpts)
		if err != nil {
			return nil, g.s.d.mapErr(fmt.Errorf("sqlstore: begin: %w", err))
		}
		b = &group{tx: sqlTx, start: time.Now(), done: make(chan struct{})}
		g.cur = b
		for i, q := range savepointSQL {
			st, err := sqlTx.PrepareContext(writeCtx, q)
			if err != nil {
				g.lose(b, err)
				return nil, &lostError{g.s.d.mapErr(fmt.Errorf("sqlstore: prepare %s: %w", q, err))}
			}
			b.sp[i] = st // closed with the transaction
		}
	}
	if _, err := b.sp[spSave].ExecContext(writeCtx); err != nil {
		g.lose(b, err)
		return nil, &lostError{g.s.d.mapErr(fmt.Errorf("sqlstore: savepoint: %w", err))}
	}
	t := &tx{s: g.s, tx: b.tx, ctx: writeCtx, prepared: ps.w, bound: b.bound}
	released := false
	t0 := time.Now()
	defer func() {
		g.fnNanos.Add(int64(time.Since(t0)))
		t.done.Store(true) // a Tx leaked out of fn fails from now on
		b.bound = t.bound
		if !released { // fn failed or panicked: undo its work only
			_, err := b.sp[spRollback].ExecContext(writeCtx)
			if err == nil {
				_, err = b.sp[spRelease].ExecContext(writeCtx)
			}
			if err != nil {
				g.lose(b, err)
			}
		}
	}()
	if err := fn(t); err != nil {
		return nil, err
	}
	t.done.Store(true)
	if _, err := b.sp[spRelease].ExecContext(writeCtx); err != nil {
		// SQLite already rolled the transaction back (fn went on after an
		// I/O error, say): nothing of this group is left to commit.
		released = true
		g.lose(b, err)
		return nil, &lostError{g.s.d.mapErr(fmt.Errorf("sqlstore: release savepoint: %w", err))}
	}
	released = true
	b.members++
	return b, nil
}

// settle ends the turn: it commits the open group unless another Write is
// about to join it (and the group is still small and young). Called with
// g.mu held.
func (g *groupCommit) settle() {
	b := g.cur
	if b == nil {
		return
	}
	if g.waiting.Load() > 0 && b.members < maxGroup && time.Since(b.start) < maxGroupAge {
		return // the next turn joins, and settles after it
	}
	g.cur = nil
	if b.members == 0 {
		_ = b.tx.Rollback() // every fn failed: nothing to write, nothing to sync
		close(b.done)
		return
	}
	t0 := time.Now()
	if err := b.tx.Commit(); err != nil {
		b.err = g.s.d.mapErr(fmt.Errorf("sqlstore: commit: %w", err))
	}
	g.commitNanos.Add(int64(time.Since(t0)))
	g.commits.Add(1)
	if g.ckpt != nil {
		g.ckpt.committed()
	}
	g.grouped.Add(int64(b.members))
	close(b.done)
}

// lose abandons the open group b after SQLite ended its transaction on its
// own: its members run their fns again.
func (g *groupCommit) lose(b *group, cause error) {
	if g.cur != b {
		return
	}
	g.cur = nil
	g.lost.Add(1)
	_ = b.tx.Rollback()
	b.err = &lostError{cause}
	close(b.done)
}
