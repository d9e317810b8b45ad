package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/sird-project/sird"
)

// errTxDone is returned by a Tx used after its fn returned.
var errTxDone = errors.New("sqlstore: transaction used outside its Write or Read function")

// tx implements sird.Tx on one database transaction. It is not safe for
// concurrent use, as a database transaction is not.
type tx struct {
	s        *Store
	tx       *sql.Tx
	ctx      context.Context
	readOnly bool
	done     atomic.Bool
	prepared []*sql.Stmt // the store's prepared statements for this side, or nil
	bound    []boundStmt // prepared statements bound to this transaction

	// SQLite group commit (group.go): the group the fn runs in, and the
	// cases it inserted, counted into case_counts if it succeeds. nil
	// otherwise: counts are updated at once.
	grp      *group
	newCases []countKey
}

// countKey names one case_counts row.
type countKey struct{ account, region string }

type boundStmt struct {
	id stmtID
	st *sql.Stmt
}

var _ sird.Tx = (*tx)(nil)

// stmt returns the prepared statement id bound to the transaction, or nil when
// the dialect runs plain text. A transaction uses a handful of statements, so
// a slice beats a map.
func (t *tx) stmt(id stmtID) *sql.Stmt {
	if t.prepared == nil {
		return nil
	}
	for _, b := range t.bound {
		if b.id == id {
			return b.st
		}
	}
	st := t.tx.StmtContext(t.ctx, t.prepared[id])
	t.bound = append(t.bound, boundStmt{id, st})
	return st
}

func (t *tx) check() error {
	if t.done.Load() {
		return errTxDone
	}
	return nil
}

func (t *tx) exec(id stmtID, args ...any) (sql.Result, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	var res sql.Result
	var err error
	if st := t.stmt(id); st != nil {
		res, err = st.ExecContext(t.ctx, args...)
	} else {
		res, err = t.tx.ExecContext(t.ctx, t.s.texts[id], args...)
	}
	if err != nil {
		return nil, t.wrap(id, err)
	}
	return res, nil
}

// execN runs id and returns the number of rows it changed.
func (t *tx) execN(id stmtID, args ...any) (int64, error) {
	res, err := t.exec(id, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.wrap(id, err)
	}
	return n, nil
}

// insert runs an INSERT ... ON CONFLICT DO NOTHING and reports a conflict as
// sird.ErrDuplicate. DO NOTHING, rather than catching the unique violation,
// leaves a PostgreSQL transaction usable after the duplicate.
func (t *tx) insert(id stmtID, args ...any) error {
	n, err := t.execN(id, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: %s: %w", firstLine(stmtDefs[id]), sird.ErrDuplicate)
	}
	return nil
}

// update runs an UPDATE and reports no row changed as sird.ErrNotExist.
func (t *tx) update(id stmtID, args ...any) error {
	n, err := t.execN(id, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: %s: %w", firstLine(stmtDefs[id]), sird.ErrNotExist)
	}
	return nil
}

func (t *tx) query(id stmtID, args ...any) (*sql.Rows, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	var rows *sql.Rows
	var err error
	if st := t.stmt(id); st != nil {
		rows, err = st.QueryContext(t.ctx, args...)
	} else {
		rows, err = t.tx.QueryContext(t.ctx, t.s.texts[id], args...)
	}
	if err != nil {
		return nil, t.wrap(id, err)
	}
	return rows, nil
}

// scanOne runs id, expecting at most one row, and scans it into dest; no row
// is sird.ErrNotExist.
func (t *tx) scanOne(id stmtID, args []any, dest ...any) error {
	if err := t.check(); err != nil {
		return err
	}
	var row *sql.Row
	if st := t.stmt(id); st != nil {
		row = st.QueryRowContext(t.ctx, args...)
	} else {
		row = t.tx.QueryRowContext(t.ctx, t.s.texts[id], args...)
	}
	err := row.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return sird.ErrNotExist
	}
	if err != nil {
		return t.wrap(id, err)
	}
	return nil
}

// lockID picks the FOR UPDATE variant of a read when the caller asked for a
// lock and the transaction can take one.
func (t *tx) lockID(plain, locking stmtID, lock bool) stmtID {
	if lock && !t.readOnly {
		return locking
	}
	return plain
}

func (t *tx) wrap(id stmtID, err error) error {
	return t.s.d.mapErr(fmt.Errorf("sqlstore: %s: %w", firstLine(stmtDefs[id]), err))
}

// firstLine shortens a statement for error messages.
func firstLine(q string) string {
	const max = 60
	for i := 0; i < len(q) && i < max; i++ {
		if q[i] == '\n' {
			return q[:i]
		}
	}
	if len(q) > max {
		return q[:max] + "..."
	}
	return q
}

// scanDocs collects the rows of a single doc column, decoding each with dec.
func scanDocs[T any](rows *sql.Rows, dec func([]byte) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	var b []byte
	for rows.Next() {
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		v, err := dec(b)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
