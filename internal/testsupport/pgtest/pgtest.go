// Package pgtest gives tests a PostgreSQL database of their own and a proxy
// that can cut them off it.
//
// Tests that need PostgreSQL run when SIRD_TEST_DATABASE_URL names a server
// they may create databases on, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable, and skip when it
// is unset. A server that is named but down fails them.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Env names the PostgreSQL server tests may create databases on.
const Env = "SIRD_TEST_DATABASE_URL"

// Available reports whether Env is set.
func Available() bool { return os.Getenv(Env) != "" }

// Require skips tb unless Env is set.
func Require(tb testing.TB) {
	tb.Helper()
	if !Available() {
		tb.Skipf("%s is not set", Env)
	}
}

// NewDatabase creates database sird_test_<random> on the server of Env and
// returns its DSN (a URL or key=value DSN, as Env is). The database is
// dropped when tb ends, after the cleanups registered later (stores opened
// on it, nodes serving it): FORCE ends any connection a failed test left
// behind. NewDatabase skips tb when Env is unset.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	Require(tb)
	base := os.Getenv(Env)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open %s: %v", Env, err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "sird_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	if !isURL(base) {
		return base + " dbname=" + name
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func isURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// hostPort returns the host:port dsn connects to.
func hostPort(tb testing.TB, dsn string) string {
	tb.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	return net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
}

// via returns dsn pointed at addr (host:port).
func via(tb testing.TB, dsn, addr string) string {
	tb.Helper()
	if isURL(dsn) {
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
