package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Outbox pruning in `sird serve`: the first run soon after start, so a node
// that restarts often still prunes, then one every interval.
const (
	pruneFirstDelay = 30 * time.Second
	pruneInterval   = 5 * time.Minute
	// pruneBatch is the most rows one transaction deletes, so none holds
	// SQLite's write lock for long.
	pruneBatch = 1000
)

// pruneQueue is the part of notify.Queue pruning needs.
type pruneQueue interface {
	Prune(ctx context.Context, before time.Time, n int) (int, error)
}

// pruneOutbox deletes what is due before before, pruneBatch rows at a time
// until a batch comes back short, and returns how many rows went.
func pruneOutbox(ctx context.Context, q pruneQueue, before time.Time) (int, error) {
	total := 0
	for {
		n, err := q.Prune(ctx, before, pruneBatch)
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}

// outboxPruner deletes the deliveries and events older than retention from
// the outbox (notify.Queue.Prune). Every node runs one, whether or not it
// sends notifications: with them off, events are never expanded and would
// pile up forever. Several nodes pruning one database is harmless: a row
// deleted twice is deleted once.
type outboxPruner struct {
	q         pruneQueue
	retention time.Duration
	now       func() time.Time
	log       *slog.Logger
}

// run prunes after pruneFirstDelay, then every pruneInterval, until ctx ends.
func (p *outboxPruner) run(ctx context.Context) {
	t := time.NewTimer(pruneFirstDelay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.prune(ctx)
		t.Reset(pruneInterval)
	}
}

func (p *outboxPruner) prune(ctx context.Context) {
	before := p.now().Add(-p.retention)
	n, err := pruneOutbox(ctx, p.q, before)
	if n > 0 {
		p.log.Info("pruned the outbox", "rows", n, "before", before)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		p.log.Warn("pruning the outbox failed; next try in "+pruneInterval.String(), "err", err)
	}
}

// startPruner starts the outbox pruner unless retention is 0. stop ends it,
// waiting for a prune in flight, and must run before the store closes.
func startPruner(ctx context.Context, q pruneQueue, log *slog.Logger, retention time.Duration) (stop func(), err error) {
	if retention < 0 {
		return nil, errors.New("--outbox-retention must not be negative (0 turns pruning off)")
	}
	if retention == 0 {
		log.Info("outbox pruning is off (--outbox-retention 0): delivered and dead deliveries and old events are kept")
		return func() {}, nil
	}
	p := &outboxPruner{q: q, retention: retention, now: time.Now, log: log}
	pctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { p.run(pctx) })
	return func() { cancel(); wg.Wait() }, nil
}
