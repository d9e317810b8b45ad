package sqlstore

import (
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// TestMigrateFirstEdit: migration 0004 moves each case's first history
// entry from case_edits into the case's row, and the history reads the same
// before and after.
func TestMigrateFirstEdit(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := b.fresh(t)(t, Options{})
			ctx := t.Context()
			ms, err := loadMigrations(s.d.name)
			if err != nil {
				t.Fatal(err)
			}
			// The schema as it was before 0004, with history in case_edits only.
			if _, err := s.w.ExecContext(ctx, s.d.migrationsTable); err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.version >= 4 {
					break
				}
				if _, err := s.w.ExecContext(ctx, m.sql); err != nil {
					t.Fatalf("%s: %v", m.name, err)
				}
				if _, err := s.w.ExecContext(ctx, s.d.rewrite("INSERT INTO schema_migrations (version, name) VALUES (?, ?)"), m.version, m.name); err != nil {
					t.Fatal(err)
				}
			}
			edit := func(seq int64) *sird.CaseEdit {
				return &sird.CaseEdit{Seq: seq, EventTimestamp: sird.At(time.Unix(1700000000+seq, 5).UTC()), Principal: "p", Action: "a", Message: "entry number " + string(rune('0'+seq))}
			}
			insert := s.d.rewrite("INSERT INTO case_edits (case_id, seq, doc) VALUES (?, ?, ?)")
			for i, id := range []string{"1000000001", "1000000002", "1000000003"} {
				c := smallTestCase(i + 1)
				c.ID = id
				doc, err := encodeCase(c)
				if err != nil {
					t.Fatal(err)
				}
				// Raw SQL: the store prepares its statements for the newest schema.
				if _, err := s.w.ExecContext(ctx, s.d.rewrite("INSERT INTO cases (case_id, account_id, region, created_ns, doc) VALUES (?, ?, ?, ?, ?)"),
					c.ID, c.AccountID, c.Region, c.CreatedDate.UnixNano(), doc); err != nil {
					t.Fatal(err)
				}
				for seq := int64(1); seq <= int64(i); seq++ { // 0, 1 and 2 entries
					doc, err := encodeEditDoc(edit(seq))
					if err != nil {
						t.Fatal(err)
					}
					if _, err := s.w.ExecContext(ctx, insert, id, seq, doc); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			for i, id := range []string{"1000000001", "1000000002", "1000000003"} {
				var got []*sird.CaseEdit
				read(t, s, func(tx sird.Tx) (err error) { got, _, err = tx.ListCaseEdits(id, sird.Page{}); return err })
				if len(got) != i {
					t.Fatalf("case %s after the migration: got %d entries, want %d", id, len(got), i)
				}
				for k, e := range got {
					if want := edit(int64(k + 1)); *e != *want {
						t.Errorf("case %s entry %d: got %+v, want %+v", id, k+1, e, want)
					}
				}
			}
			var left int
			if err := s.w.QueryRowContext(ctx, "SELECT count(*) FROM case_edits WHERE seq = 1").Scan(&left); err != nil || left != 0 {
				t.Errorf("case_edits rows with seq 1 after the migration: got %d (%v), want 0", left, err)
			}
		})
	}
}
