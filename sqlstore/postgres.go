package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/sird-project/sird"
)

// PostgreSQL error codes (SQLSTATE).
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
)

var postgresDialect = &dialect{
	name:      "postgres",
	rewrite:   dollarParams,
	mapErr:    pgMapErr,
	retryable: pgRetryable,
	// READ COMMITTED plus FOR UPDATE on the rows a transaction will change:
	// no false serialization failures, and a locked read sees the latest commit.
	writeOpts: &sql.TxOptions{Isolation: sql.LevelReadCommitted},
	readOpts:  &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	// pgx already prepares and caches every statement per connection.
	prepare: false,
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`,
	// Held until the migration transaction ends, so nodes starting together
	// take turns; the key is arbitrary but fixed ("sird" in ASCII, then 1).
	// Neither the wait for the lock nor a migration is bounded by the
	// statement_timeout meant for requests.
	migrateLock: "SET LOCAL statement_timeout = 0; SELECT pg_advisory_xact_lock(8316303960738627585)",
}

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func pgMapErr(err error) error {
	switch pgCode(err) {
	case pgForeignKeyViolation:
		return fmt.Errorf("%w: %w", sird.ErrNotExist, err) // the parent row is missing
	case pgUniqueViolation:
		return fmt.Errorf("%w: %w", sird.ErrDuplicate, err)
	}
	// A lost connection, a restarting server or a statement timeout: the
	// modeled, retryable error (Write and Read map what arrives here too).
	return unavailable(err)
}

func pgRetryable(err error) bool {
	switch pgCode(err) {
	case pgSerializationFailure, pgDeadlockDetected:
		return true
	}
	return false
}

// defaultPostgresConns is the pool size when Options.MaxConns is 0.
const defaultPostgresConns = 10

// defaultConnectTimeout bounds one connection attempt (TCP, TLS, startup)
// unless the DSN or PGCONNECT_TIMEOUT sets connect_timeout: while the
// database is unreachable, requests fail within it rather than hang.
const defaultConnectTimeout = 2 * time.Second

// OpenPostgres connects to the PostgreSQL database named by dsn (a URL or
// key=value string as pgx accepts).
func OpenPostgres(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: postgres dsn: %w", err)
	}
	if cfg.ConnectTimeout == 0 && !strings.Contains(dsn, "connect_timeout") && os.Getenv("PGCONNECT_TIMEOUT") == "" {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	if opts.StatementTimeout > 0 {
		cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "sird"
	}
	db := stdlib.OpenDB(*cfg)
	n := opts.MaxConns
	if n <= 0 {
		n = defaultPostgresConns
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: connect to postgres: %w", err)
	}
	s := newStore(postgresDialect, db, db)
	if opts.Migrate {
		if err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}
