package sigv4

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// tamperBody is the body of the header-form baseline.
const tamperBody = `{"tags":{"team":"ir"}}`

// headerBaseline is a received header-signed request that touches every
// part of the canonical request: method, escaped path, repeated and spaced
// query, extra signed headers, body.
func headerBaseline(tb testing.TB) (*http.Request, []byte) {
	tb.Helper()
	return signedShape(tb, shape{
		method: "POST",
		target: arnPath + "?tagKeys=a&tagKeys=b%2Fc&note=two%20words",
		body:   tamperBody,
		header: map[string]string{
			"Content-Type":         "application/json",
			"X-Amz-Content-Sha256": hashHex([]byte(tamperBody)),
		},
	}, defaultOpts())
}

// presignedBaseline is a received presigned GET with a session token.
func presignedBaseline(tb testing.TB) (*http.Request, []byte) {
	tb.Helper()
	return presignedShape(tb, shape{method: "GET", target: arnPath + "?tagKeys=a&tagKeys=b%2Fc"}, defaultOpts())
}

type tamperCase struct {
	name   string
	base   func(testing.TB) (*http.Request, []byte) // headerBaseline if nil
	now    time.Time                                // signTime+1m if zero
	mutate func(tb testing.TB, r *http.Request, body *[]byte)
	code   sird.ErrorCode
	msg    string
}

func runTamper(t *testing.T, tests []tamperCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := tt.base
			if base == nil {
				base = headerBaseline
			}
			r, body := base(t)
			if tt.mutate != nil {
				tt.mutate(t, r, &body)
			}
			now := tt.now
			if now.IsZero() {
				now = signTime.Add(time.Minute)
			}
			_, err := newTestVerifier(now).Verify(context.Background(), r, body)
			checkErr(t, err, tt.code, tt.msg)
		})
	}
}

// editAuth replaces old with new in the Authorization header.
func editAuth(tb testing.TB, r *http.Request, old, new string) {
	tb.Helper()
	a := r.Header.Get("Authorization")
	if !strings.Contains(a, old) {
		tb.Fatalf("Authorization %q has no %q", a, old)
	}
	r.Header.Set("Authorization", strings.Replace(a, old, new, 1))
}

// authPart returns the value of Credential, SignedHeaders or Signature.
func authPart(tb testing.TB, r *http.Request, name string) string {
	tb.Helper()
	for _, p := range strings.Split(r.Header.Get("Authorization"), ", ") {
		if _, v, ok := strings.Cut(p, name+"="); ok {
			return v
		}
	}
	tb.Fatalf("Authorization %q has no %s", r.Header.Get("Authorization"), name)
	return ""
}

// editQuery rewrites the raw query pairs of the request line.
func editQuery(r *http.Request, f func(pairs []string) []string) {
	path, q := splitTarget(r)
	setTarget(r, path, strings.Join(f(strings.Split(q, "&")), "&"))
}

// setParam replaces the first value of key (raw, as on the wire).
func setParam(tb testing.TB, r *http.Request, key, raw string) {
	tb.Helper()
	found := false
	editQuery(r, func(pairs []string) []string {
		for i, p := range pairs {
			if k, _, _ := strings.Cut(p, "="); k == key && !found {
				pairs[i], found = key+"="+raw, true
			}
		}
		return pairs
	})
	if !found {
		tb.Fatalf("query has no %s", key)
	}
}

func dropParam(r *http.Request, key string) {
	editQuery(r, func(pairs []string) []string {
		out := pairs[:0]
		for _, p := range pairs {
			if k, _, _ := strings.Cut(p, "="); k != key {
				out = append(out, p)
			}
		}
		return out
	})
}

func TestTamperHeaderForm(t *testing.T) {
	inv, inc := sird.ErrInvalidSignature, sird.ErrIncompleteSignature
	tests := []tamperCase{
		{name: "method", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) { r.Method = "PUT" }, code: inv, msg: mismatchText},
		{name: "path", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			p, q := splitTarget(r)
			setTarget(r, strings.Replace(p, "m-abc", "m-abd", 1), q)
		}, code: inv, msg: mismatchText},
		{name: "path unescaped colon", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			// Same resource once decoded, but the signature covers the wire bytes.
			p, q := splitTarget(r)
			setTarget(r, strings.ReplaceAll(p, "%3A", ":"), q)
		}, code: inv, msg: mismatchText},
		{name: "query param added", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			editQuery(r, func(p []string) []string { return append(p, "extra=1") })
		}, code: inv, msg: mismatchText},
		{name: "query dropped", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			p, _ := splitTarget(r)
			setTarget(r, p, "")
		}, code: inv, msg: mismatchText},
		{name: "body", mutate: func(_ testing.TB, _ *http.Request, b *[]byte) { *b = []byte(`{"tags":{"team":"IR"}}`) },
			code: inv, msg: "'x-amz-content-sha256'"},
		{name: "body without content hash header", base: func(tb testing.TB) (*http.Request, []byte) {
			return signedShape(tb, shapes[0], defaultOpts())
		}, mutate: func(_ testing.TB, _ *http.Request, b *[]byte) { *b = append(*b, ' ') }, code: inv, msg: mismatchText},
		{name: "content hash wrong", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			r.Header.Set("X-Amz-Content-Sha256", emptySHA256)
		}, code: inv, msg: "'x-amz-content-sha256' header does not match"},
		{name: "unsigned payload", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		}, code: inv, msg: "'x-amz-content-sha256' header does not match"},
		{name: "unknown access key", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "Credential="+testAK, "Credential=AKIDUNKNOWN")
		}, code: sird.ErrUnrecognizedClient, msg: "security token"},
		{name: "other access key", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "Credential="+testAK, "Credential="+otherAK)
		}, code: inv, msg: mismatchText},
		{name: "other valid region", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "/"+testRegion+"/", "/"+otherRegion+"/")
		}, code: inv, msg: mismatchText},
		{name: "invalid region", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "/"+testRegion+"/", "/xx-nowhere-1/")
		}, code: inv, msg: "Credential should be scoped to a valid region"},
		{name: "signed for invalid region", base: func(tb testing.TB) (*http.Request, []byte) {
			o := defaultOpts()
			o.region = "xx-nowhere-1"
			return signedShape(tb, shapes[0], o)
		}, code: inv, msg: "Credential should be scoped to a valid region"},
		{name: "service", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "/"+testService+"/", "/guardduty/")
		}, code: inv, msg: "Credential should be scoped to correct service: 'security-ir'."},
		{name: "signed for other service", base: func(tb testing.TB) (*http.Request, []byte) {
			o := defaultOpts()
			o.service = "securityhub"
			return signedShape(tb, shapes[0], o)
		}, code: inv, msg: "correct service"},
		{name: "expired", now: signTime.Add(16 * time.Minute), code: sird.ErrRequestExpired,
			msg: "Signature expired: 20261123T110010Z is now earlier than 20261123T110110Z (20261123T111610Z - 15 min.)"},
		{name: "future", now: signTime.Add(-16 * time.Minute), code: sird.ErrRequestExpired,
			msg: "Signature not yet current: 20261123T110010Z is still later than 20261123T105910Z (20261123T104410Z + 15 min.)"},
		{name: "date header moved back", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			r.Header.Set("X-Amz-Date", "20261123T090010Z")
		}, code: sird.ErrRequestExpired, msg: "Signature expired"},
		{name: "date header moved a second", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			r.Header.Set("X-Amz-Date", "20261123T110011Z")
		}, code: inv, msg: mismatchText},
		{name: "date header other day", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			r.Header.Set("X-Amz-Date", "20261122T235959Z")
		}, code: inv, msg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261123' != '20261122'"},
		{name: "scope date", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "/20261123/", "/20261124/")
		}, code: inv, msg: "Date in Credential scope does not match"},
		{name: "date header malformed", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			r.Header.Set("X-Amz-Date", "2026-11-23T11:00:10Z")
		}, code: inc, msg: "ISO-8601"},
		{name: "date header missing", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) { r.Header.Del("X-Amz-Date") },
			code: inc, msg: "'X-Amz-Date'"},
		{name: "signature flipped", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			sig := authPart(tb, r, "Signature")
			last := "0"
			if sig[len(sig)-1] == '0' {
				last = "1"
			}
			editAuth(tb, r, "Signature="+sig, "Signature="+sig[:len(sig)-1]+last)
		}, code: inv, msg: mismatchText},
		{name: "signature upper-case", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			sig := authPart(tb, r, "Signature")
			editAuth(tb, r, "Signature="+sig, "Signature="+strings.ToUpper(sig))
		}, code: inv, msg: mismatchText},
		{name: "signature truncated", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			sig := authPart(tb, r, "Signature")
			editAuth(tb, r, "Signature="+sig, "Signature="+sig[:32])
		}, code: inv, msg: mismatchText},
		{name: "signed headers without x-amz-date", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, ";x-amz-date", "")
		}, code: inv, msg: mismatchText},
		{name: "signed headers with unsigned extra", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			r.Header.Set("User-Agent", "aws-cli/2")
			editAuth(tb, r, "SignedHeaders=", "SignedHeaders=user-agent;")
		}, code: inv, msg: mismatchText},
		{name: "signed headers without host", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "host;", "")
		}, code: inc, msg: "'Host' or ':authority' must be a 'SignedHeader'"},
		{name: "no authorization", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) { r.Header.Del("Authorization") },
			code: inc, msg: "Request is missing Authentication Token"},
		{name: "two authorization headers", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
		}, code: inc, msg: "Only one Authorization header"},
		{name: "algorithm", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA512 ")
		}, code: inc, msg: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"},
		{name: "not sigv4", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) { r.Header.Set("Authorization", "Bearer abc") },
			code: inc, msg: "Unsupported AWS 'algorithm'"},
		{name: "missing credential", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "Credential="+authPart(tb, r, "Credential")+", ", "")
		}, code: inc, msg: "Authorization header requires 'Credential' parameter."},
		{name: "missing signed headers", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "SignedHeaders="+authPart(tb, r, "SignedHeaders")+", ", "")
		}, code: inc, msg: "Authorization header requires 'SignedHeaders' parameter."},
		{name: "missing signature", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, ", Signature="+authPart(tb, r, "Signature"), "")
		}, code: inc, msg: "Authorization header requires 'Signature' parameter."},
		{name: "empty signature", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "Signature="+authPart(tb, r, "Signature"), "Signature=")
		}, code: inc, msg: "Authorization header requires 'Signature' parameter."},
		{name: "all parts missing", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256")
		}, code: inc, msg: "requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."},
		{name: "signature twice", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")+", Signature=00")
		}, code: inc, msg: "more than once"},
		{name: "credential four parts", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "/"+testService+"/", "/")
		}, code: inc, msg: "5 slash-delimited elements"},
		{name: "credential six parts", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "/aws4_request", "/aws4_request/x")
		}, code: inc, msg: "5 slash-delimited elements"},
		{name: "credential terminator", mutate: func(tb testing.TB, r *http.Request, _ *[]byte) {
			editAuth(tb, r, "/aws4_request", "/aws5_request")
		}, code: inc, msg: "valid terminator"},
		{name: "header and query signature", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			editQuery(r, func(p []string) []string { return append(p, "X-Amz-Signature=00") })
		}, code: inc, msg: "Only one auth mechanism allowed"},
	}
	runTamper(t, tests)
}

// TestTamperEachQueryParam changes, then drops, every query pair in turn.
func TestTamperEachQueryParam(t *testing.T) {
	r, _ := headerBaseline(t)
	_, q := splitTarget(r)
	for i, pair := range strings.Split(q, "&") {
		runTamper(t, []tamperCase{
			{name: "change " + pair, mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
				editQuery(r, func(p []string) []string { p[i] += "x"; return p })
			}, code: sird.ErrInvalidSignature, msg: mismatchText},
			{name: "drop " + pair, mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
				editQuery(r, func(p []string) []string { return append(p[:i:i], p[i+1:]...) })
			}, code: sird.ErrInvalidSignature, msg: mismatchText},
		})
	}
}

// TestTamperEachSignedHeader changes, then drops, every signed header in turn.
func TestTamperEachSignedHeader(t *testing.T) {
	r, _ := headerBaseline(t)
	names := strings.Split(authPart(t, r, "SignedHeaders"), ";")
	if len(names) < 5 {
		t.Fatalf("SignedHeaders: got %v, want host, content-length, content-type, x-amz-content-sha256, x-amz-date", names)
	}
	for _, name := range names {
		msg := mismatchText
		if name == "x-amz-content-sha256" {
			msg = "'x-amz-content-sha256'"
		}
		change := func(_ testing.TB, r *http.Request, _ *[]byte) {
			switch name {
			case "host":
				r.Host = "evil.test:8443"
			case "x-amz-date":
				r.Header.Set("X-Amz-Date", "20261123T110009Z")
			default:
				r.Header.Set(name, r.Header.Get(name)+"0")
			}
		}
		drop := func(_ testing.TB, r *http.Request, _ *[]byte) {
			if name == "host" {
				r.Host = ""
			}
			r.Header.Del(name)
			if name == "content-length" {
				r.ContentLength = -1
			}
		}
		dropCode, dropMsg := sird.ErrInvalidSignature, mismatchText
		if name == "x-amz-date" {
			dropCode, dropMsg = sird.ErrIncompleteSignature, "'X-Amz-Date'"
		}
		runTamper(t, []tamperCase{
			{name: "change " + name, mutate: change, code: sird.ErrInvalidSignature, msg: msg},
			{name: "drop " + name, mutate: drop, code: dropCode, msg: dropMsg},
		})
	}
}

// TestUnsignedChangesPass shows what the signature does not cover.
func TestUnsignedChangesPass(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *http.Request)
	}{
		{"unsigned header added", func(r *http.Request) { r.Header.Set("User-Agent", "curl/8") }},
		{"signed header spacing", func(r *http.Request) { r.Header.Set("Content-Type", "  application/json ") }},
		{"lower-case header key", func(r *http.Request) {
			v := r.Header.Get("Content-Type")
			r.Header.Del("Content-Type")
			r.Header["content-type"] = []string{v}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := headerBaseline(t)
			tt.mutate(r)
			if _, err := newTestVerifier(signTime).Verify(context.Background(), r, body); err != nil {
				t.Fatalf("Verify: got error %v, want nil", err)
			}
		})
	}
}

func TestTamperPresigned(t *testing.T) {
	inv, inc := sird.ErrInvalidSignature, sird.ErrIncompleteSignature
	param := func(key, raw string) func(testing.TB, *http.Request, *[]byte) {
		return func(tb testing.TB, r *http.Request, _ *[]byte) { setParam(tb, r, key, raw) }
	}
	drop := func(key string) func(testing.TB, *http.Request, *[]byte) {
		return func(_ testing.TB, r *http.Request, _ *[]byte) { dropParam(r, key) }
	}
	cred := func(ak, region, service string) string {
		return ak + "%2F20261123%2F" + region + "%2F" + service + "%2Faws4_request"
	}
	tests := []tamperCase{
		{name: "algorithm", mutate: param("X-Amz-Algorithm", "AWS4-HMAC-SHA512"), code: inc, msg: "X-Amz-Algorithm only supports"},
		{name: "credential other key", mutate: param("X-Amz-Credential", cred(otherAK, testRegion, testService)), code: inv, msg: mismatchText},
		{name: "credential unknown key", mutate: param("X-Amz-Credential", cred("AKIDUNKNOWN", testRegion, testService)),
			code: sird.ErrUnrecognizedClient, msg: "security token"},
		{name: "credential other region", mutate: param("X-Amz-Credential", cred(testAK, otherRegion, testService)), code: inv, msg: mismatchText},
		{name: "credential invalid region", mutate: param("X-Amz-Credential", cred(testAK, "mars-1", testService)), code: inv, msg: "valid region"},
		{name: "credential service", mutate: param("X-Amz-Credential", cred(testAK, testRegion, "s3")), code: inv, msg: "correct service"},
		{name: "credential malformed", mutate: param("X-Amz-Credential", testAK), code: inc, msg: "5 slash-delimited"},
		{name: "date a second later", mutate: param("X-Amz-Date", "20261123T110011Z"), code: inv, msg: mismatchText},
		{name: "date other day", mutate: param("X-Amz-Date", "20261124T000001Z"), code: inv, msg: "Date in Credential scope"},
		{name: "date malformed", mutate: param("X-Amz-Date", "yesterday"), code: inc, msg: "ISO-8601"},
		{name: "expires longer", mutate: param("X-Amz-Expires", "301"), code: inv, msg: mismatchText},
		{name: "expires over a week", mutate: param("X-Amz-Expires", "604801"), code: inc, msg: "less than a week"},
		{name: "expires not a number", mutate: param("X-Amz-Expires", "5m"), code: inc, msg: "X-Amz-Expires"},
		{name: "expires dropped", mutate: drop("X-Amz-Expires"), code: inv, msg: mismatchText},
		{name: "signed headers", mutate: param("X-Amz-SignedHeaders", "host%3Bx-amz-date"), code: inv, msg: mismatchText},
		{name: "signed headers without host", mutate: param("X-Amz-SignedHeaders", "x-amz-date"), code: inc, msg: "'Host'"},
		{name: "signature", mutate: param("X-Amz-Signature", strings.Repeat("0", 64)), code: inv, msg: mismatchText},
		{name: "security token", mutate: param("X-Amz-Security-Token", "other"), code: inv, msg: mismatchText},
		{name: "security token dropped", mutate: drop("X-Amz-Security-Token"), code: inv, msg: mismatchText},
		{name: "tag key", mutate: param("tagKeys", "z"), code: inv, msg: mismatchText},
		{name: "host", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) { r.Host = "other.test" }, code: inv, msg: mismatchText},
		{name: "method", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) { r.Method = "DELETE" }, code: inv, msg: mismatchText},
		{name: "body", mutate: func(_ testing.TB, _ *http.Request, b *[]byte) { *b = []byte("x") }, code: inv, msg: mismatchText},
		{name: "signature twice", mutate: func(_ testing.TB, r *http.Request, _ *[]byte) {
			editQuery(r, func(p []string) []string { return append(p, "X-Amz-Signature=00") })
		}, code: inc, msg: "only once"},
		{name: "expired", now: signTime.Add(5*time.Minute + time.Second), code: sird.ErrRequestExpired,
			msg: "Request has expired: 20261123T110510Z (20261123T110010Z + 300 s) is now earlier than 20261123T110511Z."},
		{name: "not yet current", now: signTime.Add(-16 * time.Minute), code: sird.ErrRequestExpired, msg: "Signature not yet current"},
		{name: "without expires expired", now: signTime.Add(16 * time.Minute), base: func(tb testing.TB) (*http.Request, []byte) {
			r := newClientRequest(tb, "http://"+testHost, shape{method: "GET", target: "/v1/x"})
			return asReceived(sdkPresign(tb, r, nil, defaultOpts())), nil
		}, code: sird.ErrRequestExpired, msg: "+ 900 s"},
	}
	for _, key := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"} {
		tests = append(tests, tamperCase{name: "missing " + key, mutate: drop(key), code: inc, msg: "'" + key + "'"})
	}
	for i := range tests {
		if tests[i].base == nil {
			tests[i].base = presignedBaseline
		}
	}
	runTamper(t, tests)
}
