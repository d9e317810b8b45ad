package loadgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	signingService = "security-ir"
	userAgent      = "sird-bench/1"
	// requestTimeout bounds a stuck request so one dead connection cannot
	// stall a worker for the rest of the run.
	requestTimeout = 30 * time.Second
)

// client sends signed requests. It is shared by all workers; each worker
// brings its own *v4.Signer so the signer's key cache is never contended.
type client struct {
	http   *http.Client
	creds  aws.Credentials
	region string
}

func newClient(s *settings) *client {
	// Setup runs up to Workers creates concurrently too, and the baseline
	// may live on a second host, hence the headroom.
	perHost := s.Workers + 8
	tr := &http.Transport{
		Proxy: nil, // a proxy would be measured instead of the server
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          2 * perHost,
		MaxIdleConnsPerHost:   perHost,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: requestTimeout,
		// Compression would cost the client CPU and add an unsigned header.
		DisableCompression: true,
		ForceAttemptHTTP2:  false,
	}
	return &client{
		http:   &http.Client{Transport: tr},
		creds:  aws.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey, Source: "sird-bench"},
		region: s.Region,
	}
}

func (c *client) close() { c.http.CloseIdleConnections() }

// signedRequest builds and signs one request. The timestamp is taken here,
// per request, and the payload is hashed every time as a real SDK would.
func (c *client) signedRequest(ctx context.Context, signer *v4.Signer, k call) (*http.Request, error) {
	var body io.Reader
	if k.body != nil {
		body = bytes.NewReader(k.body)
	}
	req, err := http.NewRequestWithContext(ctx, k.method, k.url, body)
	if err != nil {
		return nil, err
	}
	// Direct map writes skip header-key canonicalisation on the hot path.
	if k.body != nil {
		req.Header["Content-Type"] = []string{"application/json"}
	}
	req.Header["User-Agent"] = []string{userAgent}
	sum := sha256.Sum256(k.body)
	if err := signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), signingService, c.region, time.Now()); err != nil {
		return nil, err
	}
	return req, nil
}

// do sends k and drains the response so the connection is reused. It
// returns the error type, "" on success. keep, when non-nil, receives the
// response body (setup only: ids on success, the message on failure).
func (c *client) do(ctx context.Context, signer *v4.Signer, k call, keep *[]byte) string {
	req, err := c.signedRequest(ctx, signer, k)
	if err != nil {
		return "client:build-request"
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return transportErrorType(err)
	}
	defer resp.Body.Close()
	if keep != nil {
		*keep, err = io.ReadAll(resp.Body)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if resp.StatusCode != k.want {
		return httpErrorType(resp)
	}
	if err != nil {
		return transportErrorType(err)
	}
	return ""
}
