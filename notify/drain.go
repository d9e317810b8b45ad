package notify

import (
	"context"
	"sync"
)

// Drain expands every new event and makes one attempt at every delivery
// due now, lanes in parallel, then returns the results. It is Run's work
// done synchronously, for tests with an injected clock and for one-shot
// commands; deliveries whose retry is due later are left for later.
func (w *Worker) Drain(ctx context.Context) ([]Result, error) {
	if err := w.expand(ctx); err != nil {
		return nil, err
	}
	var (
		mu       sync.Mutex
		results  []Result
		firstErr error
		wg       sync.WaitGroup
	)
	for _, l := range w.lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				ds, err := w.cfg.Queue.Claim(ctx, l.Lane, w.cfg.Now(), l.size, w.cfg.Lease)
				if err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, err)
					mu.Unlock()
					return
				}
				if len(ds) == 0 {
					return
				}
				var batch sync.WaitGroup
				for _, d := range ds {
					batch.Go(func() {
						r := w.attempt(ctx, l.sender, d)
						mu.Lock()
						results = append(results, r)
						mu.Unlock()
					})
				}
				batch.Wait()
			}
		}()
	}
	wg.Wait()
	return results, cmpOr(firstErr, ctx.Err())
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
