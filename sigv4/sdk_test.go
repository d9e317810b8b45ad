package sigv4

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// TestVerifySDKSigned checks requests signed by aws-sdk-go-v2, both forms,
// as net/http's server would hand them over.
func TestVerifySDKSigned(t *testing.T) {
	v := newTestVerifier(signTime.Add(time.Minute))
	for _, s := range shapes {
		for _, form := range []struct {
			name string
			make func(testing.TB, shape, signOpts) (*http.Request, []byte)
		}{{"header", signedShape}, {"presigned", presignedShape}} {
			t.Run(s.name+"/"+form.name, func(t *testing.T) {
				r, body := form.make(t, s, defaultOpts())
				got, err := v.Verify(context.Background(), r, body)
				if err != nil {
					t.Fatalf("Verify: got error %v, want nil", err)
				}
				want := Result{AccessKeyID: testAK, Region: testRegion, SignedAt: signTime}
				if got != want {
					t.Errorf("Verify: got %+v, want %+v", got, want)
				}
			})
		}
	}
}

// TestVerifyInProcessRequest checks requests never sent on a wire: no
// RequestURI, content length only in the field.
func TestVerifyInProcessRequest(t *testing.T) {
	v := newTestVerifier(signTime)
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			r := newClientRequest(t, "http://"+testHost, s)
			sdkSign(t, r, []byte(s.body), defaultOpts())
			if _, err := v.Verify(context.Background(), r, []byte(s.body)); err != nil {
				t.Fatalf("Verify: got error %v, want nil", err)
			}
		})
	}
}

// TestVerifyOverHTTP sends SDK-signed requests through a real server, so the
// verifier sees the true wire form of path, query and headers.
func TestVerifyOverHTTP(t *testing.T) {
	v := newTestVerifier(signTime.Add(30 * time.Second))
	srv := httptest.NewServer(verifyHandler(v))
	defer srv.Close()

	for _, s := range shapes {
		t.Run(s.name+"/header", func(t *testing.T) {
			r := newClientRequest(t, srv.URL, s)
			sdkSign(t, r, []byte(s.body), defaultOpts())
			expectServed(t, srv.Client(), r, http.StatusOK, "ok "+testAK)
		})
		t.Run(s.name+"/presigned", func(t *testing.T) {
			r := newClientRequest(t, srv.URL, s)
			q := r.URL.Query()
			q.Set("X-Amz-Expires", "60")
			r.URL.RawQuery = q.Encode()
			p := sdkPresign(t, r, []byte(s.body), defaultOpts())
			expectServed(t, srv.Client(), p, http.StatusOK, "ok "+testAK)
		})
	}
	t.Run("tampered body", func(t *testing.T) {
		s := shapes[0]
		r := newClientRequest(t, srv.URL, s)
		sdkSign(t, r, []byte(s.body), defaultOpts())
		tampered := strings.Replace(s.body, "breach", "bReach", 1)
		r.Body = io.NopCloser(strings.NewReader(tampered))
		expectServed(t, srv.Client(), r, http.StatusForbidden, sird.ErrInvalidSignature.Name())
	})
}

// verifyHandler answers "ok <access key>" or the error's wire name.
func verifyHandler(v *Verifier) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res, err := v.Verify(r.Context(), r, body)
		if err != nil {
			e, _ := sird.AsError(err)
			if e == nil {
				e = &sird.Error{Code: sird.ErrInternal, Message: err.Error()}
			}
			http.Error(w, e.Error(), e.Code.Status())
			return
		}
		fmt.Fprintf(w, "ok %s", res.AccessKeyID)
	})
}

func expectServed(tb testing.TB, c *http.Client, r *http.Request, status int, bodyPrefix string) {
	tb.Helper()
	resp, err := c.Do(r)
	if err != nil {
		tb.Fatalf("Do: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status || !strings.HasPrefix(string(b), bodyPrefix) {
		tb.Fatalf("response: got %d %q, want %d %q...", resp.StatusCode, b, status, bodyPrefix)
	}
}

// TestVerifyEquivalentEncodings checks wire spellings that decode to what
// was signed: clients differ in how they write a space or a hex digit.
func TestVerifyEquivalentEncodings(t *testing.T) {
	v := newTestVerifier(signTime)
	tests := []struct {
		name     string
		rewrite  func(rawQuery string) string
		original string
	}{
		{"plus for space", func(q string) string { return strings.ReplaceAll(q, "%20", "+") }, "q=a%20b"},
		{"lower-case hex", func(q string) string { return strings.ReplaceAll(q, "%2F", "%2f") }, "tagKeys=b%2Fc"},
		{"reordered pairs", func(q string) string {
			parts := strings.Split(q, "&")
			for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
				parts[i], parts[j] = parts[j], parts[i]
			}
			return strings.Join(parts, "&")
		}, "a=1&b=2"},
		{"escaped unreserved", func(q string) string { return strings.ReplaceAll(q, "x~y", "x%7Ey") }, "k=x~y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := shape{method: "GET", target: "/v1/list?" + tt.original}
			r, body := signedShape(t, s, defaultOpts())
			path, q := splitTarget(r)
			nq := tt.rewrite(q)
			if nq == q {
				t.Fatalf("rewrite left %q unchanged", q)
			}
			setTarget(r, path, nq)
			if _, err := v.Verify(context.Background(), r, body); err != nil {
				t.Fatalf("Verify(%q): got error %v, want nil", nq, err)
			}
		})
	}
}
