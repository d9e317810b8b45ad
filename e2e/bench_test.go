package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// sird bench --compare-baseline first drives the trivial handler, which it
// serves from a child process of its own, then the server; it reports both,
// and leaves no child behind.
func TestBenchComparesWithBaselineProcess(t *testing.T) {
	s := startServer(t)
	cmd := exec.Command(sirdBin, "bench", "-endpoint", s.URL, "-c", "4", "-d", "1s", "-warmup", "200ms",
		"-mix", "create-case=1,get-case=1", "--compare-baseline", "--json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sird bench: %v\n%s", err, stderr.String())
	}
	type report struct {
		Total, Errors int
		ReqPerSec     float64
		Ops           []struct {
			Op     string
			Count  int
			Errors int
		}
	}
	var got struct {
		Baseline, Endpoint report
		Ratio              float64
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("bench output: %v\n%s", err, out)
	}
	if got.Baseline.Total == 0 || got.Baseline.Errors != 0 {
		t.Errorf("baseline: %d requests, %d errors; want some, none failed", got.Baseline.Total, got.Baseline.Errors)
	}
	ops := map[string]int{}
	for _, op := range got.Endpoint.Ops {
		if op.Errors != 0 {
			t.Errorf("endpoint %s: %d errors", op.Op, op.Errors)
		}
		ops[op.Op] = op.Count
	}
	if ops["create-case"] == 0 || ops["get-case"] == 0 {
		t.Errorf("endpoint ops: got %v, want create-case and get-case", ops)
	}
	if want := got.Endpoint.ReqPerSec / got.Baseline.ReqPerSec; got.Ratio <= 0 || got.Ratio != want {
		t.Errorf("ratio: got %v, want %v", got.Ratio, want)
	}
	if runtime.GOOS == "linux" {
		if pids := baselineProcesses(t); len(pids) > 0 {
			t.Errorf("baseline processes left running: %v", pids)
		}
	}
}

// baselineProcesses lists the processes of the binary under test that serve
// the baseline handler.
func baselineProcesses(t *testing.T) []string {
	t.Helper()
	cmdlines, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, f := range cmdlines {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the process ended
		}
		args := bytes.Split(b, []byte{0})
		if len(args) > 2 && string(args[0]) == sirdBin && bytes.Equal(args[1], []byte("bench")) && bytes.Equal(args[2], []byte("--serve-baseline")) {
			pids = append(pids, filepath.Base(filepath.Dir(f)))
		}
	}
	return pids
}
