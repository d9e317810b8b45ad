package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"
)

// OpStats is one op's share of the measured phase. Latencies cover
// successful requests only; durations are nanoseconds in JSON.
type OpStats struct {
	Op           string         `json:"op"`
	Count        int            `json:"count"`
	Errors       int            `json:"errors"`
	ReqPerSec    float64        `json:"reqPerSec"`
	P50          time.Duration  `json:"p50Ns"`
	P90          time.Duration  `json:"p90Ns"`
	P99          time.Duration  `json:"p99Ns"`
	Max          time.Duration  `json:"maxNs"`
	ErrorsByType map[string]int `json:"errorsByType,omitempty"`
}

// Report is the result of a run; Duration is the measured phase only.
type Report struct {
	Duration  time.Duration `json:"durationNs"`
	Total     int           `json:"total"`
	Errors    int           `json:"errors"`
	ReqPerSec float64       `json:"reqPerSec"`
	Ops       []OpStats     `json:"ops"`
}

// buildReport merges the workers' private counters, one row per op in the
// mix, in a fixed order so reports diff cleanly.
func buildReport(workers []*worker, weights []weightedOp, measured time.Duration) *Report {
	rep := &Report{Duration: max(measured, 0)}
	secs := rep.Duration.Seconds()
	rate := func(n int) float64 {
		if secs <= 0 {
			return 0
		}
		return float64(n) / secs
	}
	for _, wo := range weights {
		op := wo.op
		h := newHistogram()
		st := OpStats{Op: op.String()}
		for _, w := range workers {
			h.merge(w.hists[op])
			st.Count += w.counts[op]
			for typ, n := range w.errs[op] {
				if st.ErrorsByType == nil {
					st.ErrorsByType = make(map[string]int)
				}
				st.ErrorsByType[typ] += n
				st.Errors += n
			}
		}
		st.ReqPerSec = rate(st.Count)
		st.P50, st.P90, st.P99, st.Max = h.quantile(0.50), h.quantile(0.90), h.quantile(0.99), h.maxValue()
		rep.Total += st.Count
		rep.Errors += st.Errors
		rep.Ops = append(rep.Ops, st)
	}
	rep.ReqPerSec = rate(rep.Total)
	return rep
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes a human-readable summary table, then error breakdowns.
func (r *Report) WriteText(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "duration %s  total %d  errors %d  %.1f req/s\n\n",
		r.Duration.Round(time.Millisecond), r.Total, r.Errors, r.ReqPerSec); err != nil {
		return err
	}
	// Numbers align right; op names are pre-padded so they read left-aligned.
	width := len("op")
	for _, o := range r.Ops {
		width = max(width, len(o.Op))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\tcount\terrors\treq/s\tp50\tp90\tp99\tmax\t\n", width, "op")
	for _, o := range r.Ops {
		fmt.Fprintf(tw, "%-*s\t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\t\n", width,
			o.Op, o.Count, o.Errors, o.ReqPerSec, fmtLatency(o.P50), fmtLatency(o.P90), fmtLatency(o.P99), fmtLatency(o.Max))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Errors > 0 {
		fmt.Fprintln(w, "\nerrors by type:")
	}
	for _, o := range r.Ops {
		for _, typ := range slices.Sorted(maps.Keys(o.ErrorsByType)) {
			if _, err := fmt.Fprintf(w, "  %-*s  %s  %d\n", width, o.Op, typ, o.ErrorsByType[typ]); err != nil {
				return err
			}
		}
	}
	return nil
}

// fmtLatency prints milliseconds with fixed precision so columns align.
func fmtLatency(d time.Duration) string {
	return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond))
}
