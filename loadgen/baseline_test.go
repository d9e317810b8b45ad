package loadgen

import (
	"context"
	"io"
	"net/http"
	"testing"
)

func TestBaselineHandlerServesManyRequests(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := ServeBaseline(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+addr+"/anything", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "{\"ok\":true}\n" || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("baseline answered %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}

	// A baseline-only mix must skip setup: the baseline 200s CreateMembership
	// where 201 is expected, so any setup attempt would fail the run.
	rep, err := Run(ctx, Config{
		Endpoint:  "http://" + addr,
		AccessKey: testAccessKey, SecretKey: testSecretKey,
		Workers:  16,
		Requests: 5000,
		Mix:      map[string]int{OpBaseline: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 5000 || rep.Errors != 0 {
		t.Fatalf("total %d errors %d %v", rep.Total, rep.Errors, rep.Ops[0].ErrorsByType)
	}
	checkOrdered(t, rep)
}

func TestBaselineURLAlongsideServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := ServeBaseline(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeIR()
	cfg := startFake(t, f)
	cfg.BaselineURL = "http://" + addr + "/ping"
	cfg.Requests = 1000
	cfg.Mix = map[string]int{OpBaseline: 1, OpGetCase: 1}
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.check(t)
	b := opStats(t, rep, OpBaseline)
	if b.Count == 0 || b.Errors != 0 || f.hitCount("baseline") != 0 {
		t.Errorf("baseline op: %+v, fake saw %d baseline hits", b, f.hitCount("baseline"))
	}
	if rep.Errors != 0 {
		t.Errorf("errors: %+v", rep.Ops)
	}
}
