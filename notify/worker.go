package notify

import (
	"context"
	"sync"
	"time"

	"github.com/sird-project/sird"
)

// Worker moves the outbox: it expands new events into deliveries and sends
// them, each lane (e-mail; each webhook endpoint) with its own bounded pool,
// so a slow or dead receiver only ever holds up its own lane.
type Worker struct {
	cfg   Config
	lanes []*lane
	kick  chan struct{}
}

// lane is one pool; inflight and more belong to the Run goroutine.
type lane struct {
	Lane
	sender   Sender
	size     int
	inflight int
	more     bool // the last claim filled every free slot: more may be due
}

// New checks cfg and returns a worker; Run starts it.
func New(cfg Config) (*Worker, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	w := &Worker{cfg: cfg, kick: make(chan struct{}, 1)}
	if cfg.Email != nil {
		w.lanes = append(w.lanes, &lane{Lane: Lane{Channel: ChannelEmail}, sender: cfg.Email, size: cfg.EmailConcurrency})
	}
	for _, h := range cfg.Webhooks {
		w.lanes = append(w.lanes, &lane{
			Lane: Lane{Channel: ChannelWebhook, Target: h.Name}, sender: cfg.WebhookSender, size: cfg.WebhookConcurrency,
		})
	}
	return w, nil
}

// Kick wakes the worker early, e.g. after a commit that added events. It
// never blocks; kicks while one is pending coalesce.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (w *Worker) plan(e sird.Event) []Target {
	return Plan(e, w.cfg.Email != nil, w.cfg.Webhooks)
}

// Run works the outbox until ctx is done: every poll interval or Kick it
// expands new events and fills each lane's free slots with due deliveries;
// a finished attempt refills its lane at once when more work is waiting.
// Attempts in flight when ctx ends run to completion (at most Timeout) so
// their outcome is recorded; Run returns after them.
func (w *Worker) Run(ctx context.Context) error {
	size := 0
	for _, l := range w.lanes {
		size += l.size
	}
	done := make(chan *lane, size) // buffered: a finished attempt never waits
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(w.cfg.PollInterval)
	defer tick.Stop()
	for wake := true; ; {
		if wake {
			if err := w.expand(ctx); err != nil && ctx.Err() == nil {
				w.cfg.Logger.WarnContext(ctx, "notify: expanding events", "err", err)
			}
			for _, l := range w.lanes {
				w.fill(ctx, l, done, &wg)
			}
			wake = false
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.kick:
			wake = true
		case <-tick.C:
			wake = true
		case l := <-done:
			l.inflight--
			if l.more {
				w.fill(ctx, l, done, &wg)
			}
		}
	}
}

// expand turns the backlog of new events into deliveries.
func (w *Worker) expand(ctx context.Context) error {
	for ctx.Err() == nil {
		n, err := w.cfg.Queue.Expand(ctx, w.cfg.Now(), w.cfg.ExpandBatch, w.plan)
		if err != nil || n < w.cfg.ExpandBatch {
			return err
		}
	}
	return nil
}

// fill claims due deliveries for the lane's free slots and starts them.
func (w *Worker) fill(ctx context.Context, l *lane, done chan<- *lane, wg *sync.WaitGroup) {
	free := l.size - l.inflight
	if free <= 0 || ctx.Err() != nil {
		l.more = free <= 0
		return
	}
	ds, err := w.cfg.Queue.Claim(ctx, l.Lane, w.cfg.Now(), free, w.cfg.Lease)
	if err != nil {
		if ctx.Err() == nil {
			w.cfg.Logger.WarnContext(ctx, "notify: claiming deliveries", "channel", l.Channel, "target", l.Target, "err", err)
		}
		l.more = false
		return
	}
	l.more = len(ds) == free
	for _, d := range ds {
		l.inflight++
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.attempt(ctx, l.sender, d)
			done <- l
		}()
	}
}
