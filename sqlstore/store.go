package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sird-project/sird"
)

// Options tune a Store. The zero value is usable.
type Options struct {
	// MaxConns caps the connection pool: PostgreSQL connections, or SQLite
	// reader connections (SQLite always has exactly one writer; its readers
	// are further capped at twice the CPUs, at least 4). 0 picks a default.
	MaxConns int
	// StatementTimeout bounds one statement: PostgreSQL's statement_timeout;
	// for SQLite the busy_timeout, the only wait SQLite has. 0 picks a
	// default (none on PostgreSQL, 5s busy_timeout on SQLite).
	StatementTimeout time.Duration
	// Migrate applies pending migrations when the store opens.
	Migrate bool
}

// Store is a sird.Store over SQLite or PostgreSQL.
type Store struct {
	d *dialect
	w *sql.DB // runs Write (SQLite: one connection)
	r *sql.DB // runs Read (PostgreSQL: the same pool as w)

	texts []string // statement texts rewritten for the dialect, by stmtID

	prepMu   sync.Mutex
	prepared atomic.Pointer[preparedSet] // nil until first use

	group *groupCommit // SQLite: Writes share transactions (group.go); nil on PostgreSQL
}

// preparedSet holds every statement prepared on the writer and on the
// readers, by stmtID. Both are nil when the dialect does not prepare (pgx
// caches prepared statements per connection by itself).
type preparedSet struct{ w, r []*sql.Stmt }

var _ sird.Store = (*Store)(nil)

// maxAttempts bounds how often Write runs fn when the database reports a
// serialization failure or deadlock.
const maxAttempts = 5

func newStore(d *dialect, w, r *sql.DB) *Store {
	s := &Store{d: d, w: w, r: r, texts: make([]string, len(stmtDefs))}
	for i, q := range stmtDefs {
		s.texts[i] = d.rewrite(q)
	}
	return s
}

// Write runs fn in a read-write transaction and commits it when fn returns
// nil. On PostgreSQL fn runs again, up to maxAttempts times, after a
// serialization failure or deadlock. On SQLite concurrent Writes share one
// transaction, each fn in its own savepoint, and one commit (group.go); fn
// runs again if that transaction is lost through no fault of its own. fn
// must not call Write itself: on SQLite the inner call would wait for the
// write turn, which the outer one holds.
func (s *Store) Write(ctx context.Context, fn func(sird.Tx) error) error {
	if s.group != nil {
		return unavailable(s.group.write(ctx, fn))
	}
	for attempt := 1; ; attempt++ {
		err := s.run(ctx, s.w, s.d.writeOpts, false, fn)
		if err == nil || attempt == maxAttempts || !s.d.retryable(err) {
			return unavailable(err) // unavailable.go: a lost database is a retryable modeled error
		}
		// Jittered backoff so the transactions that collided do not collide again.
		d := time.Duration(attempt) * time.Duration(1+rand.IntN(5)) * time.Millisecond
		select {
		case <-ctx.Done():
			return err
		case <-time.After(d):
		}
	}
}

// Read runs fn in a read-only transaction on a consistent snapshot.
func (s *Store) Read(ctx context.Context, fn func(sird.Tx) error) error {
	return unavailable(s.run(ctx, s.r, s.d.readOpts, true, fn))
}

func (s *Store) run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, readOnly bool, fn func(sird.Tx) error) error {
	ps, err := s.prepare(ctx)
	if err != nil {
		return err
	}
	stmts := ps.r
	if !readOnly {
		stmts = ps.w
	}
	txCtx := ctx
	if readOnly && s.d == sqliteDialect {
		// SQLite reads are short. A cancellable context would cost the
		// driver a goroutine per statement (and per BEGIN and COMMIT) to
		// watch it; a caller that went away is checked here instead.
		if err := ctx.Err(); err != nil {
			return err
		}
		txCtx = context.WithoutCancel(ctx)
	}
	sqlTx, err := db.BeginTx(txCtx, opts)
	if err != nil {
		return s.d.mapErr(fmt.Errorf("sqlstore: begin: %w", err))
	}
	stmtCtx := txCtx
	t := &tx{s: s, tx: sqlTx, ctx: stmtCtx, readOnly: readOnly, prepared: stmts}
	committed := false
	defer func() {
		t.done.Store(true) // a Tx leaked out of fn fails from now on
		if !committed {
			_ = sqlTx.Rollback() // fn's error (or panic) is what matters
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	t.done.Store(true)
	committed = true
	if err := sqlTx.Commit(); err != nil {
		return s.d.mapErr(fmt.Errorf("sqlstore: commit: %w", err))
	}
	return nil
}

// prepare prepares every statement once, outside any transaction: a Write
// holding SQLite's only writer connection could not prepare on the pool.
func (s *Store) prepare(ctx context.Context) (*preparedSet, error) {
	if ps := s.prepared.Load(); ps != nil {
		return ps, nil
	}
	s.prepMu.Lock()
	defer s.prepMu.Unlock()
	if ps := s.prepared.Load(); ps != nil {
		return ps, nil
	}
	ps := &preparedSet{}
	if s.d.prepare {
		var err error
		if ps.w, err = prepareAll(ctx, s.w, s.texts); err != nil {
			return nil, err
		}
		if ps.r, err = prepareAll(ctx, s.r, s.texts); err != nil {
			closeAll(ps.w)
			return nil, err
		}
	}
	s.prepared.Store(ps)
	return ps, nil
}

func prepareAll(ctx context.Context, db *sql.DB, texts []string) ([]*sql.Stmt, error) {
	out := make([]*sql.Stmt, len(texts))
	for i, q := range texts {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("sqlstore: prepare %q (is the schema migrated?): %w", q, err)
		}
		out[i] = st
	}
	return out, nil
}

func closeAll(stmts []*sql.Stmt) {
	for _, st := range stmts {
		if st != nil {
			st.Close()
		}
	}
}

// Ping reports whether the database answers and, on SQLite, whether writes
// can still be acknowledged (no fsync of the WAL has failed).
func (s *Store) Ping(ctx context.Context) error {
	if s.group != nil && s.group.wal != nil {
		if err := s.group.wal.failure(); err != nil {
			return err // writes are refused until a restart: unhealthy
		}
	}
	if err := s.w.PingContext(ctx); err != nil {
		return err
	}
	if s.r != s.w {
		return s.r.PingContext(ctx)
	}
	return nil
}

// Close closes the connections. Transactions still running fail.
func (s *Store) Close() error {
	if s.group != nil {
		s.group.closeRunner() // no fn runs once the statements close
	}
	s.prepMu.Lock()
	if ps := s.prepared.Swap(nil); ps != nil {
		closeAll(ps.w)
		closeAll(ps.r)
	}
	s.prepMu.Unlock()
	var err error
	if s.group != nil && s.group.ckpt != nil {
		err = s.group.ckpt.close()
	}
	err = errors.Join(err, s.w.Close())
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}
