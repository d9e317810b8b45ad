package loadgen

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestBaselineCeiling measures the client's ceiling against the baseline
// handler. Opt-in, since it is a measurement rather than a check:
//
//	LOADGEN_CEILING=10s LOADGEN_WORKERS=64 go test -run Ceiling -v ./loadgen/
//
// LOADGEN_ENDPOINT aims it at an already running server instead of an
// in-process baseline (which shares the CPUs with the client).
func TestBaselineCeiling(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("LOADGEN_CEILING"))
	if err != nil {
		t.Skip("set LOADGEN_CEILING=<duration> to measure the client ceiling")
	}
	workers, _ := strconv.Atoi(os.Getenv("LOADGEN_WORKERS"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	endpoint := os.Getenv("LOADGEN_ENDPOINT")
	if endpoint == "" {
		addr, err := ServeBaseline(ctx, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		endpoint = "http://" + addr
	}
	rep, err := Run(ctx, Config{
		Endpoint:  endpoint,
		AccessKey: testAccessKey, SecretKey: testSecretKey,
		Workers:  workers,
		Duration: d,
		Warmup:   time.Second,
		Mix:      map[string]int{OpBaseline: 1},
		Progress: os.Stderr,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteText(os.Stdout); err != nil {
		t.Fatal(err)
	}
}

// TestServeBaselineFor serves the baseline for LOADGEN_SERVE_FOR on
// LOADGEN_SERVE_ADDR, so the ceiling can be taken across two processes.
func TestServeBaselineFor(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("LOADGEN_SERVE_FOR"))
	if err != nil {
		t.Skip("set LOADGEN_SERVE_FOR=<duration> and LOADGEN_SERVE_ADDR to serve the baseline")
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	addr, err := ServeBaseline(ctx, os.Getenv("LOADGEN_SERVE_ADDR"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("baseline on %s for %v", addr, d)
	<-ctx.Done()
}
