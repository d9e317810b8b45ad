package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
)

// Reader connections with prepared BEGIN and COMMIT (SQLite).
//
// Every Read is a transaction, for its consistent snapshot, and the driver
// parses "BEGIN" and "COMMIT" anew for each one: with a read of a single
// row that was a measurable part of the whole (a GetCase). readerConn
// prepares both once per connection and runs them as statements; every
// other call goes to the driver's connection unchanged.

type readerConn struct {
	c                       driver.Conn
	begin, commit, rollback driver.Stmt // nil until the first transaction
}

var (
	_ driver.Conn               = (*readerConn)(nil)
	_ driver.ConnBeginTx        = (*readerConn)(nil)
	_ driver.ConnPrepareContext = (*readerConn)(nil)
	_ driver.ExecerContext      = (*readerConn)(nil)
	_ driver.QueryerContext     = (*readerConn)(nil)
	_ driver.Pinger             = (*readerConn)(nil)
	_ driver.SessionResetter    = (*readerConn)(nil)
	_ driver.Validator          = (*readerConn)(nil)
)

// wrapReader wraps c if the driver offers what readerConn forwards to.
func wrapReader(c driver.Conn) driver.Conn {
	_, p := c.(driver.ConnPrepareContext)
	_, e := c.(driver.ExecerContext)
	_, q := c.(driver.QueryerContext)
	_, pi := c.(driver.Pinger)
	_, r := c.(driver.SessionResetter)
	_, v := c.(driver.Validator)
	if !(p && e && q && pi && r && v) {
		return c
	}
	return &readerConn{c: c}
}

func (rc *readerConn) Prepare(query string) (driver.Stmt, error) { return rc.c.Prepare(query) }

func (rc *readerConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return rc.c.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (rc *readerConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return rc.c.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (rc *readerConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return rc.c.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (rc *readerConn) Ping(ctx context.Context) error { return rc.c.(driver.Pinger).Ping(ctx) }

func (rc *readerConn) ResetSession(ctx context.Context) error {
	return rc.c.(driver.SessionResetter).ResetSession(ctx)
}

func (rc *readerConn) IsValid() bool { return rc.c.(driver.Validator).IsValid() }

func (rc *readerConn) Close() error {
	var err error
	for _, st := range []driver.Stmt{rc.begin, rc.commit, rc.rollback} {
		if st != nil {
			err = errors.Join(err, st.Close())
		}
	}
	return errors.Join(err, rc.c.Close())
}

func (rc *readerConn) Begin() (driver.Tx, error) {
	return rc.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx starts a deferred transaction, the only kind a Read needs.
func (rc *readerConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.Isolation != driver.IsolationLevel(0) {
		return rc.c.(driver.ConnBeginTx).BeginTx(ctx, opts)
	}
	if rc.begin == nil {
		if err := rc.prepareTx(ctx); err != nil {
			return nil, err
		}
	}
	if err := execStmt(ctx, rc.begin); err != nil {
		return nil, err
	}
	return readerTx{rc}, nil
}

func (rc *readerConn) prepareTx(ctx context.Context) error {
	p := rc.c.(driver.ConnPrepareContext)
	var sts [3]driver.Stmt
	for i, q := range []string{"BEGIN", "COMMIT", "ROLLBACK"} {
		st, err := p.PrepareContext(ctx, q)
		if err != nil {
			for _, s := range sts[:i] {
				s.Close()
			}
			return err
		}
		sts[i] = st
	}
	rc.begin, rc.commit, rc.rollback = sts[0], sts[1], sts[2]
	return nil
}

func execStmt(ctx context.Context, st driver.Stmt) error {
	if se, ok := st.(driver.StmtExecContext); ok {
		_, err := se.ExecContext(ctx, nil)
		return err
	}
	_, err := st.Exec(nil) //nolint:staticcheck // drivers without StmtExecContext
	return err
}

type readerTx struct{ rc *readerConn }

func (t readerTx) Commit() error {
	if err := execStmt(context.Background(), t.rc.commit); err != nil {
		_ = execStmt(context.Background(), t.rc.rollback)
		return err
	}
	return nil
}

func (t readerTx) Rollback() error { return execStmt(context.Background(), t.rc.rollback) }
