package notify_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
	"github.com/sird-project/sird/notify/webhook"
)

func TestEmailRecipients(t *testing.T) {
	watcher := func(email string) sird.Recipient { return sird.Recipient{Email: email, Name: "Watcher"} }
	responder := func(email string, prefs ...string) sird.Recipient {
		return sird.Recipient{Email: email, Name: "Responder", Preferences: prefs}
	}
	tests := []struct {
		name string
		typ  string
		rs   []sird.Recipient
		want map[string]int // RCPT address -> messages
	}{
		{"watchers and team without preferences", sird.EventCaseStatusUpdated,
			[]sird.Recipient{watcher("w@example.com"), responder("r@example.com")},
			map[string]int{"w@example.com": 1, "r@example.com": 1}},
		{"preferences honoured", sird.EventCaseStatusUpdated,
			[]sird.Recipient{responder("closed-only@example.com", sird.EventCaseClosed), responder("status@example.com", sird.EventCaseStatusUpdated)},
			map[string]int{"status@example.com": 1}},
		{"watcher who is a responder mailed once", sird.EventCaseStatusUpdated,
			[]sird.Recipient{watcher("Alice@Example.com"), responder("alice@example.com", sird.EventCaseClosed)},
			map[string]int{"alice@example.com": 1}},
		{"union of preferences", sird.EventCaseClosed,
			[]sird.Recipient{responder("bob@example.com", sird.EventCaseCreated), responder("BOB@example.com", sird.EventCaseClosed)},
			map[string]int{"bob@example.com": 1}},
		{"nobody wants it", sird.EventCaseCommentAdded,
			[]sird.Recipient{responder("r@example.com", sird.EventCaseClosed)}, map[string]int{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, notify.Config{})
			ev := caseEvent(1, tc.typ, tc.rs...)
			e.q.AddEvent(ev)
			for _, r := range e.drain(t) {
				if r.Err != nil {
					t.Errorf("delivery to %s: %v", r.Delivery.Target, r.Err)
				}
			}
			got := map[string]int{}
			for _, m := range e.smtp.Messages() {
				for _, to := range m.To {
					got[to]++
				}
				if id := header(t, m, "X-Sird-Event-Id"); id != ev.ID {
					t.Errorf("X-Sird-Event-Id = %q, want %q", id, ev.ID)
				}
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("messages by recipient = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMembershipEventMailed(t *testing.T) {
	e := newEnv(t, notify.Config{})
	ev := sird.Event{
		ID: "7d1f2a3b-0000-4000-8000-000000000001", Type: sird.EventMembershipCreated, Time: sird.At(t0), AccountID: "111122223333",
		Region: "eu-west-1", Principal: "arn:aws:iam::111122223333:user/alice", Membership: "m-abcdef1234", Summary: "Membership created",
		Detail:     map[string]any{"membershipName": "Prod", "membershipStatus": "Active"},
		Recipients: []sird.Recipient{{Email: "r@example.com", Preferences: []string{sird.EventMembershipCreated}}},
	}
	e.q.AddEvent(ev)
	e.drain(t)
	msgs := e.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	if got, want := header(t, msgs[0], "Subject"), "[sird] Membership m-abcdef1234: Membership Created"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
}

func TestWebhookSignedEventBridgeShape(t *testing.T) {
	all, closedOnly := startHook(t), startHook(t)
	e := newEnv(t, notify.Config{}, hookURL{name: "all", url: all.srv.URL}, hookURL{name: "closed", url: closedOnly.srv.URL, events: []string{sird.EventCaseClosed}})
	ev := caseEvent(1, sird.EventCaseStatusUpdated)
	e.q.AddEvent(ev)
	for _, r := range e.drain(t) {
		if r.Err != nil {
			t.Errorf("delivery to %s: %v", r.Delivery.Target, r.Err)
		}
	}
	want := webhook.Envelope{
		Version: "0", ID: ev.ID, DetailType: "Case Status Updated", Source: "aws.security-ir", Account: "111122223333",
		Time: "2030-05-06T07:08:09Z", Region: "eu-west-1", Resources: ev.Resources,
		Detail: map[string]any{
			"caseStatus": "Detection and Analysis", "caseId": ev.CaseID, "caseTitle": "Suspicious login",
			"principal": ev.Principal, "summary": ev.Summary,
		},
	}
	got := all.received()
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("received %+v, want [%+v]", got, want)
	}
	if n := closedOnly.requests(); n != 0 {
		t.Errorf("webhook filtered to Case Closed got %d requests, want 0", n)
	}
}

func TestRetriesWithBackoffUntilReceiverBack(t *testing.T) {
	tests := []struct {
		name string
		// down makes the receiver unavailable and returns its URL and a
		// function bringing it back.
		down func(t *testing.T) (url string, up func() *hook)
	}{
		{"HTTP 503", func(t *testing.T) (string, func() *hook) {
			h := startHook(t)
			h.setStatus(http.StatusServiceUnavailable)
			return h.srv.URL, func() *hook { h.setStatus(http.StatusOK); return h }
		}},
		{"connection refused", func(t *testing.T) (string, func() *hook) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close() // nothing listens there until up
			return "http://" + addr, func() *hook {
				ln, err := net.Listen("tcp", addr)
				if err != nil {
					t.Skipf("port %s taken meanwhile: %v", addr, err)
				}
				h := &hook{secret: hookSecret}
				h.srv = httptest.NewUnstartedServer(h)
				h.srv.Listener.Close()
				h.srv.Listener = ln
				h.srv.Start()
				t.Cleanup(h.srv.Close)
				return h
			}
		}},
	}
	// BaseBackoff 10s doubling, capped at 30s, shortened by Jitter*Rand = 0.5*0.5.
	waits := []time.Duration{7500 * time.Millisecond, 15 * time.Second, 22500 * time.Millisecond, 22500 * time.Millisecond}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url, up := tc.down(t)
			e := newEnv(t, notify.Config{BaseBackoff: 10 * time.Second, MaxBackoff: 30 * time.Second, Jitter: 0.5, Rand: func() float64 { return 0.5 }},
				hookURL{name: "siem", url: url})
			for i := 1; i <= 3; i++ {
				e.q.AddEvent(caseEvent(i, sird.EventCaseUpdated, sird.Recipient{Email: "r@example.com"}))
			}
			for i, wait := range waits {
				var failed int
				for _, r := range e.drain(t) {
					if r.Delivery.Channel != notify.ChannelWebhook {
						continue
					}
					failed++
					if r.Err == nil || r.Dead || r.Delivery.Attempts != i+1 || !r.Next.Equal(e.clock.Now().Add(wait)) {
						t.Errorf("attempt %d: %+v, want failure retried after %v", i+1, r, wait)
					}
				}
				if failed != 3 {
					t.Fatalf("attempt %d: %d webhook attempts, want 3", i+1, failed)
				}
				e.clock.Advance(wait - time.Millisecond)
				if rs := e.drain(t); len(rs) != 0 {
					t.Fatalf("attempt %d: %d attempts before the backoff elapsed", i+1, len(rs))
				}
				e.clock.Advance(time.Millisecond)
			}
			h := up()
			for _, r := range e.drain(t) {
				if r.Err != nil {
					t.Errorf("after recovery: %v", r.Err)
				}
			}
			if got := len(h.received()); got != 3 {
				t.Errorf("receiver got %d events, want 3", got)
			}
			if got := len(e.smtp.Messages()); got != 3 {
				t.Errorf("mails = %d, want 3 (sent at once, whatever the webhook did)", got)
			}
			if p := e.list(t, notify.StatusPending); len(p) != 0 {
				t.Errorf("%d deliveries still pending", len(p))
			}
		})
	}
}

func TestDeadAfterMaxAttemptsAndRetryRevives(t *testing.T) {
	h := startHook(t)
	h.setStatus(http.StatusInternalServerError)
	e := newEnv(t, notify.Config{MaxAttempts: 3}, hookURL{name: "siem", url: h.srv.URL})
	e.q.AddEvent(caseEvent(1, sird.EventCaseClosed))
	for i := 1; i <= 3; i++ {
		rs := e.drain(t)
		if len(rs) != 1 || rs[0].Dead != (i == 3) {
			t.Fatalf("attempt %d: %+v, want one failure, dead only at attempt 3", i, rs)
		}
		e.clock.Advance(time.Hour)
	}
	if rs := e.drain(t); len(rs) != 0 {
		t.Errorf("a dead delivery was attempted again: %+v", rs)
	}
	dead := e.list(t, notify.StatusDead)
	if len(dead) != 1 || dead[0].Attempts != 3 || !strings.Contains(dead[0].LastError, "HTTP 500") {
		t.Fatalf("dead = %+v, want the delivery after 3 attempts with LastError HTTP 500", dead)
	}
	ctx := context.Background()
	if err := e.q.Retry(ctx, dead[0].ID, e.clock.Now()); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	h.setStatus(http.StatusAccepted)
	if rs := e.drain(t); len(rs) != 1 || rs[0].Err != nil {
		t.Fatalf("after Retry: %+v, want one success", rs)
	}
	if got := len(h.received()); got != 1 {
		t.Errorf("receiver got %d events, want 1", got)
	}
	if err := e.q.Retry(ctx, dead[0].ID, e.clock.Now()); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("Retry of a delivered delivery = %v, want ErrNotFound", err)
	}
}

func TestRejectedAddressIsDeadAtOnce(t *testing.T) {
	e := newEnv(t, notify.Config{})
	e.q.AddEvent(caseEvent(1, sird.EventCaseCreated, sird.Recipient{Email: "nobody@example.com"}, sird.Recipient{Email: "ok@example.com"}))
	e.drain(t)
	dead := e.list(t, notify.StatusDead)
	if len(dead) != 1 || dead[0].Target != "nobody@example.com" || dead[0].Attempts != 1 || !strings.Contains(dead[0].LastError, "550") {
		t.Errorf("dead = %+v, want nobody@example.com after one attempt, 550", dead)
	}
	if got := e.list(t, notify.StatusDelivered); len(got) != 1 || got[0].Target != "ok@example.com" {
		t.Errorf("delivered = %+v, want ok@example.com", got)
	}
}

func TestSlowWebhookDoesNotDelayOthers(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // the server notices a client hanging up only after the body
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	unblock := sync.OnceFunc(func() { close(release) })
	defer unblock() // before slow.Close, which waits for handlers
	fast := startHook(t)
	e := newEnv(t, notify.Config{Now: time.Now, WebhookConcurrency: 1, PollInterval: 20 * time.Millisecond},
		hookURL{name: "slow", url: slow.URL}, hookURL{name: "fast", url: fast.srv.URL})
	const n = 5
	for i := 1; i <= n; i++ {
		e.q.AddEvent(caseEvent(i, sird.EventCaseUpdated, sird.Recipient{Email: "a@example.com"}, sird.Recipient{Email: "b@example.com"}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.w.Run(ctx) }()
	e.smtp.Wait(t, 2*n, 3*time.Second)
	waitFor(t, 3*time.Second, func() bool { return len(e.list(t, notify.StatusDelivered)) == 3*n })
	if got := len(fast.received()); got != n {
		t.Errorf("fast webhook got %d events while the slow one hung, want %d", got, n)
	}
	if got := e.list(t, notify.StatusPending); len(got) != n || got[0].Target != "slow" {
		t.Errorf("pending %+v, want the slow webhook's %d", got, n)
	}
	unblock()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestRunKickAndShutdown(t *testing.T) {
	started, got := make(chan struct{}, 10), make(chan struct{}, 10)
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		time.Sleep(200 * time.Millisecond) // still in flight when Run is cancelled
		got <- struct{}{}
	}))
	t.Cleanup(h.Close)
	e := newEnv(t, notify.Config{Now: time.Now, PollInterval: time.Hour}, hookURL{name: "h", url: h.URL})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.w.Run(ctx) }()
	time.Sleep(50 * time.Millisecond) // let the first pass find nothing
	e.q.AddEvent(caseEvent(1, sird.EventCaseCreated))
	e.w.Kick()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("Kick did not wake the worker (poll interval is an hour)")
	}
	e.q.AddEvent(caseEvent(2, sird.EventCaseCreated))
	e.w.Kick()
	<-started
	<-started // the second request is in flight
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	delivered := e.list(t, notify.StatusDelivered)
	ids := []string{}
	for _, d := range delivered {
		ids = append(ids, d.EventID)
	}
	slices.Sort(ids)
	if want := []string{caseEvent(1, "").ID, caseEvent(2, "").ID}; !slices.Equal(ids, want) {
		t.Errorf("delivered events %v, want %v: the attempt in flight at shutdown is recorded", ids, want)
	}
}

func TestDrainReportsQueueErrors(t *testing.T) {
	e := newEnv(t, notify.Config{})
	e.q.claimErr = errors.New("database is down")
	if _, err := e.w.Drain(context.Background()); err == nil || !strings.Contains(err.Error(), "database is down") {
		t.Errorf("Drain = %v, want the claim error", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	q := newMemQueue()
	tests := []struct {
		name string
		cfg  notify.Config
	}{
		{"no queue", notify.Config{}},
		{"webhooks without sender", notify.Config{Queue: q, Webhooks: []notify.Webhook{{Name: "a"}}}},
		{"duplicate webhook", notify.Config{Queue: q, Webhooks: []notify.Webhook{{Name: "a"}, {Name: "a"}}, WebhookSender: &webhook.Sender{}}},
		{"lease not above timeout", notify.Config{Queue: q, Timeout: time.Minute, Lease: time.Minute}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := notify.New(tc.cfg); err == nil {
				t.Error("New succeeded, want an error")
			}
		})
	}
}

// waitFor polls cond until it holds or fails the test after timeout.
func waitFor(tb testing.TB, timeout time.Duration, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("condition not met within %v", timeout)
		}
	}
}
