package sqlstore

import (
	"sync"
	"testing"
)

func appliedVersions(t *testing.T, s *Store) []int {
	t.Helper()
	rows, err := s.w.QueryContext(t.Context(), "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func wantAllApplied(t *testing.T, s *Store) {
	t.Helper()
	ms, err := loadMigrations(s.d.name)
	if err != nil {
		t.Fatal(err)
	}
	got := appliedVersions(t, s)
	if len(got) != len(ms) {
		t.Fatalf("schema_migrations: got versions %v, want %d migrations", got, len(ms))
	}
	for i, m := range ms {
		if got[i] != m.version {
			t.Errorf("schema_migrations[%d]: got version %d, want %d", i, got[i], m.version)
		}
	}
}

func TestMigrateTwice(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := b.fresh(t)(t, Options{})
			for i := range 2 {
				if err := s.Migrate(t.Context()); err != nil {
					t.Fatalf("Migrate #%d: %v", i+1, err)
				}
			}
			wantAllApplied(t, s)
		})
	}
}

// Nodes starting together on one fresh database all succeed, and each
// migration is applied once.
func TestMigrateConcurrent(t *testing.T) {
	const nodes = 4
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			open := b.fresh(t)
			stores := make([]*Store, nodes)
			for i := range stores {
				stores[i] = open(t, Options{MaxConns: 2})
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, nodes)
			for i, s := range stores {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = s.Migrate(t.Context())
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("node %d: Migrate: %v", i, err)
				}
			}
			wantAllApplied(t, stores[0])
		})
	}
}

func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite, err := loadMigrations(sqliteDialect.name)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations(postgresDialect.name)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("got %d SQLite and %d PostgreSQL migrations, want the same non-zero number", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].name != pg[i].name {
			t.Errorf("migration %d: got SQLite %s, PostgreSQL %s; want the same name", i, lite[i].name, pg[i].name)
		}
	}
}
