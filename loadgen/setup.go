package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// setup prepares server state the mix depends on: an active membership
// for the caller and a pool of cases for the case-addressed ops.
func setup(ctx context.Context, s *settings, c *client, t *target) error {
	if !s.uses(opKind.needsMembership) && s.Prepopulate == 0 {
		return nil // baseline-only runs touch no security-ir state
	}
	id, err := ensureMembership(ctx, c, t)
	if err != nil {
		return err
	}
	// Ids go into URL paths verbatim from here on; CaseId allows any
	// suffix after its digits, so escape once rather than per request.
	t.membershipID = url.PathEscape(id)
	n := s.Prepopulate
	if s.uses(opKind.needsCase) {
		n += minCasePool
	}
	if n == 0 {
		return nil
	}
	ids, err := createCases(ctx, s, c, t, n)
	if err != nil {
		return err
	}
	for i, id := range ids {
		ids[i] = url.PathEscape(id)
	}
	t.caseIDs = ids
	return nil
}

// ensureMembership creates the caller's membership, or finds it when the
// server says one already exists (memberships are one per account).
func ensureMembership(ctx context.Context, c *client, t *target) (string, error) {
	signer := v4.NewSigner()
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	var body []byte
	errType := c.do(ctx, signer, call{http.MethodPost, t.base + "/v1/membership", t.bodies.membership.fresh(rng), http.StatusCreated}, &body)
	switch errType {
	case "":
		var out struct {
			MembershipID string `json:"membershipId"`
		}
		if err := json.Unmarshal(body, &out); err != nil || out.MembershipID == "" {
			return "", fmt.Errorf("loadgen: CreateMembership returned no membershipId: %s", snippet(body))
		}
		return out.MembershipID, nil
	case "ConflictException":
		return findMembership(ctx, c, signer, t)
	default:
		return "", fmt.Errorf("loadgen: CreateMembership failed: %s %s", errType, snippet(body))
	}
}

func findMembership(ctx context.Context, c *client, signer *v4.Signer, t *target) (string, error) {
	var first string
	req := map[string]any{}
	for {
		reqBody, _ := json.Marshal(req)
		var body []byte
		if errType := c.do(ctx, signer, call{http.MethodPost, t.base + "/v1/memberships", reqBody, http.StatusOK}, &body); errType != "" {
			return "", fmt.Errorf("loadgen: ListMemberships failed: %s %s", errType, snippet(body))
		}
		var out struct {
			NextToken string `json:"nextToken"`
			Items     []struct {
				MembershipID     string `json:"membershipId"`
				MembershipStatus string `json:"membershipStatus"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			return "", fmt.Errorf("loadgen: ListMemberships: %v", err)
		}
		for _, it := range out.Items {
			if it.MembershipStatus == "Active" {
				return it.MembershipID, nil
			}
			if first == "" {
				first = it.MembershipID
			}
		}
		if out.NextToken == "" {
			break
		}
		req["nextToken"] = out.NextToken
	}
	if first == "" {
		return "", fmt.Errorf("loadgen: CreateMembership reported a conflict but ListMemberships lists none")
	}
	return first, nil
}

// createCases creates n cases with up to Workers concurrent requests and
// returns their ids; the first failure aborts the rest.
func createCases(ctx context.Context, s *settings, c *client, t *target, n int) ([]string, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ids := make([]string, n)
	var next, done atomic.Int64
	stop := startSetupProgress(s.Progress, &done, n)
	defer stop()
	var wg sync.WaitGroup
	for range min(s.Workers, n) {
		wg.Go(func() {
			signer := v4.NewSigner()
			rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				id, err := createOneCase(ctx, c, signer, t, rng)
				if err != nil {
					cancel(err)
					return
				}
				ids[i] = id
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return ids, nil
}

func createOneCase(ctx context.Context, c *client, signer *v4.Signer, t *target, rng *rand.Rand) (string, error) {
	var body []byte
	if errType := c.do(ctx, signer, t.build(opCreateCase, rng), &body); errType != "" {
		return "", fmt.Errorf("loadgen: setup CreateCase failed: %s %s", errType, snippet(body))
	}
	var out struct {
		CaseID string `json:"caseId"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.CaseID == "" {
		return "", fmt.Errorf("loadgen: CreateCase returned no caseId: %s", snippet(body))
	}
	return out.CaseID, nil
}

// startSetupProgress prints "created k/n cases" every second while the
// pool is built, since a large Prepopulate can take a while.
func startSetupProgress(w io.Writer, done *atomic.Int64, n int) (stop func()) {
	if w == nil {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				fmt.Fprintf(w, "\rsetup: created %d/%d cases   ", done.Load(), n)
			case <-quit:
				fmt.Fprintf(w, "\rsetup: created %d/%d cases   \n", done.Load(), n)
				return
			}
		}
	})
	return func() { close(quit); wg.Wait() }
}

func snippet(b []byte) string {
	const limit = 200
	if len(b) > limit {
		return string(b[:limit]) + "..."
	}
	return string(b)
}
