package notify

import "time"

// Backoff returns how long to wait after the attempt-th failed attempt
// (1-based): base doubling per attempt, capped at limit, then shortened by
// jitter*r, where jitter is a fraction in [0,1] and r is uniform in [0,1).
// The jitter spreads the retries of deliveries that failed together (a
// receiver outage); it only shortens, so the cap holds.
func Backoff(attempt int, base, limit time.Duration, jitter, r float64) time.Duration {
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d - time.Duration(float64(d)*unit(jitter)*unit(r))
}

// unit clamps f into [0,1]; NaN counts as 0.
func unit(f float64) float64 {
	if !(f > 0) {
		return 0
	}
	return min(f, 1)
}
