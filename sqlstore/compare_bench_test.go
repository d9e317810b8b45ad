package sqlstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// SQLite against PostgreSQL on the same operations, at the store and
// through the service (what one API call costs below HTTP and SigV4):
//
//	SIRD_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test -run '^$' -bench 'UpdateCase|ServiceOps' -benchtime 2s ./sqlstore/
//
// bench_test.go has InsertCase, GetCase and ListCasesPage at the store.

// compareCases is how many cases the read and update benchmarks pick from.
const compareCases = 10_000

// BenchmarkUpdateCase: a Write that locks a case, changes it and appends a
// history entry, as UpdateCase does; random cases among 10k, serially and
// from all Ps at once (the parallel run spreads over distinct cases, so it
// measures the write path, not one hot row).
func BenchmarkUpdateCase(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.fresh(b)(b, Options{Migrate: true})
			fillCases(b, s, compareCases)
			var edit atomic.Int64
			update := func(b *testing.B, r *rand.Rand) {
				id := fmt.Sprintf("%010d", 1000000000+r.IntN(compareCases))
				err := s.Write(b.Context(), func(tx sird.Tx) error {
					c, err := tx.GetCase(benchAccount, benchRegion, id, true)
					if err != nil {
						return err
					}
					c.EditCount++
					c.LastUpdatedDate = sird.At(time.Now())
					c.Watchers = append(c.Watchers[:1], sird.Watcher{Email: fmt.Sprintf("w%d@example.com", c.EditCount)})
					if err := tx.UpdateCase(c); err != nil {
						return err
					}
					// Seq well past anything fillCases made, unique per run.
					return tx.AddCaseEdit(id, &sird.CaseEdit{Seq: 1_000_000 + edit.Add(1), EventTimestamp: c.LastUpdatedDate,
						Principal: "arn:aws:iam::111111111111:user/bench", Action: "CaseUpdated", Message: "Case updated: watchers changed"})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.Run("serial", func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 2))
				b.ReportAllocs()
				for b.Loop() {
					update(b, r)
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					r := rand.New(rand.NewPCG(rand.Uint64(), 2))
					for pb.Next() {
						update(b, r)
					}
				})
			})
		})
	}
}

// BenchmarkServiceOps: the service's CreateCase, GetCase, ListCases (first
// page of 25 with its total), UpdateCase and CreateCaseComment on each
// store, with 10k cases in place and an active membership.
func BenchmarkServiceOps(b *testing.B) {
	caller := sird.Caller{AccountID: benchAccount, Region: benchRegion, Principal: "arn:aws:iam::111111111111:user/bench"}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.fresh(b)(b, Options{Migrate: true})
			svc := sird.NewService(sird.Config{Store: s, MasterKey: make([]byte, 32)})
			ctx := context.Background()
			_, err := svc.CreateMembership(ctx, caller, &sird.CreateMembershipInput{MembershipName: "Bench", IncidentResponseTeam: []sird.IncidentResponder{
				{Name: "A", JobTitle: "Lead", Email: "a@example.com"}, {Name: "B", JobTitle: "Analyst", Email: "b@example.com"}}})
			if err != nil {
				b.Fatal(err)
			}
			fillCases(b, s, compareCases)
			pick := func(r *rand.Rand) string { return fmt.Sprintf("%010d", 1000000000+r.IntN(compareCases)) }
			newCase := func() *sird.CreateCaseInput {
				return &sird.CreateCaseInput{ResolverType: sird.ResolverSelf, Title: "Unauthorized access to production account",
					Description: "Credentials were used from an unknown address.", EngagementType: "Security Incident",
					ImpactedAccounts: []string{benchAccount}, Watchers: []sird.Watcher{{Email: "a@example.com", Name: "A"}}}
			}
			ops := []struct {
				name string
				run  func(r *rand.Rand) error
			}{
				{"CreateCase", func(*rand.Rand) error { _, err := svc.CreateCase(ctx, caller, newCase()); return err }},
				{"GetCase", func(r *rand.Rand) error {
					_, err := svc.GetCase(ctx, caller, &sird.CaseIDInput{CaseID: pick(r)})
					return err
				}},
				{"ListCases", func(*rand.Rand) error { _, err := svc.ListCases(ctx, caller, &sird.ListInput{}); return err }},
				{"UpdateCase", func(r *rand.Rand) error {
					title := fmt.Sprint("Title ", r.Uint64())
					return svc.UpdateCase(ctx, caller, &sird.UpdateCaseInput{CaseID: pick(r), Title: &title})
				}},
				{"CreateCaseComment", func(r *rand.Rand) error {
					_, err := svc.CreateCaseComment(ctx, caller, &sird.CreateCaseCommentInput{CaseID: pick(r), Body: "Looked at the CloudTrail logs."})
					return err
				}},
			}
			for _, op := range ops {
				b.Run(op.name, func(b *testing.B) {
					r := rand.New(rand.NewPCG(1, 2))
					b.ReportAllocs()
					for b.Loop() {
						if err := op.run(r); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(op.name+"/parallel", func(b *testing.B) {
					b.ReportAllocs()
					b.RunParallel(func(pb *testing.PB) {
						r := rand.New(rand.NewPCG(rand.Uint64(), 2))
						for pb.Next() {
							if err := op.run(r); err != nil {
								b.Error(err)
								return
							}
						}
					})
				})
			}
		})
	}
}
