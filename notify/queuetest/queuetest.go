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
