package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/sird-project/sird"
)

// SQLite extended result codes (https://sqlite.org/rescode.html).
const (
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

var sqliteDialect = &dialect{
	name: "sqlite",
	// The writer already holds the database's only write lock (BEGIN
	// IMMEDIATE), so a locking read needs no clause.
	rewrite:   func(q string) string { return strings.TrimSuffix(q, forUpdate) },
	mapErr:    sqliteMapErr,
	retryable: func(error) bool { return false },
	prepare:   true,
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT`,
	// BEGIN IMMEDIATE on the writer already serializes migrations.
}

func sqliteMapErr(err error) error {
	code, ok := sqliteErrCode(err)
	switch {
	case !ok:
		return err
	case code == sqliteConstraintForeignKey:
		return fmt.Errorf("%w: %w", sird.ErrNotExist, err) // the parent row is missing
	case code == sqliteConstraintPrimaryKey || code == sqliteConstraintUnique:
		return fmt.Errorf("%w: %w", sird.ErrDuplicate, err)
	}
	return err
}

// defaultBusyTimeout is how long a writer waits for another process's lock.
const defaultBusyTimeout = 5 * time.Second

// OpenSQLite opens (creating if needed) the SQLite database file at path.
// Every acknowledged Write is on disk: WAL with synchronous=FULL.
func OpenSQLite(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		// Separate writer and reader connections need one shared file.
		return nil, fmt.Errorf("sqlstore: SQLite path must be a file name, got %q", path)
	}
	busy := opts.StatementTimeout
	if busy <= 0 {
		busy = defaultBusyTimeout
	}
	// These DSN parameters are applied on every new connection and are
	// understood by both modernc.org/sqlite and mattn/go-sqlite3.
	base := fmt.Sprintf("file:%s?_busy_timeout=%d&_foreign_keys=1", sqliteURIPath(path), busy.Milliseconds())

	w, err := sql.Open(sqliteDriver, base+"&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Connect the writer first: it switches the file to WAL, which readers rely on.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}

	r, err := sql.Open(sqliteDriver, base+"&_query_only=1")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	n := opts.MaxConns
	if n <= 0 {
		n = max(4, runtime.GOMAXPROCS(0))
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxLifetime(0)

	s := newStore(sqliteDialect, w, r)
	if opts.Migrate {
		if err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// sqliteURIPath escapes the characters a file: URI gives meaning to.
func sqliteURIPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}
