// Package apitest builds an in-process sird for API tests: the real store,
// service, keyring, SigV4 verifier, API server and embedded blob store,
// wired as cmd/sird/serve.go wires them. How requests reach it (in process,
// through httptest, through api.NewHTTPServer) and what every answer must
// look like stay with each test package.
package apitest

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/api"
	"github.com/sird-project/sird/blob/fsblob"
	"github.com/sird-project/sird/sigv4"
	"github.com/sird-project/sird/sqlstore"
)

// Stack is one in-process sird, ready to serve.
type Stack struct {
	Server  *api.Server
	Store   *sqlstore.Store // SQLite, in a TempDir of the test
	Service *sird.Service
	Keys    *sird.Keyring // accepts the loopback dev credentials while no access keys exist
	Blobs   *fsblob.Store
	BlobDir string
	Logs    *LogSink // the server's error-level log records
}

// New builds a Stack whose presigned attachment URLs start with publicURL
// (scheme and host). When tb ends it closes the store and fails tb if the
// server logged an error; cleanups registered after New, such as closing an
// HTTP server in front of it, run first.
func New(tb testing.TB, publicURL string) *Stack {
	tb.Helper()
	dir := tb.TempDir()
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, "sird.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		tb.Fatalf("opening the store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	master := make([]byte, 32)
	rand.Read(master)
	logs := &LogSink{}
	log := slog.New(logs)
	svc := sird.NewService(sird.Config{Store: st, MasterKey: master, Log: log})
	keys := sird.NewKeyring(st, master, rand.Reader, time.Now)
	keys.AllowDev = true
	verifier := &sigv4.Verifier{Service: "security-ir", ValidRegion: api.ValidRegion, Now: time.Now}
	srv := api.New(svc, keys, verifier, log)
	s := &Stack{Server: srv, Store: st, Service: svc, Keys: keys, BlobDir: filepath.Join(dir, "blobs"), Logs: logs}
	s.Blobs = fsblob.New(s.BlobDir, sird.DeriveKey(master, "blob-urls"), publicURL, svc, time.Now)
	svc.SetBlobs(s.Blobs)
	srv.Handle(fsblob.PathPrefix, s.Blobs.Handler())
	srv.SetReady(true)
	tb.Cleanup(func() {
		if errs := logs.Errors(); len(errs) > 0 {
			tb.Errorf("the server logged %d internal errors, first: %s", len(errs), errs[0])
		}
	})
	return s
}

// AddInvestigation appends inv to a case's investigations directly in st:
// the API has no operation that creates one.
func AddInvestigation(tb testing.TB, st sird.Store, account, region, caseID string, inv sird.Investigation) {
	tb.Helper()
	err := st.Write(context.Background(), func(tx sird.Tx) error {
		cs, err := tx.GetCase(account, region, caseID, true)
		if err != nil {
			return err
		}
		cs.Investigations = append(cs.Investigations, inv)
		return tx.UpdateCase(cs)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// LogSink is a slog.Handler collecting error-level records, so tests can
// assert that no request ended in an internal error.
type LogSink struct {
	mu   sync.Mutex
	errs []string
}

func (l *LogSink) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelError }

func (l *LogSink) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	l.mu.Lock()
	l.errs = append(l.errs, b.String())
	l.mu.Unlock()
	return nil
}

func (l *LogSink) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *LogSink) WithGroup(string) slog.Handler      { return l }

// Errors returns the records collected so far, each as its message and
// attributes.
func (l *LogSink) Errors() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errs...)
}

// ExpandURI fills the labels of a model URI template ({name} or {name+})
// with label(name), each escaped with EscapeLabel.
func ExpandURI(uri string, label func(name string) string) string {
	var b strings.Builder
	for i := 0; i < len(uri); i++ {
		if uri[i] != '{' {
			b.WriteByte(uri[i])
			continue
		}
		end := strings.IndexByte(uri[i:], '}')
		b.WriteString(EscapeLabel(label(strings.TrimSuffix(uri[i+1:i+end], "+"))))
		i += end
	}
	return b.String()
}

// EscapeLabel percent-encodes a URI label as the SDKs do: everything but
// RFC 3986 unreserved characters, ':' and '/' included.
func EscapeLabel(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
