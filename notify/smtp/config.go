// Package smtp mails outbox deliveries through an SMTP relay (net/smtp),
// one connection per message.
package smtp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"strings"
	"time"
)

// TLS modes.
const (
	TLSNone     = "none"     // plaintext; only for a trusted local relay
	TLSStartTLS = "starttls" // plaintext, upgraded with STARTTLS before anything else (port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
)

// Config configures a Sender.
type Config struct {
	Host string
	Port int    // default 587 for starttls, 465 for tls, 25 for none
	TLS  string // none | starttls | tls; default starttls
	// TLSConfig, if set, is used for the handshake (e.g. RootCAs); its
	// ServerName defaults to Host.
	TLSConfig *tls.Config

	// Username and Password, if Username is set, authenticate with AUTH
	// PLAIN, which sends the password in the clear: only over TLS unless
	// AllowInsecureAuth (a relay on a trusted network).
	Username          string
	Password          string
	AllowInsecureAuth bool

	// From is the sender, e.g. "sird <sird@example.com>"; its domain also
	// names the Message-IDs.
	From     string
	HeloName string // EHLO name; default the host name

	DialTimeout time.Duration // default 10s
	// Timeout bounds one whole conversation (default 1m); the context's
	// deadline, if earlier, wins.
	Timeout time.Duration
}

func (c *Config) check() (*mail.Address, error) {
	if c.Host == "" {
		return nil, errors.New("smtp: Host is required")
	}
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	switch c.TLS {
	case TLSNone:
		if c.Port == 0 {
			c.Port = 25
		}
	case TLSStartTLS:
		if c.Port == 0 {
			c.Port = 587
		}
	case TLSImplicit:
		if c.Port == 0 {
			c.Port = 465
		}
	default:
		return nil, fmt.Errorf("smtp: TLS mode %q: want none, starttls or tls", c.TLS)
	}
	if c.Username != "" && c.TLS == TLSNone && !c.AllowInsecureAuth {
		return nil, errors.New("smtp: refusing AUTH PLAIN without TLS; use starttls or tls, or set AllowInsecureAuth for a trusted relay")
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("smtp: From %q: %w", c.From, err)
	}
	if c.HeloName == "" {
		c.HeloName, _ = os.Hostname()
		if c.HeloName == "" || strings.ContainsAny(c.HeloName, " \r\n") {
			c.HeloName = "localhost"
		}
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = 10 * time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = time.Minute
	}
	return from, nil
}
