// Package webhook posts outbox deliveries to operator-registered HTTP
// endpoints as signed EventBridge-shaped JSON.
package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sird-project/sird/notify"
)

// Endpoint is one registered receiver.
type Endpoint struct {
	Name   string // unique; [A-Za-z0-9._-], at most 64
	URL    string // http or https
	Secret string // HMAC key for X-Sird-Signature
	// Events are the event types sent; empty means every event.
	Events  []string
	Timeout time.Duration // per request; default 10s (the worker's Timeout still applies)
}

// Options tune a Sender.
type Options struct {
	// Client sends the requests; default a client on a clone of
	// http.DefaultTransport. Redirects are never followed: a 3xx is a failure,
	// so a signed body is not replayed elsewhere.
	Client    *http.Client
	Now       func() time.Time // signing time; default time.Now
	UserAgent string           // default "sird-webhook/1"
}

// Sender posts deliveries; it implements notify.Sender.
type Sender struct {
	eps    map[string]Endpoint
	order  []string
	client *http.Client
	now    func() time.Time
	ua     string
}

var validName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// New checks the endpoints and returns a Sender.
func New(endpoints []Endpoint, opts Options) (*Sender, error) {
	s := &Sender{eps: map[string]Endpoint{}, client: opts.Client, now: opts.Now, ua: opts.UserAgent}
	for _, ep := range endpoints {
		if !validName.MatchString(ep.Name) {
			return nil, fmt.Errorf("webhook: name %q: want 1-64 of A-Z a-z 0-9 . _ -", ep.Name)
		}
		if _, dup := s.eps[ep.Name]; dup {
			return nil, fmt.Errorf("webhook: name %q registered twice", ep.Name)
		}
		u, err := url.Parse(ep.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("webhook %s: URL %q: want an absolute http or https URL", ep.Name, ep.URL)
		}
		if ep.Secret == "" {
			return nil, fmt.Errorf("webhook %s: a secret is required to sign requests", ep.Name)
		}
		if ep.Timeout <= 0 {
			ep.Timeout = 10 * time.Second
		}
		s.eps[ep.Name] = ep
		s.order = append(s.order, ep.Name)
	}
	if s.client == nil {
		s.client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	c := *s.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.client = &c
	if s.now == nil {
		s.now = time.Now
	}
	if s.ua == "" {
		s.ua = "sird-webhook/1"
	}
	return s, nil
}

// Webhooks returns the routes for notify.Config.Webhooks.
func (s *Sender) Webhooks() []notify.Webhook {
	out := make([]notify.Webhook, 0, len(s.order))
	for _, n := range s.order {
		out = append(out, notify.Webhook{Name: n, Events: s.eps[n].Events})
	}
	return out
}

// Deliver posts d.Event to the endpoint named d.Target. A 2xx answer is
// success; any other answer or a transport error is retried.
func (s *Sender) Deliver(ctx context.Context, d notify.Delivery) error {
	ep, ok := s.eps[d.Target]
	if !ok {
		return notify.Permanent(fmt.Errorf("webhook %q is not configured", d.Target))
	}
	body, err := Payload(d.Event)
	if err != nil {
		return notify.Permanent(fmt.Errorf("webhook %s: encoding event: %w", ep.Name, err))
	}
	ctx, cancel := context.WithTimeout(ctx, ep.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return notify.Permanent(fmt.Errorf("webhook %s: %w", ep.Name, err))
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.ua)
	req.Header.Set("X-Sird-Event-Id", d.Event.ID)
	req.Header.Set("X-Sird-Delivery-Id", strconv.FormatInt(d.ID, 10))
	req.Header.Set("X-Sird-Attempt", strconv.Itoa(d.Attempts))
	req.Header.Set("X-Sird-Timestamp", ts)
	req.Header.Set("X-Sird-Signature", Sign(ep.Secret, ts, body))
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", ep.Name, err)
	}
	defer resp.Body.Close()
	// Read a little for the error text; drain a bit more so the connection
	// can be reused, but never let a receiver stream at us.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	msg := strings.Join(strings.Fields(string(bytes.ToValidUTF8(snippet, nil))), " ")
	return fmt.Errorf("webhook %s: %w", ep.Name, &StatusError{Code: resp.StatusCode, Body: msg})
}

// StatusError is a non-2xx answer.
type StatusError struct {
	Code int
	Body string // the start of the response body
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return "HTTP " + strconv.Itoa(e.Code)
	}
	return "HTTP " + strconv.Itoa(e.Code) + ": " + e.Body
}
