package notify_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
)

type senderFunc func(ctx context.Context, d notify.Delivery) error

func (f senderFunc) Deliver(ctx context.Context, d notify.Delivery) error { return f(ctx, d) }

func TestAttemptOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		send      senderFunc
		wantErr   string // in LastError; empty: delivered
		wantState string
	}{
		{"success", func(context.Context, notify.Delivery) error { return nil }, "", notify.StatusDelivered},
		{"error retried", func(context.Context, notify.Delivery) error { return errors.New("421 try later") }, "421 try later", notify.StatusPending},
		{"permanent error dead at once", func(context.Context, notify.Delivery) error { return notify.Permanent(errors.New("550 no such user")) },
			"550 no such user", notify.StatusDead},
		{"multi-line error kept on one line", func(context.Context, notify.Delivery) error { return errors.New("a\r\n  b\nc") }, "a b c", notify.StatusPending},
		{"long error truncated", func(context.Context, notify.Delivery) error { return errors.New(strings.Repeat("é", 2000)) },
			strings.Repeat("é", 500) + "…", notify.StatusPending},
		{"panic contained", func(context.Context, notify.Delivery) error { panic("boom") }, "sender panicked: boom", notify.StatusPending},
		{"hang cut off by Timeout", func(ctx context.Context, _ notify.Delivery) error { <-ctx.Done(); return ctx.Err() },
			"attempt timed out after 50ms: context deadline exceeded", notify.StatusPending},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, now := newMemQueue(), t0
			w, err := notify.New(notify.Config{
				Queue: q, Email: tc.send, Timeout: 50 * time.Millisecond, Now: func() time.Time { return now },
				Rand: func() float64 { return 0 }, Logger: slog.New(slog.DiscardHandler),
			})
			if err != nil {
				t.Fatal(err)
			}
			q.AddEvent(caseEvent(1, sird.EventCaseCreated, sird.Recipient{Email: "a@example.com"}))
			rs, err := w.Drain(context.Background())
			if err != nil || len(rs) != 1 {
				t.Fatalf("Drain = %d results, %v; want 1", len(rs), err)
			}
			ds, _ := q.List(context.Background(), "", 10)
			if got := ds[0]; got.Status != tc.wantState || got.LastError != tc.wantErr {
				t.Errorf("delivery %s with LastError %q, want %s with %q", got.Status, got.LastError, tc.wantState, tc.wantErr)
			}
			if tc.wantState == notify.StatusPending && !rs[0].Next.Equal(now.Add(10*time.Second)) {
				t.Errorf("next attempt %v, want %v", rs[0].Next, now.Add(10*time.Second))
			}
		})
	}
}
