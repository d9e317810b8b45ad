package sird

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"io"
	"time"
)

// PageTokens seals keyset cursors into nextToken values: opaque (AES-GCM),
// tamper-evident, bound to the caller and the list they came from, and
// expiring. The key derives from the server's master key, so every node of a
// deployment accepts every other node's tokens.
type PageTokens struct {
	aead cipher.AEAD
	rand io.Reader
	now  func() time.Time
	ttl  time.Duration
}

// PageTokenTTL is how long a nextToken stays valid.
const PageTokenTTL = 24 * time.Hour

// NewPageTokens derives the token key from masterKey.
func NewPageTokens(masterKey []byte, rand io.Reader, now func() time.Time) *PageTokens {
	block, err := aes.NewCipher(DeriveKey(masterKey, "page-tokens"))
	if err != nil {
		panic(err) // a 32-byte key always makes a cipher
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &PageTokens{aead: aead, rand: rand, now: now, ttl: PageTokenTTL}
}

// DeriveKey derives a 32-byte purpose-specific key from the master key.
func DeriveKey(masterKey []byte, purpose string) []byte {
	m := hmac.New(sha256.New, masterKey)
	m.Write([]byte("sird/" + purpose))
	return m.Sum(nil)
}

func tokenBinding(list string, c Caller, scope string) []byte {
	return []byte(list + "\x00" + c.AccountID + "\x00" + c.Region + "\x00" + scope)
}

// Seal wraps a store cursor for one list (e.g. "ListCases") of one caller;
// scope narrows it further (e.g. the case ID of ListComments).
func (p *PageTokens) Seal(list string, c Caller, scope, cursor string) string {
	nonce := make([]byte, p.aead.NonceSize())
	if _, err := io.ReadFull(p.rand, nonce); err != nil {
		panic(err)
	}
	plain := make([]byte, 8, 8+len(cursor))
	binary.BigEndian.PutUint64(plain, uint64(p.now().Add(p.ttl).Unix()))
	plain = append(plain, cursor...)
	out := p.aead.Seal(nonce, nonce, plain, tokenBinding(list, c, scope))
	return base64.RawURLEncoding.EncodeToString(out)
}

// Open returns the cursor inside token, or InvalidTokenException when the
// token is forged, belongs to another caller or list, or has expired.
func (p *PageTokens) Open(list string, c Caller, scope, token string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	ns := p.aead.NonceSize()
	if err != nil || len(raw) < ns+p.aead.Overhead()+8 {
		return "", Errorf(ErrInvalidToken, "The nextToken is not valid for this request.")
	}
	plain, err := p.aead.Open(nil, raw[:ns], raw[ns:], tokenBinding(list, c, scope))
	if err != nil || len(plain) < 8 {
		return "", Errorf(ErrInvalidToken, "The nextToken is not valid for this request.")
	}
	if p.now().Unix() > int64(binary.BigEndian.Uint64(plain)) {
		return "", Errorf(ErrInvalidToken, "The nextToken has expired; start the listing again.")
	}
	return string(plain[8:]), nil
}
