package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// maxErrorText bounds LastError: enough to diagnose, not a response dump.
const maxErrorText = 1000

// recordTimeout bounds writing an outcome, independent of the Run context so
// shutdown still records attempts that finished.
const recordTimeout = 10 * time.Second

// attempt makes one attempt and records its outcome. The attempt runs on a
// context detached from ctx's cancellation so shutdown does not turn a
// send in progress into a failure; Timeout bounds it instead.
func (w *Worker) attempt(ctx context.Context, s Sender, d Delivery) Result {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.Timeout)
	err := deliver(actx, s, d)
	if err != nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("attempt timed out after %v: %w", w.cfg.Timeout, err)
	}
	cancel()

	now := w.cfg.Now()
	r := Result{Delivery: d, Err: err}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err == nil {
		r.QueueErr = w.cfg.Queue.Complete(rctx, d, now)
	} else {
		r.Dead = IsPermanent(err) || d.Attempts >= w.cfg.MaxAttempts
		if !r.Dead {
			r.Next = now.Add(Backoff(d.Attempts, w.cfg.BaseBackoff, w.cfg.MaxBackoff, w.cfg.Jitter, w.cfg.Rand()))
		}
		r.QueueErr = w.cfg.Queue.Fail(rctx, d, now, errorText(err), r.Next, r.Dead)
	}
	w.log(ctx, r)
	if w.cfg.Observe != nil {
		w.cfg.Observe(r)
	}
	return r
}

func (w *Worker) log(ctx context.Context, r Result) {
	d := r.Delivery
	args := []any{"delivery", d.ID, "event", d.EventID, "channel", d.Channel, "target", d.Target, "attempt", d.Attempts}
	switch {
	case r.QueueErr != nil && errors.Is(r.QueueErr, ErrLeaseLost):
		w.cfg.Logger.InfoContext(ctx, "notify: outcome superseded by a newer claim", append(args, "err", r.Err)...)
	case r.QueueErr != nil:
		w.cfg.Logger.ErrorContext(ctx, "notify: recording outcome failed; the attempt will repeat", append(args, "err", r.Err, "queueErr", r.QueueErr)...)
	case r.Err == nil:
		w.cfg.Logger.DebugContext(ctx, "notify: delivered", args...)
	case r.Dead:
		w.cfg.Logger.ErrorContext(ctx, "notify: delivery dead", append(args, "err", r.Err)...)
	default:
		w.cfg.Logger.WarnContext(ctx, "notify: delivery failed; will retry", append(args, "err", r.Err, "next", r.Next)...)
	}
}

// deliver calls the sender, turning a panic into an error: a bug in one
// sender must not take the server down with it.
func deliver(ctx context.Context, s Sender, d Delivery) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sender panicked: %v", p)
		}
	}()
	return s.Deliver(ctx, d)
}

// errorText is err as one line of at most maxErrorText bytes, for listing.
func errorText(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) <= maxErrorText {
		return s
	}
	cut := 0 // the last rune boundary at or before the limit
	for i := range s {
		if i > maxErrorText {
			break
		}
		cut = i
	}
	return s[:cut] + "…"
}
