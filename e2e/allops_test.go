package e2e

// Conformance through the official clients: every operation of the model at
// least once through the AWS CLI and through boto3, and every boto3 paginator
// over two pages or more. The operation lists come from the model, so an
// operation added to it fails these tests until they call it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/sqlstore"
)

// allopsModelDir holds the official security-ir model, beside the repository.
const allopsModelDir = "../../shared/models/security-ir"

// allopsAccount is the account of the dev credentials test/test.
const allopsAccount = "123456789012"

// modelOperations returns the operation names of service-2.json, sorted; the
// test skips when the models are not beside the repository.
func modelOperations(tb testing.TB) []string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(allopsModelDir, "service-2.json"))
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("no model at %s", allopsModelDir)
	}
	if err != nil {
		tb.Fatal(err)
	}
	var m struct {
		Operations map[string]json.RawMessage `json:"operations"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatalf("service-2.json: %v", err)
	}
	var ops []string
	for op := range m.Operations {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	if len(ops) == 0 {
		tb.Fatal("service-2.json has no operations")
	}
	return ops
}

// modelPaginators returns the operations paginators-1.json paginates.
func modelPaginators(tb testing.TB) []string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(allopsModelDir, "paginators-1.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var p struct {
		Pagination map[string]json.RawMessage `json:"pagination"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		tb.Fatalf("paginators-1.json: %v", err)
	}
	var ops []string
	for op := range p.Pagination {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}

// cliName is the AWS CLI's name of an operation, as botocore's xform_name
// makes it: ListCaseEdits -> list-case-edits, GetCaseAttachmentDownloadUrl
// -> get-case-attachment-download-url.
func cliName(op string) string {
	r := []rune(op)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prevLower := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || (unicode.IsUpper(r[i-1]) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

func TestCLIName(t *testing.T) {
	for op, want := range map[string]string{
		"ListCaseEdits":                "list-case-edits",
		"GetCaseAttachmentDownloadUrl": "get-case-attachment-download-url",
		"BatchGetMemberAccountDetails": "batch-get-member-account-details",
		"ListTagsForResource":          "list-tags-for-resource",
		"DescribeDBInstances":          "describe-db-instances",
	} {
		if got := cliName(op); got != want {
			t.Errorf("cliName(%q) = %q, want %q", op, got, want)
		}
	}
}

// allopsInvestigate adds an investigation action to an AWS-resolved case of
// the dev account with `sird responder investigate` and returns its ID.
func allopsInvestigate(tb testing.TB, s *server, caseID, actionType, title, content string) string {
	tb.Helper()
	out := sirdCmd(tb, "responder", "investigate", allopsAccount+"/us-east-1/"+caseID, "--type", actionType,
		"--title", title, "--content", content, "--responder", "e2e", "--data-dir", s.DataDir)
	// A table: a header line, then the action's line starting with its ID.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if f := strings.Fields(lines[len(lines)-1]); len(lines) == 2 && len(f) > 0 && strings.HasPrefix(f[0], "inv-") {
		return f[0]
	}
	tb.Fatalf("sird responder investigate printed no investigation ID:\n%s", out)
	return ""
}

// allopsMissing lists the operations of want that are not in done.
func allopsMissing(want []string, done map[string]bool) []string {
	var missing []string
	for _, op := range want {
		if !done[op] {
			missing = append(missing, op)
		}
	}
	return missing
}

func TestEveryOperationThroughCLI(t *testing.T) {
	t.Parallel()
	ops := modelOperations(t)
	awsCLI(t)
	s := startServer(t)

	// call runs an operation that must succeed and records it by model name.
	byCLI := map[string]string{}
	for _, op := range ops {
		byCLI[cliName(op)] = op
	}
	var mu sync.Mutex
	done := map[string]bool{}
	call := func(t *testing.T, args ...string) map[string]any {
		t.Helper()
		out := s.awsOK(t, devCreds, args...)
		mu.Lock()
		defer mu.Unlock()
		if op, ok := byCLI[args[0]]; ok {
			done[op] = true
		} else {
			t.Errorf("aws security-ir %s is not an operation of the model", args[0])
		}
		return out
	}
	newCase := func(t *testing.T, title string) string {
		return str(call(t, "create-case", "--resolver-type", "Self", "--title", title, "--description", "d",
			"--engagement-type", "Investigation", "--reported-incident-start-date", "1735787045",
			"--impacted-accounts", allopsAccount, "--watchers", "[]"), "caseId")
	}

	mid := str(call(t, "create-membership", "--membership-name", "All operations", "--incident-response-team", jsonArg(cliTeam)), "membershipId")
	// Independent flows run side by side: each CLI start costs about a second.
	var cases [3]string
	t.Run("flows", func(t *testing.T) {
		t.Run("membership", func(t *testing.T) {
			t.Parallel()
			call(t, "update-membership", "--membership-id", mid, "--membership-name", "Every operation")
			m := call(t, "get-membership", "--membership-id", mid)
			if str(m, "membershipName") != "Every operation" {
				t.Errorf("get-membership after update-membership: %v", m)
			}
			d := call(t, "batch-get-member-account-details", "--membership-id", mid, "--account-ids", allopsAccount)
			if str(d, "items", 0, "accountId") != allopsAccount || str(d, "items", 0, "relationshipStatus") != "Associated" {
				t.Errorf("batch-get-member-account-details: %v", d)
			}
			if l := call(t, "list-memberships"); len(list(l, "items")) != 1 || str(l, "items", 0, "membershipId") != mid {
				t.Errorf("list-memberships: %v", l)
			}
			arn := str(m, "membershipArn")
			call(t, "tag-resource", "--resource-arn", arn, "--tags", "env=test,team=ir")
			call(t, "untag-resource", "--resource-arn", arn, "--tag-keys", "team")
			wantJSON(t, "membership tags", field(call(t, "list-tags-for-resource", "--resource-arn", arn), "tags"), map[string]string{"env": "test"})
		})
		t.Run("attachments", func(t *testing.T) {
			t.Parallel()
			cid := newCase(t, "Attachments")
			cases[0] = cid
			data := []byte(strings.Repeat("evidence ", 100))
			up := str(call(t, "get-case-attachment-upload-url", "--case-id", cid, "--file-name", "evidence.txt",
				"--content-length", fmt.Sprint(len(data))), "attachmentPresignedUrl")
			if st, _, body := httpDo(t, "PUT", up, data); st != 200 {
				t.Fatalf("upload PUT: %d %s", st, body)
			}
			g := call(t, "get-case", "--case-id", cid)
			if str(g, "caseAttachments", 0, "attachmentStatus") != "Verified" {
				t.Fatalf("get-case after the upload: %v", g)
			}
			dl := str(call(t, "get-case-attachment-download-url", "--case-id", cid, "--attachment-id", str(g, "caseAttachments", 0, "attachmentId")),
				"attachmentPresignedUrl")
			if st, _, body := httpDo(t, "GET", dl, nil); st != 200 || string(body) != string(data) {
				t.Errorf("download GET: %d, %d bytes, want 200 with the %d bytes uploaded", st, len(body), len(data))
			}
		})
		t.Run("comments", func(t *testing.T) {
			t.Parallel()
			cid := newCase(t, "Comments")
			cases[1] = cid
			first := str(call(t, "create-case-comment", "--case-id", cid, "--body", "Comment 0"), "commentId")
			call(t, "create-case-comment", "--case-id", cid, "--body", "Comment 1")
			call(t, "update-case-comment", "--case-id", cid, "--comment-id", first, "--body", "Comment 0, edited")
			// The CLI follows nextToken itself: pages of one still list everything.
			if l := call(t, "list-comments", "--case-id", cid, "--page-size", "1"); len(list(l, "items")) != 2 ||
				str(l, "items", 0, "body") != "Comment 0, edited" || num(l, "total") != 2 {
				t.Errorf("list-comments: %v", l)
			}
		})
		t.Run("workflow", func(t *testing.T) {
			t.Parallel()
			cid := newCase(t, "Workflow")
			cases[2] = cid
			call(t, "update-case", "--case-id", cid, "--title", "Workflow, renamed", "--impacted-services-to-add", "Amazon S3")
			if u := call(t, "update-case-status", "--case-id", cid, "--case-status", "Detection and Analysis"); str(u, "caseStatus") != "Detection and Analysis" {
				t.Errorf("update-case-status: %v", u)
			}
			// The responder's investigations on the case, once AWS resolves it.
			if u := call(t, "update-resolver-type", "--case-id", cid, "--resolver-type", "AWS"); str(u, "resolverType") != "AWS" {
				t.Errorf("update-resolver-type: %v", u)
			}
			var ids []string
			for i, kind := range []string{"Evidence", "Investigation", "Summarization"} {
				ids = append(ids, allopsInvestigate(t, s, cid, kind, fmt.Sprintf("Finding %d", i), fmt.Sprintf("Details of finding %d", i)))
			}
			call(t, "send-feedback", "--case-id", cid, "--result-id", ids[1], "--usefulness", "USEFUL", "--comment", "Thanks")
			invs := list(call(t, "list-investigations", "--case-id", cid, "--page-size", "2"), "investigationActions")
			var got []string
			for _, inv := range invs {
				got = append(got, str(inv, "investigationId")+" "+str(inv, "actionType"))
			}
			if want := []string{ids[0] + " Evidence", ids[1] + " Investigation", ids[2] + " Summarization"}; !slices.Equal(got, want) {
				t.Errorf("list-investigations: %q, want %q", got, want)
			}
			if fb := field(invs, 1, "feedback"); str(fb, "usefulness") != "USEFUL" || str(fb, "comment") != "Thanks" {
				t.Errorf("feedback after send-feedback: %v", fb)
			}
			if c := call(t, "close-case", "--case-id", cid); str(c, "caseStatus") != "Closed" {
				t.Errorf("close-case: %v", c)
			}
			l := call(t, "list-case-edits", "--case-id", cid, "--page-size", "3")
			if n := len(list(l, "items")); n < 8 || n != int(num(l, "total")) {
				t.Errorf("list-case-edits: %d items, total %v", n, l["total"])
			}
		})
	})
	if t.Failed() {
		t.FailNow()
	}
	l := call(t, "list-cases", "--page-size", "2")
	var got []string
	for _, it := range list(l, "items") {
		got = append(got, str(it, "caseId"))
	}
	if want := cases[:]; len(got) != 3 || !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) || num(l, "total") != 3 {
		t.Errorf("list-cases: %v, want the cases %v", l, want)
	}
	if c := call(t, "cancel-membership", "--membership-id", mid); str(c, "membershipId") != mid {
		t.Errorf("cancel-membership: %v", c)
	}

	if missing := allopsMissing(ops, done); len(missing) > 0 {
		t.Errorf("operations of the model never called successfully through the AWS CLI: %v", missing)
	}
}

// seedTerminatedMemberships puts n Terminated memberships of the dev account
// in us-east-1 into dataDir's store before a server starts on it. sird never
// terminates a membership (AWS does, after the cancellation period) and an
// account holds at most one membership that is not Terminated, so this is
// the only way for ListMemberships to have more than one page.
func seedTerminatedMemberships(tb testing.TB, dataDir string, n int) {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(dataDir, "sird.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	at := time.Now().Add(-400 * 24 * time.Hour).Truncate(time.Second)
	err = st.Write(ctx, func(tx sird.Tx) error {
		for i := range n {
			on, off := sird.At(at.Add(time.Duration(i)*24*time.Hour)), sird.TimePtr(at.Add(time.Duration(i+30)*24*time.Hour))
			if err := tx.InsertMembership(&sird.Membership{
				ID: fmt.Sprintf("m-terminated%04d", i), AccountID: allopsAccount, Region: "us-east-1",
				Name: fmt.Sprintf("Old membership %d", i), Status: sird.MembershipTerminated,
				ActivatedAt: on, DeactivatedAt: off,
				Team:      []sird.IncidentResponder{{Name: "Old Lead", JobTitle: "Lead", Email: "old@example.com"}},
				CreatedBy: "arn:aws:iam::123456789012:user/test", UpdatedAt: *off, UpdatedBy: "arn:aws:iam::123456789012:user/test",
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestEveryOperationThroughBoto3(t *testing.T) {
	t.Parallel()
	python3Boto3(t)
	const seeded = 3
	dir := t.TempDir()
	seedTerminatedMemberships(t, dir, seeded)
	s := startServer(t, "SIRD_DATA_DIR="+dir)
	res := s.py(t, "allops.py", map[string][2]string{"dev": devCreds},
		"SIRD_BIN="+sirdBin, "SIRD_DATA_DIR="+s.DataDir, fmt.Sprintf("SIRD_SEEDED_MEMBERSHIPS=%d", seeded))

	strs := func(key string) []string {
		var out []string
		for _, v := range list(res, key) {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	called := map[string]bool{}
	for _, op := range strs("called") {
		called[op] = true
	}
	want := strs("operations")
	if len(want) == 0 {
		t.Fatalf("allops.py reported no operations: %v", res)
	}
	if _, err := os.Stat(allopsModelDir); err == nil {
		// boto3's model must be the official one: no operation left out.
		ops := modelOperations(t)
		if got := slices.Sorted(slices.Values(want)); !slices.Equal(ops, got) {
			t.Errorf("boto3's operations %v, the model's %v", got, ops)
		}
		want = append(want, ops...)
		// The script reports the pages each paginator took.
		pages, _ := res["paginated"].(map[string]any)
		t.Logf("boto3 paginators, pages of 2: %v", pages)
		for _, op := range modelPaginators(t) {
			if n, _ := pages[op].(float64); n < 2 {
				t.Errorf("paginator %s went over %v pages through boto3, want 2 or more", op, pages[op])
			}
		}
	}
	if missing := allopsMissing(want, called); len(missing) > 0 {
		t.Errorf("operations never called successfully through boto3: %v", missing)
	}
}
