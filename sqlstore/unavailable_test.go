package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/sird-project/sird"
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

// tcpProxy forwards 127.0.0.1:<port> to a target address. Down closes the
// listener and every connection (the database "goes away": connection
// refused, existing connections reset); Up listens on the same port again;
// Blackhole accepts connections and never answers (a hung network).
type tcpProxy struct {
	target, addr string

	mu        sync.Mutex
	ln        net.Listener
	conns     map[net.Conn]bool
	blackhole bool
}

func startProxy(tb testing.TB, target string) *tcpProxy {
	tb.Helper()
	p := &tcpProxy{target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p.addr, p.ln = ln.Addr().String(), ln
	go p.serve(ln)
	tb.Cleanup(p.Down)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.ln != ln {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.conns[c] = true
		hole := p.blackhole
		p.mu.Unlock()
		if !hole {
			go p.pipe(c)
		}
	}
}

func (p *tcpProxy) pipe(c net.Conn) {
	u, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.conns[c] {
		p.conns[u] = true
	} else { // closed by Down meanwhile
		u.Close()
	}
	p.mu.Unlock()
	go func() { io.Copy(u, c); u.Close() }()
	io.Copy(c, u)
	c.Close()
}

// Down stops listening and cuts every connection.
func (p *tcpProxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *tcpProxy) Up(tb testing.TB)        { p.listen(tb, false) }
func (p *tcpProxy) Blackhole(tb testing.TB) { p.listen(tb, true) }

func (p *tcpProxy) listen(tb testing.TB, hole bool) {
	tb.Helper()
	p.Down()
	var ln net.Listener
	var err error
	for range 50 { // the port was ours a moment ago
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("proxy: listen again on %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln, p.blackhole = ln, hole
	p.mu.Unlock()
	go p.serve(ln)
}

// createTestDatabase creates database sird_test_<random> on the server of
// SIRD_TEST_DATABASE_URL, dropped when tb ends, and returns its DSN. It skips
// when the variable is unset.
func createTestDatabase(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(envDatabaseURL)
	if base == "" {
		tb.Skipf("%s is not set", envDatabaseURL)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open %s: %v", envDatabaseURL, err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "sird_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		admin.Close()
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	dsn, err := withDatabase(base, name)
	if err != nil {
		tb.Fatal(err)
	}
	return dsn
}

// pgTarget returns the host:port dsn connects to.
func pgTarget(tb testing.TB, dsn string) string {
	tb.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	return net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
}

// dsnVia points dsn at another host:port.
func dsnVia(tb testing.TB, dsn, addr string) string {
	tb.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			tb.Fatal(err)
		}
		u.Host = addr
		return u.String()
	}
	host, port, _ := net.SplitHostPort(addr)
	return dsn + " host=" + host + " port=" + port
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
	dsn := createTestDatabase(t)
	direct, err := OpenPostgres(t.Context(), dsn, Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	direct.Close()

	p := startProxy(t, pgTarget(t, dsn))
	s, err := OpenPostgres(t.Context(), dsnVia(t, dsn, p.addr), Options{MaxConns: 4, StatementTimeout: 300 * time.Millisecond})
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
	dsn := createTestDatabase(t)
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
	dsn := createTestDatabase(t)
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
