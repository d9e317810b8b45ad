package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
	"github.com/sird-project/sird/notify/smtp"
	"github.com/sird-project/sird/notify/smtptest"
	"github.com/sird-project/sird/notify/webhook"
)

var t0 = time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)

// clock is an injectable clock the test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// hook is a webhook receiver on 127.0.0.1 that verifies signatures and
// answers with status() (default 204).
type hook struct {
	srv    *httptest.Server
	secret string

	mu     sync.Mutex
	got    []webhook.Envelope
	status func() int
	hits   int
}

const hookSecret = "0123456789abcdef0123456789abcdef"

func startHook(t *testing.T) *hook {
	t.Helper()
	h := &hook{secret: hookSecret}
	h.srv = httptest.NewServer(h)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.hits++
	status := h.status
	h.mu.Unlock()
	if !webhook.Verify(h.secret, r.Header.Get("X-Sird-Timestamp"), body, r.Header.Get("X-Sird-Signature")) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	code := http.StatusNoContent
	if status != nil {
		code = status()
	}
	if code/100 == 2 {
		var env webhook.Envelope
		if err := json.Unmarshal(body, &env); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.got = append(h.got, env)
		h.mu.Unlock()
	}
	w.WriteHeader(code)
}

func (h *hook) setStatus(code int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status = func() int { return code }
}

func (h *hook) received() []webhook.Envelope {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]webhook.Envelope(nil), h.got...)
}

func (h *hook) requests() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits
}

// env is a worker wired to an in-memory queue, a real SMTP server and
// webhook receivers.
type env struct {
	q     *memQueue
	clock *clock
	smtp  *smtptest.Server
	w     *notify.Worker
}

// hookURL names a webhook endpoint, where it is and what it takes.
type hookURL struct {
	name, url string
	events    []string
}

func newEnv(t *testing.T, cfg notify.Config, hooks ...hookURL) *env {
	t.Helper()
	e := &env{q: newMemQueue(), clock: &clock{now: t0}, smtp: smtptest.Start(t, smtptest.Options{Reject: []string{"nobody@example.com"}})}
	mailer, err := smtp.New(smtp.Config{
		Host: "127.0.0.1", Port: e.smtp.Port(), TLS: smtp.TLSNone, From: "sird <sird@sird.example>", Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	var eps []webhook.Endpoint
	for _, h := range hooks {
		eps = append(eps, webhook.Endpoint{Name: h.name, URL: h.url, Secret: hookSecret, Events: h.events, Timeout: 5 * time.Second})
	}
	hs, err := webhook.New(eps, webhook.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Queue, cfg.Email, cfg.Webhooks, cfg.WebhookSender = e.q, mailer, hs.Webhooks(), hs
	if cfg.Now == nil {
		cfg.Now = e.clock.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = func() float64 { return 0 }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e.w, err = notify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) drain(t *testing.T) []notify.Result {
	t.Helper()
	rs, err := e.w.Drain(context.Background())
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	return rs
}

func (e *env) list(t *testing.T, status string) []notify.Delivery {
	t.Helper()
	ds, err := e.q.List(context.Background(), status, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// caseEvent is an event on case n mailed to the given recipients.
func caseEvent(n int, typ string, rs ...sird.Recipient) sird.Event {
	return sird.Event{
		ID: fmt.Sprintf("5f0c6e2a-0000-4000-8000-%012d", n), Type: typ, Time: sird.At(t0),
		AccountID: "111122223333", Region: "eu-west-1",
		Resources: []string{fmt.Sprintf("arn:aws:security-ir:eu-west-1:111122223333:case/%d", 1000000000+n)},
		Principal: "arn:aws:iam::111122223333:user/alice", CaseID: fmt.Sprint(1000000000 + n), CaseTitle: "Suspicious login",
		Summary: "Status changed to Detection and Analysis", Detail: map[string]any{"caseStatus": "Detection and Analysis"},
		Recipients: rs,
	}
}

// header reads one header of a received message.
func header(t *testing.T, m smtptest.Message, name string) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		t.Fatalf("parsing message: %v", err)
	}
	return msg.Header.Get(name)
}
