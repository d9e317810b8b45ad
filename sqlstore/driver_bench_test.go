//go:build driverbench

// Driver comparison for docs/sqlite-driver.md. Both drivers are linked only
// under this tag, so the normal build stays cgo-free:
//
//	go test -tags driverbench -run '^$' -bench Driver -benchtime 2s ./sqlstore/

package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3" // registers "sqlite3" (cgo)
)

var benchDrivers = []struct{ name, driver string }{
	{"modernc", "sqlite"}, // modernc.org/sqlite, pure Go
	{"mattn", "sqlite3"},  // github.com/mattn/go-sqlite3, cgo
}

// benchDoc is a case document of a realistic size (about 1.2 KB).
var benchDoc = `{"title":"Unauthorized access to production account","caseArn":"arn:aws:security-ir:us-east-1:111111111111:case/1000000001",` +
	`"description":"` + strings.Repeat("Credentials were used from an unknown address. ", 15) + `",` +
	`"caseStatus":"Detection and Analysis","engagementType":"Security Incident","impactedAwsRegions":[{"region":"us-east-1"}],` +
	`"threatActorIpAddresses":[{"ipAddress":"203.0.113.9","userAgent":"curl/8"}],"pendingAction":"None",` +
	`"impactedAccounts":["111111111111"],"watchers":[{"email":"a@example.com","name":"A"}],"createdDate":1700000000.123456789,` +
	`"lastUpdatedDate":1700000000.123456789,"resolverType":"Self","impactedServices":["iam","s3"],"caseAttachments":[]}`

// openDriver opens the store's layout on one driver: a writer with the
// given synchronous mode and BEGIN IMMEDIATE, and query_only readers.
func openDriver(b *testing.B, driver, path, syncMode string, readers int) (w, r *sql.DB) {
	b.Helper()
	base := "file:" + path + "?_busy_timeout=5000&_foreign_keys=1"
	w, err := sql.Open(driver, base+"&_journal_mode=WAL&_synchronous="+syncMode+"&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	if err := w.Ping(); err != nil {
		b.Fatal(err)
	}
	r, err = sql.Open(driver, base+"&_query_only=1")
	if err != nil {
		b.Fatal(err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	b.Cleanup(func() { r.Close(); w.Close() })
	ms, err := loadMigrations("sqlite")
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range ms {
		if _, err := w.Exec(m.sql); err != nil {
			b.Fatal(err)
		}
	}
	// Confirm each connection got its settings.
	var mode, sync string
	if err := w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		b.Fatalf("journal_mode: %q, %v", mode, err)
	}
	if err := w.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil {
		b.Fatal(err)
	}
	if want := map[string]string{"FULL": "2", "NORMAL": "1"}[syncMode]; sync != want {
		b.Fatalf("synchronous: got %s, want %s", sync, want)
	}
	return w, r
}

const insertCaseSQL = `INSERT INTO cases (case_id, account_id, region, created_ns, doc) VALUES (?, ?, ?, ?, ?)`

// BenchmarkDriverInsert: one durable transaction per inserted row.
func BenchmarkDriverInsert(b *testing.B) {
	for _, d := range benchDrivers {
		for _, syncMode := range []string{"FULL", "NORMAL"} {
			b.Run(d.name+"/sync="+syncMode, func(b *testing.B) {
				w, _ := openDriver(b, d.driver, filepath.Join(b.TempDir(), "bench.db"), syncMode, 1)
				st, err := w.Prepare(insertCaseSQL)
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close()
				ctx := context.Background()
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					i++
					tx, err := w.BeginTx(ctx, nil)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := tx.StmtContext(ctx, st).Exec(fmt.Sprintf("%010d", i), "111111111111", "us-east-1", int64(i), benchDoc); err != nil {
						b.Fatal(err)
					}
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

const benchRows = 100_000

// fillDriver loads benchRows cases of one account and region.
func fillDriver(b *testing.B, w *sql.DB) {
	b.Helper()
	for start := 0; start < benchRows; start += 5000 {
		tx, err := w.Begin()
		if err != nil {
			b.Fatal(err)
		}
		st, err := tx.Prepare(insertCaseSQL)
		if err != nil {
			b.Fatal(err)
		}
		for i := start; i < start+5000; i++ {
			if _, err := st.Exec(fmt.Sprintf("%010d", i), "111111111111", "us-east-1", int64(i/2), benchDoc); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDriverRead: reads from 100k rows through the reader pool.
func BenchmarkDriverRead(b *testing.B) {
	for _, d := range benchDrivers {
		b.Run(d.name, func(b *testing.B) {
			w, r := openDriver(b, d.driver, filepath.Join(b.TempDir(), "bench.db"), "NORMAL", 8)
			fillDriver(b, w)
			get, err := r.Prepare(`SELECT doc FROM cases WHERE case_id = ?`)
			if err != nil {
				b.Fatal(err)
			}
			defer get.Close()
			page, err := r.Prepare(`SELECT case_id, created_ns, doc FROM cases WHERE account_id = ? AND region = ?
AND (created_ns, case_id) < (?, ?) ORDER BY created_ns DESC, case_id DESC LIMIT 25`)
			if err != nil {
				b.Fatal(err)
			}
			defer page.Close()

			b.Run("point", func(b *testing.B) {
				b.ReportAllocs()
				var doc []byte
				for b.Loop() {
					id := fmt.Sprintf("%010d", rand.IntN(benchRows))
					if err := get.QueryRow(id).Scan(&doc); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("page25", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					i := 25 + rand.IntN(benchRows-25)
					rows, err := page.Query("111111111111", "us-east-1", int64(i/2), fmt.Sprintf("%010d", i))
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					var id string
					var ns int64
					var doc []byte
					for rows.Next() {
						if err := rows.Scan(&id, &ns, &doc); err != nil {
							b.Fatal(err)
						}
						n++
					}
					rows.Close()
					if n != 25 {
						b.Fatalf("page of %d rows, want 25", n)
					}
				}
			})
			b.Run("point-parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					var doc []byte
					for pb.Next() {
						id := fmt.Sprintf("%010d", rand.IntN(benchRows))
						if err := get.QueryRow(id).Scan(&doc); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		})
	}
}
