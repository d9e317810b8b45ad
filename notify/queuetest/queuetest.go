// Package queuetest checks that a notify.Queue keeps the contract the
// worker relies on. A store runs it against its implementation:
//
//	queuetest.Run(t, func(t *testing.T) queuetest.Harness { ... })
package queuetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
)

// Harness is a fresh, empty queue and a way to add outbox events to it.
type Harness struct {
	Queue notify.Queue
	// AddEvent commits e to the outbox, as sird.Tx.AddEvent in a Write does.
	AddEvent func(t testing.TB, e sird.Event)
	// Events returns the IDs of the events in the outbox, expanded or not,
	// in any order: what Prune left.
	Events func(t testing.TB) []string
	// Others, for a store that holds more than the outbox, returns the rest
	// (cases, comments, history, ...) in a form that compares equal while
	// nothing changed; Prune must not touch it. The harness puts some there,
	// dated before the cutoffs of the tests. Nil for a queue alone.
	Others func(t testing.TB) string
}

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

const lease = time.Minute

var (
	email = notify.Lane{Channel: notify.ChannelEmail}
	hookA = notify.Lane{Channel: notify.ChannelWebhook, Target: "a"}
)

// planAll sends every event to two addresses and webhook "a".
func planAll(sird.Event) []notify.Target {
	return []notify.Target{
		{Channel: notify.ChannelEmail, Target: "x@example.com"},
		{Channel: notify.ChannelEmail, Target: "y@example.com"},
		{Channel: notify.ChannelWebhook, Target: "a"},
	}
}

func event(i int) sird.Event {
	return sird.Event{
		ID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i), Type: sird.EventCaseUpdated, Time: sird.At(t0),
		AccountID: "111122223333", Region: "us-east-1", CaseID: fmt.Sprint(1000000000 + i), Summary: "changed",
	}
}

// Run runs the contract tests; newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"ExpandOncePerEvent", expandOnce},
		{"ExpandBatchesOldestFirst", expandBatches},
		{"ExpandDuplicateTargetsOnce", expandDuplicates},
		{"ClaimLeasesAndCounts", claimLeases},
		{"ClaimHonoursLaneLimitAndOrder", claimLane},
		{"ConcurrentClaimsDisjoint", claimConcurrent},
		{"CompleteIsFinal", complete},
		{"FailReschedules", failReschedules},
		{"FailWithStaleLease", failStale},
		{"DeadThenRetry", deadRetry},
		{"ListFilters", list},
		{"PruneByAgeAndState", pruneByAge},
		{"PruneKeepsRecentExpandedEvents", pruneKeepsRecent},
		{"PruneBatches", pruneBatches},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newHarness(t)) })
	}
}

func expand(t *testing.T, q notify.Queue, n int, plan func(sird.Event) []notify.Target) int {
	t.Helper()
	got, err := q.Expand(context.Background(), t0, n, plan)
	if err != nil {
		t.Fatalf("Expand: %v", err)
	}
	return got
}

// claim claims and sorts by ID: Claim may return in any order.
func claim(t *testing.T, q notify.Queue, l notify.Lane, now time.Time, n int) []notify.Delivery {
	t.Helper()
	ds, err := q.Claim(context.Background(), l, now, n, lease)
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	slices.SortFunc(ds, func(a, b notify.Delivery) int { return cmp.Compare(a.ID, b.ID) })
	return ds
}

func ids(ds []notify.Delivery) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func expandOnce(t *testing.T, h Harness) {
	h.AddEvent(t, event(1))
	h.AddEvent(t, event(2))
	calls := map[string]int{}
	plan := func(e sird.Event) []notify.Target { calls[e.ID]++; return planAll(e) }
	if got := expand(t, h.Queue, 10, plan); got != 2 {
		t.Errorf("first Expand = %d, want 2", got)
	}
	if got := expand(t, h.Queue, 10, plan); got != 0 {
		t.Errorf("second Expand = %d, want 0", got)
	}
	for id, n := range calls {
		if n != 1 {
			t.Errorf("plan called %d times for %s, want 1", n, id)
		}
	}
	if got := len(claim(t, h.Queue, email, t0, 10)); got != 4 {
		t.Errorf("email deliveries = %d, want 4", got)
	}
	if got := len(claim(t, h.Queue, hookA, t0, 10)); got != 2 {
		t.Errorf("webhook deliveries = %d, want 2", got)
	}
	// An event without targets is consumed too.
	h.AddEvent(t, event(3))
	none := func(sird.Event) []notify.Target { return nil }
	if got := expand(t, h.Queue, 10, none); got != 1 {
		t.Errorf("Expand of an event without targets = %d, want 1", got)
	}
	if got := expand(t, h.Queue, 10, planAll); got != 0 {
		t.Errorf("Expand after that = %d, want 0", got)
	}
}

func expandBatches(t *testing.T, h Harness) {
	for i := 1; i <= 5; i++ {
		h.AddEvent(t, event(i))
	}
	var seen []string
	plan := func(e sird.Event) []notify.Target { seen = append(seen, e.ID); return nil }
	for _, want := range []int{2, 2, 1, 0} {
		if got := expand(t, h.Queue, 2, plan); got != want {
			t.Fatalf("Expand(2) = %d, want %d", got, want)
		}
	}
	want := []string{event(1).ID, event(2).ID, event(3).ID, event(4).ID, event(5).ID}
	if !slices.Equal(seen, want) {
		t.Errorf("expanded %v, want %v", seen, want)
	}
}

func expandDuplicates(t *testing.T, h Harness) {
	h.AddEvent(t, event(1))
	expand(t, h.Queue, 10, func(sird.Event) []notify.Target {
		return []notify.Target{{Channel: notify.ChannelEmail, Target: "x@example.com"}, {Channel: notify.ChannelEmail, Target: "x@example.com"}}
	})
	if got := len(claim(t, h.Queue, email, t0, 10)); got != 1 {
		t.Errorf("deliveries = %d, want 1", got)
	}
}

func claimLeases(t *testing.T, h Harness) {
	h.AddEvent(t, event(1))
	expand(t, h.Queue, 10, func(sird.Event) []notify.Target {
		return []notify.Target{{Channel: notify.ChannelWebhook, Target: "a"}}
	})
	first := claim(t, h.Queue, hookA, t0, 10)
	if len(first) != 1 {
		t.Fatalf("Claim = %d deliveries, want 1", len(first))
	}
	d := first[0]
	if d.Attempts != 1 || d.Status != notify.StatusPending || d.EventID != event(1).ID || d.Event.ID != event(1).ID ||
		d.Event.CaseID != event(1).CaseID || d.Channel != notify.ChannelWebhook || d.Target != "a" {
		t.Errorf("claimed %+v, want attempt 1 of event 1 to webhook a, pending, Event filled", d)
	}
	if !d.NextAttempt.Equal(t0.Add(lease)) {
		t.Errorf("NextAttempt = %v, want lease expiry %v", d.NextAttempt, t0.Add(lease))
	}
	if got := claim(t, h.Queue, hookA, t0.Add(lease-time.Second), 10); len(got) != 0 {
		t.Errorf("claimed %v during the lease, want none", ids(got))
	}
	again := claim(t, h.Queue, hookA, t0.Add(lease), 10)
	if len(again) != 1 || again[0].Attempts != 2 || again[0].Lease <= d.Lease {
		t.Fatalf("after lease expiry claimed %+v, want the delivery with attempt 2 and a newer lease than %d", again, d.Lease)
	}
}

func claimLane(t *testing.T, h Harness) {
	for i := 1; i <= 3; i++ {
		h.AddEvent(t, event(i))
	}
	expand(t, h.Queue, 10, planAll)
	all := claim(t, h.Queue, email, t0, 100)
	if len(all) != 6 {
		t.Fatalf("email lane claimed %d, want 6", len(all))
	}
	for _, d := range all {
		if d.Channel != notify.ChannelEmail {
			t.Errorf("email lane claimed %+v", d)
		}
	}
	// Reschedule so due times order them: the latest failed first.
	for i, d := range all {
		next := t0.Add(time.Duration(len(all)-i) * time.Second)
		if err := h.Queue.Fail(context.Background(), d, t0, "x", next, false); err != nil {
			t.Fatal(err)
		}
	}
	got := claim(t, h.Queue, email, t0.Add(time.Hour), 2)
	want := []int64{all[4].ID, all[5].ID}
	if !slices.Equal(ids(got), want) {
		t.Errorf("Claim(n=2) = %v, want earliest due %v", ids(got), want)
	}
	if got := claim(t, h.Queue, notify.Lane{Channel: notify.ChannelWebhook, Target: "b"}, t0, 10); len(got) != 0 {
		t.Errorf("lane of webhook b claimed %v, want none", ids(got))
	}
	if got := claim(t, h.Queue, hookA, t0, 10); len(got) != 3 {
		t.Errorf("lane of webhook a claimed %d, want 3", len(got))
	}
}

func claimConcurrent(t *testing.T, h Harness) {
	for i := 1; i <= 20; i++ {
		h.AddEvent(t, event(i))
	}
	expand(t, h.Queue, 100, planAll) // 40 e-mail deliveries
	var (
		mu  sync.Mutex
		got []int64
		wg  sync.WaitGroup
	)
	for range 8 {
		wg.Go(func() {
			for {
				ds, err := h.Queue.Claim(context.Background(), email, t0, 3, lease)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				got = append(got, ids(ds)...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(got)
	if len(got) != 40 || len(slices.Compact(slices.Clone(got))) != 40 {
		t.Errorf("concurrent claims returned %d deliveries (%d distinct), want 40 distinct", len(got), len(slices.Compact(got)))
	}
}

func oneDelivery(t *testing.T, h Harness) notify.Delivery {
	t.Helper()
	h.AddEvent(t, event(1))
	expand(t, h.Queue, 10, func(sird.Event) []notify.Target {
		return []notify.Target{{Channel: notify.ChannelEmail, Target: "x@example.com"}}
	})
	ds := claim(t, h.Queue, email, t0, 10)
	if len(ds) != 1 {
		t.Fatalf("claimed %d, want 1", len(ds))
	}
	return ds[0]
}

func status(t *testing.T, q notify.Queue, id int64) notify.Delivery {
	t.Helper()
	all, err := q.List(context.Background(), "", 1000)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, d := range all {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("delivery %d not listed", id)
	return notify.Delivery{}
}

func complete(t *testing.T, h Harness) {
	ctx := context.Background()
	d := oneDelivery(t, h)
	if err := h.Queue.Complete(ctx, d, t0); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if err := h.Queue.Complete(ctx, d, t0); err != nil {
		t.Errorf("second Complete: %v, want nil", err)
	}
	if got := status(t, h.Queue, d.ID).Status; got != notify.StatusDelivered {
		t.Errorf("status = %q, want delivered", got)
	}
	if got := claim(t, h.Queue, email, t0.Add(24*time.Hour), 10); len(got) != 0 {
		t.Errorf("claimed delivered %v", ids(got))
	}
	if err := h.Queue.Fail(ctx, d, t0, "late", t0, false); !errors.Is(err, notify.ErrLeaseLost) {
		t.Errorf("Fail after Complete = %v, want ErrLeaseLost", err)
	}
}

func failReschedules(t *testing.T, h Harness) {
	d := oneDelivery(t, h)
	next := t0.Add(10 * time.Second)
	if err := h.Queue.Fail(context.Background(), d, t0, "HTTP 503", next, false); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	got := status(t, h.Queue, d.ID)
	if got.Status != notify.StatusPending || got.LastError != "HTTP 503" || !got.NextAttempt.Equal(next) || got.Attempts != 1 {
		t.Errorf("after Fail: %+v, want pending, LastError HTTP 503, due %v, attempts 1", got, next)
	}
	if ds := claim(t, h.Queue, email, next.Add(-time.Nanosecond), 10); len(ds) != 0 {
		t.Errorf("claimed before due: %v", ids(ds))
	}
	if ds := claim(t, h.Queue, email, next, 10); len(ds) != 1 || ds[0].Attempts != 2 {
		t.Errorf("claimed when due: %+v, want attempt 2", ds)
	}
}

func failStale(t *testing.T, h Harness) {
	d := oneDelivery(t, h)
	newer := claim(t, h.Queue, email, t0.Add(lease), 10) // the first lease expired
	if len(newer) != 1 {
		t.Fatalf("reclaimed %d, want 1", len(newer))
	}
	if err := h.Queue.Fail(context.Background(), d, t0, "stale", t0, true); !errors.Is(err, notify.ErrLeaseLost) {
		t.Errorf("Fail with the old lease = %v, want ErrLeaseLost", err)
	}
	if err := h.Queue.Fail(context.Background(), newer[0], t0, "current", t0.Add(time.Hour), false); err != nil {
		t.Errorf("Fail with the current lease = %v", err)
	}
	if got := status(t, h.Queue, d.ID); got.Status != notify.StatusPending || got.LastError != "current" {
		t.Errorf("after stale and current Fail: %+v, want pending with LastError current", got)
	}
}

func deadRetry(t *testing.T, h Harness) {
	ctx := context.Background()
	d := oneDelivery(t, h)
	if err := h.Queue.Retry(ctx, d.ID, t0); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("Retry of a pending delivery = %v, want ErrNotFound", err)
	}
	if err := h.Queue.Fail(ctx, d, t0, "gave up", time.Time{}, true); err != nil {
		t.Fatalf("Fail dead: %v", err)
	}
	if got := status(t, h.Queue, d.ID); got.Status != notify.StatusDead || got.LastError != "gave up" {
		t.Errorf("after dead Fail: %+v", got)
	}
	if ds := claim(t, h.Queue, email, t0.Add(24*time.Hour), 10); len(ds) != 0 {
		t.Errorf("claimed dead %v", ids(ds))
	}
	later := t0.Add(time.Hour)
	if err := h.Queue.Retry(ctx, d.ID, later); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if err := h.Queue.Retry(ctx, 1<<40, later); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("Retry of a missing delivery = %v, want ErrNotFound", err)
	}
	ds := claim(t, h.Queue, email, later, 10)
	if len(ds) != 1 || ds[0].Attempts != 1 {
		t.Errorf("claimed after Retry: %+v, want the delivery at attempt 1", ds)
	}
}

func list(t *testing.T, h Harness) {
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		h.AddEvent(t, event(i))
	}
	expand(t, h.Queue, 10, func(sird.Event) []notify.Target {
		return []notify.Target{{Channel: notify.ChannelEmail, Target: "x@example.com"}}
	})
	ds := claim(t, h.Queue, email, t0, 10)
	if len(ds) != 3 {
		t.Fatalf("claimed %d, want 3", len(ds))
	}
	if err := h.Queue.Fail(ctx, ds[0], t0, "boom", time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	if err := h.Queue.Complete(ctx, ds[1], t0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		status string
		limit  int
		want   []int64
	}{
		{"", 10, []int64{ds[2].ID, ds[1].ID, ds[0].ID}},
		{"", 2, []int64{ds[2].ID, ds[1].ID}},
		{notify.StatusDead, 10, []int64{ds[0].ID}},
		{notify.StatusDelivered, 10, []int64{ds[1].ID}},
		{notify.StatusPending, 10, []int64{ds[2].ID}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.status, tc.limit), func(t *testing.T) {
			got, err := h.Queue.List(ctx, tc.status, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("List = %v, want %v", ids(got), tc.want)
			}
			for _, d := range got {
				if d.Event.ID == "" || d.Event.ID != d.EventID {
					t.Errorf("listed %d without its event", d.ID)
				}
			}
		})
	}
}

// fate is how one delivery of a prune test ends: delivered, dead, failed
// (pending again) or retried (dead, then pending), at a time; or pending,
// never attempted.
type fate struct {
	outcome string
	at      time.Time
}

const (
	delivered = "delivered"
	dead      = "dead"
	failed    = "failed"
	retried   = "retried"
	untried   = "untried"
)

// outboxCase is an event of a prune test and the deliveries it has.
type outboxCase struct {
	name     string
	created  time.Time
	expanded bool   // with no fates: expanded to no targets
	fates    []fate // one webhook delivery each
	// What Prune(cutoff) keeps: the event, and the deliveries by index.
	keepEvent bool
	keep      []int
}

// addCases stores the events of cs and their deliveries, each delivery to
// a webhook of its own ("<case>/<index>"). Events never expanded are added
// last, so no Expand takes them.
func addCases(t *testing.T, h Harness, cs []outboxCase) {
	t.Helper()
	ctx := context.Background()
	targets := map[string][]notify.Target{}
	plan := func(e sird.Event) []notify.Target { return targets[e.ID] }
	for i, c := range cs {
		if !c.expanded {
			continue
		}
		e := eventAt(i, c.created)
		for j := range c.fates {
			targets[e.ID] = append(targets[e.ID], notify.Target{Channel: notify.ChannelWebhook, Target: fmt.Sprintf("%d/%d", i, j)})
		}
		h.AddEvent(t, e)
		if got, err := h.Queue.Expand(ctx, c.created, 10, plan); err != nil || got != 1 {
			t.Fatalf("%s: Expand = %d, %v; want 1", c.name, got, err)
		}
		for j, f := range c.fates {
			name := fmt.Sprintf("%d/%d", i, j)
			if f.outcome == untried {
				continue
			}
			ds := claim(t, h.Queue, notify.Lane{Channel: notify.ChannelWebhook, Target: name}, c.created, 10)
			if len(ds) != 1 {
				t.Fatalf("%s: claimed %d deliveries to %s, want 1", c.name, len(ds), name)
			}
			d := ds[0]
			var err error
			switch f.outcome {
			case delivered:
				err = h.Queue.Complete(ctx, d, f.at)
			case dead:
				err = h.Queue.Fail(ctx, d, f.at, "gave up", time.Time{}, true)
			case failed:
				err = h.Queue.Fail(ctx, d, f.at, "HTTP 503", f.at.Add(time.Hour), false)
			case retried:
				if err = h.Queue.Fail(ctx, d, c.created, "gave up", time.Time{}, true); err == nil {
					err = h.Queue.Retry(ctx, d.ID, f.at)
				}
			}
			if err != nil {
				t.Fatalf("%s: delivery %s %s: %v", c.name, name, f.outcome, err)
			}
		}
	}
	for i, c := range cs {
		if !c.expanded {
			h.AddEvent(t, eventAt(i, c.created))
		}
	}
}

func eventAt(i int, at time.Time) sird.Event {
	e := event(i)
	e.Time = sird.At(at)
	return e
}

// outbox returns the event IDs and the delivery targets in the outbox, sorted.
func outbox(t *testing.T, h Harness) (events, targets []string) {
	t.Helper()
	events = h.Events(t)
	slices.Sort(events)
	ds, err := h.Queue.List(context.Background(), "", 1000)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, d := range ds {
		targets = append(targets, d.Target)
	}
	slices.Sort(targets)
	return events, targets
}

func others(t *testing.T, h Harness) string {
	t.Helper()
	if h.Others == nil {
		return ""
	}
	return h.Others(t)
}

func prune(t *testing.T, q notify.Queue, before time.Time, n int) int {
	t.Helper()
	got, err := q.Prune(context.Background(), before, n)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	return got
}

func pruneByAge(t *testing.T, h Harness) {
	old, cutoff, recent := t0, t0.Add(24*time.Hour), t0.Add(48*time.Hour)
	cs := []outboxCase{
		{name: "delivered before the cutoff", created: old, expanded: true, fates: []fate{{delivered, old}}},
		{name: "dead before the cutoff", created: old, expanded: true, fates: []fate{{dead, old}}},
		{name: "delivered after the cutoff", created: old, expanded: true, fates: []fate{{delivered, recent}}, keepEvent: true, keep: []int{0}},
		{name: "dead after the cutoff", created: old, expanded: true, fates: []fate{{dead, recent}}, keepEvent: true, keep: []int{0}},
		{name: "delivered at the cutoff", created: old, expanded: true, fates: []fate{{delivered, cutoff}}, keepEvent: true, keep: []int{0}},
		{name: "pending, never attempted", created: old, expanded: true, fates: []fate{{untried, old}}, keepEvent: true, keep: []int{0}},
		{name: "pending, failed before the cutoff", created: old, expanded: true, fates: []fate{{failed, old}}, keepEvent: true, keep: []int{0}},
		{name: "dead, retried before the cutoff", created: old, expanded: true, fates: []fate{{retried, old}}, keepEvent: true, keep: []int{0}},
		{name: "one delivered, one pending", created: old, expanded: true, fates: []fate{{delivered, old}, {untried, old}}, keepEvent: true, keep: []int{1}},
		{name: "one delivered, one dead, both before the cutoff", created: old, expanded: true, fates: []fate{{delivered, old}, {dead, old}}},
		{name: "one delivered before the cutoff, one after", created: old, expanded: true, fates: []fate{{delivered, old}, {delivered, recent}}, keepEvent: true, keep: []int{1}},
		{name: "expanded to no targets, before the cutoff", created: old, expanded: true},
		{name: "never expanded, before the cutoff", created: old},
		{name: "never expanded, at the cutoff", created: cutoff, keepEvent: true},
		{name: "never expanded, after the cutoff", created: recent, keepEvent: true},
	}
	addCases(t, h, cs)
	before := others(t, h)
	var wantEvents, wantTargets []string
	deleted, pending := 0, 0
	for i, c := range cs {
		if c.keepEvent {
			wantEvents = append(wantEvents, event(i).ID)
		} else {
			deleted++
		}
		for j, f := range c.fates {
			if f.outcome == untried || f.outcome == failed || f.outcome == retried {
				pending++
			}
			if slices.Contains(c.keep, j) {
				wantTargets = append(wantTargets, fmt.Sprintf("%d/%d", i, j))
			} else {
				deleted++
			}
		}
	}
	slices.Sort(wantEvents)
	slices.Sort(wantTargets)

	if got := prune(t, h.Queue, cutoff, 1000); got != deleted {
		t.Errorf("Prune = %d, want %d", got, deleted)
	}
	gotEvents, gotTargets := outbox(t, h)
	for i, c := range cs {
		t.Run(c.name, func(t *testing.T) {
			if got := slices.Contains(gotEvents, event(i).ID); got != c.keepEvent {
				t.Errorf("event kept: got %v, want %v", got, c.keepEvent)
			}
			for j, f := range c.fates {
				want := slices.Contains(c.keep, j)
				if got := slices.Contains(gotTargets, fmt.Sprintf("%d/%d", i, j)); got != want {
					t.Errorf("delivery %d (%s) kept: got %v, want %v", j, f.outcome, got, want)
				}
			}
		})
	}
	if !slices.Equal(gotEvents, wantEvents) || !slices.Equal(gotTargets, wantTargets) {
		t.Errorf("after Prune: events %v and deliveries %v, want %v and %v", gotEvents, gotTargets, wantEvents, wantTargets)
	}
	if got := others(t, h); got != before {
		t.Errorf("Prune changed what is not the outbox:\n%s\nwant\n%s", got, before)
	}
	if got := prune(t, h.Queue, cutoff, 1000); got != 0 {
		t.Errorf("second Prune = %d, want 0", got)
	}
	// What is left still works: the pending deliveries go out.
	if got := claim(t, h.Queue, notify.Lane{Channel: notify.ChannelWebhook}, recent.Add(time.Hour), 100); len(got) != pending {
		t.Errorf("claimed %d pending deliveries after Prune, want %d", len(got), pending)
	}
}

// pruneKeepsRecent: an expanded event with no deliveries stays until it
// is older than the cutoff. It is apart from pruneByAge because addCases
// writes the expanded events before the unexpanded ones, and events are
// written in time order, as the service writes them (Prune may leave an
// old event written after a newer one for a later call).
func pruneKeepsRecent(t *testing.T, h Harness) {
	old, cutoff, recent := t0, t0.Add(24*time.Hour), t0.Add(48*time.Hour)
	addCases(t, h, []outboxCase{{created: old, expanded: true}, {created: recent, expanded: true}})
	if got := prune(t, h.Queue, cutoff, 1000); got != 1 {
		t.Errorf("Prune = %d, want 1", got)
	}
	if got, _ := outbox(t, h); !slices.Equal(got, []string{event(1).ID}) {
		t.Errorf("events left: %v, want %v", got, []string{event(1).ID})
	}
}

func pruneBatches(t *testing.T, h Harness) {
	old, cutoff := t0, t0.Add(time.Hour)
	var cs []outboxCase
	for range 3 { // 3 events with 2 deliveries each, 9 rows
		cs = append(cs, outboxCase{created: old, expanded: true, fates: []fate{{delivered, old}, {dead, old}}})
	}
	for range 5 { // 5 rows
		cs = append(cs, outboxCase{created: old})
	}
	cs = append(cs, outboxCase{created: old, expanded: true, fates: []fate{{untried, old}}}) // kept
	addCases(t, h, cs)
	before := others(t, h)

	if got := prune(t, h.Queue, cutoff, 0); got != 0 {
		t.Errorf("Prune(n=0) = %d, want 0", got)
	}
	var got []int
	for range 10 {
		n := prune(t, h.Queue, cutoff, 4)
		got = append(got, n)
		if n < 4 {
			break
		}
	}
	if want := []int{4, 4, 4, 2}; !slices.Equal(got, want) {
		t.Errorf("Prune(n=4) until short: %v, want %v", got, want)
	}
	events, targets := outbox(t, h)
	if want := []string{event(len(cs) - 1).ID}; !slices.Equal(events, want) {
		t.Errorf("events left: %v, want %v", events, want)
	}
	if want := []string{fmt.Sprintf("%d/0", len(cs)-1)}; !slices.Equal(targets, want) {
		t.Errorf("deliveries left: %v, want %v", targets, want)
	}
	if got := others(t, h); got != before {
		t.Errorf("Prune changed what is not the outbox:\n%s\nwant\n%s", got, before)
	}
}
