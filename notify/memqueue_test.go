package notify_test

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
	"github.com/sird-project/sird/notify/queuetest"
)

// memQueue is an in-memory notify.Queue for tests, following QUEUE.md.
type memQueue struct {
	mu       sync.Mutex
	events   []sird.Event // the outbox, in commit order
	byID     map[string]sird.Event
	expanded map[string]bool
	ds       []*notify.Delivery // by ID-1; nil once pruned
	keys     map[notify.Target]map[string]bool
	claimErr error // injected failure
}

func newMemQueue() *memQueue {
	return &memQueue{byID: map[string]sird.Event{}, expanded: map[string]bool{}, keys: map[notify.Target]map[string]bool{}}
}

func (q *memQueue) AddEvent(e sird.Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.events = append(q.events, e)
	q.byID[e.ID] = e
}

func (q *memQueue) Expand(_ context.Context, now time.Time, n int, plan func(sird.Event) []notify.Target) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	done := 0
	for _, e := range q.events {
		if done == n {
			break
		}
		if q.expanded[e.ID] {
			continue
		}
		for _, t := range plan(e) {
			if q.keys[t] == nil {
				q.keys[t] = map[string]bool{}
			}
			if q.keys[t][e.ID] {
				continue // ON CONFLICT DO NOTHING
			}
			q.keys[t][e.ID] = true
			q.ds = append(q.ds, &notify.Delivery{
				ID: int64(len(q.ds) + 1), EventID: e.ID, Channel: t.Channel, Target: t.Target, Status: notify.StatusPending,
				NextAttempt: now, CreatedAt: now, UpdatedAt: now,
			})
		}
		q.expanded[e.ID] = true
		done++
	}
	return done, nil
}

func (q *memQueue) Claim(_ context.Context, l notify.Lane, now time.Time, n int, lease time.Duration) ([]notify.Delivery, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.claimErr != nil {
		return nil, q.claimErr
	}
	var due []*notify.Delivery
	for _, d := range q.ds {
		if d != nil && d.Status == notify.StatusPending && !d.NextAttempt.After(now) && d.Channel == l.Channel && (l.Target == "" || d.Target == l.Target) {
			due = append(due, d)
		}
	}
	slices.SortStableFunc(due, func(a, b *notify.Delivery) int {
		return cmp.Or(a.NextAttempt.Compare(b.NextAttempt), cmp.Compare(a.ID, b.ID))
	})
	var out []notify.Delivery
	for _, d := range due[:min(n, len(due))] {
		d.Attempts++
		d.Lease++
		d.NextAttempt = now.Add(lease)
		d.UpdatedAt = now
		out = append(out, q.load(d))
	}
	return out, nil
}

func (q *memQueue) load(d *notify.Delivery) notify.Delivery {
	c := *d
	c.Event = q.byID[d.EventID]
	return c
}

func (q *memQueue) Complete(_ context.Context, d notify.Delivery, now time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if cur := q.get(d.ID); cur != nil && cur.Status != notify.StatusDelivered {
		cur.Status, cur.LastError, cur.UpdatedAt = notify.StatusDelivered, "", now
	}
	return nil
}

func (q *memQueue) Fail(_ context.Context, d notify.Delivery, now time.Time, errText string, next time.Time, dead bool) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	cur := q.get(d.ID)
	if cur == nil || cur.Status != notify.StatusPending || cur.Lease != d.Lease {
		return notify.ErrLeaseLost
	}
	cur.LastError, cur.NextAttempt, cur.UpdatedAt = errText, next, now
	if dead {
		cur.Status = notify.StatusDead
	}
	return nil
}

func (q *memQueue) List(_ context.Context, status string, limit int) ([]notify.Delivery, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []notify.Delivery
	for i := len(q.ds) - 1; i >= 0 && len(out) < limit; i-- {
		if q.ds[i] != nil && (status == "" || q.ds[i].Status == status) {
			out = append(out, q.load(q.ds[i]))
		}
	}
	return out, nil
}

func (q *memQueue) Retry(_ context.Context, id int64, now time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	cur := q.get(id)
	if cur == nil || cur.Status != notify.StatusDead {
		return notify.ErrNotFound
	}
	cur.Status, cur.Attempts, cur.NextAttempt, cur.UpdatedAt = notify.StatusPending, 0, now, now
	return nil
}

func (q *memQueue) Prune(_ context.Context, before time.Time, n int) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	done := 0
	for i, d := range q.ds {
		if done >= n {
			return done, nil
		}
		if d != nil && d.Status != notify.StatusPending && d.UpdatedAt.Before(before) {
			delete(q.keys[notify.Target{Channel: d.Channel, Target: d.Target}], d.EventID)
			q.ds[i] = nil
			done++
		}
	}
	held := map[string]bool{}
	for _, d := range q.ds {
		if d != nil {
			held[d.EventID] = true
		}
	}
	kept := q.events[:0]
	for _, e := range q.events {
		if done < n && e.Time.Before(before) && !held[e.ID] {
			delete(q.byID, e.ID)
			delete(q.expanded, e.ID)
			done++
			continue
		}
		kept = append(kept, e)
	}
	q.events = kept
	return done, nil
}

func (q *memQueue) get(id int64) *notify.Delivery {
	if id < 1 || id > int64(len(q.ds)) {
		return nil
	}
	return q.ds[id-1]
}

// The in-memory queue keeps the contract the SQL store must keep.
func TestMemQueueContract(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) queuetest.Harness {
		q := newMemQueue()
		return queuetest.Harness{Queue: q, AddEvent: func(tb testing.TB, e sird.Event) { q.AddEvent(e) }, Events: func(testing.TB) []string {
			q.mu.Lock()
			defer q.mu.Unlock()
			var ids []string
			for _, e := range q.events {
				ids = append(ids, e.ID)
			}
			return ids
		}}
	})
}
