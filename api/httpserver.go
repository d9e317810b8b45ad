package api

import (
	"log"
	"net/http"
	"time"
)

// Limits of the HTTP server sird serves the API with. A client that is slow
// to send its headers, or stalls mid-body, is cut off instead of holding a
// connection (and a goroutine) indefinitely.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 5 * time.Minute // attachment uploads may be large
	WriteTimeout      = 5 * time.Minute
	IdleTimeout       = 2 * time.Minute
	MaxHeaderBytes    = 64 << 10
)

// NewHTTPServer returns the http.Server that serves h with sird's timeouts
// and header limit; errorLog receives net/http's own complaints (may be nil).
func NewHTTPServer(h http.Handler, errorLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          errorLog,
	}
}
