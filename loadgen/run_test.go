package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func allOpsMix() map[string]int {
	m := map[string]int{}
	for _, n := range opNames {
		m[n] = 1
	}
	return m
}

func checkOrdered(t *testing.T, rep *Report) {
	t.Helper()
	for _, o := range rep.Ops {
		if o.Count-o.Errors > 0 && (o.P50 <= 0 || o.P50 > o.P90 || o.P90 > o.P99 || o.P99 > o.Max) {
			t.Errorf("%s percentiles out of order: p50=%v p90=%v p99=%v max=%v", o.Op, o.P50, o.P90, o.P99, o.Max)
		}
	}
}

func opStats(t *testing.T, rep *Report, op string) OpStats {
	t.Helper()
	for _, o := range rep.Ops {
		if o.Op == op {
			return o
		}
	}
	t.Fatalf("op %s missing from report", op)
	return OpStats{}
}

func TestRunFixedCountAllOps(t *testing.T) {
	f := newFakeIR()
	cfg := startFake(t, f)
	cfg.Requests = 3000
	cfg.Prepopulate = 30
	cfg.Mix = allOpsMix()
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.check(t)
	if rep.Total != cfg.Requests {
		t.Errorf("total %d, want %d", rep.Total, cfg.Requests)
	}
	if rep.Errors != 0 {
		t.Errorf("errors %d, want 0: %+v", rep.Errors, rep.Ops)
	}
	if len(rep.Ops) != int(numOps) {
		t.Fatalf("report has %d ops, want %d", len(rep.Ops), numOps)
	}
	sum := 0
	for _, o := range rep.Ops {
		sum += o.Count
		if o.Count == 0 {
			t.Errorf("op %s never sent", o.Op)
		}
		hits, count := f.hitCount(o.Op), o.Count
		if o.Op == OpListCases || o.Op == OpListCasesPaged { // one route
			hits = f.hitCount(OpListCases)
			count = opStats(t, rep, OpListCases).Count + opStats(t, rep, OpListCasesPaged).Count
		}
		if hits < count {
			t.Errorf("op %s: server saw %d, report says %d", o.Op, hits, count)
		}
	}
	if sum != rep.Total {
		t.Errorf("op counts sum to %d, total %d", sum, rep.Total)
	}
	// Setup made the pool (20) plus Prepopulate; the rest came from the mix.
	if got, want := f.hitCount("create-case"), minCasePool+cfg.Prepopulate+opStats(t, rep, OpCreateCase).Count; got != want {
		t.Errorf("server saw %d create-case, want %d", got, want)
	}
	if f.hitCount("create-membership") != 1 || f.hitCount("list-memberships") != opStats(t, rep, OpListMemberships).Count {
		t.Errorf("membership setup: create %d list %d", f.hitCount("create-membership"), f.hitCount("list-memberships"))
	}
	checkOrdered(t, rep)
	if rep.Duration <= 0 || rep.ReqPerSec <= 0 {
		t.Errorf("duration %v rate %v", rep.Duration, rep.ReqPerSec)
	}
}

func TestRunMembershipConflictFindsExisting(t *testing.T) {
	f := newFakeIR()
	f.conflict = true
	cfg := startFake(t, f)
	cfg.Requests = 200
	cfg.Mix = map[string]int{OpGetMembership: 1}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.check(t)
	// The fake 404s any id but the Active one, so zero errors proves it was found.
	if rep.Errors != 0 || rep.Total != 200 {
		t.Errorf("total %d errors %d: %+v", rep.Total, rep.Errors, rep.Ops)
	}
	if f.hitCount("list-memberships") != 1 {
		t.Errorf("list-memberships called %d times, want 1", f.hitCount("list-memberships"))
	}
	if f.hitCount("create-case") != 0 {
		t.Errorf("no case op in mix, yet %d cases were created", f.hitCount("create-case"))
	}
}

func TestRunCountsErrorsByType(t *testing.T) {
	f := newFakeIR()
	f.inject["get-case"] = injection{every: 4, status: 429, errType: "ThrottlingException"}
	f.inject["list-cases"] = injection{every: 5, status: 500, errType: "InternalServerException"}
	f.inject["list-memberships"] = injection{every: 6, errType: "hangup"}
	cfg := startFake(t, f)
	cfg.Requests = 2000
	cfg.Mix = map[string]int{OpGetCase: 3, OpListCases: 2, OpListMemberships: 1}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.check(t)
	f.mu.Lock()
	injected := map[string]int{}
	for k, v := range f.injected {
		injected[k] = v
	}
	f.mu.Unlock()

	want := map[string]string{
		OpGetCase:         "ThrottlingException",
		OpListCases:       "InternalServerException",
		OpListMemberships: "transport:eof",
	}
	total := 0
	for op, typ := range want {
		o := opStats(t, rep, op)
		if injected[op] == 0 {
			t.Fatalf("nothing injected for %s", op)
		}
		if o.Errors != injected[op] || o.ErrorsByType[typ] != injected[op] || len(o.ErrorsByType) != 1 {
			t.Errorf("%s: errors %d by type %v, server injected %d %s", op, o.Errors, o.ErrorsByType, injected[op], typ)
		}
		total += o.Errors
	}
	if rep.Errors != total {
		t.Errorf("report errors %d, sum of ops %d", rep.Errors, total)
	}
	checkOrdered(t, rep)
	var buf bytes.Buffer
	if err := rep.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"get-case", "p99", "ThrottlingException", "transport:eof"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("text report lacks %q:\n%s", s, buf.String())
		}
	}
}

func TestRunDurationWarmupProgress(t *testing.T) {
	f := newFakeIR()
	cfg := startFake(t, f)
	cfg.Duration = 1300 * time.Millisecond
	cfg.Warmup = 300 * time.Millisecond
	cfg.Workers = 4
	cfg.Mix = map[string]int{OpListCases: 1, OpGetCase: 1}
	var progress bytes.Buffer
	cfg.Progress = &progress
	start := time.Now()
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.check(t)
	elapsed := time.Since(start)
	if rep.Duration < cfg.Duration || rep.Duration > cfg.Duration+time.Second {
		t.Errorf("measured %v for a %v run", rep.Duration, cfg.Duration)
	}
	if elapsed < cfg.Duration+cfg.Warmup {
		t.Errorf("run took %v, shorter than warmup+duration", elapsed)
	}
	// Warmup requests reach the server but not the report.
	served := f.hitCount("list-cases") + f.hitCount("get-case")
	if rep.Total == 0 || served <= rep.Total {
		t.Errorf("report total %d, server saw %d: warmup not excluded?", rep.Total, served)
	}
	out := progress.String()
	if !strings.Contains(out, "\r") || !strings.Contains(out, "req/s") || !strings.HasSuffix(out, "\n") {
		t.Errorf("progress output %q", out)
	}
}

func TestRunCancelReturnsPartialReport(t *testing.T) {
	f := newFakeIR()
	cfg := startFake(t, f)
	cfg.Duration = time.Hour
	cfg.Mix = map[string]int{OpListCases: 1}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err == nil || rep == nil || rep.Total == 0 {
		t.Fatalf("want partial report and ctx error, got %v, %v", rep, err)
	}
	if rep.Errors != 0 {
		t.Errorf("cancellation counted as %d errors: %v", rep.Errors, rep.Ops[0].ErrorsByType)
	}
}

func TestReportJSONRoundTrip(t *testing.T) {
	f := newFakeIR()
	f.inject["get-case"] = injection{every: 3, status: 429, errType: "ThrottlingException"}
	cfg := startFake(t, f)
	cfg.Requests = 500
	cfg.Mix = map[string]int{OpGetCase: 2, OpCreateComment: 1}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*rep, back) {
		t.Errorf("round trip differs:\n%+v\n%+v", *rep, back)
	}
	if !strings.Contains(buf.String(), `"p99Ns"`) {
		t.Errorf("json lacks p99Ns: %s", buf.String())
	}
}

func TestConfigValidation(t *testing.T) {
	ok := Config{Endpoint: "http://127.0.0.1:1", AccessKey: "a", SecretKey: "b"}
	bad := map[string]Config{}
	c := ok
	c.Endpoint = "127.0.0.1:8080"
	bad["no scheme"] = c
	c = ok
	c.SecretKey = ""
	bad["no secret"] = c
	c = ok
	c.Mix = map[string]int{"delete-everything": 1}
	bad["unknown op"] = c
	c = ok
	c.Mix = map[string]int{OpGetCase: 0}
	bad["zero weights"] = c
	c = ok
	c.Requests = -1
	bad["negative"] = c
	for name, cfg := range bad {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%s: Run accepted %+v", name, cfg)
		}
	}
	s, err := ok.validate()
	if err != nil {
		t.Fatal(err)
	}
	if s.Workers != defaultWorkers || s.Duration != defaultDuration || s.Region != defaultRegion || len(s.weights) != len(DefaultMix()) {
		t.Errorf("defaults not applied: %+v", s)
	}
	if s.BaselineURL != "http://127.0.0.1:1/" {
		t.Errorf("baseline url %q", s.BaselineURL)
	}
}

func TestPickerFollowsWeights(t *testing.T) {
	s, err := Config{Endpoint: "http://x", AccessKey: "a", SecretKey: "b",
		Mix: map[string]int{OpGetCase: 3, OpListCases: 1}}.validate()
	if err != nil {
		t.Fatal(err)
	}
	p := newPicker(s.weights)
	w := newWorker(s.weights)
	var n [numOps]int
	for range 40000 {
		n[p.pick(w.rng)]++
	}
	if r := float64(n[opGetCase]) / float64(n[opListCases]); r < 2.8 || r > 3.2 {
		t.Errorf("get:list ratio %.2f, want ~3", r)
	}
}

// list-cases-paged follows nextToken and starts over after the last page;
// list-cases always asks for the first page.
func TestListCasesPaged(t *testing.T) {
	for _, tc := range []struct {
		op        string
		wantPaged bool
	}{{OpListCasesPaged, true}, {OpListCases, false}} {
		f := newFakeIR()
		cfg := startFake(t, f)
		cfg.Requests = 200
		cfg.Workers = 4
		cfg.Mix = map[string]int{tc.op: 1}
		rep, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		f.check(t)
		if rep.Errors != 0 {
			t.Errorf("%s: %d errors", tc.op, rep.Errors)
		}
		second := f.hitCount("list-cases:page2")
		if tc.wantPaged && (second < 80 || second > 120) {
			t.Errorf("%s: %d of ~200 requests asked for the second page, want about half", tc.op, second)
		}
		if !tc.wantPaged && second != 0 {
			t.Errorf("%s: %d requests asked for the second page, want none", tc.op, second)
		}
	}
}
