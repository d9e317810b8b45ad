package main

import (
	"os"
	"runtime/debug"
)

// Garbage-collector settings of `sird serve`, unless GOGC or GOMEMLIMIT
// set them (docs/performance.md has the measurements).
//
// The live heap of a busy server is small (a few MiB), so the default
// GOGC=100 collects very often: about 8% of the CPU of a get-case load went
// to marking. GOGC=400 lets the heap grow to five times the live data
// before a cycle, cutting that by about three quarters for some MiB of RSS.
// The soft memory limit keeps the trade bounded: near it the collector runs
// as often as it must, so a burst of large requests cannot push RSS far
// beyond it.
const (
	serveGCPercent   = 400
	serveMemoryLimit = 64 << 20
)

func tuneRuntime() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
}
