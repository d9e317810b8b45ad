// Package smtptest is a small real SMTP server on 127.0.0.1 for tests: it
// speaks ESMTP over TCP with STARTTLS, implicit TLS and AUTH PLAIN, and
// records what it accepts.
package smtptest

import (
	"crypto/tls"
	"encoding/base64"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one accepted mail transaction.
type Message struct {
	From     string   // MAIL FROM path
	To       []string // RCPT TO paths
	Data     []byte   // the message, dot-unstuffed, CRLF line ends
	TLS      bool     // sent over TLS
	AuthUser string   // who authenticated, if anyone
}

// Options configure a Server.
type Options struct {
	// TLS, if set, enables STARTTLS, or with Implicit serves TLS from the
	// first byte.
	TLS      *tls.Config
	Implicit bool
	// User and Password, if set, require AUTH PLAIN before MAIL.
	User, Password string
	// AllowPlainAuth offers AUTH before STARTTLS.
	AllowPlainAuth bool
	// Reject makes RCPT TO fail with 550 for these addresses.
	Reject []string
}

// Server is a running test SMTP server.
type Server struct {
	Addr string // host:port
	opts Options
	ln   net.Listener

	mu     sync.Mutex
	msgs   []Message
	notify chan struct{}
	wg     sync.WaitGroup
}

// Start listens on 127.0.0.1 and serves until the test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	if opts.TLS != nil && opts.Implicit {
		ln = tls.NewListener(ln, opts.TLS)
	}
	s := &Server{Addr: ln.Addr().String(), opts: opts, ln: ln, notify: make(chan struct{})}
	s.wg.Add(1)
	go s.serve()
	tb.Cleanup(s.Close)
	return s
}

// Port returns the listening port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Close stops listening and waits for open sessions to end.
func (s *Server) Close() {
	s.ln.Close()
	s.wg.Wait()
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait returns once n messages have arrived, or fails the test after timeout.
func (s *Server) Wait(tb testing.TB, n int, timeout time.Duration) []Message {
	tb.Helper()
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		msgs, ch := append([]Message(nil), s.msgs...), s.notify
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-ch:
		case <-deadline:
			tb.Fatalf("smtptest: got %d messages after %v, want %d", len(msgs), timeout, n)
			return nil
		}
	}
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.notify)
	s.notify = make(chan struct{})
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			s.session(c)
		}()
	}
}

// session is one SMTP conversation (RFC 5321, the subset clients use).
func (s *Server) session(c net.Conn) {
	_, isTLS := c.(*tls.Conn)
	tp := textproto.NewConn(c)
	var (
		authUser string
		cur      *Message
	)
	tp.PrintfLine("220 smtptest ESMTP ready")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ext := []string{"250-smtptest", "250-8BITMIME"}
			if s.opts.TLS != nil && !isTLS {
				ext = append(ext, "250-STARTTLS")
			}
			if s.opts.User != "" && (isTLS || s.opts.AllowPlainAuth) {
				ext = append(ext, "250-AUTH PLAIN")
			}
			ext = append(ext, "250 SIZE 10485760")
			for _, l := range ext {
				tp.PrintfLine("%s", l)
			}
		case "HELO":
			tp.PrintfLine("250 smtptest")
		case "STARTTLS":
			if s.opts.TLS == nil || isTLS {
				tp.PrintfLine("502 not available")
				continue
			}
			tp.PrintfLine("220 go ahead")
			tc := tls.Server(c, s.opts.TLS)
			if tc.Handshake() != nil {
				return
			}
			c, isTLS, authUser, cur = tc, true, "", nil
			tp = textproto.NewConn(c)
		case "AUTH":
			authUser = s.auth(tp, arg, isTLS)
		case "MAIL":
			if s.opts.User != "" && authUser == "" {
				tp.PrintfLine("530 authentication required")
				continue
			}
			cur = &Message{From: path(arg, "FROM:"), TLS: isTLS, AuthUser: authUser}
			tp.PrintfLine("250 ok")
		case "RCPT":
			if cur == nil {
				tp.PrintfLine("503 need MAIL first")
				continue
			}
			to := path(arg, "TO:")
			if s.rejected(to) {
				tp.PrintfLine("550 no such user")
				continue
			}
			cur.To = append(cur.To, to)
			tp.PrintfLine("250 ok")
		case "DATA":
			if cur == nil || len(cur.To) == 0 {
				tp.PrintfLine("503 need RCPT first")
				continue
			}
			tp.PrintfLine("354 end with <CRLF>.<CRLF>")
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			// DotReader turns CRLF into LF; restore the wire form.
			cur.Data = []byte(strings.ReplaceAll(string(data), "\n", "\r\n"))
			s.add(*cur)
			cur = nil
			tp.PrintfLine("250 queued")
		case "RSET":
			cur = nil
			tp.PrintfLine("250 ok")
		case "NOOP":
			tp.PrintfLine("250 ok")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("500 unknown command")
		}
	}
}

// auth handles AUTH PLAIN, with the initial response inline or after a 334.
func (s *Server) auth(tp *textproto.Conn, arg string, isTLS bool) string {
	mech, resp, _ := strings.Cut(arg, " ")
	if s.opts.User == "" || !strings.EqualFold(mech, "PLAIN") || !(isTLS || s.opts.AllowPlainAuth) {
		tp.PrintfLine("504 unsupported")
		return ""
	}
	if resp == "" {
		tp.PrintfLine("334 ")
		line, err := tp.ReadLine()
		if err != nil {
			return ""
		}
		resp = line
	}
	raw, err := base64.StdEncoding.DecodeString(resp)
	parts := strings.Split(string(raw), "\x00")
	if err != nil || len(parts) != 3 || parts[1] != s.opts.User || parts[2] != s.opts.Password {
		tp.PrintfLine("535 authentication failed")
		return ""
	}
	tp.PrintfLine("235 ok")
	return parts[1]
}

func (s *Server) rejected(addr string) bool {
	for _, r := range s.opts.Reject {
		if strings.EqualFold(r, addr) {
			return true
		}
	}
	return false
}

// path extracts the address from "FROM:<a@b> PARAMS".
func path(arg, prefix string) string {
	arg = strings.TrimSpace(arg)
	if len(arg) >= len(prefix) && strings.EqualFold(arg[:len(prefix)], prefix) {
		arg = arg[len(prefix):]
	}
	arg = strings.TrimSpace(arg)
	if i := strings.IndexByte(arg, '>'); strings.HasPrefix(arg, "<") && i > 0 {
		return arg[1:i]
	}
	p, _, _ := strings.Cut(arg, " ")
	return p
}
