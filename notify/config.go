package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Sender delivers one delivery: an e-mail (notify/smtp) or a webhook call
// (notify/webhook). It must return once ctx is done. An error for which
// IsPermanent holds kills the delivery at once; any other is retried.
type Sender interface {
	Deliver(ctx context.Context, d Delivery) error
}

// Config configures a Worker. Zero durations and counts take the defaults.
type Config struct {
	Queue Queue

	// Email sends the "email" deliveries; nil turns e-mail off: events are
	// then expanded without e-mail deliveries.
	Email Sender
	// Webhooks are the registered endpoints and their event filters;
	// WebhookSender delivers to them by name.
	Webhooks      []Webhook
	WebhookSender Sender

	PollInterval time.Duration // how often to look for work without a Kick; default 1s
	Timeout      time.Duration // per attempt; default 30s
	// Lease is how long a claimed delivery stays invisible to other
	// workers; it must exceed Timeout so a live attempt is never claimed
	// twice. Default Timeout + 1m.
	Lease       time.Duration
	MaxAttempts int           // attempts before a delivery is dead; default 12
	BaseBackoff time.Duration // wait after the first failure, doubled after each; default 10s
	MaxBackoff  time.Duration // cap on the wait; default 30m
	// Jitter is the fraction by which a wait is randomly shortened;
	// default 0.2, negative for none.
	Jitter float64

	EmailConcurrency   int // parallel e-mail attempts; default 8
	WebhookConcurrency int // parallel attempts per webhook endpoint; default 4
	ExpandBatch        int // events expanded per transaction; default 100

	Now    func() time.Time // default time.Now
	Rand   func() float64   // uniform in [0,1); default math/rand/v2
	Logger *slog.Logger     // default slog.Default()
	// Observe, if set, is called after each attempt is recorded, e.g. for
	// metrics. It must not block.
	Observe func(Result)
}

// Result is the outcome of one attempt.
type Result struct {
	Delivery Delivery // as claimed
	Err      error    // nil: delivered
	Dead     bool     // the delivery will not be tried again
	Next     time.Time
	QueueErr error // recording the outcome failed; the lease will expire and the attempt repeat
}

func (c *Config) setDefaults() error {
	if c.Queue == nil {
		return errors.New("notify: Config.Queue is required")
	}
	seen := map[string]bool{}
	for _, h := range c.Webhooks {
		if h.Name == "" || seen[h.Name] {
			return fmt.Errorf("notify: webhook names must be unique and non-empty: %q", h.Name)
		}
		seen[h.Name] = true
	}
	if len(c.Webhooks) > 0 && c.WebhookSender == nil {
		return errors.New("notify: Config.WebhookSender is required with Webhooks")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	def(&c.PollInterval, time.Second)
	def(&c.Timeout, 30*time.Second)
	def(&c.Lease, c.Timeout+time.Minute)
	def(&c.BaseBackoff, 10*time.Second)
	def(&c.MaxBackoff, 30*time.Minute)
	defInt(&c.MaxAttempts, 12)
	defInt(&c.EmailConcurrency, 8)
	defInt(&c.WebhookConcurrency, 4)
	defInt(&c.ExpandBatch, 100)
	if c.Lease <= c.Timeout {
		return fmt.Errorf("notify: Lease (%v) must exceed Timeout (%v)", c.Lease, c.Timeout)
	}
	if c.Jitter == 0 {
		c.Jitter = 0.2
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Float64
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}
