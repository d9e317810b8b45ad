package notify_test

import (
	"math"
	"testing"
	"time"

	"github.com/sird-project/sird/notify"
)

func TestBackoff(t *testing.T) {
	const s, m = time.Second, time.Minute
	tests := []struct {
		attempt   int
		jitter, r float64
		want      time.Duration
	}{
		{1, 0.2, 0, 10 * s},
		{2, 0.2, 0, 20 * s},
		{3, 0.2, 0, 40 * s},
		{8, 0.2, 0, 1280 * s},
		{9, 0.2, 0, 30 * m}, // 2560s capped
		{1000, 0.2, 0, 30 * m},
		{1, 0.2, 0.5, 9 * s},
		{9, 0.2, 0.999999, 30*m - time.Duration(float64(30*m)*0.2*0.999999)},
		{2, 0, 0.9, 20 * s},
		{2, 5, 2, 0}, // clamped to [0,1]: the whole wait jittered away
		{2, math.NaN(), 0.5, 20 * s},
		{0, 0.2, 0, 10 * s},
	}
	for _, tc := range tests {
		got := notify.Backoff(tc.attempt, 10*s, 30*m, tc.jitter, tc.r)
		if got != tc.want {
			t.Errorf("Backoff(%d, jitter %v, r %v) = %v, want %v", tc.attempt, tc.jitter, tc.r, got, tc.want)
		}
	}
}
