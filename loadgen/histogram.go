package loadgen

import (
	"math"
	"math/bits"
	"time"
)

// histogram is an HDR-style log-linear latency histogram in nanoseconds:
// exact below 256ns, then 128 linear sub-buckets per power of two, so a
// bucket is at most 1/128 of its value wide and the reported midpoint is
// within 0.4% of any sample in it. Recording is an index computation and
// an increment; each worker owns its histograms and they are merged at the end.
type histogram struct {
	counts   []uint64
	n        uint64
	max, min int64
}

const (
	histSubBits  = 8
	histSub      = 1 << histSubBits // exact region and sub-bucket resolution
	histHalf     = histSub / 2
	histMaxShift = 36 - histSubBits // values above 2^36ns (~69s) share the last buckets
	histBuckets  = histSub + histMaxShift*histHalf
)

func newHistogram() *histogram {
	return &histogram{counts: make([]uint64, histBuckets), min: math.MaxInt64}
}

func bucketOf(v int64) int {
	if v < 0 {
		v = 0
	}
	u := uint64(v)
	l := bits.Len64(u)
	if l <= histSubBits {
		return int(u)
	}
	shift := l - histSubBits
	if shift > histMaxShift {
		return histBuckets - 1
	}
	// u>>shift lies in [histHalf, histSub): the top histSubBits bits.
	return histSub + (shift-1)*histHalf + int(u>>shift) - histHalf
}

// bucketMid is the value reported for samples in bucket i.
func bucketMid(i int) int64 {
	if i < histSub {
		return int64(i)
	}
	j := i - histSub
	shift := j/histHalf + 1
	lo := int64(j%histHalf+histHalf) << shift
	return lo + (int64(1)<<shift)/2
}

func (h *histogram) record(d time.Duration) {
	v := int64(d)
	h.counts[bucketOf(v)]++
	h.n++
	if v > h.max {
		h.max = v
	}
	if v < h.min {
		h.min = v
	}
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
	h.min = min(h.min, o.min)
}

// quantile returns the q-quantile (0<q<=1) by nearest rank, clamped to the
// exact min and max so p50<=p90<=p99<=max always holds.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(max(bucketMid(i), h.min), h.max))
		}
	}
	return time.Duration(h.max)
}

func (h *histogram) maxValue() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.max)
}
