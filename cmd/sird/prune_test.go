package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakePrunes answers Prune from a script, one entry per call (0 once it
// runs out), and records each call's arguments.
type fakePrunes struct {
	mu     sync.Mutex
	script []any // int rows, or error
	calls  []pruneCall
}

type pruneCall struct {
	before time.Time
	n      int
}

func (f *fakePrunes) Prune(_ context.Context, before time.Time, n int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, pruneCall{before, n})
	if len(f.script) == 0 {
		return 0, nil
	}
	next := f.script[0]
	f.script = f.script[1:]
	if err, ok := next.(error); ok {
		return 0, err
	}
	return next.(int), nil
}

func (f *fakePrunes) taken() []pruneCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

var errDown = errors.New("database down")

func TestPruneOutboxBatches(t *testing.T) {
	before := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name      string
		script    []any
		wantCalls int
		wantRows  int
		wantErr   error
	}{
		{"nothing due", []any{0}, 1, 0, nil},
		{"one short batch", []any{7}, 1, 7, nil},
		{"full batches, then a short one", []any{pruneBatch, pruneBatch, 3}, 3, 2*pruneBatch + 3, nil},
		{"full batch, then nothing", []any{pruneBatch, 0}, 2, pruneBatch, nil},
		{"error after a full batch", []any{pruneBatch, errDown, 5}, 2, pruneBatch, errDown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := &fakePrunes{script: tc.script}
			got, err := pruneOutbox(t.Context(), q, before)
			if got != tc.wantRows || !errors.Is(err, tc.wantErr) {
				t.Errorf("pruneOutbox = %d, %v; want %d, %v", got, err, tc.wantRows, tc.wantErr)
			}
			calls := q.taken()
			if len(calls) != tc.wantCalls {
				t.Errorf("got %d Prune calls, want %d", len(calls), tc.wantCalls)
			}
			for _, c := range calls {
				if !c.before.Equal(before) || c.n != pruneBatch {
					t.Errorf("Prune(%v, %d), want Prune(%v, %d)", c.before, c.n, before, pruneBatch)
				}
			}
		})
	}
}

// syncBuffer is a log destination the test reads while the pruner writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Split(strings.TrimSpace(s.b.String()), "\n")
}

// The pruner waits pruneFirstDelay, prunes until a short batch, logs what
// went, then prunes every pruneInterval (also after a failed run) until
// its context ends. In a synctest bubble the clock moves only when every
// goroutine waits, so the minutes pass at once.
func TestOutboxPrunerRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		const retention = 7 * 24 * time.Hour
		q := &fakePrunes{script: []any{pruneBatch, 5, errDown, 0}}
		var logs syncBuffer
		p := &outboxPruner{q: q, retention: retention, now: func() time.Time { return now },
			log: slog.New(slog.NewJSONHandler(&logs, nil))}
		done := make(chan struct{})
		go func() { p.run(ctx); close(done) }()

		step := func(d time.Duration, wantCalls int) {
			t.Helper()
			time.Sleep(d)
			synctest.Wait()
			if got := len(q.taken()); got != wantCalls {
				t.Fatalf("after %v more: %d Prune calls, want %d", d, got, wantCalls)
			}
		}
		step(pruneFirstDelay-time.Millisecond, 0)
		step(time.Millisecond, 2) // a full batch, then a short one
		for _, c := range q.taken() {
			if want := now.Add(-retention); !c.before.Equal(want) || c.n != pruneBatch {
				t.Errorf("Prune(%v, %d), want Prune(%v, %d)", c.before, c.n, want, pruneBatch)
			}
		}
		lines := logs.lines()
		if len(lines) != 1 || !strings.Contains(lines[0], `"level":"INFO","msg":"pruned the outbox","rows":1005`) {
			t.Errorf("logged %q, want one INFO line with rows 1005", lines)
		}
		step(pruneInterval-time.Millisecond, 2)
		step(time.Millisecond, 3) // fails
		if lines := logs.lines(); len(lines) != 2 || !strings.Contains(lines[1], `"level":"WARN"`) || !strings.Contains(lines[1], "database down") {
			t.Errorf("logged %q, want a WARN line with the error", lines)
		}
		step(pruneInterval, 4) // nothing due: nothing logged
		if lines := logs.lines(); len(lines) != 2 {
			t.Errorf("logged %q after a run that deleted nothing, want nothing new", lines[2:])
		}

		cancel()
		synctest.Wait()
		select {
		case <-done:
		default:
			t.Fatal("run did not return when its context ended")
		}
		step(time.Hour, 4)
	})
}

func TestStartPrunerRetention(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	tests := []struct {
		name      string
		retention time.Duration
		wantErr   bool
	}{
		{"off", 0, false},
		{"negative", -time.Hour, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := &fakePrunes{}
			stop, err := startPruner(t.Context(), q, log, tc.retention)
			if (err != nil) != tc.wantErr {
				t.Fatalf("startPruner(%v): err %v, want error %v", tc.retention, err, tc.wantErr)
			}
			if stop != nil {
				stop()
			}
			if got := len(q.taken()); got != 0 {
				t.Errorf("%d Prune calls, want none", got)
			}
		})
	}
}
