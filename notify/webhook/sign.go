package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Signing: X-Sird-Signature is "sha256=" followed by the lowercase hex
// HMAC-SHA256, keyed with the endpoint secret, of
//
//	<X-Sird-Timestamp> "." <exact request body>
//
// where the timestamp is the sending time in Unix seconds. Signing the
// timestamp with the body lets a receiver reject replays: verify the
// signature, then that the timestamp is recent (Fresh). Receivers must
// verify the raw body bytes, before any JSON decoding.

// Sign returns the X-Sird-Signature value for body sent at ts.
func Sign(secret, ts string, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac(secret, ts, body))
}

// Verify reports whether sigHeader carries a valid signature of body sent
// at ts. The header may list several comma-separated signatures (as during
// a secret rotation); one valid one is enough. Comparison is constant-time.
func Verify(secret, ts string, body []byte, sigHeader string) bool {
	if secret == "" || ts == "" {
		return false
	}
	want := mac(secret, ts, body)
	for _, sig := range strings.Split(sigHeader, ",") {
		h, ok := strings.CutPrefix(strings.TrimSpace(sig), "sha256=")
		if !ok {
			continue
		}
		got, err := hex.DecodeString(h)
		if err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// Fresh reports whether the X-Sird-Timestamp ts is within tolerance of now,
// either side (clocks drift), for rejecting replays of a signed request.
func Fresh(ts string, now time.Time, tolerance time.Duration) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := now.Sub(time.Unix(sec, 0))
	return d <= tolerance && d >= -tolerance
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}
