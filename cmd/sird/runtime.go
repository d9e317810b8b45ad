package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Garbage-collector settings of `sird serve` (docs/performance.md has the
// measurements).
//
// The collector runs when the Go runtime's memory (heap, stacks and the
// runtime's own) reaches a budget, not when the heap has grown by a share of
// the live data (GOGC, which is off). The live heap of a busy server is a few
// MiB, so a GOGC-paced heap swings with each cycle and its peak follows the
// load: RSS under a steady load wandered by over 10% in 10 minutes, and GOGC's
// default spent 8% of the CPU on marking. Paced by the budget, the runtime's
// memory stays at the budget and the collector runs less often.
//
// A fixed limit alone would be a trap: a live heap near it (a burst of
// connections, a large export) would leave the collector running back to back.
// So the limit follows the live heap, at liveHeapFactor times it, once that is
// above the budget.
//
// GOMEMLIMIT in the environment turns all of this off: the operator's limit
// stands, with GOGC=400 unless GOGC is set too. GOGC set alone keeps its
// meaning under the tuned limit.
const (
	goMemoryBudget  = 44 << 20
	liveHeapFactor  = 3
	fallbackGOGC    = 400
	memoryTuneEvery = time.Second
)

const liveHeapMetric = "/gc/heap/live:bytes"

// memoryLimitFor is the memory limit for a live heap of live bytes.
func memoryLimitFor(live uint64) int64 {
	return max(goMemoryBudget, liveHeapFactor*int64(min(live, 1<<60)))
}

// tuneRuntime applies the settings above until ctx ends.
func tuneRuntime(ctx context.Context) {
	if os.Getenv("GOMEMLIMIT") != "" {
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(fallbackGOGC)
		}
		return
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(-1)
	}
	t := memoryTuner{readLive: readLiveHeap, setLimit: debug.SetMemoryLimit}
	t.step()
	go t.run(ctx, memoryTuneEvery)
}

// memoryTuner keeps the memory limit at memoryLimitFor the live heap.
type memoryTuner struct {
	readLive func() uint64
	setLimit func(int64) int64
	limit    int64 // last set; 0 before the first step
}

func (t *memoryTuner) run(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			t.step()
		}
	}
}

func (t *memoryTuner) step() {
	if limit := memoryLimitFor(t.readLive()); limit != t.limit {
		t.setLimit(limit)
		t.limit = limit
	}
}

// readLiveHeap is the heap the last collection found reachable.
func readLiveHeap() uint64 {
	s := []metrics.Sample{{Name: liveHeapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
