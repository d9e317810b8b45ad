package sqlstore

import (
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// Service-level write benchmarks: the real CreateCase (idempotency claim,
// membership check, case insert with its first history entry, outbox event)
// on the SQLite store, with many concurrent callers and no HTTP, so the
// figure is the store's: durable creates per second.
//
//	go test -run '^$' -bench 'ServiceCreateCase' -benchtime 5s -count 3 ./sqlstore/
//
// group=off runs every Write in its own transaction and fsync'd COMMIT
// (synchronous=FULL), as the store did before group commit.

var benchCaller = sird.Caller{AccountID: "123456789012", Region: "us-east-1", Principal: "arn:aws:iam::123456789012:user/bench", AccessKeyID: "AKIDBENCH"}

func benchService(tb testing.TB, s *Store) *sird.Service {
	tb.Helper()
	svc := sird.NewService(sird.Config{Store: s, MasterKey: make([]byte, 32), Rand: crand.Reader})
	_, err := svc.CreateMembership(tb.Context(), benchCaller, &sird.CreateMembershipInput{
		MembershipName: "bench",
		IncidentResponseTeam: []sird.IncidentResponder{
			{Name: "One", JobTitle: "Lead", Email: "one@example.com"},
			{Name: "Two", JobTitle: "Analyst", Email: "two@example.com"},
		},
	})
	if err != nil {
		tb.Fatalf("CreateMembership: %v", err)
	}
	return svc
}

func benchCreateInput(token string) *sird.CreateCaseInput {
	start := sird.At(time.Now().Add(-time.Hour))
	return &sird.CreateCaseInput{
		ClientToken: token, ResolverType: sird.ResolverSelf, EngagementType: "Security Incident",
		Title: "Suspicious IAM access key usage (bench)",
		Description: "Suspicious IAM access key usage. First observed by automated detection in account " +
			"123456789012; 12 related findings were raised within the hour. Affected principals have been " +
			"tagged for review and the on-call responder has been paged.",
		ReportedIncidentStartDate: &start,
		ImpactedAccounts:          []string{"123456789012", "210987654321"},
		Watchers:                  []sird.Watcher{{Email: "analyst1@example.com", Name: "Analyst 1", JobTitle: "SOC Lead"}},
		ImpactedAwsRegions:        []sird.ImpactedRegion{{Region: "us-east-1"}},
	}
}

func BenchmarkServiceCreateCase(b *testing.B) {
	for _, group := range []bool{true, false} {
		b.Run(fmt.Sprintf("group=%v/callers=64", onOff(group)), func(b *testing.B) {
			s := freshSQLite(b)(b, Options{Migrate: true})
			if !group {
				// Without the group commit nothing fsyncs the WAL for the
				// COMMIT: the COMMIT must, as it did before.
				undeferWALSync(s.group.wal.path)
				s.group = nil
				if _, err := s.w.ExecContext(b.Context(), "PRAGMA synchronous = FULL"); err != nil {
					b.Fatal(err)
				}
			}
			svc := benchService(b, s)
			var n atomic.Int64
			b.SetParallelism(32) // 64 callers on 2 CPUs
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					tok := fmt.Sprintf("tok-%d", n.Add(1))
					if _, err := svc.CreateCase(b.Context(), benchCaller, benchCreateInput(tok)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
			if st := s.WriteStats(); st.Commits > 0 {
				b.ReportMetric(st.AvgGroup, "writes/commit")
				b.ReportMetric(float64(st.AvgCommit.Microseconds()), "µs/commit")
				b.ReportMetric(float64(st.FnTime.Nanoseconds())/float64(st.Writes)/1e3, "µs-fn/write")
			}
		})
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// BenchmarkListCasesPageAt measures one ListCases page of 25 (plus
// CountCases, as the API's ListCases runs them) at a random position among
// N cases of one account, for each N of SIRD_BENCH_LIST_CASES (default
// "1000,100000"). The target is a page at 1,000,000 within 2x of one at
// 1,000:
//
//	SIRD_BENCH_LIST_CASES=1000,1000000 go test -run '^$' -bench ListCasesPageAt -benchtime 3s -count 3 ./sqlstore/
//
// Filling 1,000,000 cases takes about half a minute (direct inserts, 2,000
// per transaction); PostgreSQL runs too when SIRD_TEST_DATABASE_URL is set.
func BenchmarkListCasesPageAt(b *testing.B) {
	sizes := []int{1000, 100_000}
	if v := os.Getenv("SIRD_BENCH_LIST_CASES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 26 {
				b.Fatalf("SIRD_BENCH_LIST_CASES: %q is not a case count above 25", f)
			}
			sizes = append(sizes, n)
		}
	}
	for _, be := range backends {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/cases=%d", be.name, n), func(b *testing.B) {
				s := be.fresh(b)(b, Options{Migrate: true})
				fillCases(b, s, n)
				cursors := pageCursors(b, s, 200)
				r := rand.New(rand.NewPCG(1, 2))
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					after := cursors[r.IntN(len(cursors))]
					err := s.Read(b.Context(), func(tx sird.Tx) error {
						items, _, err := tx.ListCases(benchAccount, benchRegion, sird.Page{After: after, Limit: 25})
						if err != nil {
							return err
						}
						if len(items) != 25 {
							return fmt.Errorf("page of %d cases, want 25", len(items))
						}
						_, err = tx.CountCases(benchAccount, benchRegion)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// pageCursors returns up to k cursors spread evenly over all the cases,
// the first page's ("") included, each with at least 25 cases after it.
func pageCursors(b *testing.B, s *Store, k int) []string {
	b.Helper()
	var total int64
	err := s.Read(b.Context(), func(tx sird.Tx) (err error) {
		total, err = tx.CountCases(benchAccount, benchRegion)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	// Walk with big pages (cheap) and keep the cursor every step cases.
	step := max(25, int(total)/k)
	cursors := []string{""}
	after := ""
	for seen := 0; ; {
		var next string
		err := s.Read(b.Context(), func(tx sird.Tx) (err error) {
			_, next, err = tx.ListCases(benchAccount, benchRegion, sird.Page{After: after, Limit: step})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		seen += step
		if next == "" || int(total)-seen < 25 {
			return cursors
		}
		cursors = append(cursors, next)
		after = next
	}
}
