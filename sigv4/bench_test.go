package sigv4

import (
	"context"
	"strings"
	"testing"
	"time"
)

// BenchmarkVerify is the per-request cost of a header-signed POST with a
// 1 KiB body, signing key already cached.
func BenchmarkVerify(b *testing.B) {
	body := `{"description":"` + strings.Repeat("x", 1024-18) + `"}`
	s := shape{method: "POST", target: "/v1/cases/1234567890/update-case", body: body,
		header: map[string]string{"Content-Type": "application/json"}}
	r, raw := signedShape(b, s, defaultOpts())
	if len(raw) != 1024 {
		b.Fatalf("body: got %d bytes, want 1024", len(raw))
	}
	v := newTestVerifier(signTime.Add(time.Minute))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, r, raw); err != nil {
			b.Fatal(err)
		}
	}
}
