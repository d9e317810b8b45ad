package loadgen

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistogramQuantilesWithin1Percent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := newHistogram()
	var xs []int64
	for range 200000 {
		// Log-normal around 500µs with a long tail, like real latencies.
		v := int64(math.Exp(rng.NormFloat64()*1.2+math.Log(500e3))) + 1
		xs = append(xs, v)
		h.record(time.Duration(v))
	}
	slices.Sort(xs)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		exact := xs[int(math.Ceil(q*float64(len(xs))))-1]
		got := int64(h.quantile(q))
		if rel := math.Abs(float64(got-exact)) / float64(exact); rel > 0.01 {
			t.Errorf("q%.3f: got %d exact %d (%.2f%% off)", q, got, exact, rel*100)
		}
	}
	if h.maxValue() != time.Duration(xs[len(xs)-1]) {
		t.Errorf("max %v, want %v", h.maxValue(), xs[len(xs)-1])
	}
}

func TestHistogramBucketsAreMonotonic(t *testing.T) {
	prev := -1
	for v := int64(0); v < 1<<40; v = v*9/8 + 1 {
		b := bucketOf(v)
		if b < prev || b >= histBuckets {
			t.Fatalf("bucketOf(%d)=%d after %d", v, b, prev)
		}
		if v < 1<<36 {
			if mid := bucketMid(b); math.Abs(float64(mid-v)) > float64(v)/128+1 {
				t.Fatalf("bucketMid(%d)=%d for value %d", b, mid, v)
			}
		}
		prev = b
	}
}

func TestHistogramMergeAndEmpty(t *testing.T) {
	a, b := newHistogram(), newHistogram()
	if a.quantile(0.99) != 0 || a.maxValue() != 0 {
		t.Error("empty histogram should report zeros")
	}
	a.record(time.Millisecond)
	b.record(3 * time.Millisecond)
	a.merge(b)
	if a.n != 2 || a.maxValue() != 3*time.Millisecond || a.quantile(0.5) > 1010*time.Microsecond {
		t.Errorf("merge: n=%d max=%v p50=%v", a.n, a.maxValue(), a.quantile(0.5))
	}
}
