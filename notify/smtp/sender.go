package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
)

// Sender mails deliveries; it implements notify.Sender.
type Sender struct {
	cfg  Config
	from *mail.Address
	tls  *tls.Config
}

// New checks cfg and returns a Sender. It does not connect.
func New(cfg Config) (*Sender, error) {
	from, err := cfg.check()
	if err != nil {
		return nil, err
	}
	tc := &tls.Config{}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = cfg.Host
	}
	return &Sender{cfg: cfg, from: from, tls: tc}, nil
}

// Deliver mails d.Event to d.Target.
func (s *Sender) Deliver(ctx context.Context, d notify.Delivery) error {
	return s.Send(ctx, d.Target, d.Event)
}

// Send mails event e to one address, named as in e.Recipients. A rejected
// address (invalid, or a 5xx reply to RCPT or to the message) is a
// permanent error; anything else is worth retrying.
func (s *Sender) Send(ctx context.Context, to string, e sird.Event) error {
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return notify.Permanent(fmt.Errorf("smtp: recipient %q: %w", to, err))
	}
	rcpt.Name = recipientName(e, rcpt.Address)
	msg := Message(s.from, rcpt, e)

	deadline := time.Now().Add(s.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn, err := s.dial(ctx)
	if err != nil {
		return fmt.Errorf("smtp: connecting to %s: %w", s.addr(), err)
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	// Closing the connection is how a cancelled context interrupts a
	// conversation blocked on the network.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	if err := s.converse(conn, rcpt.Address, msg); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return err
	}
	return nil
}

func (s *Sender) addr() string {
	return net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
}

func (s *Sender) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{Timeout: s.cfg.DialTimeout}
	if s.cfg.TLS == TLSImplicit {
		return (&tls.Dialer{NetDialer: d, Config: s.tls}).DialContext(ctx, "tcp", s.addr())
	}
	return d.DialContext(ctx, "tcp", s.addr())
}

// converse runs one mail transaction on conn.
func (s *Sender) converse(conn net.Conn, to string, msg []byte) error {
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return fmt.Errorf("smtp: greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(s.cfg.HeloName); err != nil {
		return fmt.Errorf("smtp: EHLO: %w", err)
	}
	if s.cfg.TLS == TLSStartTLS {
		// Never fall back to plaintext: that is what a downgrade attack wants.
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("smtp: server does not offer STARTTLS")
		}
		if err := c.StartTLS(s.tls); err != nil {
			return fmt.Errorf("smtp: STARTTLS: %w", err)
		}
	}
	if s.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("smtp: server does not offer AUTH")
		}
		if err := c.Auth(plainAuth{s.cfg.Username, s.cfg.Password, s.cfg.AllowInsecureAuth}); err != nil {
			return fmt.Errorf("smtp: AUTH: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return rejected("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp: sending message: %w", err)
	}
	if err := w.Close(); err != nil {
		return rejected("message", err)
	}
	// The relay has accepted the message; a failed QUIT changes nothing.
	c.Quit()
	return nil
}

// rejected wraps err, marking a 5xx reply permanent: the relay will not
// take this address or message however often it is asked.
func rejected(stage string, err error) error {
	err = fmt.Errorf("smtp: %s: %w", stage, err)
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 && te.Code < 600 {
		return notify.Permanent(err)
	}
	return err
}

// recipientName finds the display name the event gives the address.
func recipientName(e sird.Event, addr string) string {
	for _, r := range e.Recipients {
		if strings.EqualFold(strings.TrimSpace(r.Email), addr) && r.Name != "" {
			return r.Name
		}
	}
	return ""
}
