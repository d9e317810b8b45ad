package sqlstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
	"github.com/sird-project/sird/notify/queuetest"
)

func queueHarness(s *Store) queuetest.Harness {
	return queuetest.Harness{Queue: s.Queue(), AddEvent: func(tb testing.TB, e sird.Event) {
		tb.Helper()
		if err := s.Write(tb.Context(), func(tx sird.Tx) error { return tx.AddEvent(&e) }); err != nil {
			tb.Fatal(err)
		}
	}}
}

func TestQueueSQLite(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) queuetest.Harness {
		return queueHarness(freshSQLite(t)(t, Options{Migrate: true}))
	})
}

func TestQueuePostgres(t *testing.T) {
	freshPostgres(t) // skips the whole test when no server is configured
	queuetest.Run(t, func(t *testing.T) queuetest.Harness {
		return queueHarness(freshPostgres(t)(t, Options{Migrate: true, MaxConns: 8}))
	})
}

// Several nodes on one PostgreSQL database (a store each, as separate
// processes would have) expand and claim concurrently: every event is
// expanded once and every delivery is leased to exactly one node.
func TestQueuePostgresNodes(t *testing.T) {
	open := freshPostgres(t)
	const nodes, events = 4, 60
	stores := make([]*Store, nodes)
	for i := range stores {
		stores[i] = open(t, Options{Migrate: true, MaxConns: 4})
	}
	h := queueHarness(stores[0])
	for i := range events {
		h.AddEvent(t, sird.Event{ID: eventID(i), Type: sird.EventCaseUpdated, Time: sird.At(time.Now())})
	}
	plan := func(sird.Event) []notify.Target {
		return []notify.Target{{Channel: notify.ChannelEmail, Target: "a@example.com"}, {Channel: notify.ChannelWebhook, Target: "siem"}}
	}
	now := time.Now()
	var (
		mu       sync.Mutex
		expanded int
		claimed  = map[int64]int{}
		wg       sync.WaitGroup
	)
	for _, s := range stores {
		q := s.Queue()
		wg.Go(func() {
			for {
				n, err := q.Expand(context.Background(), now, 7, plan)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				expanded += n
				mu.Unlock()
				if n == 0 {
					break
				}
			}
			for _, lane := range []notify.Lane{{Channel: notify.ChannelEmail}, {Channel: notify.ChannelWebhook, Target: "siem"}} {
				for {
					ds, err := q.Claim(context.Background(), lane, now, 5, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ds) == 0 {
						break
					}
					mu.Lock()
					for _, d := range ds {
						claimed[d.ID]++
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if expanded != events {
		t.Errorf("nodes expanded %d events together, want %d", expanded, events)
	}
	if len(claimed) != 2*events {
		t.Errorf("nodes claimed %d distinct deliveries, want %d", len(claimed), 2*events)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("delivery %d claimed %d times", id, n)
		}
	}
}

// Events recorded before the queue existed (or while no notifier ran) are
// delivered: they wait unexpanded and OutboxBacklog counts them.
func TestQueueBacklog(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := b.fresh(t)(t, Options{Migrate: true})
			h := queueHarness(s)
			for i := range 3 {
				h.AddEvent(t, sird.Event{ID: eventID(i), Type: sird.EventCaseCreated, Time: sird.At(time.Now())})
			}
			if n, err := s.OutboxBacklog(t.Context()); err != nil || n != 3 {
				t.Fatalf("OutboxBacklog = %d, %v; want 3", n, err)
			}
			all := func(sird.Event) []notify.Target {
				return []notify.Target{{Channel: notify.ChannelWebhook, Target: "a"}}
			}
			if n, err := s.Queue().Expand(t.Context(), time.Now(), 10, all); err != nil || n != 3 {
				t.Fatalf("Expand = %d, %v; want 3", n, err)
			}
			if n, err := s.OutboxBacklog(t.Context()); err != nil || n != 0 {
				t.Errorf("OutboxBacklog after Expand = %d, %v; want 0", n, err)
			}
			ds, err := s.Queue().List(t.Context(), notify.StatusPending, 0)
			if err != nil || len(ds) != 3 {
				t.Errorf("pending deliveries: %d, %v; want 3", len(ds), err)
			}
		})
	}
}

func eventID(i int) string {
	return "00000000-0000-4000-8000-" + string(rune('a'+i/26%26)) + string(rune('a'+i%26)) + "0000000000"
}
