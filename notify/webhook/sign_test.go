package webhook_test

import (
	"testing"
	"time"

	"github.com/sird-project/sird/notify/webhook"
)

func TestVerify(t *testing.T) {
	const secret, ts = "s3cret-s3cret-s3cret", "1893456000"
	body := []byte(`{"version":"0","id":"e1"}`)
	good := webhook.Sign(secret, ts, body)
	tests := []struct {
		name   string
		secret string
		ts     string
		body   string
		header string
		want   bool
	}{
		{"valid", secret, ts, string(body), good, true},
		{"valid among several (rotation)", secret, ts, string(body), "sha256=00ff, " + good, true},
		{"wrong secret", "other", ts, string(body), good, false},
		{"tampered body", secret, ts, `{"version":"0","id":"e2"}`, good, false},
		{"replayed with a new timestamp", secret, "1893456999", string(body), good, false},
		{"missing prefix", secret, ts, string(body), good[len("sha256="):], false},
		{"not hex", secret, ts, string(body), "sha256=zz", false},
		{"empty header", secret, ts, string(body), "", false},
		{"empty secret", "", ts, string(body), webhook.Sign("", ts, body), false},
		{"empty timestamp", secret, "", string(body), webhook.Sign(secret, "", body), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := webhook.Verify(tc.secret, tc.ts, []byte(tc.body), tc.header); got != tc.want {
				t.Errorf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSignIsHMACOfTimestampDotBody(t *testing.T) {
	// Computed independently: printf '123.{}' | openssl dgst -sha256 -hmac key
	const want = "sha256=28739ce20e2d3d0eb7847a31bca889409d78898aa78efb82e124f99ddd0818a2"
	if got := webhook.Sign("key", "123", []byte("{}")); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestFresh(t *testing.T) {
	now := time.Unix(1893456000, 0)
	tests := []struct {
		ts   string
		want bool
	}{
		{"1893456000", true},
		{"1893455700", true},  // 5 minutes old
		{"1893455699", false}, // older
		{"1893456300", true},  // 5 minutes ahead: clock skew
		{"1893456301", false},
		{"", false},
		{"12a", false},
	}
	for _, tc := range tests {
		if got := webhook.Fresh(tc.ts, now, 5*time.Minute); got != tc.want {
			t.Errorf("Fresh(%q) = %v, want %v", tc.ts, got, tc.want)
		}
	}
}
