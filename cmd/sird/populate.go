package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/sqlstore"
)

// populateBatch is how many cases one transaction inserts: large enough
// that commits are a small part of the time.
const populateBatch = 5000

// populate inserts n cases for account and region straight into the store
// (no API, no history entries or events): the fixture for measuring reads
// over a large store, e.g. `sird bench --populate 1000000 --data-dir D`.
// Cases are created one second apart, the newest now.
func populate(ctx context.Context, st *sqlstore.Store, n int, account, region string, progress *os.File) error {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x5eed))
	now := time.Now().UTC().Truncate(time.Millisecond)
	start := time.Now()
	done := 0
	live := progress != nil && isTerminal(progress)
	for done < n {
		size := min(populateBatch, n-done)
		err := st.Write(ctx, func(tx sird.Tx) error {
			for i := range size {
				for {
					c := populateCase(rng, account, region, now.Add(-time.Duration(done+i)*time.Second))
					err := tx.InsertCase(c)
					if errors.Is(err, sird.ErrDuplicate) {
						continue // a random ID already taken: draw another
					}
					if err != nil {
						return err
					}
					break
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += size
		if progress != nil && (live || done == n) {
			// Off a terminal the \r updates would pile up on one line:
			// only the final count is written there.
			el := time.Since(start)
			fmt.Fprintf(progress, "\rpopulate: %d/%d cases, %.0f cases/s   ", done, n, float64(done)/el.Seconds())
		}
	}
	if progress != nil {
		fmt.Fprintln(progress)
	}
	return nil
}

var populateThemes = []string{
	"Suspicious IAM access key usage", "Unauthorized EC2 instances launched",
	"S3 bucket policy opened to the public", "Possible credential compromise of CI role",
	"Cryptocurrency mining detected on EKS nodes", "Anomalous API calls from unfamiliar ASN",
}

// populateCase is a case as CreateCase stores it, of a realistic size.
func populateCase(rng *rand.Rand, account, region string, created time.Time) *sird.Case {
	id := fmt.Sprintf("%d%09d", 1+rng.IntN(9), rng.IntN(1e9))
	theme := populateThemes[rng.IntN(len(populateThemes))]
	at := sird.At(created)
	started := sird.At(created.Add(-time.Duration(1+rng.IntN(72)) * time.Hour))
	return &sird.Case{
		ID: id, AccountID: account, Region: region, ARN: sird.CaseARN(region, account, id),
		Title:                     theme + " (populated)",
		Description:               theme + ". First observed by automated detection; " + strings.Repeat("related findings were raised within the hour and are under review. ", 3),
		Status:                    sird.StatusSubmitted,
		EngagementType:            "Security Incident",
		ReportedIncidentStartDate: &started,
		ImpactedAwsRegions:        []sird.ImpactedRegion{{Region: region}},
		ThreatActorIPAddresses:    []sird.ThreatActorIP{},
		PendingAction:             sird.PendingNone,
		ImpactedAccounts:          []string{account},
		Watchers:                  []sird.Watcher{{Email: fmt.Sprintf("analyst%d@example.com", rng.IntN(500)), Name: "Analyst", JobTitle: "SOC Lead"}},
		CreatedDate:               at,
		LastUpdatedDate:           at,
		ResolverType:              sird.ResolverSelf,
		ImpactedServices:          []string{},
		CaseAttachments:           []sird.Attachment{},
		EditCount:                 1,
	}
}
