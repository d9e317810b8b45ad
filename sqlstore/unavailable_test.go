package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/sird-project/sird"
	"github.com/sird-project/sird/internal/testsupport/pgtest"
)

func TestUnavailableClassifies(t *testing.T) {
	pg := func(code string) error {
		return fmt.Errorf("sqlstore: x: %w", &pgconn.PgError{Code: code, Message: "m"})
	}
	tests := []struct {
		name string
		err  error
		want string // "" = passes through unchanged, else the modeled message
	}{
		{"nil", nil, ""},
		{"plain", errors.New("boom"), ""},
		{"not found", sird.ErrNotExist, ""},
		{"service error", sird.NotFound("Case", "1"), ""},
		{"canceled", fmt.Errorf("q: %w", context.Canceled), ""},
		{"unique violation", pg(pgUniqueViolation), ""},
		{"serialization failure", pg(pgSerializationFailure), ""},
		{"syntax error", pg("42601"), ""},
		{"bad conn", fmt.Errorf("begin: %w", driver.ErrBadConn), msgUnavailable},
		{"conn closed", fmt.Errorf("q: %w", pgconn.ErrConnClosed), msgUnavailable},
		{"unexpected EOF", fmt.Errorf("q: %w", io.ErrUnexpectedEOF), msgUnavailable},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, msgUnavailable},
		{"reset", fmt.Errorf("q: %w", syscall.ECONNRESET), msgUnavailable},
		{"connection failure", pg("08006"), msgUnavailable},
		{"admin shutdown", pg(pgAdminShutdown), msgUnavailable},
		{"starting up", pg(pgCannotConnectNow), msgUnavailable},
		{"too many connections", pg(pgTooManyConnections), msgUnavailable},
		{"statement timeout", pg(pgQueryCanceled), msgBusy},
		{"lock timeout", pg(pgLockNotAvailable), msgBusy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := unavailable(tt.err)
			if tt.want == "" {
				if got != tt.err {
					t.Fatalf("unavailable(%v) = %v, want it unchanged", tt.err, got)
				}
				return
			}
			e, ok := sird.AsError(got)
			if !ok || e.Code != sird.ErrInternal || e.RetryAfter != 1 || e.Message != tt.want {
				t.Fatalf("unavailable(%v) = %#v, want InternalServerException %q with RetryAfter 1", tt.err, e, tt.want)
			}
			if !errors.Is(got, tt.err) || !IsUnavailable(got) {
				t.Errorf("the cause is lost: %v", got)
			}
			if again := unavailable(got); again != got {
				t.Errorf("mapping twice wraps twice: %v", again)
			}
			if again := pgMapErr(got); again != got {
				t.Errorf("pgMapErr of a mapped error: %v", again)
			}
		})
	}
}

// wantUnavailable checks err is the modeled retryable error and came fast.
func wantUnavailable(tb testing.TB, what string, err error, took, limit time.Duration) {
	tb.Helper()
	e, ok := sird.AsError(err)
	if !ok || e.Code != sird.ErrInternal || e.RetryAfter != 1 {
		tb.Errorf("%s: got %v, want InternalServerException with RetryAfter 1", what, err)
	}
	if took > limit {
		tb.Errorf("%s took %v, want under %v", what, took, limit)
	}
}

// TestPostgresOutage cuts the store off its database through a proxy: every
// call fails fast with the retryable modeled error, Ping fails, and the same
// store works again once the database is back, with no reopening.
func TestPostgresOutage(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	direct, err := OpenPostgres(t.Context(), dsn, Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	direct.Close()

	p := pgtest.NewProxy(t, dsn)
	s, err := OpenPostgres(t.Context(), p.DSN(), Options{MaxConns: 4, StatementTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()

	c := benchCase(1)
	insert := func() error { return s.Write(ctx, func(tx sird.Tx) error { return tx.InsertCase(c) }) }
	get := func() error {
		return s.Read(ctx, func(tx sird.Tx) error { _, err := tx.GetCase(c.AccountID, c.Region, c.ID, false); return err })
	}
	// Warm the pool so the outage finds open connections to break.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { get() })
	}
	wg.Wait()
	if err := insert(); err != nil {
		t.Fatal(err)
	}

	for round := range 2 {
		p.Down()
		for i := range 3 {
			start := time.Now()
			err := get()
			wantUnavailable(t, fmt.Sprintf("round %d: read %d while down", round, i), err, time.Since(start), 3*time.Second)
			start = time.Now()
			err = s.Write(ctx, func(tx sird.Tx) error { return tx.UpdateCase(c) })
			wantUnavailable(t, fmt.Sprintf("round %d: write %d while down", round, i), err, time.Since(start), 3*time.Second)
		}
		if err := s.Ping(ctx); err == nil {
			t.Errorf("round %d: Ping succeeds while the database is down", round)
		}

		// A hung network: connecting times out after the connect timeout.
		p.Blackhole(t)
		start := time.Now()
		err := get()
		wantUnavailable(t, fmt.Sprintf("round %d: read through a black hole", round), err, time.Since(start), defaultConnectTimeout+time.Second)

		p.Up(t)
		if err := get(); err != nil {
			t.Fatalf("round %d: first read after the database came back: %v", round, err)
		}
		if err := s.Write(ctx, func(tx sird.Tx) error { return tx.UpdateCase(c) }); err != nil {
			t.Fatalf("round %d: first write after the database came back: %v", round, err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Errorf("round %d: Ping after recovery: %v", round, err)
		}
	}
}

// TestPostgresStatementTimeout: a statement waiting on a row lock longer
// than Options.StatementTimeout fails with the retryable "busy" error.
func TestPostgresStatementTimeout(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	s, err := OpenPostgres(t.Context(), dsn, Options{Migrate: true, StatementTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	c := benchCase(1)
	if err := s.Write(ctx, func(tx sird.Tx) error { return tx.InsertCase(c) }); err != nil {
		t.Fatal(err)
	}
	locked, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Write(ctx, func(tx sird.Tx) error {
			if _, err := tx.GetCase(c.AccountID, c.Region, c.ID, true); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	start := time.Now()
	err = s.Write(ctx, func(tx sird.Tx) error { _, err := tx.GetCase(c.AccountID, c.Region, c.ID, true); return err })
	close(release)
	wantUnavailable(t, "locked read past the statement timeout", err, time.Since(start), 2*time.Second)
	if e, _ := sird.AsError(err); e != nil && e.Message != msgBusy {
		t.Errorf("message %q, want %q", e.Message, msgBusy)
	}
	if err := <-done; err != nil {
		t.Fatalf("the lock holder: %v", err)
	}
}

// TestPostgresConnectTimeoutDefault: without connect_timeout in the DSN the
// store bounds connecting; with one, the DSN wins.
func TestPostgresConnectTimeoutDefault(t *testing.T) {
	// A listener that never answers: connecting hangs until the timeout.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	}()
	for _, tt := range []struct {
		dsn  string
		want time.Duration
	}{
		{"postgres://u@" + ln.Addr().String() + "/db?sslmode=disable", defaultConnectTimeout},
		{"postgres://u@" + ln.Addr().String() + "/db?sslmode=disable&connect_timeout=1", time.Second},
	} {
		start := time.Now()
		_, err := OpenPostgres(t.Context(), tt.dsn, Options{})
		took := time.Since(start)
		if err == nil {
			t.Fatalf("%s: connected to a black hole", tt.dsn)
		}
		if took < tt.want-100*time.Millisecond || took > tt.want+time.Second {
			t.Errorf("%s: gave up after %v, want about %v (%v)", tt.dsn, took, tt.want, err)
		}
	}
}

// TestPostgresMigrateWaitsPastStatementTimeout: a node whose migration waits
// for another's advisory lock longer than the statement timeout still
// migrates once the lock is free.
func TestPostgresMigrateWaitsPastStatementTimeout(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	other, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	holder, err := other.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Exec("SELECT pg_advisory_xact_lock(8316303960738627585)"); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(600*time.Millisecond, func() { holder.Rollback() })
	start := time.Now()
	s, err := OpenPostgres(t.Context(), dsn, Options{Migrate: true, StatementTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("OpenPostgres with Migrate behind a held lock: %v", err)
	}
	defer s.Close()
	if took := time.Since(start); took < 500*time.Millisecond {
		t.Errorf("migrated after %v: the lock was not waited for", took)
	}
}
