package sqlstore

import (
	"bytes"
	"context"
	"slices"
	"strings"
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
	}, Events: func(tb testing.TB) []string {
		tb.Helper()
		rows, err := s.r.QueryContext(tb.Context(), "SELECT id FROM events")
		if err != nil {
			tb.Fatal(err)
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				tb.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		return ids
	}}
}

// fullHarness is queueHarness over a store that also holds a case (the
// one the suite's events name, created long before them) with history and
// a comment, an idempotency record and a pending upload: Others returns
// them as Export writes them.
func fullHarness(t *testing.T, s *Store) queuetest.Harness {
	t.Helper()
	c := benchCase(0)
	at := c.CreatedDate.Time
	err := s.Write(t.Context(), func(tx sird.Tx) error {
		first := &sird.CaseEdit{Seq: 1, EventTimestamp: c.CreatedDate, Principal: "arn:aws:iam::1:user/e", Action: "CaseCreated"}
		if err := tx.InsertCaseWithFirstEdit(c, first); err != nil {
			return err
		}
		second := &sird.CaseEdit{Seq: 2, EventTimestamp: c.CreatedDate, Principal: "arn:aws:iam::1:user/e", Action: "CaseUpdated"}
		if err := tx.AddCaseEdit(c.ID, second); err != nil {
			return err
		}
		if err := tx.InsertComment(&sird.Comment{CaseID: c.ID, ID: "000001", Body: "b", Creator: "arn:aws:iam::1:user/c", CreatedDate: c.CreatedDate}); err != nil {
			return err
		}
		if err := tx.PutIdempotency("CreateCase/"+c.AccountID, "token", "hash", c.ID, at); err != nil {
			return err
		}
		return tx.AddPendingUpload(sird.AttachmentRef{AccountID: c.AccountID, Region: c.Region, CaseID: c.ID, AttachmentID: "att"}, at)
	})
	if err != nil {
		t.Fatal(err)
	}
	h := queueHarness(s)
	h.Others = func(tb testing.TB) string {
		tb.Helper()
		var buf bytes.Buffer
		if err := s.Export(tb.Context(), &buf, nil); err != nil {
			tb.Fatal(err)
		}
		var kept []string
		for _, line := range strings.Split(buf.String(), "\n") {
			// Rows of the outbox, and the row counts at the end, which count them.
			if !strings.HasPrefix(line, `{"table":"events",`) && !strings.HasPrefix(line, `{"table":"deliveries",`) && !strings.HasPrefix(line, `{"end":`) {
				kept = append(kept, line)
			}
		}
		return strings.Join(kept, "\n")
	}
	return h
}

func TestQueueSQLite(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) queuetest.Harness {
		return fullHarness(t, freshSQLite(t)(t, Options{Migrate: true}))
	})
}

func TestQueuePostgres(t *testing.T) {
	freshPostgres(t) // skips the whole test when no server is configured
	queuetest.Run(t, func(t *testing.T) queuetest.Harness {
		return fullHarness(t, freshPostgres(t)(t, Options{Migrate: true, MaxConns: 8}))
	})
}

// postgresNodes opens n stores on one fresh PostgreSQL database, as n
// sird nodes would.
func postgresNodes(t *testing.T, n int) []*Store {
	t.Helper()
	open := freshPostgres(t)
	stores := make([]*Store, n)
	for i := range stores {
		stores[i] = open(t, Options{Migrate: true, MaxConns: 4})
	}
	return stores
}

// Several nodes on one PostgreSQL database (a store each, as separate
// processes would have) expand and claim concurrently: every event is
// expanded once and every delivery is leased to exactly one node.
func TestQueuePostgresNodes(t *testing.T) {
	const nodes, events = 4, 60
	stores := postgresNodes(t, nodes)
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

// Several nodes prune one PostgreSQL database at once, as every node of a
// deployment does: none fails, no row is counted twice, and what was due is
// gone while the pending delivery and its event stay.
func TestQueuePostgresPruneNodes(t *testing.T) {
	const nodes, events = 4, 120
	stores := postgresNodes(t, nodes)
	h := queueHarness(stores[0])
	old := time.Now().Add(-30 * 24 * time.Hour)
	for i := range events {
		h.AddEvent(t, sird.Event{ID: eventID(i), Type: sird.EventCaseUpdated, Time: sird.At(old)})
	}
	q := stores[0].Queue()
	hook := notify.Lane{Channel: notify.ChannelWebhook, Target: "siem"}
	plan := func(sird.Event) []notify.Target { return []notify.Target{{Channel: hook.Channel, Target: hook.Target}} }
	if n, err := q.Expand(t.Context(), old, events/2, plan); err != nil || n != events/2 {
		t.Fatalf("Expand = %d, %v; want %d", n, err, events/2)
	}
	ds, err := q.Claim(t.Context(), hook, old, events/2, time.Minute)
	if err != nil || len(ds) != events/2 {
		t.Fatalf("Claim = %d, %v; want %d", len(ds), err, events/2)
	}
	for _, d := range ds[1:] { // the first stays pending
		if err := q.Complete(t.Context(), d, old); err != nil {
			t.Fatal(err)
		}
	}
	// Due: events/2-1 deliveries, their events, and the events/2 never expanded.
	want := events/2 - 1 + events - 1
	var (
		mu    sync.Mutex
		total int
		wg    sync.WaitGroup
	)
	cutoff := time.Now()
	for _, s := range stores {
		wg.Go(func() {
			for {
				n, err := s.Queue().Prune(context.Background(), cutoff, 7)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				total += n
				mu.Unlock()
				if n < 7 {
					return
				}
			}
		})
	}
	wg.Wait()
	// A node can stop short while another holds rows it then deletes; what
	// the last ones freed goes at the next prune.
	for {
		n, err := q.Prune(t.Context(), cutoff, 7)
		if err != nil {
			t.Fatal(err)
		}
		total += n
		if n < 7 {
			break
		}
	}
	if total != want {
		t.Errorf("nodes deleted %d rows together, want %d", total, want)
	}
	left, err := q.List(t.Context(), "", 0)
	if err != nil || len(left) != 1 || left[0].ID != ds[0].ID {
		t.Errorf("deliveries left: %d, %v; want the pending one", len(left), err)
	}
	if got := h.Events(t); len(got) != 1 || got[0] != ds[0].EventID {
		t.Errorf("events left: %v, want %s", got, ds[0].EventID)
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

// Prune walks events in write order and stops at the first one written at
// or after the cutoff: an old event written after it (the clock stepped
// back) waits until the cutoff passes that one, and is never deleted early.
func TestPruneEventsInWriteOrder(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := b.fresh(t)(t, Options{Migrate: true})
			h := queueHarness(s)
			t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			for i, at := range []time.Time{t0, t0.Add(2 * time.Hour), t0.Add(time.Minute), t0.Add(3 * time.Hour)} {
				h.AddEvent(t, sird.Event{ID: eventID(i), Type: sird.EventCaseUpdated, Time: sird.At(at)})
			}
			for _, step := range []struct {
				cutoff time.Time
				want   []string // events left
			}{
				{t0.Add(time.Hour), []string{eventID(1), eventID(2), eventID(3)}},
				{t0.Add(2 * time.Hour), []string{eventID(1), eventID(2), eventID(3)}},
				{t0.Add(2*time.Hour + 1), []string{eventID(3)}},
				{t0.Add(3*time.Hour + 1), nil},
			} {
				if _, err := s.Queue().Prune(t.Context(), step.cutoff, 100); err != nil {
					t.Fatal(err)
				}
				got := h.Events(t)
				slices.Sort(got)
				if !slices.Equal(got, step.want) {
					t.Errorf("after Prune(%v): events %v, want %v", step.cutoff.Sub(t0), got, step.want)
				}
			}
		})
	}
}
