// Package sqlstore implements sird.Store over database/sql for SQLite and
// PostgreSQL. One implementation serves both: the SQL is written once in the
// common subset (ON CONFLICT, RETURNING, row-value comparisons) with '?'
// placeholders, and a small dialect rewrites it and classifies errors.
//
// Rows keep indexed key columns beside a JSON document (TEXT in both
// databases: PostgreSQL's JSONB would reject the \u0000 escape a client may
// send and would cost a parse on every write).
//
// SQLite layout: one writer connection (BEGIN IMMEDIATE, so a Write never
// fails mid-way on a lock upgrade) and a pool of query_only reader
// connections; WAL lets readers run beside the writer. PostgreSQL layout: one
// pool; Write runs at READ COMMITTED with SELECT ... FOR UPDATE for locked
// reads and is retried on serialization failures and deadlocks; Read runs
// READ ONLY at REPEATABLE READ for a consistent snapshot.
package sqlstore
