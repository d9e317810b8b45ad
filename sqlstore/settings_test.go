package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// pragma reads one PRAGMA on a connection of db.
func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestSQLiteSettings(t *testing.T) {
	s := freshSQLite(t)(t, Options{MaxConns: 3, StatementTimeout: 1500 * time.Millisecond})
	tests := []struct {
		db         *sql.DB
		side, name string
		want       string
	}{
		{s.w, "writer", "journal_mode", "wal"},
		// FULL, through walVFS: the COMMIT's sync writes its frames and
		// walsync.go fsyncs them before a Write is acknowledged; the syncs a
		// checkpoint needs come marked by checkpoint_fullfsync (walvfs.go).
		{s.w, "writer", "synchronous", "2"},
		{s.w, "writer", "checkpoint_fullfsync", "1"},
		{s.w, "writer", "foreign_keys", "1"},
		{s.w, "writer", "busy_timeout", "1500"},
		{s.w, "writer", "query_only", "0"},
		{s.r, "reader", "query_only", "1"},
		{s.r, "reader", "foreign_keys", "1"},
		{s.r, "reader", "busy_timeout", "1500"},
	}
	for _, tc := range tests {
		if got := pragma(t, tc.db, tc.name); got != tc.want {
			t.Errorf("%s PRAGMA %s: got %s, want %s", tc.side, tc.name, got, tc.want)
		}
	}
	if got := s.w.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer connections: got %d, want 1", got)
	}
	if got := s.r.Stats().MaxOpenConnections; got != 3 {
		t.Errorf("reader connections: got %d, want 3", got)
	}
}

func TestOpenSQLiteRejectsSharedMemory(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:?cache=shared"} {
		if s, err := OpenSQLite(t.Context(), path, Options{}); err == nil {
			s.Close()
			t.Errorf("OpenSQLite(%q): got nil error, want one", path)
		}
	}
}

func TestPostgresSettings(t *testing.T) {
	s := freshPostgres(t)(t, Options{MaxConns: 3, StatementTimeout: 1500 * time.Millisecond})
	var timeout string
	if err := s.w.QueryRowContext(t.Context(), "SHOW statement_timeout").Scan(&timeout); err != nil {
		t.Fatal(err)
	}
	if timeout != "1500ms" {
		t.Errorf("statement_timeout: got %s, want 1500ms", timeout)
	}
	if got := s.w.Stats().MaxOpenConnections; got != 3 {
		t.Errorf("pool size: got %d, want 3", got)
	}
}

// Two Writes locking the same rows in opposite orders deadlock; PostgreSQL
// aborts one (40P01) and Write runs its fn again, so both succeed.
func TestPostgresRetriesDeadlock(t *testing.T) {
	s := freshPostgres(t)(t, Options{Migrate: true})
	err := s.Write(t.Context(), func(tx sird.Tx) error {
		for _, id := range []string{"a", "b"} {
			c := &sird.Case{ID: id, AccountID: "111111111111", Region: "us-east-1"}
			if err := tx.InsertCase(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var (
		attempts atomic.Int32
		locked   sync.WaitGroup // both hold their first row
		wg       sync.WaitGroup
	)
	locked.Add(2)
	errs := make([]error, 2)
	for i, order := range [][2]string{{"a", "b"}, {"b", "a"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			errs[i] = s.Write(t.Context(), func(tx sird.Tx) error {
				attempts.Add(1)
				for j, id := range order {
					c, err := tx.GetCase("111111111111", "us-east-1", id, true)
					if err != nil {
						return err
					}
					if j == 0 && first {
						first = false
						locked.Done()
						locked.Wait()
					}
					c.EditCount++
					if err := tx.UpdateCase(c); err != nil {
						return err
					}
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if got := attempts.Load(); got < 3 {
		t.Errorf("fn ran %d times, want at least 3 (one retry after the deadlock)", got)
	}
	err = s.Read(t.Context(), func(tx sird.Tx) error {
		for _, id := range []string{"a", "b"} {
			c, err := tx.GetCase("111111111111", "us-east-1", id, false)
			if err != nil {
				return err
			}
			if c.EditCount != 2 {
				t.Errorf("case %s: EditCount %d, want 2", id, c.EditCount)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A Write whose context ends while it waits gives up with the context's error.
func TestWriteHonoursContext(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := b.fresh(t)(t, Options{Migrate: true})
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			err := s.Write(ctx, func(tx sird.Tx) error { return nil })
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Write with a canceled context: got %v, want context.Canceled", err)
			}
		})
	}
}
