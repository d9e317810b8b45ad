package webhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
	"github.com/sird-project/sird/notify/webhook"
)

const secret = "0123456789abcdef0123456789abcdef"

var sent = time.Unix(1893456000, 0)

func delivery() notify.Delivery {
	return notify.Delivery{ID: 42, EventID: "e-1", Channel: notify.ChannelWebhook, Target: "siem", Attempts: 3, Event: sird.Event{
		ID: "e-1", Type: sird.EventCaseClosed, Time: sird.At(sent), AccountID: "111122223333", Region: "eu-west-1",
		Resources: []string{"arn:x"}, CaseID: "1234567890",
		Recipients: []sird.Recipient{{Email: "private@example.com"}},
	}}
}

func newSender(t *testing.T, url string, timeout time.Duration) *webhook.Sender {
	t.Helper()
	s, err := webhook.New([]webhook.Endpoint{{Name: "siem", URL: url, Secret: secret, Timeout: timeout}},
		webhook.Options{Now: func() time.Time { return sent }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDeliverRequest(t *testing.T) {
	var (
		got  *http.Request
		body []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, body = r, must(io.ReadAll(r.Body))
	}))
	t.Cleanup(srv.Close)
	if err := newSender(t, srv.URL, 0).Deliver(context.Background(), delivery()); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	tests := []struct{ header, want string }{
		{"Content-Type", "application/json"},
		{"X-Sird-Event-Id", "e-1"},
		{"X-Sird-Delivery-Id", "42"},
		{"X-Sird-Attempt", "3"},
		{"X-Sird-Timestamp", "1893456000"},
		{"X-Sird-Signature", webhook.Sign(secret, "1893456000", body)},
	}
	for _, tc := range tests {
		if v := got.Header.Get(tc.header); v != tc.want {
			t.Errorf("%s = %q, want %q", tc.header, v, tc.want)
		}
	}
	if got.Method != http.MethodPost {
		t.Errorf("method %s, want POST", got.Method)
	}
	if want := `{"version":"0","id":"e-1","detail-type":"Case Closed","source":"aws.security-ir","account":"111122223333",` +
		`"time":"2030-01-01T00:00:00Z","region":"eu-west-1","resources":["arn:x"],"detail":{"caseId":"1234567890"}}`; string(body) != want {
		t.Errorf("body\n%s\nwant\n%s", body, want)
	}
}

func TestDeliverOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		wantErr   string // empty: success
		permanent bool
	}{
		{"200", func(w http.ResponseWriter, r *http.Request) {}, "", false},
		{"204", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }, "", false},
		{"400 retried", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad\nthing", 400) }, "HTTP 400: bad thing", false},
		{"503 retried", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }, "HTTP 503", false},
		{"redirect not followed", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "http://127.0.0.1:1/", 307) }, "HTTP 307", false},
		{"hang times out", func(w http.ResponseWriter, r *http.Request) { io.ReadAll(r.Body); <-r.Context().Done() }, "deadline exceeded", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			t.Cleanup(srv.Close)
			err := newSender(t, srv.URL, 300*time.Millisecond).Deliver(context.Background(), delivery())
			if tc.wantErr == "" {
				if err != nil {
					t.Errorf("Deliver = %v, want success", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || notify.IsPermanent(err) != tc.permanent {
				t.Errorf("Deliver = %v, want an error containing %q, permanent %v", err, tc.wantErr, tc.permanent)
			}
		})
	}
}

func TestDeliverUnknownEndpointIsPermanent(t *testing.T) {
	d := delivery()
	d.Target = "removed"
	if err := newSender(t, "http://127.0.0.1:1/", 0).Deliver(context.Background(), d); !notify.IsPermanent(err) {
		t.Errorf("Deliver = %v, want a permanent error", err)
	}
}

func TestNewRejectsBadEndpoints(t *testing.T) {
	ok := webhook.Endpoint{Name: "a", URL: "https://siem.example/hook", Secret: secret}
	with := func(f func(*webhook.Endpoint)) []webhook.Endpoint { e := ok; f(&e); return []webhook.Endpoint{e} }
	tests := []struct {
		name string
		eps  []webhook.Endpoint
	}{
		{"empty name", with(func(e *webhook.Endpoint) { e.Name = "" })},
		{"name with space", with(func(e *webhook.Endpoint) { e.Name = "a b" })},
		{"duplicate", []webhook.Endpoint{ok, ok}},
		{"relative URL", with(func(e *webhook.Endpoint) { e.URL = "/hook" })},
		{"other scheme", with(func(e *webhook.Endpoint) { e.URL = "ftp://x/" })},
		{"no secret", with(func(e *webhook.Endpoint) { e.Secret = "" })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := webhook.New(tc.eps, webhook.Options{}); err == nil {
				t.Error("New succeeded, want an error")
			}
		})
	}
	s, err := webhook.New([]webhook.Endpoint{ok, {Name: "b", URL: "http://127.0.0.1/", Secret: "x", Events: []string{sird.EventCaseClosed}}}, webhook.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Webhooks(); len(got) != 2 || got[0].Name != "a" || got[1].Name != "b" || got[1].Events[0] != sird.EventCaseClosed {
		t.Errorf("Webhooks = %+v", got)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
