package main

import (
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"runtime"
	"runtime/debug"

	"github.com/sird-project/sird/api"
	"github.com/sird-project/sird/sqlstore"
)

// registerDebug mounts the opt-in (--pprof) diagnostics under /_sird/debug/:
// the Go profiles (pprof/ and its named profiles: heap, allocs, goroutine,
// block, mutex; pprof/profile for CPU, pprof/trace for an execution trace)
// and /_sird/debug/vars: memory and the SQLite group-commit counters.
func registerDebug(srv *api.Server, st *sqlstore.Store) {
	srv.Handle("/_sird/debug/pprof/", http.StripPrefix("/_sird", http.HandlerFunc(pprof.Index)))
	srv.Handle("/_sird/debug/pprof/profile", http.HandlerFunc(pprof.Profile))
	srv.Handle("/_sird/debug/pprof/trace", http.HandlerFunc(pprof.Trace))
	srv.Handle("/_sird/debug/pprof/symbol", http.HandlerFunc(pprof.Symbol))
	srv.Handle("GET /_sird/debug/vars", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		out := map[string]any{
			"memory": map[string]any{
				"heapInuse": ms.HeapInuse, "heapSys": ms.HeapSys, "heapReleased": ms.HeapReleased,
				"stackSys": ms.StackSys, "sys": ms.Sys, "numGC": ms.NumGC, "goroutines": runtime.NumGoroutine(),
				"memoryLimit": debug.SetMemoryLimit(-1),
			},
			"writes": st.WriteStats(),
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(out)
	}))
}
