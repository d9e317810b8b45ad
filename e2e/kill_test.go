package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestKilledServerKeepsAcknowledgedCreates kills sird with SIGKILL while
// many clients create cases, then restarts it on the same data dir: every
// create that was answered 201 is there. The OS keeps what the process
// wrote, so this checks that a Write is acknowledged only after its WAL
// frames left the process (the group commit and sqlstore/walvfs.go), not
// power-loss durability.
func TestKilledServerKeepsAcknowledgedCreates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	creds := createKey(t, dir, "111111111111", "alice")
	c := newAPIClient(creds)
	s := startServer(t, "SIRD_DATA_DIR="+dir)
	c.ok(t, s.URL, "POST", "/v1/membership", map[string]any{"membershipName": "Killed", "incidentResponseTeam": apiTeam})

	// A kill lands between a COMMIT and its acknowledgement only now and
	// then, so the test kills several times.
	const rounds, workers, perRound = 5, 32, 200
	var acked []string
	for round := range rounds {
		if round > 0 {
			s = startServer(t, "SIRD_DATA_DIR="+dir)
		}
		acked = append(acked, createUntilKilled(t, c, s, round, workers, perRound)...)
	}

	s = startServer(t, "SIRD_DATA_DIR="+dir)
	missing := 0
	for _, id := range acked {
		res, err := c.call(s.URL, "GET", "/v1/cases/"+id+"/get-case", nil)
		if err != nil {
			t.Fatalf("get-case %s: %v", id, err)
		}
		if res.Status != 200 {
			missing++
			if missing <= 5 {
				t.Errorf("case %s was acknowledged before a kill; after the restart: %d %s", id, res.Status, res.Raw)
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged creates missing after SIGKILL and restart", missing, len(acked))
	}
	t.Logf("%d creates acknowledged before %d kills, %d present after the restart", len(acked), rounds, len(acked)-missing)
}

// createUntilKilled creates cases from many clients until at least n are
// acknowledged, kills s while creates are in flight, and returns the IDs of
// every create answered 201.
func createUntilKilled(t *testing.T, c *apiClient, s *server, round, workers, n int) []string {
	t.Helper()
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	stop := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				res, err := c.call(s.URL, "POST", "/v1/create-case", newCaseBody(fmt.Sprintf("kill-%d-%d-%d", round, w, i), "Killed mid-write"))
				if err != nil {
					return // the server is gone: this create was not acknowledged
				}
				if res.Status != 201 {
					t.Errorf("create-case: %d %s", res.Status, res.Raw)
					return
				}
				mu.Lock()
				acked = append(acked, res.Body["caseId"].(string))
				mu.Unlock()
			}
		})
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		mu.Lock()
		got := len(acked)
		mu.Unlock()
		if got >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d creates acknowledged in 30 s", got)
		}
	}
	s.cmd.Process.Kill() // while creates are in flight
	<-s.exited
	close(stop)
	wg.Wait()
	return acked
}
