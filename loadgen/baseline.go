package loadgen

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

var baselineBody = []byte(`{"ok":true}` + "\n")

// BaselineHandler is the trivial net/http JSON handler the performance
// targets are measured against: it answers {"ok":true} to any request.
// It deliberately does what a plain handler does and nothing cleverer.
func BaselineHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Drain so keep-alive holds for POSTs with bodies, as in the real server.
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(baselineBody)))
		_, _ = w.Write(baselineBody)
	})
}

// ServeBaseline serves BaselineHandler on addr (":0" picks a port) until
// ctx is done, and returns the address it listens on.
func ServeBaseline(ctx context.Context, addr string) (actualAddr string, err error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: BaselineHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return ln.Addr().String(), nil
}
