package sqlstore

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// envDatabaseURL names the PostgreSQL server the tests may create databases
// on, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const envDatabaseURL = "SIRD_TEST_DATABASE_URL"

// backend makes fresh, empty databases of one kind.
type backend struct {
	name string
	// fresh creates an empty database, dropped when tb ends, and returns a
	// function opening stores on it.
	fresh func(tb testing.TB) func(tb testing.TB, opts Options) *Store
}

var backends = []backend{
	{"sqlite", freshSQLite},
	{"postgres", freshPostgres},
}

func freshSQLite(tb testing.TB) func(testing.TB, Options) *Store {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "sird.db")
	return func(tb testing.TB, opts Options) *Store {
		tb.Helper()
		s, err := OpenSQLite(tb.Context(), path, opts)
		if err != nil {
			tb.Fatalf("OpenSQLite: %v", err)
		}
		tb.Cleanup(func() { s.Close() })
		return s
	}
}

// freshPostgres creates database sird_test_<random> on the server of
// SIRD_TEST_DATABASE_URL and drops it when tb ends. It skips only when the
// variable is unset: a server that is set but down fails the test.
func freshPostgres(tb testing.TB) func(testing.TB, Options) *Store {
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
	if _, err := admin.ExecContext(tb.Context(), "CREATE DATABASE "+name); err != nil {
		admin.Close()
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		// Stores close first (their cleanups were registered later); FORCE
		// ends any connection a failed test left behind.
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	dsn, err := withDatabase(base, name)
	if err != nil {
		tb.Fatal(err)
	}
	return func(tb testing.TB, opts Options) *Store {
		tb.Helper()
		s, err := OpenPostgres(tb.Context(), dsn, opts)
		if err != nil {
			tb.Fatalf("OpenPostgres: %v", err)
		}
		tb.Cleanup(func() { s.Close() })
		return s
	}
}

// withDatabase points a URL or key=value DSN at another database.
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	return dsn + " dbname=" + name, nil
}
