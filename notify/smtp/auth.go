package smtp

import (
	"errors"
	"net/smtp"
)

// plainAuth is AUTH PLAIN (RFC 4616). net/smtp's PlainAuth refuses any
// plaintext server but localhost; this one follows AllowInsecureAuth.
type plainAuth struct {
	user, password string
	allowInsecure  bool
}

func (a plainAuth) Start(s *smtp.ServerInfo) (string, []byte, error) {
	if !s.TLS && !a.allowInsecure {
		return "", nil, errors.New("smtp: refusing to send the password over an unencrypted connection")
	}
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.password), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("smtp: unexpected server challenge during AUTH PLAIN")
	}
	return nil, nil
}
