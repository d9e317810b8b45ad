package sqlstore

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// Store benchmarks, SQLite and PostgreSQL (the latter with
// SIRD_TEST_DATABASE_URL set):
//
//	SIRD_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test -run '^$' -bench . -benchtime 2s ./sqlstore/

const (
	benchAccount = "111111111111"
	benchRegion  = "us-east-1"
)

// benchCase is a case of a realistic size: about 1.3 KB of JSON.
func benchCase(i int) *sird.Case {
	created := sird.At(time.Unix(1700000000+int64(i/2), int64(i%2)).UTC())
	id := fmt.Sprintf("%010d", 1000000000+i)
	return &sird.Case{
		ID: id, AccountID: benchAccount, Region: benchRegion,
		Title:                  "Unauthorized access to production account",
		ARN:                    sird.CaseARN(benchRegion, benchAccount, id),
		Description:            strings.Repeat("Credentials were used from an unknown address. ", 15),
		Status:                 sird.StatusDetectionAnalysis,
		EngagementType:         "Security Incident",
		ImpactedAwsRegions:     []sird.ImpactedRegion{{Region: benchRegion}},
		ThreatActorIPAddresses: []sird.ThreatActorIP{{IPAddress: "203.0.113.9", UserAgent: "curl/8"}},
		PendingAction:          sird.PendingNone,
		ImpactedAccounts:       []string{benchAccount},
		Watchers:               []sird.Watcher{{Email: "a@example.com", Name: "A"}},
		CreatedDate:            created,
		LastUpdatedDate:        created,
		ResolverType:           sird.ResolverSelf,
		ImpactedServices:       []string{"iam", "s3"},
		CaseAttachments:        []sird.Attachment{},
		Tags:                   map[string]string{"env": "prod"},
	}
}

// fillCases inserts n cases in batches, as a restore would.
func fillCases(b *testing.B, s *Store, n int) {
	b.Helper()
	for start := 0; start < n; start += 2000 {
		err := s.Write(b.Context(), func(tx sird.Tx) error {
			for i := start; i < min(start+2000, n); i++ {
				if err := tx.InsertCase(benchCase(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("fill: %v", err)
		}
	}
}

// BenchmarkInsertCase: one durable Write per case (SQLite synchronous=FULL).
func BenchmarkInsertCase(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.fresh(b)(b, Options{Migrate: true})
			cases := make([]*sird.Case, 0, 1<<16)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				b.StopTimer()
				if i == len(cases) {
					cases = append(cases, benchCase(i))
				}
				c := cases[i]
				i++
				b.StartTimer()
				if err := s.Write(b.Context(), func(tx sird.Tx) error { return tx.InsertCase(c) }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

const benchCases = 100_000

// BenchmarkGetCase: a Read with one GetCase of a random case among 100k,
// serially and from all Ps at once.
func BenchmarkGetCase(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.fresh(b)(b, Options{Migrate: true})
			fillCases(b, s, benchCases)
			get := func(b *testing.B, r *rand.Rand) {
				id := fmt.Sprintf("%010d", 1000000000+r.IntN(benchCases))
				err := s.Read(b.Context(), func(tx sird.Tx) error {
					_, err := tx.GetCase(benchAccount, benchRegion, id, false)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.Run("serial", func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 2))
				b.ReportAllocs()
				for b.Loop() {
					get(b, r)
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					r := rand.New(rand.NewPCG(rand.Uint64(), 2))
					for pb.Next() {
						get(b, r)
					}
				})
			})
		})
	}
}

// BenchmarkListCasesPage: a Read with one ListCases page of 25 at a random
// position among 100k cases, plus CountCases, as the API's ListCases does.
func BenchmarkListCasesPage(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.fresh(b)(b, Options{Migrate: true})
			fillCases(b, s, benchCases)
			// Collect every page's cursor once, to start pages anywhere.
			var cursors []string
			err := s.Read(b.Context(), func(tx sird.Tx) error {
				after := ""
				for {
					_, next, err := tx.ListCases(benchAccount, benchRegion, sird.Page{After: after, Limit: 25})
					if err != nil || next == "" {
						return err
					}
					cursors = append(cursors, next)
					after = next
				}
			})
			if err != nil {
				b.Fatal(err)
			}
			r := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			for b.Loop() {
				after := cursors[r.IntN(len(cursors))]
				err := s.Read(b.Context(), func(tx sird.Tx) error {
					items, _, err := tx.ListCases(benchAccount, benchRegion, sird.Page{After: after, Limit: 25})
					if err != nil {
						return err
					}
					if len(items) == 0 {
						return fmt.Errorf("empty page")
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
