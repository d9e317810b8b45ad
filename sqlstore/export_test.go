package sqlstore

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/blob/fsblob"
	"github.com/sird-project/sird/internal/testsupport/pgtest"
	"github.com/sird-project/sird/notify"
)

var exportMasterKey = bytes.Repeat([]byte{0x42}, 32)

// deployment is a Service over a store, as sird serve builds it.
type deployment struct {
	ctx   context.Context
	st    *Store
	svc   *sird.Service
	keys  *sird.Keyring
	clock *testClock
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(1500 * time.Microsecond) // every call a distinct instant
	return c.t
}

func newDeployment(tb testing.TB, st *Store, clock *testClock) *deployment {
	tb.Helper()
	svc := sird.NewService(sird.Config{Store: st, MasterKey: exportMasterKey, Now: clock.Now})
	svc.SetBlobs(fsblob.New(filepath.Join(tb.TempDir(), "blobs"), []byte("blob-secret"), "http://127.0.0.1:1", svc, clock.Now))
	return &deployment{ctx: context.Background(), st: st, svc: svc, keys: sird.NewKeyring(st, exportMasterKey, rand.Reader, clock.Now), clock: clock}
}

// must(f())(tb) is f's value, failing tb on f's error.
func must[T any](v T, err error) func(testing.TB) T {
	return func(tb testing.TB) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}

var (
	exportAlice = sird.Caller{AccountID: "111111111111", Region: "us-east-1", Principal: "arn:aws:iam::111111111111:user/alice"}
	exportBob   = sird.Caller{AccountID: "111111111111", Region: "us-east-1", Principal: "arn:aws:iam::111111111111:user/bob"}
	exportWest  = sird.Caller{AccountID: "222222222222", Region: "us-west-2", Principal: "arn:aws:iam::222222222222:role/Responder"}
)

// populate fills a deployment through the service with a bit of everything
// the schema holds, and returns the IDs of the things it made.
func (d *deployment) populate(tb testing.TB) (keyID, keySecret string, caseIDs []string) {
	tb.Helper()
	ctx := d.ctx
	keyID, keySecret = ok2(tb)(d.keys.Create(ctx, "111111111111", "user/alice"))
	off, _ := ok2(tb)(d.keys.Create(ctx, "222222222222", "role/Responder"))
	if err := d.keys.SetDisabled(ctx, off, true); err != nil {
		tb.Fatal(err)
	}
	err := sird.LoadOrganizations(ctx, d.st, &sird.OrgDeclaration{Organizations: []sird.DeclaredOrganization{{
		Organization: sird.Organization{ID: "o-a1b2c3d4e5", ManagementAccountID: "111111111111"},
		Units: []sird.OrgUnit{{ID: "ou-ab12-prod0001", Name: "Prod"},
			{ID: "ou-ab12-paym0001", Name: "Payments", ParentID: "ou-ab12-prod0001"}},
		Accounts: []sird.OrgAccount{{AccountID: "222222222222", OUID: "ou-ab12-paym0001"}, {AccountID: "333333333333"}},
	}}})
	if err != nil {
		tb.Fatal(err)
	}

	team := []sird.IncidentResponder{
		{Name: "Alice Lead", JobTitle: "Lead", Email: "alice@example.com", CommunicationPreferences: []string{"Case Created"}},
		{Name: "Bob Analyst", JobTitle: "Analyst", Email: "bob@example.com"},
	}
	m := must(d.svc.CreateMembership(ctx, exportAlice, &sird.CreateMembershipInput{
		ClientToken: "membership-token", MembershipName: "Security", IncidentResponseTeam: team,
		OptInFeatures: []sird.OptInFeature{{FeatureName: "Triage", IsEnabled: true}},
		Tags:          map[string]string{"team": "sec"}, CoverEntireOrganization: new(true),
	}))(tb)
	name := "Security & Response"
	if err := d.svc.UpdateMembership(ctx, exportAlice, &sird.UpdateMembershipInput{MembershipID: m.MembershipID, MembershipName: &name}); err != nil {
		tb.Fatal(err)
	}
	must(d.svc.CreateMembership(ctx, exportWest, &sird.CreateMembershipInput{MembershipName: "West", IncidentResponseTeam: team}))(tb)

	start := sird.At(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	for i := range 40 {
		c := exportAlice
		if i%4 == 3 {
			c = exportWest
		}
		in := &sird.CreateCaseInput{
			ClientToken: fmt.Sprintf("case-token-%d", i), ResolverType: sird.ResolverSelf,
			Title:                     fmt.Sprintf("Case %d: <unusual> \"text\" ünïcödé \u2028 & \x01", i),
			Description:               "Line one\nLine two\ttabbed\r\n\\ backslash",
			EngagementType:            "Security Incident",
			ReportedIncidentStartDate: &start,
			ImpactedAccounts:          []string{"111111111111", "444455556666"},
			Watchers:                  []sird.Watcher{{Email: "w1@example.com", Name: "Wanda", JobTitle: "CISO"}, {Email: "w2@example.com"}},
			ThreatActorIPAddresses:    []sird.ThreatActorIP{{IPAddress: "198.51.100.7", UserAgent: "curl/8.0"}, {IPAddress: "2001:db8::1"}},
			ImpactedServices:          []string{"Amazon EC2", "AWS IAM"},
			ImpactedAwsRegions:        []sird.ImpactedRegion{{Region: "us-east-1"}, {Region: "eu-west-1"}},
			Tags:                      map[string]string{"severity": "high", "n": fmt.Sprint(i)},
		}
		id := must(d.svc.CreateCase(ctx, c, in))(tb).CaseID
		caseIDs = append(caseIDs, id)
		if c != exportAlice {
			continue
		}
		title := fmt.Sprintf("Renamed %d", i)
		actual := sird.At(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		err := d.svc.UpdateCase(ctx, c, &sird.UpdateCaseInput{CaseID: id, Title: &title, ActualIncidentStartDate: &actual,
			WatchersToAdd: []sird.Watcher{{Email: fmt.Sprintf("extra%d@example.com", i)}},
			CaseMetadata:  []sird.MetadataEntry{{Key: "ticket", Value: fmt.Sprint("T-", i)}}})
		if err != nil {
			tb.Fatal(err)
		}
		for j := range 3 {
			who := exportAlice
			if j == 1 {
				who = exportBob
			}
			must(d.svc.CreateCaseComment(ctx, who, &sird.CreateCaseCommentInput{CaseID: id, ClientToken: fmt.Sprintf("comment-%d-%d", i, j), Body: fmt.Sprintf("comment %d\nof case %d", j, i)}))(tb)
		}
		must(d.svc.UpdateCaseComment(ctx, exportAlice, &sird.UpdateCaseCommentInput{CaseID: id, CommentID: "000001", Body: "edited"}))(tb)
		must(d.svc.GetCaseAttachmentUploadURL(ctx, c, &sird.GetCaseAttachmentUploadURLInput{CaseID: id, FileName: "memory.dmp", ContentLength: 1 << 20, ClientToken: fmt.Sprint("att-", i)}))(tb)
		switch i % 3 {
		case 1:
			must(d.svc.UpdateCaseStatus(ctx, c, &sird.UpdateCaseStatusInput{CaseID: id, CaseStatus: sird.StatusDetectionAnalysis}))(tb)
		case 2:
			must(d.svc.CloseCase(ctx, c, &sird.CaseIDInput{CaseID: id}))(tb)
		}
	}
	// Expand half of the outbox into deliveries (one delivered), so events
	// carry both a NULL and a set expanded_ns.
	q := d.st.Queue()
	var backlog int64
	if backlog, err = d.st.OutboxBacklog(ctx); err != nil {
		tb.Fatal(err)
	}
	plan := func(e sird.Event) []notify.Target {
		return []notify.Target{{Channel: "email", Target: "soc@example.com"}, {Channel: "webhook", Target: "pager"}}
	}
	if _, err := q.Expand(ctx, d.clock.Now(), int(backlog/2), plan); err != nil {
		tb.Fatal(err)
	}
	claimed, err := q.Claim(ctx, notify.Lane{Channel: "email"}, d.clock.Now(), 1, time.Minute)
	if err != nil || len(claimed) != 1 {
		tb.Fatalf("Claim: %v %v", claimed, err)
	}
	if err := q.Complete(ctx, claimed[0], d.clock.Now()); err != nil {
		tb.Fatal(err)
	}

	// Many more cases straight into the store: several import batches.
	err = d.st.Write(ctx, func(tx sird.Tx) error {
		for i := range 2500 {
			if err := tx.InsertCase(benchCase(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return keyID, keySecret, caseIDs
}

func ok2(tb testing.TB) func(a, b string, err error) (string, string) {
	return func(a, b string, err error) (string, string) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return a, b
	}
}

// dump exports st and checks the progress reports.
func dump(tb testing.TB, st *Store) []byte {
	tb.Helper()
	var buf bytes.Buffer
	reported := map[string]int64{}
	if err := st.Export(context.Background(), &buf, func(table string, n int64) { reported[table] = n }); err != nil {
		tb.Fatalf("Export: %v", err)
	}
	for _, t := range dumpTables {
		if _, ok := reported[t.name]; !ok {
			tb.Errorf("Export reported no progress for %s", t.name)
		}
	}
	return buf.Bytes()
}

func load(tb testing.TB, st *Store, b []byte) map[string]int64 {
	tb.Helper()
	reported := map[string]int64{}
	if err := st.Import(context.Background(), bytes.NewReader(b), func(table string, n int64) { reported[table] = n }); err != nil {
		tb.Fatalf("Import: %v", err)
	}
	return reported
}

func openSQLiteIn(tb testing.TB, dir string) *Store {
	tb.Helper()
	st, err := OpenSQLite(context.Background(), filepath.Join(dir, "sird.db"), Options{Migrate: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// dumpCounts reads the end line of a dump.
func dumpCounts(tb testing.TB, b []byte) map[string]int64 {
	tb.Helper()
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	var end dumpLine
	if err := json.Unmarshal(lines[len(lines)-1], &end); err != nil || !end.End {
		tb.Fatalf("the last line is no end line: %s", lines[len(lines)-1])
	}
	return end.Rows
}

// TestExportImportRoundTrip copies a populated SQLite deployment to
// PostgreSQL and back to SQLite: the three dumps are byte-for-byte equal and
// the copies answer as the original does.
func TestExportImportRoundTrip(t *testing.T) {
	src := openSQLiteIn(t, t.TempDir())
	orig := newDeployment(t, src, &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)})
	keyID, keySecret, caseIDs := orig.populate(t)
	d1 := dump(t, src)

	counts := dumpCounts(t, d1)
	for _, tb := range dumpTables {
		if counts[tb.name] == 0 {
			t.Errorf("the populated deployment has no rows in %s: the round trip does not cover it", tb.name)
		}
	}
	if !bytes.HasPrefix(d1, fmt.Appendf(nil, `{"format":"sird-dump","version":1,"schemaVersion":%d,"tables":["access_keys",`, latestSchema(t))) {
		t.Errorf("header: %.120s", d1)
	}

	type target struct {
		name string
		open func(t *testing.T) *Store
	}
	targets := []target{{"sqlite", func(t *testing.T) *Store { return openSQLiteIn(t, t.TempDir()) }}}
	if pgtest.Available() {
		targets = append([]target{{"postgres", func(t *testing.T) *Store {
			st, err := OpenPostgres(context.Background(), pgtest.NewDatabase(t), Options{Migrate: true, MaxConns: 4, StatementTimeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}}}, targets...)
	} else {
		t.Logf("%s is not set: SQLite to SQLite only", pgtest.Env)
	}

	prev := d1
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			st := tg.open(t)
			reported := load(t, st, prev)
			for name, n := range counts {
				if reported[name] != n {
					t.Errorf("Import reported %d rows of %s, want %d", reported[name], name, n)
				}
			}
			d2 := dump(t, st)
			if !bytes.Equal(d1, d2) {
				t.Fatalf("the dump of the %s copy differs from the original's:\n%s", tg.name, firstDiff(d1, d2))
			}
			prev = d2

			// The copy answers as the original: cases, lists, history,
			// comments, idempotent retries, keys, and new writes.
			cp := newDeployment(t, st, &testClock{t: time.Date(2025, 3, 2, 12, 0, 0, 0, time.UTC)})
			for _, id := range caseIDs {
				c := exportAlice
				want, err := orig.svc.GetCase(orig.ctx, c, &sird.CaseIDInput{CaseID: id})
				if err != nil {
					c = exportWest
					want = must(orig.svc.GetCase(orig.ctx, c, &sird.CaseIDInput{CaseID: id}))(t)
				}
				got := must(cp.svc.GetCase(cp.ctx, c, &sird.CaseIDInput{CaseID: id}))(t)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("GetCase %s on the copy:\n got %+v\nwant %+v", id, got, want)
				}
				if c == exportAlice {
					wantEdits := must(orig.svc.ListCaseEdits(orig.ctx, c, &sird.ListCaseEditsInput{CaseID: id}))(t)
					gotEdits := must(cp.svc.ListCaseEdits(cp.ctx, c, &sird.ListCaseEditsInput{CaseID: id}))(t)
					if !reflect.DeepEqual(gotEdits.Items, wantEdits.Items) || gotEdits.Total != wantEdits.Total {
						t.Errorf("ListCaseEdits %s differs on the copy", id)
					}
					wantC := must(orig.svc.ListComments(orig.ctx, c, &sird.ListCommentsInput{CaseID: id}))(t)
					gotC := must(cp.svc.ListComments(cp.ctx, c, &sird.ListCommentsInput{CaseID: id}))(t)
					if !reflect.DeepEqual(gotC.Items, wantC.Items) || gotC.Total != wantC.Total {
						t.Errorf("ListComments %s differs on the copy", id)
					}
				}
			}
			// The same create, retried with its token: the same case, not a new one.
			start := sird.At(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
			retry := must(cp.svc.CreateCase(cp.ctx, exportAlice, &sird.CreateCaseInput{
				ClientToken: "case-token-0", ResolverType: sird.ResolverSelf,
				Title:                     "Case 0: <unusual> \"text\" ünïcödé \u2028 & \x01",
				Description:               "Line one\nLine two\ttabbed\r\n\\ backslash",
				EngagementType:            "Security Incident",
				ReportedIncidentStartDate: &start,
				ImpactedAccounts:          []string{"111111111111", "444455556666"},
				Watchers:                  []sird.Watcher{{Email: "w1@example.com", Name: "Wanda", JobTitle: "CISO"}, {Email: "w2@example.com"}},
				ThreatActorIPAddresses:    []sird.ThreatActorIP{{IPAddress: "198.51.100.7", UserAgent: "curl/8.0"}, {IPAddress: "2001:db8::1"}},
				ImpactedServices:          []string{"Amazon EC2", "AWS IAM"},
				ImpactedAwsRegions:        []sird.ImpactedRegion{{Region: "us-east-1"}, {Region: "eu-west-1"}},
				Tags:                      map[string]string{"severity": "high", "n": "0"},
			}))(t)
			if retry.CaseID != caseIDs[0] {
				t.Errorf("CreateCase retried with its token on the copy made case %s, want %s", retry.CaseID, caseIDs[0])
			}
			// The sealed secret opens with the same master key.
			secret, key, err := cp.keys.Resolve(cp.ctx, keyID)
			if err != nil || secret != keySecret || key.AccountID != "111111111111" {
				t.Errorf("Resolve %s on the copy: %q %v %v", keyID, secret, key, err)
			}
			// Paging through everything gives the same cases in the same order.
			for _, c := range []sird.Caller{exportAlice, exportWest} {
				if a, b := listAll(t, orig, c), listAll(t, cp, c); !reflect.DeepEqual(a, b) {
					t.Errorf("ListCases of %s: %d items on the copy, %d on the original, or in another order", c.AccountID, len(b), len(a))
				}
			}
			// New writes: a case (counted), a comment after the copied ones, an event after the copied ones.
			must(cp.svc.CreateCase(cp.ctx, exportAlice, &sird.CreateCaseInput{ResolverType: sird.ResolverSelf, Title: "After the move",
				Description: "d", EngagementType: "Investigation", ImpactedAccounts: []string{}, Watchers: []sird.Watcher{}}))(t)
			var n int64
			if err := st.Read(cp.ctx, func(tx sird.Tx) (err error) { n, err = tx.CountCases("111111111111", "us-east-1"); return err }); err != nil {
				t.Fatal(err)
			}
			if want := int64(30 + 2500 + 1); n != want { // alice's 30 of the 40, the 2500 inserted, the new one
				t.Errorf("CountCases after the move: %d, want %d", n, want)
			}
			cm := must(cp.svc.CreateCaseComment(cp.ctx, exportAlice, &sird.CreateCaseCommentInput{CaseID: caseIDs[0], Body: "after"}))(t)
			if cm.CommentID != "000004" {
				t.Errorf("the first comment after the move is %s, want 000004", cm.CommentID)
			}
			var maxBefore, maxAfter int64
			for _, line := range bytes.Split(prev, []byte("\n")) {
				var l struct {
					Table string `json:"table"`
					Row   struct {
						Seq int64 `json:"seq"`
					} `json:"row"`
				}
				if json.Unmarshal(line, &l) == nil && l.Table == "events" {
					maxBefore = max(maxBefore, l.Row.Seq)
				}
			}
			var after bytes.Buffer
			if err := st.Export(cp.ctx, &after, nil); err != nil {
				t.Fatal(err)
			}
			for _, line := range bytes.Split(after.Bytes(), []byte("\n")) {
				var l struct {
					Table string `json:"table"`
					Row   struct {
						Seq int64 `json:"seq"`
					} `json:"row"`
				}
				if json.Unmarshal(line, &l) == nil && l.Table == "events" {
					maxAfter = max(maxAfter, l.Row.Seq)
				}
			}
			if maxAfter <= maxBefore {
				t.Errorf("events after the move: max seq %d, want beyond %d", maxAfter, maxBefore)
			}
		})
	}
}

func listAll(tb testing.TB, d *deployment, c sird.Caller) []string {
	tb.Helper()
	var ids []string
	in := &sird.ListInput{MaxResults: new(7)}
	for {
		out := must(d.svc.ListCases(d.ctx, c, in))(tb)
		for _, it := range out.Items {
			ids = append(ids, it.CaseID)
		}
		if out.NextToken == "" {
			return ids
		}
		in.NextToken = out.NextToken
	}
}

// latestSchema is the version the migrations bring a database to.
func latestSchema(tb testing.TB) int {
	ms, err := loadMigrations("sqlite")
	if err != nil {
		tb.Fatal(err)
	}
	return ms[len(ms)-1].version
}

// firstDiff shows the first line where two dumps differ.
func firstDiff(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range max(len(la), len(lb)) {
		var x, y []byte
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if !bytes.Equal(x, y) {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i+1, x, y)
		}
	}
	return "(equal)"
}

// TestImportRefuses: a non-empty target, a truncated dump (nothing is
// imported), another schema version, garbage, a tampered count, a row of an
// unknown table, a row with a missing column.
func TestImportRefuses(t *testing.T) {
	src := openSQLiteIn(t, t.TempDir())
	d := newDeployment(t, src, &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)})
	ok2(t)(d.keys.Create(d.ctx, "111111111111", "user/alice"))
	must(d.svc.CreateMembership(d.ctx, exportAlice, &sird.CreateMembershipInput{MembershipName: "S",
		IncidentResponseTeam: []sird.IncidentResponder{{Name: "A", JobTitle: "L", Email: "a@example.com"}, {Name: "B", JobTitle: "L", Email: "b@example.com"}}}))(t)
	good := dump(t, src)
	lines := strings.Split(strings.TrimSuffix(string(good), "\n"), "\n")

	tests := []struct {
		name, dump, want string
	}{
		{"non-empty target", "", "not empty"},
		{"empty", "", "empty"},
		{"truncated", strings.Join(lines[:len(lines)-1], "\n") + "\n", "truncated"},
		{"cut mid-line", string(good[:len(good)-10]), "line"},
		{"not a dump", "hello\n", "not a sird dump"},
		{"other schema", strings.Replace(string(good), fmt.Sprintf(`"schemaVersion":%d`, latestSchema(t)), `"schemaVersion":99`, 1), "schema version 99"},
		{"count", strings.Replace(string(good), `"access_keys":1`, `"access_keys":2`, 1), "announces 2 rows"},
		{"unknown table", strings.Replace(string(good), `{"table":"memberships"`, `{"table":"nope"`, 1), `"nope"`},
		{"missing column", strings.Replace(string(good), `{"table":"memberships","row":{"id":`, `{"table":"memberships","row":{"idx":`, 1), "no column id"},
		{"after the end", string(good) + lines[1] + "\n", "after the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := openSQLiteIn(t, t.TempDir())
			in := tt.dump
			if tt.name == "non-empty target" {
				load(t, dst, good)
				in = string(good)
			}
			err := dst.Import(context.Background(), strings.NewReader(in), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Import: %v, want an error containing %q", err, tt.want)
			}
			if tt.name == "non-empty target" {
				return
			}
			// Nothing was imported: the good dump still goes in.
			load(t, dst, good)
			if got := dump(t, dst); !bytes.Equal(got, good) {
				t.Errorf("after the refused import: %s", firstDiff(good, got))
			}
		})
	}
}

// TestExportKnowsEveryTable: a table that migrations add must be added to
// dumpTables, or Export refuses rather than leave it out.
func TestExportKnowsEveryTable(t *testing.T) {
	st := openSQLiteIn(t, t.TempDir())
	if err := st.Export(context.Background(), io.Discard, nil); err != nil {
		t.Fatalf("Export of the migrated schema: %v", err)
	}
	if _, err := st.w.Exec("ANALYZE"); err != nil { // makes sqlite_stat1: SQLite's, not data
		t.Fatal(err)
	}
	if err := st.Export(context.Background(), io.Discard, nil); err != nil {
		t.Fatalf("Export after ANALYZE: %v", err)
	}
	if _, err := st.w.Exec("CREATE TABLE surprise (id TEXT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	err := st.Export(context.Background(), io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "surprise") {
		t.Fatalf("Export with an unknown table: %v", err)
	}
}

// TestDumpLinesAreJSON: every line parses, docs are embedded as JSON.
func TestDumpLinesAreJSON(t *testing.T) {
	st := openSQLiteIn(t, t.TempDir())
	d := newDeployment(t, st, &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)})
	must(d.svc.CreateMembership(d.ctx, exportAlice, &sird.CreateMembershipInput{MembershipName: "S <&>",
		IncidentResponseTeam: []sird.IncidentResponder{{Name: "A", JobTitle: "L", Email: "a@example.com"}, {Name: "B", JobTitle: "L", Email: "b@example.com"}}}))(t)
	sc := bufio.NewScanner(bytes.NewReader(dump(t, st)))
	n := 0
	for sc.Scan() {
		n++
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", n, err, sc.Bytes())
		}
		if v["table"] == "memberships" {
			if _, ok := v["row"].(map[string]any)["doc"].(map[string]any); !ok {
				t.Errorf("the membership doc is not embedded as an object: %s", sc.Bytes())
			}
		}
	}
	if n < 4 {
		t.Errorf("%d lines", n)
	}
}
