package sigv4

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

func TestKeyCacheBounded(t *testing.T) {
	var c keyCache
	for i := range maxCachedKeys + 10 {
		c.get(fmt.Sprintf("secret-%d", i), "20261123", testRegion, testService)
	}
	if got := len(c.m); got > maxCachedKeys {
		t.Errorf("cached keys: got %d, want at most %d", got, maxCachedKeys)
	}
	want := deriveKey("secret-3", "20261123", testRegion, testService)
	if got := c.get("secret-3", "20261123", testRegion, testService); got != want {
		t.Errorf("key after eviction: got %x, want %x", got, want)
	}
}

func TestKeyCacheSeparatesScopes(t *testing.T) {
	var c keyCache
	base := c.get(testSecret, "20261123", testRegion, testService)
	for _, tt := range []struct{ name, secret, date, region, service string }{
		{"secret", otherSecret, "20261123", testRegion, testService},
		{"date", testSecret, "20261124", testRegion, testService},
		{"region", testSecret, "20261123", otherRegion, testService},
		{"service", testSecret, "20261123", testRegion, "iam"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.get(tt.secret, tt.date, tt.region, tt.service); got == base {
				t.Errorf("key for other %s: got the cached key %x", tt.name, got)
			}
		})
	}
}

// TestVerifyConcurrent shares one verifier across goroutines (run with -race).
func TestVerifyConcurrent(t *testing.T) {
	v := newTestVerifier(signTime)
	type signed struct {
		r    *http.Request
		body []byte
	}
	var reqs []signed
	for _, s := range shapes {
		r, body := signedShape(t, s, defaultOpts())
		reqs = append(reqs, signed{r, body})
		o := defaultOpts()
		o.ak, o.secret, o.region = otherAK, otherSecret, otherRegion
		r, body = signedShape(t, s, o)
		reqs = append(reqs, signed{r, body})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(reqs))
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, rq := range reqs {
				if _, err := v.Verify(context.Background(), rq.r, rq.body); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Verify: got %v, want nil", err)
	}
}
