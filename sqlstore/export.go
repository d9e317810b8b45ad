package sqlstore

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Export and Import copy a whole deployment, table by table, between stores
// of either kind: from SQLite to PostgreSQL when a deployment grows, and back.
//
// The dump is JSON lines. The first line is the header:
//
//	{"format":"sird-dump","version":1,"schemaVersion":1,"tables":["access_keys",...]}
//
// then one line per row, tables in the header's order (parents before the
// rows that reference them), rows in primary-key order:
//
//	{"table":"cases","row":{"case_id":"1234567890","account_id":"...","created_ns":1700000000000000000,"doc":{...}}}
//
// and last a line with the number of rows of each table, so a truncated dump
// is refused rather than half imported:
//
//	{"end":true,"rows":{"access_keys":2,...}}
//
// Text columns are JSON strings; integer columns JSON numbers; a doc column
// holding a one-line JSON document is written as that document, byte for
// byte, so the dump reads well with jq and imports exactly as it was. The
// same data exports to the same bytes from either backend.
//
// Access keys keep their secrets sealed with the master key: a dump is only
// useful together with the master key of the deployment it came from.

const (
	dumpFormat        = "sird-dump"
	dumpFormatVersion = 1
)

// dumpTable is a table the dump carries, in the order rows are written and
// imported, with the columns its rows are ordered by (its primary key).
type dumpTable struct {
	name    string
	orderBy string
}

// dumpTables is every table of the schema but schema_migrations, parents
// before children. Export refuses a database holding a table missing here,
// so a migration adding a table cannot be silently left out of dumps.
var dumpTables = []dumpTable{
	{"access_keys", "id"},
	{"idempotency", "scope, token"},
	{"memberships", "id"},
	{"membership_changes", "membership_id, seq"},
	{"organizations", "id"},
	{"org_units", "id"},
	{"org_accounts", "account_id"},
	{"cases", "case_id"},
	{"case_counts", "account_id, region"},
	{"case_edits", "case_id, seq"},
	{"comments", "case_id, comment_id"},
	{"pending_uploads", "case_id, attachment_id"},
	{"events", "seq"},
	{"deliveries", "id"},
}

// tablesNotDumped are bookkeeping tables: the target has its own.
var tablesNotDumped = []string{"schema_migrations", "store_versions"}

type dumpHeader struct {
	Format        string   `json:"format"`
	Version       int      `json:"version"`
	SchemaVersion int      `json:"schemaVersion"`
	Tables        []string `json:"tables"`
}

// dumpLine is any line after the header: a row or the end.
type dumpLine struct {
	Table string                     `json:"table,omitempty"`
	Row   map[string]json.RawMessage `json:"row,omitempty"`
	End   bool                       `json:"end,omitempty"`
	Rows  map[string]int64           `json:"rows,omitempty"`
}

// progressEvery is how many rows pass between progress reports.
const progressEvery = 1000

// colKind is how a column's values are carried.
type colKind int

const (
	kindText colKind = iota
	kindInt
)

type column struct {
	name string
	kind colKind
}

// Export writes every row of the store to w as a dump, from one consistent
// snapshot. progress, if not nil, is called with each table's running row
// count, at least once per table.
func (s *Store) Export(ctx context.Context, w io.Writer, progress func(table string, rows int64)) error {
	if progress == nil {
		progress = func(string, int64) {}
	}
	sqlTx, err := s.r.BeginTx(ctx, s.d.readOpts)
	if err != nil {
		return fmt.Errorf("sqlstore: export: begin: %w", unavailable(err))
	}
	defer sqlTx.Rollback()
	if err := s.noStatementTimeout(ctx, sqlTx); err != nil {
		return fmt.Errorf("sqlstore: export: %w", err)
	}
	version, err := schemaVersion(ctx, sqlTx)
	if err != nil {
		return fmt.Errorf("sqlstore: export: %w", err)
	}
	if err := s.checkTables(ctx, sqlTx); err != nil {
		return fmt.Errorf("sqlstore: export: %w", err)
	}

	bw := bufio.NewWriterSize(w, 64<<10)
	hdr := dumpHeader{Format: dumpFormat, Version: dumpFormatVersion, SchemaVersion: version}
	for _, t := range dumpTables {
		hdr.Tables = append(hdr.Tables, t.name)
	}
	b, _ := json.Marshal(hdr)
	bw.Write(b)
	bw.WriteByte('\n')

	counts := map[string]int64{}
	var line []byte
	for _, t := range dumpTables {
		n, err := exportTable(ctx, sqlTx, t, func(cols []column, vals []any) error {
			var err error
			line, err = appendRowLine(line[:0], t.name, cols, vals)
			if err != nil {
				return err
			}
			_, err = bw.Write(line)
			return err
		}, func(n int64) { progress(t.name, n) })
		if err != nil {
			return fmt.Errorf("sqlstore: export %s: %w", t.name, err)
		}
		counts[t.name] = n
		progress(t.name, n)
	}
	b, _ = json.Marshal(dumpLine{End: true, Rows: counts})
	bw.Write(b)
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sqlstore: export: write: %w", err)
	}
	return sqlTx.Commit()
}

// exportTable calls row for each row of t in primary-key order and returns
// how many there were.
func exportTable(ctx context.Context, tx *sql.Tx, t dumpTable, row func([]column, []any) error, tick func(int64)) (int64, error) {
	rows, err := tx.QueryContext(ctx, "SELECT * FROM "+t.name+" ORDER BY "+t.orderBy)
	if err != nil {
		return 0, unavailable(err)
	}
	defer rows.Close()
	cols, err := columnsOf(rows)
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i, c := range cols {
		if c.kind == kindInt {
			ptrs[i] = new(sql.NullInt64)
		} else {
			ptrs[i] = new(sql.NullString)
		}
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, p := range ptrs {
			switch v := p.(type) {
			case *sql.NullInt64:
				vals[i] = nil
				if v.Valid {
					vals[i] = v.Int64
				}
			case *sql.NullString:
				vals[i] = nil
				if v.Valid {
					vals[i] = v.String
				}
			}
		}
		if err := row(cols, vals); err != nil {
			return n, err
		}
		n++
		if n%progressEvery == 0 {
			tick(n)
		}
	}
	return n, unavailable(rows.Err())
}

// columnsOf reads the names and kinds of a result's columns.
func columnsOf(rows *sql.Rows) ([]column, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	cols := make([]column, len(types))
	for i, ct := range types {
		typ := strings.ToUpper(ct.DatabaseTypeName())
		switch {
		case strings.Contains(typ, "INT"):
			cols[i] = column{ct.Name(), kindInt}
		case typ == "TEXT" || strings.Contains(typ, "CHAR"):
			cols[i] = column{ct.Name(), kindText}
		default:
			return nil, fmt.Errorf("column %s has type %q, which dumps do not carry", ct.Name(), ct.DatabaseTypeName())
		}
	}
	return cols, nil
}

// appendRowLine renders one row line.
func appendRowLine(b []byte, table string, cols []column, vals []any) ([]byte, error) {
	b = append(b, `{"table":`...)
	b = appendJSONString(b, table)
	b = append(b, `,"row":{`...)
	for i, c := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, c.name)
		b = append(b, ':')
		switch v := vals[i].(type) {
		case nil:
			b = append(b, "null"...)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case string:
			if !utf8.ValidString(v) {
				return nil, fmt.Errorf("column %s of a row holds bytes that are not UTF-8; a dump cannot carry them", c.name)
			}
			if c.name == "doc" && isOneLineJSONDoc(v) {
				b = append(b, v...)
			} else {
				b = appendJSONString(b, v)
			}
		}
	}
	return append(b, "}}\n"...), nil
}

// isOneLineJSONDoc reports whether v can be written into a dump line as it is.
func isOneLineJSONDoc(v string) bool {
	return len(v) > 0 && (v[0] == '{' || v[0] == '[') &&
		!strings.ContainsAny(v, "\n\r") && json.Valid([]byte(v))
}

// appendJSONString appends s as a JSON string. Only what JSON requires is
// escaped (no HTML escaping), so text reads as it is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// importBatchParams bounds the parameters of one multi-row INSERT.
const importBatchParams = 900

// Import loads a dump written by Export into this store, which must be
// migrated to the dump's schema version and hold no rows at all. Everything
// is inserted in one transaction: on any error nothing is imported.
// progress, if not nil, is called with each table's running row count.
func (s *Store) Import(ctx context.Context, r io.Reader, progress func(table string, rows int64)) error {
	if progress == nil {
		progress = func(string, int64) {}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	lineNo := 1
	first, err := readLine(br)
	if err == io.EOF {
		return errors.New("sqlstore: import: the dump is empty")
	}
	if err != nil {
		return fmt.Errorf("sqlstore: import: %w", err)
	}
	var hdr dumpHeader
	if err := json.Unmarshal(first, &hdr); err != nil || hdr.Format != dumpFormat {
		return errors.New("sqlstore: import: not a sird dump (the first line is no sird-dump header)")
	}
	if hdr.Version != dumpFormatVersion {
		return fmt.Errorf("sqlstore: import: dump format version %d; this sird reads version %d", hdr.Version, dumpFormatVersion)
	}

	sqlTx, err := s.w.BeginTx(ctx, s.d.writeOpts)
	if err != nil {
		return fmt.Errorf("sqlstore: import: begin: %w", unavailable(err))
	}
	defer sqlTx.Rollback()
	if err := s.noStatementTimeout(ctx, sqlTx); err != nil {
		return fmt.Errorf("sqlstore: import: %w", err)
	}
	version, err := schemaVersion(ctx, sqlTx)
	if err != nil {
		return fmt.Errorf("sqlstore: import: %w", err)
	}
	if version != hdr.SchemaVersion {
		return fmt.Errorf("sqlstore: import: the dump has schema version %d, this database %d: export and import with the same sird version", hdr.SchemaVersion, version)
	}
	if err := s.checkTables(ctx, sqlTx); err != nil {
		return fmt.Errorf("sqlstore: import: %w", err)
	}
	// The target's columns, and proof that it is empty.
	tables := map[string][]column{}
	for _, t := range dumpTables {
		rows, err := sqlTx.QueryContext(ctx, "SELECT * FROM "+t.name+" LIMIT 1")
		if err != nil {
			return fmt.Errorf("sqlstore: import: %w", unavailable(err))
		}
		cols, err := columnsOf(rows)
		nonEmpty := rows.Next()
		rows.Close()
		if err != nil {
			return fmt.Errorf("sqlstore: import: %s: %w", t.name, err)
		}
		if nonEmpty {
			return fmt.Errorf("sqlstore: import: the target database is not empty (table %s has rows): import only into a fresh database", t.name)
		}
		tables[t.name] = cols
	}
	for _, name := range hdr.Tables {
		if _, ok := tables[name]; !ok {
			return fmt.Errorf("sqlstore: import: the dump has a table %q this sird does not know", name)
		}
	}

	im := &importer{s: s, tx: sqlTx, ctx: ctx, counts: map[string]int64{}, progress: progress, order: hdr.Tables}
	ended := false
	for {
		line, err := readLine(br)
		if err == io.EOF {
			break
		}
		lineNo++
		if err != nil {
			return fmt.Errorf("sqlstore: import: line %d: %w", lineNo, err)
		}
		if ended {
			return fmt.Errorf("sqlstore: import: line %d: data after the end line", lineNo)
		}
		var l dumpLine
		if err := json.Unmarshal(line, &l); err != nil {
			return fmt.Errorf("sqlstore: import: line %d: %w", lineNo, err)
		}
		switch {
		case l.End:
			if err := im.flush(); err != nil {
				return fmt.Errorf("sqlstore: import: %w", err)
			}
			im.reportUpTo("")
			for _, name := range hdr.Tables {
				if l.Rows[name] != im.counts[name] {
					return fmt.Errorf("sqlstore: import: table %s: the dump announces %d rows but holds %d", name, l.Rows[name], im.counts[name])
				}
			}
			ended = true
		case l.Table != "":
			cols, ok := tables[l.Table]
			if !ok || !slices.Contains(hdr.Tables, l.Table) {
				return fmt.Errorf("sqlstore: import: line %d: table %q is not in the dump's header", lineNo, l.Table)
			}
			args, err := rowArgs(cols, l.Row)
			if err != nil {
				return fmt.Errorf("sqlstore: import: line %d (%s): %w", lineNo, l.Table, err)
			}
			if err := im.add(l.Table, cols, args); err != nil {
				return fmt.Errorf("sqlstore: import: line %d (%s): %w", lineNo, l.Table, err)
			}
		default:
			return fmt.Errorf("sqlstore: import: line %d: neither a row nor the end", lineNo)
		}
	}
	if !ended {
		return errors.New("sqlstore: import: the dump is truncated (it has no end line); nothing was imported")
	}
	if err := s.resetSequences(ctx, sqlTx); err != nil {
		return fmt.Errorf("sqlstore: import: %w", err)
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: import: commit: %w", unavailable(err))
	}
	return nil
}

// readLine reads one line without its newline; blank lines are skipped.
func readLine(br *bufio.Reader) ([]byte, error) {
	for {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			return nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(line)) == 0 {
			if err != nil {
				return nil, err
			}
			continue
		}
		return line, nil
	}
}

// rowArgs turns a dumped row into the values of cols, in order. The row must
// have exactly the table's columns.
func rowArgs(cols []column, row map[string]json.RawMessage) ([]any, error) {
	if len(row) != len(cols) {
		names := make([]string, 0, len(row))
		for k := range row {
			names = append(names, k)
		}
		slices.Sort(names)
		return nil, fmt.Errorf("the row has columns %v; the table has %d", names, len(cols))
	}
	args := make([]any, len(cols))
	for i, c := range cols {
		raw, ok := row[c.name]
		if !ok {
			return nil, fmt.Errorf("the row has no column %s", c.name)
		}
		raw = bytes.TrimSpace(raw)
		switch {
		case string(raw) == "null":
			args[i] = nil
		case c.kind == kindInt:
			v, err := strconv.ParseInt(string(raw), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("column %s: %s is not an integer", c.name, raw)
			}
			args[i] = v
		case raw[0] == '"':
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("column %s: %w", c.name, err)
			}
			args[i] = v
		case c.name == "doc" && (raw[0] == '{' || raw[0] == '['):
			args[i] = string(raw) // the document exactly as it was stored
		default:
			return nil, fmt.Errorf("column %s: %.40s is not text", c.name, raw)
		}
	}
	return args, nil
}

// importer batches rows into multi-row INSERTs.
type importer struct {
	s        *Store
	tx       *sql.Tx
	ctx      context.Context
	counts   map[string]int64
	progress func(string, int64)

	order []string // the header's tables, for progress
	next  int      // order[next] is the first table not reported complete

	table string
	cols  []column
	args  []any
	n     int // rows in args
}

func (im *importer) add(table string, cols []column, args []any) error {
	if table != im.table {
		if err := im.flush(); err != nil {
			return err
		}
		im.reportUpTo(table)
		im.table, im.cols = table, cols
	}
	im.args = append(im.args, args...)
	im.n++
	im.counts[table]++
	if (im.n+1)*len(cols) > importBatchParams {
		return im.flush()
	}
	return nil
}

// reportUpTo reports the final count of every table before name in the
// header's order (all of them for ""), empty ones included.
func (im *importer) reportUpTo(name string) {
	for im.next < len(im.order) && im.order[im.next] != name {
		t := im.order[im.next]
		im.progress(t, im.counts[t])
		im.next++
	}
}

func (im *importer) flush() error {
	if im.n == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString("INSERT INTO " + im.table + " (")
	for i, c := range im.cols {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(c.name)
	}
	q.WriteString(")")
	if im.s.d == postgresDialect {
		q.WriteString(" OVERRIDING SYSTEM VALUE") // events.seq is GENERATED ALWAYS
	}
	q.WriteString(" VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(im.cols)), ", ") + ")"
	for i := range im.n {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	if _, err := im.tx.ExecContext(im.ctx, im.s.d.rewrite(q.String()), im.args...); err != nil {
		return unavailable(err)
	}
	im.args, im.n = im.args[:0], 0
	im.progress(im.table, im.counts[im.table])
	return nil
}

// schemaVersion is the highest migration applied.
func schemaVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var v sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("reading the schema version (is this a sird database?): %w", unavailable(err))
	}
	if !v.Valid {
		return 0, errors.New("the database has no migrations applied")
	}
	return int(v.Int64), nil
}

// checkTables refuses a database whose tables are not exactly dumpTables
// (beside the bookkeeping ones): a table the dump leaves out would be lost.
func (s *Store) checkTables(ctx context.Context, tx *sql.Tx) error {
	// SQLite's own tables (sqlite_sequence, sqlite_stat1 after ANALYZE or
	// PRAGMA optimize, ...) are its bookkeeping, not data.
	q := `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	if s.d == postgresDialect {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return unavailable(err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		have[name] = true
	}
	if err := rows.Err(); err != nil {
		return unavailable(err)
	}
	for _, t := range dumpTables {
		if !have[t.name] {
			return fmt.Errorf("the database has no table %s: is it migrated?", t.name)
		}
		delete(have, t.name)
	}
	for _, name := range tablesNotDumped {
		delete(have, name)
	}
	if len(have) > 0 {
		extra := make([]string, 0, len(have))
		for name := range have {
			extra = append(extra, name)
		}
		slices.Sort(extra)
		return fmt.Errorf("the database has tables dumps do not know (%s): this sird is older than the schema", strings.Join(extra, ", "))
	}
	return nil
}

// noStatementTimeout lifts PostgreSQL's statement_timeout for the
// transaction: one table's SELECT streams as fast as the dump is written.
func (s *Store) noStatementTimeout(ctx context.Context, tx *sql.Tx) error {
	if s.d != postgresDialect {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SET LOCAL statement_timeout = 0")
	return unavailable(err)
}

// resetSequences moves PostgreSQL identity sequences past the imported rows,
// so the next event gets the next seq. SQLite's AUTOINCREMENT follows
// inserted values by itself.
func (s *Store) resetSequences(ctx context.Context, tx *sql.Tx) error {
	if s.d != postgresDialect {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	if err != nil {
		return unavailable(err)
	}
	var idents [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return err
		}
		idents = append(idents, [2]string{t, c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return unavailable(err)
	}
	for _, tc := range idents {
		t, c := tc[0], tc[1]
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), COALESCE(MAX(%s), 0) + 1, false) FROM %s`, t, c, c, t)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("resetting %s.%s: %w", t, c, unavailable(err))
		}
	}
	return nil
}
