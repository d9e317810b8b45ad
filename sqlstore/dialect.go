package sqlstore

import (
	"database/sql"
	"strconv"
	"strings"
)

// dialect is what differs between the backends once the SQL is shared.
type dialect struct {
	name      string
	rewrite   func(query string) string
	mapErr    func(error) error // turns key violations into sird errors, keeping the cause
	retryable func(error) bool  // whether Write should run fn again
	writeOpts *sql.TxOptions
	readOpts  *sql.TxOptions
	prepare   bool // prepare statements through database/sql

	migrationsTable string // CREATE TABLE IF NOT EXISTS schema_migrations
	migrateLock     string // taken first in the migration transaction, if any
}

const forUpdate = " FOR UPDATE"

// dollarParams rewrites '?' placeholders as $1, $2, ... The store's
// statements hold no '?' inside literals, so a plain scan is enough.
func dollarParams(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
