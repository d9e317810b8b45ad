package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
)

// Query plans: every statement of the store finds its rows through an index,
// so its cost does not grow with the table (ListCases at 1,000,000 cases
// costs what it costs at 1,000). SQLite's EXPLAIN QUERY PLAN and
// PostgreSQL's EXPLAIN, on every statement the store declares.

// growingTables are the tables whose size follows the traffic; a statement
// must never scan them whole.
var growingTables = `cases|case_counts|case_edits|comments|events|deliveries|idempotency|pending_uploads|memberships|membership_changes|org_units|org_accounts`

// sortAllowed lists the statements that may sort: the memberships of one
// account or organization, the changes of one membership, the units and
// accounts of one organization; a handful of rows each. The lists of cases,
// comments and history entries are paged and must come in index order.
var sortAllowed = map[stmtID]bool{}

func init() {
	for id, q := range stmtDefs {
		for _, t := range []string{"memberships", "membership_changes", "org_units", "org_accounts"} {
			if strings.HasPrefix(q, "SELECT doc FROM "+t+" WHERE") {
				sortAllowed[stmtID(id)] = true
			}
		}
	}
}

// planFixture stores enough cases (most of them in one account and region,
// as a busy tenant has) for the planner to see the tables as they are in
// use; PostgreSQL then plans with statistics (ANALYZE).
func planFixture(t *testing.T, s *Store) {
	t.Helper()
	err := s.Write(t.Context(), func(tx sird.Tx) error {
		for i := range 3000 {
			c := benchCase(i)
			if i%10 == 0 {
				c.AccountID = fmt.Sprintf("9%011d", i)
			}
			if err := tx.InsertCase(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// wantPlans pins the index of the statements on the hot path: the SQLite
// plan line, and a regular expression for PostgreSQL's plan.
var wantPlans = map[stmtID]struct{ sqlite, postgres string }{
	qCaseGet:     {`SEARCH cases USING INDEX sqlite_autoindex_cases_1 (case_id=?)`, `Index Scan using cases_pkey on cases`},
	qCaseGetLock: {`SEARCH cases USING INDEX sqlite_autoindex_cases_1 (case_id=?)`, `Index Scan using cases_pkey on cases`},
	// Every column of cases_page is bound here: either index is one seek.
	qCaseUpdateDoc: {`SEARCH cases USING INDEX sqlite_autoindex_cases_1 (case_id=?)`, `Index Scan using (cases_pkey|cases_page) on cases`},
	qCaseFirst:     {`SEARCH cases USING INDEX cases_page (account_id=? AND region=?)`, `Index Scan using cases_page on cases`},
	qCaseAfter:     {`SEARCH cases USING INDEX cases_page (account_id=? AND region=? AND (created_ns,case_id)<(?,?))`, `Index Scan using cases_page on cases`},
	qCaseTotal:     {`SEARCH case_counts USING PRIMARY KEY (account_id=? AND region=?)`, `Index Scan using case_counts_pkey on case_counts`},
	qEditList:      {`SEARCH case_edits USING INDEX sqlite_autoindex_case_edits_1 (case_id=? AND seq>?)`, `Index Scan using case_edits_pkey on case_edits`},
	qCommentList:   {`SEARCH comments USING INDEX sqlite_autoindex_comments_1 (case_id=? AND comment_id>?)`, `Index Scan using comments_pkey on comments`},
}

func TestQueryPlansSQLite(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	planFixture(t, s)
	scan := regexp.MustCompile(`^SCAN (` + growingTables + `)\b`)
	for id, q := range s.texts {
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = "x"
		}
		plan, err := sqlitePlan(t.Context(), s.w, q, args)
		if err != nil {
			t.Errorf("EXPLAIN QUERY PLAN %s: %v", firstLine(q), err)
			continue
		}
		checkPlan(t, stmtID(id), q, plan, func(line string) bool { return scan.MatchString(line) },
			func(line string) bool { return strings.Contains(line, "USE TEMP B-TREE") })
		if want, ok := wantPlans[stmtID(id)]; ok && !strings.Contains(strings.Join(plan, "\n"), want.sqlite) {
			t.Errorf("%s: plan %q, want %q", firstLine(q), plan, want.sqlite)
		}
	}
}

func sqlitePlan(ctx context.Context, db *sql.DB, q string, args []any) ([]string, error) {
	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		plan = append(plan, detail)
	}
	return plan, rows.Err()
}

// genericPlanConn is a connection of the PostgreSQL store s, its tables
// analyzed, that plans a prepared statement as it would without its
// parameters' values, and uses no sequential scan where an index can serve
// (an empty table would otherwise always be scanned).
func genericPlanConn(t *testing.T, s *Store) *sql.Conn {
	t.Helper()
	ctx := t.Context()
	if _, err := s.w.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	for _, set := range []string{"SET plan_cache_mode = force_generic_plan", "SET enable_seqscan = off"} {
		if _, err := conn.ExecContext(ctx, set); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

func TestQueryPlansPostgres(t *testing.T) {
	s := freshPostgres(t)(t, Options{Migrate: true})
	planFixture(t, s)
	ctx := t.Context()
	conn := genericPlanConn(t, s)
	scan := regexp.MustCompile(`Seq Scan on (` + growingTables + `)\b`)
	for id, q := range s.texts {
		name := fmt.Sprintf("plan_%d", id)
		if _, err := conn.ExecContext(ctx, "PREPARE "+name+" AS "+q); err != nil {
			t.Errorf("PREPARE %s: %v", firstLine(q), err)
			continue
		}
		nulls := make([]string, strings.Count(q, "$"))
		for i := range nulls {
			nulls[i] = "NULL"
		}
		exec := "EXPLAIN EXECUTE " + name
		if len(nulls) > 0 {
			exec += "(" + strings.Join(nulls, ", ") + ")"
		}
		plan, err := postgresPlan(ctx, conn, exec)
		if err != nil {
			t.Errorf("%s %s: %v", exec, firstLine(q), err)
			continue
		}
		checkPlan(t, stmtID(id), q, plan, func(line string) bool { return scan.MatchString(line) },
			func(line string) bool { return regexp.MustCompile(`^\s*(->\s*)?Sort\b`).MatchString(line) })
		if want, ok := wantPlans[stmtID(id)]; ok && !regexp.MustCompile(want.postgres).MatchString(strings.Join(plan, "\n")) {
			t.Errorf("%s: plan\n%s\nwant %q", firstLine(q), strings.Join(plan, "\n"), want.postgres)
		}
	}
}

func postgresPlan(ctx context.Context, conn *sql.Conn, q string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		plan = append(plan, line)
	}
	return plan, rows.Err()
}

func checkPlan(t *testing.T, id stmtID, q string, plan []string, isScan, isSort func(string) bool) {
	t.Helper()
	for _, line := range plan {
		if isScan(line) {
			t.Errorf("%s: scans a whole table: %s", firstLine(q), strings.Join(plan, " | "))
		}
		if isSort(line) && !sortAllowed[id] {
			t.Errorf("%s: sorts: %s", firstLine(q), strings.Join(plan, " | "))
		}
	}
}

// The queue's statements are not declared with def (queue.go), so the tests
// above do not see them. Prune's are pinned here: they run over the whole
// history of the outbox, and must read the rows they delete, not the ones
// they keep.

// prunePlan is a statement of Queue.Prune, the arguments it is planned
// with, and its wanted plans.
type prunePlan struct {
	q                        string
	args                     []any
	sqlite, postgres, scanOK string
}

// prunePlans are the statements of Queue.Prune and their wanted plans.
// The events' bound (the first seq written at or after the cutoff) is a
// SCAN in seq order that stops at its first row, since nothing sorts it:
// scanOK lets that one line through in SQLite's plan.
func prunePlans(s *Store) []prunePlan {
	q := s.Queue().(*queue)
	return []prunePlan{
		{q.pruneDone, []any{int64(1), 1000}, `SEARCH deliveries USING INDEX deliveries_finished (updated_ns<?)`, `Index Scan using deliveries_finished on deliveries`, ""},
		{q.pruneEvents, []any{int64(1), int64(1), 1000}, `SEARCH events USING INTEGER PRIMARY KEY (rowid<?)`, `Index Scan using events_pkey on events`, "SCAN events"},
	}
}

// outboxFixture stores events and deliveries in every state Prune tells
// apart: delivered, dead, pending, and events never expanded.
func outboxFixture(t *testing.T, s *Store) {
	t.Helper()
	ctx, now := t.Context(), time.Now()
	err := s.Write(ctx, func(tx sird.Tx) error {
		for i := range 400 {
			if err := tx.AddEvent(&sird.Event{ID: fmt.Sprintf("plan-%06d", i), Type: sird.EventCaseUpdated, Time: sird.At(now)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	q := s.Queue()
	hook := func(sird.Event) []notify.Target {
		return []notify.Target{{Channel: notify.ChannelWebhook, Target: "a"}}
	}
	if _, err := q.Expand(ctx, now, 300, hook); err != nil {
		t.Fatal(err)
	}
	ds, err := q.Claim(ctx, notify.Lane{Channel: notify.ChannelWebhook, Target: "a"}, now, 200, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if i%4 == 0 {
			err = q.Fail(ctx, d, now, "gone", time.Time{}, true)
		} else {
			err = q.Complete(ctx, d, now)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestPrunePlansSQLite(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	outboxFixture(t, s)
	scan := regexp.MustCompile(`^SCAN (` + growingTables + `)\b`)
	for _, p := range prunePlans(s) {
		plan, err := sqlitePlan(t.Context(), s.w, p.q, p.args)
		if err != nil {
			t.Fatalf("EXPLAIN QUERY PLAN %s: %v", firstLine(p.q), err)
		}
		if p.scanOK != "" && !slices.Contains(plan, p.scanOK) {
			t.Errorf("%s: plan %q, want %q for the bound", firstLine(p.q), plan, p.scanOK)
		}
		checkPlan(t, -1, p.q, plan, func(line string) bool { return line != p.scanOK && scan.MatchString(line) },
			func(line string) bool { return strings.Contains(line, "USE TEMP B-TREE") })
		if !slices.Contains(plan, p.sqlite) {
			t.Errorf("%s: plan %q, want %q", firstLine(p.q), plan, p.sqlite)
		}
	}
}

func TestPrunePlansPostgres(t *testing.T) {
	s := freshPostgres(t)(t, Options{Migrate: true})
	outboxFixture(t, s)
	ctx := t.Context()
	conn := genericPlanConn(t, s)
	scan := regexp.MustCompile(`Seq Scan on (` + growingTables + `)\b`)
	for i, p := range prunePlans(s) {
		name := fmt.Sprintf("prune_%d", i)
		if _, err := conn.ExecContext(ctx, "PREPARE "+name+" AS "+p.q); err != nil {
			t.Fatalf("PREPARE %s: %v", firstLine(p.q), err)
		}
		nulls := strings.Repeat(", NULL", len(p.args))[2:]
		plan, err := postgresPlan(ctx, conn, "EXPLAIN EXECUTE "+name+"("+nulls+")")
		if err != nil {
			t.Fatalf("EXPLAIN %s: %v", firstLine(p.q), err)
		}
		checkPlan(t, -1, p.q, plan, func(line string) bool { return scan.MatchString(line) },
			func(line string) bool { return regexp.MustCompile(`^\s*(->\s*)?Sort\b`).MatchString(line) })
		if !regexp.MustCompile(p.postgres).MatchString(strings.Join(plan, "\n")) {
			t.Errorf("%s: plan\n%s\nwant %q", firstLine(p.q), strings.Join(plan, "\n"), p.postgres)
		}
	}
}
