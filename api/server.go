package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/internal/shape"
	"github.com/sird-project/sird/sigv4"
)

// MaxBodyBytes bounds API request bodies; the largest valid request (a case
// with every list at its maximum) is well below it.
const MaxBodyBytes = 4 << 20

// Server is the security-ir HTTP API: routing, SigV4, decoding and
// validation, the call into the service, and encoding.
type Server struct {
	svc      *sird.Service
	keys     *sird.Keyring
	verifier *sigv4.Verifier
	log      *slog.Logger
	extra    *http.ServeMux // sird's own endpoints under /_sird/
	ready    atomic.Bool

	idPrefix string
	idSeq    atomic.Uint64
	bufs     sync.Pool
}

// New builds the API server. Verifier's Lookup is wired to keys.
func New(svc *sird.Service, keys *sird.Keyring, verifier *sigv4.Verifier, log *slog.Logger) *Server {
	var p [6]byte
	rand.Read(p[:])
	s := &Server{svc: svc, keys: keys, verifier: verifier, log: log, extra: http.NewServeMux(), idPrefix: hex.EncodeToString(p[:])}
	verifier.Lookup = func(ctx context.Context, id string) (string, error) {
		secret, _, err := keys.Resolve(ctx, id)
		return secret, err
	}
	s.extra.HandleFunc("GET /_sird/health", s.health)
	return s
}

// Handle mounts an extra handler (blob URLs, metrics) under /_sird/.
func (s *Server) Handle(pattern string, h http.Handler) { s.extra.Handle(pattern, h) }

// SetReady marks the server as accepting API calls (health answers 200).
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if !s.ready.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"status":"starting"}`)
		return
	}
	if err := s.svc.Store().Ping(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"status":"degraded","database":"unreachable"}`)
		return
	}
	io.WriteString(w, `{"status":"ok","service":"security-ir","apiVersion":"2018-05-10"}`)
}

// requestID is the process's random prefix, a dash and a sequence number in
// 16 lower-case hex digits: one allocation, no lock.
func (s *Server) requestID() string {
	const digits = "0123456789abcdef"
	var b [12 + 1 + 16]byte
	n := copy(b[:], s.idPrefix)
	b[n] = '-'
	v := s.idSeq.Add(1)
	for i := n + 16; i > n; i-- {
		b[i] = digits[v&0xf]
		v >>= 4
	}
	return string(b[:n+17])
}

// headerRequestID is "x-amzn-RequestId" in net/http's canonical form: set
// straight into the map, it is not canonicalized again on every request.
const headerRequestID = "X-Amzn-Requestid"

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header()[headerRequestID] = []string{s.requestID()}
	if strings.HasPrefix(r.URL.Path, "/_sird/") {
		h, pattern := s.extra.Handler(r)
		if pattern != "" && servesAsIs(r, pattern) {
			h.ServeHTTP(w, r)
			return
		}
	}
	rawPath, _, _ := strings.Cut(r.RequestURI, "?")
	if rawPath == "" || !strings.HasPrefix(rawPath, "/") {
		rawPath = r.URL.EscapedPath()
	}
	op, labels, ok := shape.Match(r.Method, rawPath)
	if !ok {
		writeError(w, r, s.log, sird.Errorf(sird.ErrUnknownOperation, "No operation matches %s %s.", r.Method, rawPath))
		return
	}
	body, err := s.readBody(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	defer s.bufs.Put(body)
	caller, err := s.authenticate(r, body.Bytes())
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	h := handlers[op.Name]
	if h == nil {
		writeError(w, r, s.log, sird.Errorf(sird.ErrUnknownOperation, "Operation %s is not supported.", op.Name))
		return
	}
	var query url.Values // most requests have none: skip parsing into an empty map
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	out, err := h(s.svc, r.Context(), caller, op, labels, query, body.Bytes())
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeOutput(w, op.SuccessStatus, out)
}

func (s *Server) readBody(r *http.Request) (*bytes.Buffer, error) {
	buf, _ := s.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	if r.Body == nil || r.Body == http.NoBody {
		return buf, nil // a GET: nothing to read
	}
	if r.ContentLength > MaxBodyBytes {
		return buf, sird.Errorf(sird.ErrRequestEntityTooLarge, "The request body is larger than %d bytes.", MaxBodyBytes)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return buf, sird.Errorf(sird.ErrRequestEntityTooLarge, "The request body is larger than %d bytes.", MaxBodyBytes)
	case isTimeout(err):
		return buf, sird.Errorf(sird.ErrRequestTimeout, "The request body did not arrive in time.")
	case err != nil:
		return buf, sird.Errorf(sird.ErrMalformedHTTPRequest, "The request body could not be read.")
	}
	return buf, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// servesAsIs reports whether the /_sird/ mux matched r's path as written:
// canonical, and equal to the pattern's path (or under it, for a subtree).
// Otherwise ServeMux answers with a text/html redirect to a cleaned path
// ("/_sird/blobs/a/../b", "/_sird/blobs"); such requests get the API's
// JSON 404 instead.
func servesAsIs(r *http.Request, pattern string) bool {
	p := r.URL.EscapedPath()
	if _, rest, ok := strings.Cut(pattern, " "); ok {
		pattern = rest // drop the method
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	if clean != p {
		return false
	}
	if strings.HasSuffix(pattern, "/") {
		return strings.HasPrefix(p, pattern)
	}
	return p == pattern
}

func (s *Server) authenticate(r *http.Request, body []byte) (sird.Caller, error) {
	res, err := s.verifier.Verify(r.Context(), r, body)
	if err != nil {
		return sird.Caller{}, err
	}
	_, key, err := s.keys.Resolve(r.Context(), res.AccessKeyID)
	if err != nil {
		return sird.Caller{}, err
	}
	return sird.Caller{AccountID: key.AccountID, Region: res.Region, Principal: key.Principal, AccessKeyID: key.ID}, nil
}

// writeOutput encodes a success: 204 has no body; an empty output is {}.
func writeOutput(w http.ResponseWriter, status int, out any) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if out == nil {
		w.WriteHeader(status)
		io.WriteString(w, "{}")
		return
	}
	buf := outBufs.Get().(*bytes.Buffer)
	defer putOutBuf(buf)
	buf.Reset()
	b, fast, err := appendFast(buf.AvailableBuffer(), out) // fastout.go
	if !fast && err == nil {
		err = json.NewEncoder(buf).Encode(out)
		b = bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}) // Encode ends the document with one
	}
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"__type":"InternalServerException","message":"An internal error occurred."}`)
		return
	}
	if fast && cap(b) > buf.Cap() {
		*buf = *bytes.NewBuffer(b[:0]) // the grown array serves the next response
	}
	// A known length spares larger bodies (list pages) chunked encoding.
	w.Header()["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	w.Write(b)
}

// outBufs recycles response encoding buffers; json.Marshal would allocate
// and copy the whole document once more per response.
var outBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putOutBuf returns buf to the pool unless an unusually large response
// grew it: the pool must not pin megabytes.
func putOutBuf(buf *bytes.Buffer) {
	if buf.Cap() <= 64<<10 {
		outBufs.Put(buf)
	}
}
