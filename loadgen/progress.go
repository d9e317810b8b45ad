package loadgen

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// startProgress prints a one-line status every second, rewritten in place
// with \r, and ends the line when stopped so later output starts clean.
func startProgress(w io.Writer, workers []*worker, start, t0 time.Time) (stop func()) {
	if w == nil {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		var lastAll int64
		last := time.Now()
		for {
			select {
			case now := <-tick.C:
				var sent, failed, warm int64
				for _, wk := range workers {
					sent += wk.sent.Load()
					failed += wk.failed.Load()
					warm += wk.warm.Load()
				}
				label := "measuring"
				if now.Before(t0) {
					label = "warmup"
				}
				rate := float64(sent+warm-lastAll) / now.Sub(last).Seconds()
				fmt.Fprintf(w, "\r%4.0fs %-9s %10d req %9.0f req/s %7d errors   ",
					now.Sub(start).Seconds(), label, sent, rate, failed)
				lastAll, last = sent+warm, now
			case <-quit:
				fmt.Fprintln(w)
				return
			}
		}
	})
	return func() { close(quit); wg.Wait() }
}
