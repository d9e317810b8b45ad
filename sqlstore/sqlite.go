package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
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
// Every acknowledged Write is on disk: the writer's COMMITs go to the WAL
// without an fsync (walvfs.go), and a Write returns only after an fsync of
// the WAL that started after its COMMIT (walsync.go).
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

	// The writer's DB.Close (from Store.Close) stops the syncer: database/sql
	// closes a connector that is an io.Closer.
	wal := newWALSyncer("") // the path is known once the writer connects
	vfs, err := registerWALVFS()
	if err != nil {
		return nil, err
	}
	w, err := openSQLiteDB(base+"&vfs="+vfs+"&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate", writerPragmas, nil, wal.close)
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
	// The WAL is named after the file SQLite opened (path made absolute,
	// symbolic links followed), not after path.
	if err := w.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&wal.path); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	wal.path += "-wal"
	deferWALSync(wal.path)

	r, err := openSQLiteDB(base+"&_query_only=1", readerPragmas, wrapReader, nil)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	// Readers are CPU-bound (pages come from the page caches or the OS's),
	// so connections beyond twice the CPUs add no throughput, only a page
	// cache each (up to 2 MiB): MaxConns is capped there.
	n := opts.MaxConns
	if n <= 0 {
		n = max(4, runtime.GOMAXPROCS(0))
	}
	n = min(n, max(4, 2*runtime.GOMAXPROCS(0)))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxLifetime(0)

	ck, err := openSQLiteDB(base+"&_synchronous=FULL", nil, nil, nil) // connects at the first checkpoint
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	s := newStore(sqliteDialect, w, r)
	s.group = newGroupCommit(s)
	s.group.ckpt = newCheckpointer(ck, s.group.quiesce)
	s.group.wal = wal
	wal.commitOpen = s.group.commitOpen
	if opts.Migrate {
		if err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// PRAGMAs run on every new connection, after the DSN parameters. They are
// plain SQL, so they work with either driver.
var (
	// temp_store=MEMORY keeps the statement journal of the group commit's
	// savepoints (group.go) in memory rather than in a temporary file.
	// wal_autocheckpoint: background checkpoints (checkpoint.go) do the work.
	// checkpoint_fullfsync marks the WAL syncs a checkpoint needs, which
	// walVFS never defers (walvfs.go).
	writerPragmas = []string{"PRAGMA temp_store = MEMORY", fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", writerAutoCheckpoint), "PRAGMA checkpoint_fullfsync = 1"}
	// A reader's page cache holds what recent reads touched; beyond that
	// pages come from the OS's cache (a pread each). 512 KiB per reader
	// (the default is 2 MiB) keeps the process's memory from creeping up
	// for minutes as the caches fill, at a small cost to reads that roam
	// over a large store.
	readerPragmas = []string{"PRAGMA cache_size = -512"}
)

// openSQLiteDB is sql.Open with pragmas run on each new connection, which
// wrap (if not nil) then wraps; the DB's Close calls onClose (if not nil).
func openSQLiteDB(dsn string, pragmas []string, wrap func(driver.Conn) driver.Conn, onClose func() error) (*sql.DB, error) {
	db, err := sql.Open(sqliteDriver, dsn)
	if err != nil || len(pragmas) == 0 && wrap == nil && onClose == nil {
		return db, err
	}
	drv := db.Driver()
	db.Close()
	c := &pragmaConnector{drv: drv, dsn: dsn, pragmas: pragmas, wrap: wrap, onClose: onClose}
	if dc, ok := drv.(driver.DriverContext); ok {
		if c.inner, err = dc.OpenConnector(dsn); err != nil {
			return nil, err
		}
	}
	return sql.OpenDB(c), nil
}

// pragmaConnector opens connections of drv and runs pragmas on each.
type pragmaConnector struct {
	drv     driver.Driver
	inner   driver.Connector // nil: drv.Open(dsn)
	dsn     string
	pragmas []string
	wrap    func(driver.Conn) driver.Conn // nil: none
	onClose func() error                  // nil: none
}

func (c *pragmaConnector) Connect(ctx context.Context) (driver.Conn, error) {
	var conn driver.Conn
	var err error
	if c.inner != nil {
		conn, err = c.inner.Connect(ctx)
	} else {
		conn, err = c.drv.Open(c.dsn)
	}
	if err != nil {
		return nil, err
	}
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlstore: driver %s cannot run PRAGMAs", sqliteDriver)
	}
	for _, p := range c.pragmas {
		if _, err := ex.ExecContext(ctx, p, nil); err != nil {
			conn.Close()
			return nil, fmt.Errorf("sqlstore: %s: %w", p, err)
		}
	}
	if c.wrap != nil {
		conn = c.wrap(conn)
	}
	return conn, nil
}

func (c *pragmaConnector) Driver() driver.Driver { return c.drv }

// Close is called once by the sql.DB's Close.
func (c *pragmaConnector) Close() error {
	if c.onClose == nil {
		return nil
	}
	return c.onClose()
}

// sqliteURIPath escapes the characters a file: URI gives meaning to.
func sqliteURIPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}
