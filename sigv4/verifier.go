// Package sigv4 verifies AWS Signature Version 4 on incoming requests, in
// both the Authorization-header and the presigned query-string forms, the way
// the AWS SDKs (aws-sdk-go-v2, botocore) sign them for non-S3 services.
package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/sird-project/sird"
)

// Lookup returns the secret access key for an access key ID. It returns an error
// from the domain (a *sird.Error with Code sird.ErrUnrecognizedClient) for unknown or disabled keys.
type Lookup func(ctx context.Context, accessKeyID string) (secret string, err error)

// Verifier checks SigV4 signatures. Its fields are configuration; it also
// caches derived signing keys, so it must not be copied after first use.
type Verifier struct {
	Service     string            // "security-ir"
	ValidRegion func(string) bool // nil = any region
	Now         func() time.Time  // injected clock; nil = time.Now
	MaxSkew     time.Duration     // 15 * time.Minute if zero
	Lookup      Lookup

	keys keyCache
}

// Result is who signed a verified request, where and when.
type Result struct {
	AccessKeyID, Region string
	SignedAt            time.Time
}

// DefaultMaxSkew is the clock skew AWS tolerates between client and server.
const DefaultMaxSkew = 15 * time.Minute

// MaxPresignExpires is the longest X-Amz-Expires AWS accepts: one week.
const MaxPresignExpires = 604800

// Verify checks r, whose body has already been read into body (r.Body is not read).
// Every failure is a *sird.Error except errors from Lookup, which pass through unchanged.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (Result, error) {
	in, e := parseRequest(r)
	if e != nil {
		return Result{}, e
	}
	if e := v.checkScope(&in); e != nil {
		return Result{}, e
	}
	if e := v.checkTime(&in); e != nil {
		return Result{}, e
	}
	var sum [2 * sha256.Size]byte
	payload, e := payloadHash(r, body, &sum)
	if e != nil {
		return Result{}, e
	}
	if v.Lookup == nil {
		return Result{}, sird.Errorf(sird.ErrInternal, "signature verifier has no key lookup")
	}
	// The secret is looked up only after the cheap checks, so malformed or
	// stale requests cost no store access.
	secret, err := v.Lookup(ctx, in.accessKeyID)
	if err != nil {
		return Result{}, err
	}

	key := v.keys.get(secret, in.date, in.region, in.service)
	var want [2 * sha256.Size]byte
	computeSignature(&want, key, r, &in, payload)
	// Constant time, so the comparison leaks nothing about the right signature.
	if !hmac.Equal(want[:], []byte(in.signature)) {
		return Result{}, errSignatureMismatch()
	}
	return Result{AccessKeyID: in.accessKeyID, Region: in.region, SignedAt: in.signedAt}, nil
}

// checkScope rejects credentials scoped to another service, region or day
// before any key is derived for them.
func (v *Verifier) checkScope(in *authInput) *sird.Error {
	if in.service != v.Service {
		return sird.Errorf(sird.ErrInvalidSignature, "Credential should be scoped to correct service: '%s'.", v.Service)
	}
	if v.ValidRegion != nil && !v.ValidRegion(in.region) {
		return sird.Errorf(sird.ErrInvalidSignature, "Credential should be scoped to a valid region, not '%s'.", clip(in.region))
	}
	if in.date != in.amzDate[:8] {
		return sird.Errorf(sird.ErrInvalidSignature,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			clip(in.date), in.amzDate[:8], in.amzDate)
	}
	return nil
}

// checkTime bounds replay: a header-signed request must be fresh within the
// skew, a presigned one must be inside its own validity window.
func (v *Verifier) checkTime(in *authInput) *sird.Error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	t := now().UTC()
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	if in.signedAt.Sub(t) > skew {
		return sird.Errorf(sird.ErrRequestExpired, "Signature not yet current: %s is still later than %s (%s + %s.)",
			in.amzDate, formatTime(t.Add(skew)), formatTime(t), formatSkew(skew))
	}
	if in.presigned {
		expires := skew // no X-Amz-Expires: as long as a header-signed request lives
		if in.expires >= 0 {
			expires = time.Duration(in.expires) * time.Second
		}
		if end := in.signedAt.Add(expires); t.After(end) {
			return sird.Errorf(sird.ErrRequestExpired, "Request has expired: %s (%s + %d s) is now earlier than %s.",
				formatTime(end), in.amzDate, int64(expires/time.Second), formatTime(t))
		}
		return nil
	}
	if t.Sub(in.signedAt) > skew {
		return sird.Errorf(sird.ErrRequestExpired, "Signature expired: %s is now earlier than %s (%s - %s.)",
			in.amzDate, formatTime(t.Add(-skew)), formatTime(t), formatSkew(skew))
	}
	return nil
}

// payloadHash is the hex SHA-256 of body, written into dst. A client-sent
// X-Amz-Content-Sha256 must agree with it: this service has no unsigned or
// streaming payloads.
func payloadHash(r *http.Request, body []byte, dst *[2 * sha256.Size]byte) ([]byte, *sird.Error) {
	sum := sha256.Sum256(body)
	hex.Encode(dst[:], sum[:])
	vals := headerValues(r.Header, "x-amz-content-sha256")
	if len(vals) == 0 {
		return dst[:], nil
	}
	sent := strings.TrimSpace(vals[0])
	if len(vals) > 1 || !strings.EqualFold(sent, string(dst[:])) {
		return nil, sird.Errorf(sird.ErrInvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	// The signer put the header's own spelling into its canonical request.
	return []byte(sent), nil
}

// errSignatureMismatch is AWS's answer when the signature is simply wrong.
func errSignatureMismatch() *sird.Error {
	return sird.Errorf(sird.ErrInvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
}
