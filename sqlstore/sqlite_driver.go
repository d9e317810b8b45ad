package sqlstore

import (
	"errors"

	// The pure-Go driver: no cgo, so sird builds as a static binary with a
	// plain `go build`. See docs/sqlite-driver.md for the measurements.
	_ "modernc.org/sqlite"
)

// sqliteDriver is the database/sql driver name used for SQLite. Swapping to
// github.com/mattn/go-sqlite3 means importing it here, setting "sqlite3" and
// adapting sqliteErrCode; the DSN parameters are understood by both.
const sqliteDriver = "sqlite"

// sqliteErrCode returns the extended SQLite result code carried by err.
func sqliteErrCode(err error) (int, bool) {
	var e interface{ Code() int } // *modernc.org/sqlite.Error
	if errors.As(err, &e) {
		return e.Code(), true
	}
	return 0, false
}
