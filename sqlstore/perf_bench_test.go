package sqlstore

import (
	"crypto/rand"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// Service-level write benchmarks: the real CreateCase (idempotency lookup,
// membership check, case insert and update, history entry, outbox event)
// on the SQLite store, with many concurrent callers and no HTTP, so the
// figure is the store's: durable creates per second.
//
//	go test -run '^$' -bench 'ServiceCreateCase' -benchtime 5s -count 3 ./sqlstore/
//
// group=off runs every Write in its own transaction and commit, as the
// store did before group commit.

var benchCaller = sird.Caller{AccountID: "123456789012", Region: "us-east-1", Principal: "arn:aws:iam::123456789012:user/bench", AccessKeyID: "AKIDBENCH"}

func benchService(tb testing.TB, s *Store) *sird.Service {
	tb.Helper()
	svc := sird.NewService(sird.Config{Store: s, MasterKey: make([]byte, 32), Rand: rand.Reader})
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
				s.group = nil
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
