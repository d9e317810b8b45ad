package sqlstore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sird-project/sird/internal/testsupport/pgtest"
)

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
	return opener("OpenSQLite", OpenSQLite, filepath.Join(tb.TempDir(), "sird.db"))
}

// freshPostgres creates a database on the server of SIRD_TEST_DATABASE_URL
// (see pgtest.NewDatabase) and drops it when tb ends. It skips only when the
// variable is unset: a server that is set but down fails the test.
func freshPostgres(tb testing.TB) func(testing.TB, Options) *Store {
	tb.Helper()
	return opener("OpenPostgres", OpenPostgres, pgtest.NewDatabase(tb))
}

// opener returns a function opening stores on dsn with open, each closed
// when the tb it was opened for ends.
func opener(name string, open func(context.Context, string, Options) (*Store, error), dsn string) func(testing.TB, Options) *Store {
	return func(tb testing.TB, opts Options) *Store {
		tb.Helper()
		s, err := open(tb.Context(), dsn, opts)
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		tb.Cleanup(func() { s.Close() })
		return s
	}
}
