package sqlstore

// stmtID names one SQL statement of the store. Statements are declared once,
// as package variables, so each backend can rewrite and prepare all of them
// when it opens.
type stmtID int

// stmtDefs holds the declared statements in the neutral form: '?'
// placeholders, and a trailing " FOR UPDATE" that only PostgreSQL keeps.
var stmtDefs []string

// def declares a statement.
func def(query string) stmtID {
	stmtDefs = append(stmtDefs, query)
	return stmtID(len(stmtDefs) - 1)
}

// noLimit stands for "no limit" in LIMIT ? (Page.Limit <= 0).
const noLimit = 1 << 31

// pageLimit is the number of rows to fetch for a page of limit rows: one
// more, to tell whether a next page follows. limit <= 0 means no limit.
func pageLimit(limit int) int {
	if limit <= 0 || limit >= noLimit {
		return noLimit
	}
	return limit + 1
}
