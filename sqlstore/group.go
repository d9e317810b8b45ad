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
// and SQLite has one writer. Committing and syncing every Write on its own
// caps writes at one fsync each. Instead, Writes that arrive while another
// is running share its transaction: each fn runs inside its own SAVEPOINT
// of one BEGIN IMMEDIATE transaction, committed once for all of them
// (by the group's last Write, or by the syncer). The COMMIT does not fsync
// (walvfs.go leaves its sync to walsync.go): walsync.go fsyncs the WAL
// after the turn is released, so the next group's fns run during the fsync.
//
//   - fns run one at a time (g.mu is the write turn), back to back on the
//     store's runner goroutine (runner.go); panics and runtime.Goexit
//     still unwind the caller as they would without grouping.
//   - A fn that returns an error (or panics) rolls back to its savepoint
//     and only its caller sees the error; the others go on.
//   - A Write whose fn succeeded returns only after the COMMIT that
//     includes it has returned and an fsync of the WAL that started after
//     that COMMIT has succeeded: acknowledged means on disk. Nobody holds
//     the turn while waiting for the fsync.
//   - The group commits when no other Write is waiting for the turn and
//     no fsync is waiting or running (else the next turn, or the syncer
//     right before its next fsync, commits it), when it holds maxGroup
//     fns, or when it is older than maxGroupAge, so an endless stream of
//     writers cannot hold back the first ones.
//   - If SQLite abandons the whole transaction (an I/O error, a full disk;
//     detected when ROLLBACK TO or RELEASE fails), the fns that had already
//     succeeded in it run again in a new transaction: the Store.Write
//     contract allows fn to run more than once.
//   - A failed COMMIT fails every Write of the group: none of them is
//     applied. A failed fsync fails every Write it was to acknowledge (they
//     may or may not be on disk), and every Write after it (walsync.go).

const (
	maxGroup    = 256
	maxGroupAge = 20 * time.Millisecond
)

// groupCommit serializes Writes onto the single SQLite writer connection,
// several per transaction.
type groupCommit struct {
	s    *Store
	mu   sync.Mutex    // the write turn, held while one fn runs and while committing
	q    *writeQueue   // Writes waiting for the turn (runner.go): the open group leaves them room
	cur  *group        // the open transaction; nil between groups; guarded by mu
	ckpt *checkpointer // nil: SQLite checkpoints within commits
	wal  *walSyncer    // nil: the COMMIT must sync by itself (synchronous=FULL)

	// Counters for WriteStats.
	commits, grouped, commitNanos, fnNanos, lost atomic.Int64
}

// WriteStats describes the SQLite group commit since the store opened.
type WriteStats struct {
	Commits       int64         `json:"commits"`       // transactions committed
	Writes        int64         `json:"writes"`        // successful Writes they held
	Lost          int64         `json:"lost"`          // transactions abandoned by SQLite, their Writes rerun
	CommitTime    time.Duration `json:"commitNs"`      // wall time in COMMIT, summed (the fsync is apart: SyncTime)
	FnTime        time.Duration `json:"fnNs"`          // wall time running Write functions, summed
	AvgGroup      float64       `json:"avgGroup"`      // Writes per commit
	AvgCommit     time.Duration `json:"avgCommitNs"`   // per COMMIT
	Syncs         int64         `json:"syncs"`         // fsyncs of the WAL (walsync.go), failed ones included
	SyncTime      time.Duration `json:"syncNs"`        // wall time in those fsyncs, summed
	AvgSync       time.Duration `json:"avgSyncNs"`     // per fsync
	WritesPerSync float64       `json:"writesPerSync"` // Writes per fsync
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
	if g.wal != nil {
		st.Syncs, st.SyncTime = g.wal.syncs.Load(), time.Duration(g.wal.syncNanos.Load())
		if st.Syncs > 0 {
			st.AvgSync = st.SyncTime / time.Duration(st.Syncs)
			st.WritesPerSync = float64(st.Writes) / float64(st.Syncs)
		}
	}
	return st
}

// group is one transaction shared by several Writes.
type group struct {
	tx      *sql.Tx
	sp      [3]*sql.Stmt // SAVEPOINT w, RELEASE w, ROLLBACK TO w: parsed once per group
	bound   []boundStmt  // statements bound to tx, shared by the fns in turn
	waiters []*writeReq  // the Writes whose fns succeeded, acknowledged by the commit, its loss or its fsync
	start   time.Time

	// State the group's fns share, because the group's transaction is the
	// only writer while it is open (tx.go, cases.go, versions.go):
	caseCounts map[countKey]int64 // cases inserted by the fns that succeeded, added to case_counts at commit
	memVersion int64              // the memberships version read in this transaction...
	memKnown   bool               // ...valid until a membership change or a rolled-back fn
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

func newGroupCommit(s *Store) *groupCommit { return &groupCommit{s: s, q: newWriteQueue()} }

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
	if g.wal != nil {
		if err := g.wal.failure(); err != nil {
			return err // nothing more would be acknowledged: commit nothing more
		}
	}
	ps, err := g.s.prepare(ctx)
	if err != nil {
		return err
	}
	return g.run(ctx, ps, fn) // runner.go: waits for the fsync too, without the turn
}

// turn runs req's fn in the open group (beginning one if needed). On
// success req joins the group's waiters, whom its commit (and fsync)
// acknowledges, and turn returns nil; otherwise it returns fn's error. It
// is called with g.mu held and releases it.
func (g *groupCommit) turn(req *writeReq) error {
	defer g.mu.Unlock()
	defer g.settle() // runs on every way out, panics included
	ctx, ps, fn := req.ctx, req.ps, req.fn
	if err := ctx.Err(); err != nil {
		return err
	}
	b := g.cur
	if b == nil {
		sqlTx, err := g.s.w.BeginTx(writeCtx, g.s.d.writeOpts)
		if err != nil {
			return g.s.d.mapErr(fmt.Errorf("sqlstore: begin: %w", err))
		}
		b = &group{tx: sqlTx, start: time.Now()}
		g.cur = b
		for i, q := range savepointSQL {
			st, err := sqlTx.PrepareContext(writeCtx, q)
			if err != nil {
				g.lose(b, err)
				return &lostError{g.s.d.mapErr(fmt.Errorf("sqlstore: prepare %s: %w", q, err))}
			}
			b.sp[i] = st // closed with the transaction
		}
	}
	if _, err := b.sp[spSave].ExecContext(writeCtx); err != nil {
		g.lose(b, err)
		return &lostError{g.s.d.mapErr(fmt.Errorf("sqlstore: savepoint: %w", err))}
	}
	t := &tx{s: g.s, tx: b.tx, ctx: writeCtx, prepared: ps.w, bound: b.bound, grp: b}
	released := false
	t0 := time.Now()
	defer func() {
		g.fnNanos.Add(int64(time.Since(t0)))
		t.done.Store(true) // a Tx leaked out of fn fails from now on
		b.bound = t.bound
		if !released { // fn failed or panicked: undo its work only
			b.memKnown = false // it may have read a version its own rolled-back change set
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
		return err
	}
	t.done.Store(true)
	if _, err := b.sp[spRelease].ExecContext(writeCtx); err != nil {
		// SQLite already rolled the transaction back (fn went on after an
		// I/O error, say): nothing of this group is left to commit.
		released = true
		g.lose(b, err)
		return &lostError{g.s.d.mapErr(fmt.Errorf("sqlstore: release savepoint: %w", err))}
	}
	released = true
	b.waiters = append(b.waiters, req)
	for _, k := range t.newCases {
		if b.caseCounts == nil {
			b.caseCounts = map[countKey]int64{}
		}
		b.caseCounts[k]++
	}
	return nil
}

// settle ends the turn: it commits the open group unless another Write is
// about to join it or the syncer is busy (an fsync waits or runs), and the
// group is still small and young. Called with g.mu held.
//
// While the syncer is busy, committing at once gains nothing: the group
// would wait for the next fsync anyway. Left open, it takes in the Writes
// that arrive meanwhile, and the syncer commits it right before that fsync
// (commitOpen): fewer, larger commits, which on a CPU-bound server means
// less work per Write.
func (g *groupCommit) settle() {
	b := g.cur
	if b == nil {
		return
	}
	if len(b.waiters) < maxGroup && time.Since(b.start) < maxGroupAge &&
		(g.q.queued.Load() > 0 || g.wal != nil && g.wal.busy.Load()) {
		return // the next turn joins and settles, or the syncer commits
	}
	g.commit()
}

// commitOpen commits the open group, if any, for the syncer; wait: wait
// for the turn rather than give up if a Write holds it.
func (g *groupCommit) commitOpen(wait bool) {
	if wait {
		g.mu.Lock()
	} else if !g.mu.TryLock() {
		return
	}
	defer g.mu.Unlock()
	if g.cur != nil {
		g.commit()
	}
}

// quiesce runs fn holding the write turn, after committing the open group
// if any: no Write runs, and none is left uncommitted, until fn returns.
func (g *groupCommit) quiesce(fn func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cur != nil {
		g.commit()
	}
	fn()
}

// commit commits (or, if no fn succeeded, rolls back) the open group and
// answers its members. Called with g.mu held.
func (g *groupCommit) commit() {
	b := g.cur
	g.cur = nil
	if len(b.waiters) == 0 {
		_ = b.tx.Rollback() // every fn failed: nothing to write, nothing to sync
		return
	}
	t0 := time.Now()
	err := g.addCaseCounts(b)
	if err == nil {
		err = b.tx.Commit()
	} else {
		_ = b.tx.Rollback()
	}
	g.commitNanos.Add(int64(time.Since(t0)))
	switch {
	case err != nil:
		ackAll(b.waiters, g.s.d.mapErr(fmt.Errorf("sqlstore: commit: %w", err)))
	case g.wal != nil:
		// An fsync that starts after the COMMIT returned acknowledges them.
		g.wal.committed(b.waiters...)
	default:
		ackAll(b.waiters, nil)
	}
	g.commits.Add(1)
	if g.ckpt != nil {
		g.ckpt.committed()
	}
	g.grouped.Add(int64(len(b.waiters)))
}

// addCaseCounts adds the group's new cases to case_counts, one statement
// per account and region rather than one per case. Called with g.mu held.
func (g *groupCommit) addCaseCounts(b *group) error {
	for k, n := range b.caseCounts {
		if _, err := b.tx.ExecContext(writeCtx, g.s.texts[qCaseCountAdd], k.account, k.region, n); err != nil {
			return fmt.Errorf("sqlstore: case counts: %w", err)
		}
	}
	return nil
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
	ackAll(b.waiters, &lostError{cause}) // they run their fns again
}

func ackAll(reqs []*writeReq, err error) {
	for _, req := range reqs {
		req.ack(err)
	}
}
