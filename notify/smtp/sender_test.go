package smtp_test

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
	"github.com/sird-project/sird/notify/smtp"
	"github.com/sird-project/sird/notify/smtptest"
)

var t0 = time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)

func testEvent() sird.Event {
	return sird.Event{
		ID: "5f0c6e2a-1111-4000-8000-000000000001", Type: sird.EventCaseStatusUpdated, Time: sird.At(t0),
		AccountID: "111122223333", Region: "eu-west-1", Resources: []string{"arn:aws:security-ir:eu-west-1:111122223333:case/1234567890"},
		Principal: "arn:aws:iam::111122223333:user/alice", CaseID: "1234567890", CaseTitle: "Suspicious login",
		Summary: "Status changed to Containment, Eradication and Recovery", Detail: map[string]any{"caseStatus": "Containment, Eradication and Recovery"},
		Recipients: []sird.Recipient{{Email: "Bob@Example.com", Name: "Bob Builder"}},
	}
}

func TestSendTLSModesAndAuth(t *testing.T) {
	serverTLS, roots := smtptest.TLS(t)
	clientTLS := &tls.Config{RootCAs: roots}
	tests := []struct {
		name     string
		server   smtptest.Options
		cfg      smtp.Config
		wantTLS  bool
		wantUser string
		wantErr  string
	}{
		{"plaintext", smtptest.Options{}, smtp.Config{TLS: smtp.TLSNone}, false, "", ""},
		{"plaintext auth when allowed", smtptest.Options{User: "u", Password: "p", AllowPlainAuth: true},
			smtp.Config{TLS: smtp.TLSNone, Username: "u", Password: "p", AllowInsecureAuth: true}, false, "u", ""},
		{"starttls", smtptest.Options{TLS: serverTLS}, smtp.Config{TLS: smtp.TLSStartTLS, TLSConfig: clientTLS}, true, "", ""},
		{"starttls with auth", smtptest.Options{TLS: serverTLS, User: "u", Password: "p"},
			smtp.Config{TLS: smtp.TLSStartTLS, TLSConfig: clientTLS, Username: "u", Password: "p"}, true, "u", ""},
		{"implicit tls with auth", smtptest.Options{TLS: serverTLS, Implicit: true, User: "u", Password: "p"},
			smtp.Config{TLS: smtp.TLSImplicit, TLSConfig: clientTLS, Username: "u", Password: "p"}, true, "u", ""},
		{"wrong password", smtptest.Options{TLS: serverTLS, User: "u", Password: "p"},
			smtp.Config{TLS: smtp.TLSStartTLS, TLSConfig: clientTLS, Username: "u", Password: "nope"}, false, "", "535"},
		{"starttls not offered: no plaintext fallback", smtptest.Options{},
			smtp.Config{TLS: smtp.TLSStartTLS, TLSConfig: clientTLS}, false, "", "does not offer STARTTLS"},
		{"untrusted certificate", smtptest.Options{TLS: serverTLS}, smtp.Config{TLS: smtp.TLSStartTLS}, false, "", "certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, tc.server)
			cfg := tc.cfg
			cfg.Host, cfg.Port, cfg.From, cfg.Timeout = "127.0.0.1", srv.Port(), "sird <sird@sird.example>", 5*time.Second
			s, err := smtp.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = s.Send(context.Background(), "bob@example.com", testEvent())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Send = %v, want an error containing %q", err, tc.wantErr)
				}
				if notify.IsPermanent(err) {
					t.Errorf("error %v is permanent, want retryable (a configuration fix helps)", err)
				}
				if n := len(srv.Messages()); n != 0 {
					t.Errorf("server accepted %d messages", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 {
				t.Fatalf("server got %d messages, want 1", len(msgs))
			}
			m := msgs[0]
			if m.From != "sird@sird.example" || len(m.To) != 1 || m.To[0] != "bob@example.com" || m.TLS != tc.wantTLS || m.AuthUser != tc.wantUser {
				t.Errorf("got envelope from %q to %q, TLS %v, user %q; want sird@sird.example to [bob@example.com], TLS %v, user %q",
					m.From, m.To, m.TLS, m.AuthUser, tc.wantTLS, tc.wantUser)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  smtp.Config
		want string
	}{
		{"no host", smtp.Config{From: "a@b.example"}, "Host"},
		{"bad TLS mode", smtp.Config{Host: "h", From: "a@b.example", TLS: "ssl"}, "TLS mode"},
		{"auth without TLS", smtp.Config{Host: "h", From: "a@b.example", TLS: smtp.TLSNone, Username: "u"}, "without TLS"},
		{"bad from", smtp.Config{Host: "h", From: "not an address"}, "From"},
		{"from with CRLF", smtp.Config{Host: "h", From: "a@b.example\r\nBcc: x@y.example"}, "From"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := smtp.New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error about %s", err, tc.want)
			}
		})
	}
}

func TestRejectedRecipientIsPermanent(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Reject: []string{"gone@example.com"}})
	s, err := smtp.New(smtp.Config{Host: "127.0.0.1", Port: srv.Port(), TLS: smtp.TLSNone, From: "sird@sird.example"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ to, want string }{
		{"gone@example.com", "550"},
		{"not an address", "recipient"},
	}
	for _, tc := range tests {
		t.Run(tc.to, func(t *testing.T) {
			err := s.Send(context.Background(), tc.to, testEvent())
			if err == nil || !notify.IsPermanent(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Send = %v, want a permanent error containing %q", err, tc.want)
			}
		})
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn // accepted, never greeted
	)
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name    string
		timeout time.Duration // Config.Timeout
		ctx     time.Duration // context deadline
	}{
		{"config timeout", 200 * time.Millisecond, time.Minute},
		{"context deadline", time.Minute, 200 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := smtp.New(smtp.Config{Host: "127.0.0.1", Port: port, TLS: smtp.TLSNone, From: "sird@sird.example", Timeout: tc.timeout})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), tc.ctx)
			defer cancel()
			start := time.Now()
			err = s.Send(ctx, "bob@example.com", testEvent())
			if err == nil || notify.IsPermanent(err) {
				t.Errorf("Send = %v, want a retryable error", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Send took %v against a silent server", d)
			}
		})
	}
}
