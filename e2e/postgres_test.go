package e2e

// sird on PostgreSQL, end to end: the client flows on a PostgreSQL-backed
// node, nodes starting (and migrating) together, and a database outage.
// These tests run when SIRD_TEST_DATABASE_URL names a PostgreSQL server
// they may create databases on, and skip otherwise.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/sird-project/sird/internal/testsupport/pgtest"
)

// testMasterKey is the master key every node of a test deployment shares.
var testMasterKey = strings.Repeat("5a", 32)

// pgEnv is the environment of every sird process of a PostgreSQL deployment.
func pgEnv(dsn string) []string {
	return []string{"SIRD_DATABASE_URL=" + dsn, "SIRD_MASTER_KEY=" + testMasterKey}
}

// startPGNode starts a node of the deployment on dsn; nodes given the same
// dataDir share the attachment files under it.
func startPGNode(tb testing.TB, dsn, dataDir string, env ...string) *server {
	tb.Helper()
	return startServer(tb, append(append(pgEnv(dsn), "SIRD_DATA_DIR="+dataDir), env...)...)
}

// createKeyPG issues an access key in the PostgreSQL deployment dsn.
func createKeyPG(tb testing.TB, dsn, account, user string) [2]string {
	tb.Helper()
	return newKey(tb, pgEnv(dsn), "--account", account, "--user", user)
}

// loadOrgPG declares organizations in the PostgreSQL deployment dsn.
func loadOrgPG(tb testing.TB, dsn, declaration string) {
	tb.Helper()
	loadOrgWith(tb, pgEnv(dsn), declaration)
}

// apiClient sends SigV4-signed API requests with the AWS SDK's signer.
type apiClient struct {
	creds  aws.Credentials
	signer *v4.Signer
	http   *http.Client
}

func newAPIClient(creds [2]string) *apiClient {
	return &apiClient{
		creds:  aws.Credentials{AccessKeyID: creds[0], SecretAccessKey: creds[1], Source: "e2e"},
		signer: v4.NewSigner(),
		http:   &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
	}
}

// apiResult is one API answer.
type apiResult struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
	Took   time.Duration
}

// Type is the error type of a failure ("" on success).
func (r apiResult) Type() string {
	if r.Status < 300 {
		return ""
	}
	return r.Header.Get("X-Amzn-ErrorType")
}

// call sends method path with body (JSON-encoded, nil for none) to base.
// Transport failures are errors; API errors are results.
func (c *apiClient) call(base, method, path string, body any) (apiResult, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return apiResult{}, err
		}
	}
	req, err := http.NewRequest(method, base+path, bytes.NewReader(payload))
	if err != nil {
		return apiResult{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(payload)
	if err := c.signer.SignHTTP(context.Background(), c.creds, req, hex.EncodeToString(sum[:]), "security-ir", "us-east-1", time.Now()); err != nil {
		return apiResult{}, err
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return apiResult{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	res := apiResult{Status: resp.StatusCode, Header: resp.Header, Raw: raw, Took: time.Since(start)}
	if err != nil {
		return res, err
	}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &res.Body); err != nil {
			return res, fmt.Errorf("%s %s: answer is not JSON: %q", method, path, raw)
		}
	}
	return res, nil
}

// ok calls and fails tb unless the call succeeds.
func (c *apiClient) ok(tb testing.TB, base, method, path string, body any) map[string]any {
	tb.Helper()
	res, err := c.call(base, method, path, body)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	if res.Status >= 300 {
		tb.Fatalf("%s %s on %s: %d %s", method, path, base, res.Status, res.Raw)
	}
	if res.Body == nil {
		res.Body = map[string]any{}
	}
	return res.Body
}

var apiTeam = []map[string]string{
	{"name": "Alice Lead", "jobTitle": "Lead", "email": "alice@example.com"},
	{"name": "Bob Analyst", "jobTitle": "Analyst", "email": "bob@example.com"},
}

func newCaseBody(token, title string) map[string]any {
	b := map[string]any{
		"resolverType": "Self", "title": title, "description": "Found by the e2e tests.",
		"engagementType": "Security Incident", "reportedIncidentStartDate": 1735787045,
		"impactedAccounts": []string{}, "watchers": []any{},
	}
	if token != "" {
		b["clientToken"] = token
	}
	return b
}

// TestPostgresClientFlows runs the client flows of the SQLite e2e tests on
// nodes backed by PostgreSQL: the AWS CLI through memberships, cases,
// comments and attachments, and the boto3 scripts, each on a fresh database.
func TestPostgresClientFlows(t *testing.T) {
	t.Parallel()
	pgtest.Require(t)

	t.Run("cli", func(t *testing.T) {
		t.Parallel()
		awsCLI(t)
		dsn := pgtest.NewDatabase(t)
		loadOrgPG(t, dsn, orgDeclaration)
		a, a2 := createKeyPG(t, dsn, "111111111111", "alice"), createKeyPG(t, dsn, "111111111111", "dave")
		b := createKeyPG(t, dsn, "222222222222", "bob")
		s := startPGNode(t, dsn, t.TempDir())

		// Memberships: create (idempotent), get, list, update, organization coverage.
		m := str(s.awsOK(t, a, "create-membership", "--client-token", "pg-membership", "--membership-name", "Security",
			"--incident-response-team", jsonArg(cliTeam), "--cover-entire-organization"), "membershipId")
		if !membershipIDRE.MatchString(m) {
			t.Fatalf("membershipId %q", m)
		}
		if again := str(s.awsOK(t, a, "create-membership", "--client-token", "pg-membership", "--membership-name", "Security",
			"--incident-response-team", jsonArg(cliTeam), "--cover-entire-organization"), "membershipId"); again != m {
			t.Errorf("membership retry gave %s, want %s", again, m)
		}
		s.awsOK(t, a, "update-membership", "--membership-id", m, "--membership-name", "Renamed")
		got := s.awsOK(t, a, "get-membership", "--membership-id", m)
		if str(got, "membershipName") != "Renamed" || str(got, "membershipStatus") != "Active" || str(got, "customerType") != "Organization" {
			t.Errorf("get-membership: %v", got)
		}
		if l := list(s.awsOK(t, a, "list-memberships"), "items"); len(l) != 1 || str(l[0], "membershipId") != m {
			t.Errorf("list-memberships: %v", l)
		}
		det := s.awsOK(t, a, "batch-get-member-account-details", "--membership-id", m, "--account-ids", "222222222222", "777777777777")
		if len(list(det, "items")) != 1 || len(list(det, "errors")) != 1 {
			t.Errorf("batch-get-member-account-details: %v", det)
		}

		// Cases: create with every member, update, status, lists, history.
		create := []string{"create-case", "--client-token", "pg-case-1", "--resolver-type", "Self",
			"--title", "Credential exfiltration", "--description", "Keys leaked.\nSecond line: ünïcödé & <tags>",
			"--engagement-type", "Security Incident", "--reported-incident-start-date", "2025-01-02T03:04:05Z",
			"--impacted-accounts", "111111111111", "--watchers", `[{"email":"w1@example.com","name":"Wanda"}]`,
			"--threat-actor-ip-addresses", `[{"ipAddress":"198.51.100.7","userAgent":"curl/8.0"}]`,
			"--impacted-services", "Amazon EC2", "--impacted-aws-regions", `[{"region":"us-east-1"}]`, "--tags", `{"severity":"high"}`}
		cid := str(s.awsOK(t, a, create...), "caseId")
		if !caseIDRE.MatchString(cid) {
			t.Fatalf("caseId %q", cid)
		}
		if again := str(s.awsOK(t, a, create...), "caseId"); again != cid {
			t.Errorf("case retry gave %s, want %s", again, cid)
		}
		s.awsOK(t, a, "update-case", "--case-id", cid, "--title", "Renamed", "--watchers-to-add", `[{"email":"w2@example.com"}]`)
		s.awsOK(t, a, "update-case-status", "--case-id", cid, "--case-status", "Detection and Analysis")
		g := s.awsOK(t, a, "get-case", "--case-id", cid)
		if str(g, "title") != "Renamed" || str(g, "caseStatus") != "Detection and Analysis" || len(list(g, "watchers")) != 2 ||
			str(g, "description") != "Keys leaked.\nSecond line: ünïcödé & <tags>" {
			t.Errorf("get-case: %v", g)
		}
		for i := range 3 {
			s.awsOK(t, a2, "create-case", "--resolver-type", "Self", "--title", fmt.Sprint("More ", i), "--description", "d",
				"--engagement-type", "Investigation", "--reported-incident-start-date", "1735787045", "--impacted-accounts", "[]", "--watchers", "[]")
		}
		if l := s.awsOK(t, a, "list-cases"); len(list(l, "items")) != 4 || num(l, "total") != 4 {
			t.Errorf("list-cases (the CLI pages through): %d items, total %v", len(list(l, "items")), l["total"])
		}
		s.awsErr(t, b, "ResourceNotFoundException", "get-case", "--case-id", cid)
		edits := s.awsOK(t, a, "list-case-edits", "--case-id", cid)
		if num(edits, "total") != 3 || len(list(edits, "items")) != 3 {
			t.Errorf("list-case-edits: %v", edits)
		}

		// Comments, then an attachment up and down.
		for i := range 3 {
			id := str(s.awsOK(t, a, "create-case-comment", "--case-id", cid, "--body", fmt.Sprint("comment ", i)), "commentId")
			if want := fmt.Sprintf("%06d", i+1); id != want {
				t.Errorf("comment %d: ID %s, want %s", i, id, want)
			}
		}
		s.awsErr(t, a2, "AccessDeniedException", "update-case-comment", "--case-id", cid, "--comment-id", "000001", "--body", "x")
		s.awsOK(t, a, "update-case-comment", "--case-id", cid, "--comment-id", "000001", "--body", "edited")
		if l := s.awsOK(t, a, "list-comments", "--case-id", cid); num(l, "total") != 3 || str(l, "items", 0, "body") != "edited" {
			t.Errorf("list-comments: %v", l)
		}
		cliAttachmentRoundTrip(t, s, a, cid, "fs")
		s.awsOK(t, a, "close-case", "--case-id", cid)
		s.awsErr(t, a, "ConflictException", "update-case", "--case-id", cid, "--title", "Closed cases are read-only")
	})

	boto3 := func(script string, setup func(t *testing.T, dsn string) map[string][2]string, extra ...string) func(t *testing.T) {
		return func(t *testing.T) {
			t.Parallel()
			python3Boto3(t)
			dsn := pgtest.NewDatabase(t)
			creds := setup(t, dsn)
			s := startPGNode(t, dsn, t.TempDir())
			s.py(t, script, creds, extra...)
		}
	}
	caseKeys := func(t *testing.T, dsn string) map[string][2]string {
		return map[string][2]string{
			"a": createKeyPG(t, dsn, "111111111111", "alice"), "a2": createKeyPG(t, dsn, "111111111111", "dave"),
			"b": createKeyPG(t, dsn, "222222222222", "bob"),
		}
	}
	t.Run("boto3 memberships", boto3("memberships.py", func(t *testing.T, dsn string) map[string][2]string {
		loadOrgPG(t, dsn, orgDeclaration)
		return map[string][2]string{
			"a": createKeyPG(t, dsn, "111111111111", "alice"), "b": createKeyPG(t, dsn, "222222222222", "bob"),
			"c": createKeyPG(t, dsn, "555555555555", "carol"), "d": createKeyPG(t, dsn, "232323232323", "dan"),
		}
	}))
	t.Run("boto3 cases", boto3("cases.py", caseKeys))
	t.Run("boto3 comments", boto3("comments.py", caseKeys))
	t.Run("boto3 attachments", boto3("attachments.py", caseKeys, "SIRD_BLOB_STORE=fs"))
}

// TestPostgresNodesStartTogether starts four nodes at once on a fresh
// database: the advisory lock lets one migrate while the others wait, all
// four serve, and the schema is the one a single `sird migrate` makes. Four
// `sird migrate` run at once on another fresh database, with the same result.
func TestPostgresNodesStartTogether(t *testing.T) {
	t.Parallel()
	ref := pgtest.NewDatabase(t)
	sirdWith(t, pgEnv(ref), "migrate")
	want := pgSchema(t, ref)

	t.Run("serve", func(t *testing.T) {
		dsn := pgtest.NewDatabase(t)
		key := [2]string{"test", "test"} // loopback, no keys yet: the dev credentials
		nodes := startServersTogether(t, 4, append(pgEnv(dsn), "SIRD_DATA_DIR="+t.TempDir()))
		c := newAPIClient(key)
		for i, n := range nodes {
			c.ok(t, n.URL, "POST", "/v1/list-cases", map[string]any{})
			if i == 0 {
				c.ok(t, n.URL, "POST", "/v1/membership", map[string]any{"membershipName": "Security", "incidentResponseTeam": apiTeam})
			}
		}
		wantJSON(t, "schema after four nodes started together", pgSchema(t, dsn), want)
	})
	t.Run("migrate", func(t *testing.T) {
		dsn := pgtest.NewDatabase(t)
		var cmds []*exec.Cmd
		var outs []*bytes.Buffer
		for range 4 {
			cmd := exec.Command(sirdBin, "migrate")
			cmd.Env = append(os.Environ(), pgEnv(dsn)...)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds, outs = append(cmds, cmd), append(outs, &out)
		}
		for i, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Errorf("sird migrate #%d: %v\n%s", i, err, outs[i])
			}
		}
		wantJSON(t, "schema after four sird migrate at once", pgSchema(t, dsn), want)
	})
}

// startServersTogether starts n `sird serve` at once (not one after the
// other, as startServer would) and waits until each serves.
func startServersTogether(tb testing.TB, n int, env []string) []*server {
	tb.Helper()
	servers := make([]*server, n)
	addrs := make([]<-chan string, n)
	for i := range n {
		servers[i], addrs[i] = spawn(tb, env)
	}
	for i, s := range servers {
		s.await(tb, addrs[i], 30*time.Second, fmt.Sprintf("node %d", i))
		resp, err := http.Get(s.URL + "/_sird/health")
		if err != nil {
			tb.Fatalf("node %d health: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			tb.Fatalf("node %d health: %d", i, resp.StatusCode)
		}
	}
	return servers
}

// pgSchema describes a database's schema: columns, indexes, constraints,
// and the migrations recorded.
func pgSchema(tb testing.TB, dsn string) map[string][]string {
	tb.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	queries := map[string]string{
		"columns": `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(collation_name, '')
FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1`,
		"indexes":     `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1`,
		"constraints": `SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1`,
		"migrations":  `SELECT version::text || ' ' || name FROM schema_migrations ORDER BY version`,
	}
	out := map[string][]string{}
	for what, q := range queries {
		rows, err := db.Query(q)
		if err != nil {
			tb.Fatalf("%s: %v", what, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				tb.Fatal(err)
			}
			out[what] = append(out[what], s)
		}
		rows.Close()
	}
	files, _ := filepath.Glob("../sqlstore/migrations/postgres/*.sql")
	if len(out["migrations"]) != len(files) || len(files) == 0 {
		tb.Errorf("schema_migrations has %d rows; there are %d migrations", len(out["migrations"]), len(files))
	}
	return out
}

// TestPostgresOutage cuts a node off its database (through a proxy the test
// controls, not by stopping the shared server): API calls answer
// InternalServerException with Retry-After: 1 within ~3 s, health says
// degraded, the node keeps running, and it serves again by itself once the
// database is reachable.
func TestPostgresOutage(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	sirdWith(t, pgEnv(dsn), "migrate")
	creds := createKeyPG(t, dsn, "111111111111", "alice")
	p := pgtest.NewProxy(t, dsn)
	s := startPGNode(t, p.DSN(), t.TempDir())
	c := newAPIClient(creds)

	c.ok(t, s.URL, "POST", "/v1/membership", map[string]any{"membershipName": "Security", "incidentResponseTeam": apiTeam})
	cid := str(c.ok(t, s.URL, "POST", "/v1/create-case", newCaseBody("before", "Before the outage")), "caseId")

	calls := []struct {
		name, method, path string
		body               any
	}{
		{"GetCase", "GET", "/v1/cases/" + cid + "/get-case", nil},
		{"CreateCase", "POST", "/v1/create-case", newCaseBody("during", "During the outage")},
		{"ListCases", "POST", "/v1/list-cases", map[string]any{}},
		{"CreateCaseComment", "POST", "/v1/cases/" + cid + "/create-comment", map[string]any{"body": "during"}},
	}
	wantRetryable := func(what string, limit time.Duration) {
		t.Helper()
		for _, k := range calls {
			res, err := c.call(s.URL, k.method, k.path, k.body)
			if err != nil {
				t.Fatalf("%s: %s: %v", what, k.name, err)
			}
			if res.Status != 500 || res.Type() != "InternalServerException" || res.Header.Get("Retry-After") != "1" ||
				str(res.Body, "__type") != "InternalServerException" {
				t.Errorf("%s: %s answered %d %s Retry-After %q: %s; want 500 InternalServerException, Retry-After 1",
					what, k.name, res.Status, res.Type(), res.Header.Get("Retry-After"), res.Raw)
			}
			if res.Took > limit {
				t.Errorf("%s: %s took %v, want under %v", what, k.name, res.Took, limit)
			}
		}
		start := time.Now()
		resp, err := http.Get(s.URL + "/_sird/health")
		if err != nil {
			t.Fatalf("%s: health: %v", what, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || !strings.Contains(string(b), "degraded") || time.Since(start) > limit {
			t.Errorf("%s: health answered %d %s after %v, want 503 degraded", what, resp.StatusCode, b, time.Since(start))
		}
	}
	recovered := func(what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for attempt := 1; ; attempt++ {
			res, err := c.call(s.URL, "GET", "/v1/cases/"+cid+"/get-case", nil)
			if err == nil && res.Status == 200 {
				if attempt > 1 {
					t.Logf("%s: the node answered again at attempt %d", what, attempt)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the node did not recover: %v %d %s\n%s", what, err, res.Status, res.Raw, s.logs)
			}
			time.Sleep(100 * time.Millisecond)
		}
		c.ok(t, s.URL, "POST", "/v1/create-case", newCaseBody("during", "During the outage"))
		c.ok(t, s.URL, "POST", "/v1/cases/"+cid+"/create-comment", map[string]any{"body": "after " + what})
		resp, err := http.Get(s.URL + "/_sird/health")
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s: health after recovery: %v %v", what, err, resp.Status)
		}
		resp.Body.Close()
	}

	p.Down()
	wantRetryable("database refused", 3*time.Second)
	time.Sleep(5500 * time.Millisecond) // past the access-key cache: authentication needs the database too
	wantRetryable("database refused, key cache expired", 3*time.Second)
	p.Up(t)
	recovered("refused")

	p.Blackhole(t) // connections hang: the 2 s connect timeout bounds each call
	wantRetryable("database not answering", 3500*time.Millisecond)
	p.Up(t)
	recovered("black hole")

	select {
	case <-s.exited:
		t.Fatalf("the node exited during the outage:\n%s", s.logs)
	default:
	}
	// Exactly one case for the token used during the outage, and the comments made.
	if l := c.ok(t, s.URL, "POST", "/v1/list-cases", map[string]any{}); len(list(l, "items")) != 2 {
		t.Errorf("list-cases after the outage: %v", l)
	}
	if l := c.ok(t, s.URL, "POST", "/v1/cases/"+cid+"/list-comments", map[string]any{}); num(l, "total") != 2 {
		t.Errorf("list-comments after the outage: %v", l)
	}
}

// TestExportImportCLI moves a deployment with `sird export` and `sird
// import`: from SQLite to PostgreSQL (when SIRD_TEST_DATABASE_URL is set)
// and on to a new SQLite data dir. Each copy's dump is byte-for-byte the
// original's, and a node on each copy, given the same master key (and the
// attachment files), serves the same data to the same access keys.
func TestExportImportCLI(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	a := createKey(t, src, "111111111111", "alice")
	s := startServer(t, "SIRD_DATA_DIR="+src)
	c := newAPIClient(a)
	c.ok(t, s.URL, "POST", "/v1/membership", map[string]any{"membershipName": "Security", "incidentResponseTeam": apiTeam})
	cid := str(c.ok(t, s.URL, "POST", "/v1/create-case", newCaseBody("moved", "Moved case: ünïcödé <&>")), "caseId")
	c.ok(t, s.URL, "POST", "/v1/cases/"+cid+"/create-comment", map[string]any{"body": "first\nline two"})
	c.ok(t, s.URL, "POST", "/v1/cases/"+cid+"/update-case", map[string]any{"watchersToAdd": []map[string]string{{"email": "w@example.com"}}})
	data := []byte("attachment bytes that move along")
	up := str(c.ok(t, s.URL, "POST", "/v1/cases/"+cid+"/get-presigned-url", map[string]any{"fileName": "notes.txt", "contentLength": len(data)}), "attachmentPresignedUrl")
	if st, _, body := httpDo(t, "PUT", up, data); st != 200 {
		t.Fatalf("PUT: %d %s", st, body)
	}
	// A listing token issued by the original, to use on the copies.
	page := c.ok(t, s.URL, "POST", "/v1/cases/"+cid+"/list-case-edits", map[string]any{"maxResults": 1})
	want := c.ok(t, s.URL, "GET", "/v1/cases/"+cid+"/get-case", nil)
	s.stop(t)
	masterKey, err := os.ReadFile(filepath.Join(src, "master.key"))
	if err != nil {
		t.Fatal(err)
	}

	dumpFile := filepath.Join(t.TempDir(), "dump.jsonl")
	sirdCmd(t, "export", "--data-dir", src, "-o", dumpFile)
	original, err := os.ReadFile(dumpFile)
	if err != nil {
		t.Fatal(err)
	}
	// The copy serves: same case, the edits page continues, the key works,
	// the attachment downloads.
	check := func(t *testing.T, s *server) {
		c := newAPIClient(a)
		got := c.ok(t, s.URL, "GET", "/v1/cases/"+cid+"/get-case", nil)
		wantJSON(t, "get-case on the copy", got, want)
		next := c.ok(t, s.URL, "POST", "/v1/cases/"+cid+"/list-case-edits", map[string]any{"maxResults": 1, "nextToken": str(page, "nextToken")})
		if len(list(next, "items")) != 1 || num(next, "total") != num(page, "total") {
			t.Errorf("list-case-edits with the original's nextToken: %v", next)
		}
		aid := str(got, "caseAttachments", 0, "attachmentId")
		dl := str(c.ok(t, s.URL, "GET", "/v1/cases/"+cid+"/get-presigned-url/"+aid, nil), "attachmentPresignedUrl")
		if st, _, body := httpDo(t, "GET", dl, nil); st != 200 || !bytes.Equal(body, data) {
			t.Errorf("download on the copy: %d %q", st, body)
		}
	}
	exportImport := func(t *testing.T, from []byte, importArgs, exportArgs []string, env []string) {
		f := filepath.Join(t.TempDir(), "in.jsonl")
		if err := os.WriteFile(f, from, 0o600); err != nil {
			t.Fatal(err)
		}
		sirdWith(t, env, append(append([]string{"import"}, importArgs...), f)...)
		again := sirdWith(t, env, append([]string{"export"}, exportArgs...)...)
		if again != string(original) {
			t.Fatalf("the dump of the copy differs from the original's:\n%s", lineDiff(string(original), again))
		}
		// Importing twice is refused.
		cmd := exec.Command(sirdBin, append(append([]string{"import"}, importArgs...), f)...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "not empty") {
			t.Errorf("a second import: %v\n%s", err, out)
		}
	}

	if pgtest.Available() {
		t.Run("to postgres", func(t *testing.T) {
			dsn := pgtest.NewDatabase(t)
			env := []string{"SIRD_DATABASE_URL=" + dsn, "SIRD_MASTER_KEY=" + strings.TrimSpace(string(masterKey))}
			exportImport(t, original, nil, nil, env)
			check(t, startServer(t, append(env, "SIRD_DATA_DIR="+src)...)) // src: the attachment files
		})
	}
	t.Run("to sqlite", func(t *testing.T) {
		dst := t.TempDir()
		exportImport(t, original, []string{"--data-dir", dst}, []string{"--data-dir", dst}, nil)
		if err := os.WriteFile(filepath.Join(dst, "master.key"), masterKey, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(filepath.Join(dst, "blobs"), os.DirFS(filepath.Join(src, "blobs"))); err != nil {
			t.Fatal(err)
		}
		check(t, startServer(t, "SIRD_DATA_DIR="+dst))
	})
}

// lineDiff shows the first differing line of two texts.
func lineDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i+1, x, y)
		}
	}
	return "(equal)"
}
