package sqlstore

import (
	"os"

	"modernc.org/sqlite"
)

// syncWithFdatasync makes SQLite commit with fdatasync(2) instead of
// fsync(2), as SQLite's own Linux builds do (modernc's transpiled library
// keeps the portable default). Durability is the same: fdatasync writes the
// data and the metadata needed to read it back (the size included), only
// not the timestamps, whose journal update is often what an fsync waits
// for. synchronous stays FULL. The setting is process-wide; where the
// platform has no fdatasync (macOS, Windows) it stays off.
func syncWithFdatasync() {
	if os.Getenv("XX_FSYNC") != "" { // TEMP experiment
		return
	}
	_, _ = sqlite.Fdatasync(true)
}
