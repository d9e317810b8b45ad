package main

import (
	"runtime"
	"runtime/metrics"
	"slices"
	"testing"
)

func TestMemoryTunerFollowsTheLiveHeap(t *testing.T) {
	const mib = 1 << 20
	var live uint64
	var set []int64
	tuner := memoryTuner{readLive: func() uint64 { return live }, setLimit: func(n int64) int64 { set = append(set, n); return 0 }}
	for _, tc := range []struct {
		live uint64
		want int64
	}{
		{0, goMemoryBudget},
		{4 * mib, goMemoryBudget},
		{goMemoryBudget / liveHeapFactor, goMemoryBudget},
		{100 * mib, liveHeapFactor * 100 * mib},
		{200 * mib, liveHeapFactor * 200 * mib},
		{3 * mib, goMemoryBudget},
		{1 << 63, liveHeapFactor << 60},
	} {
		live = tc.live
		tuner.step()
		if got := tuner.limit; got != tc.want {
			t.Errorf("live heap %d: limit %d, want %d", tc.live, got, tc.want)
		}
	}
	// The limit is set only when it changes.
	want := []int64{goMemoryBudget, liveHeapFactor * 100 * mib, liveHeapFactor * 200 * mib, goMemoryBudget, liveHeapFactor << 60}
	if !slices.Equal(set, want) {
		t.Errorf("limits set %v, want %v", set, want)
	}
}

func TestLiveHeapMetricExists(t *testing.T) {
	i := slices.IndexFunc(metrics.All(), func(d metrics.Description) bool { return d.Name == liveHeapMetric })
	if i < 0 {
		t.Fatalf("runtime/metrics has no %s", liveHeapMetric)
	}
	if got := metrics.All()[i].Kind; got != metrics.KindUint64 {
		t.Errorf("%s is of kind %v, want uint64", liveHeapMetric, got)
	}
	runtime.GC()
	if got := readLiveHeap(); got == 0 {
		t.Errorf("readLiveHeap() = 0 after a collection")
	}
}
