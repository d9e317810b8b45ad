package e2e

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sird-project/sird/internal/testsupport/pgtest"
)

// TestMultiNode runs two sird processes on one PostgreSQL database with one
// master key, as one service, and drives them with concurrent signed clients
// alternating between the nodes: racing retries of one clientToken sent to
// both nodes at once, many UpdateCase watcher additions on one case,
// comments, list pages whose nextToken moves from node to node, and an
// upload URL issued by one node and used through the other. Then the
// invariants: no duplicate case, one case per token, no lost update, a
// complete history, unique sequential comment IDs.
func TestMultiNode(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	shared := t.TempDir() // both nodes' data dir: the attachment files they share
	creds := createKeyPG(t, dsn, "111111111111", "alice")
	a := startPGNode(t, dsn, shared)
	b := startPGNode(t, dsn, shared)
	nodes := []string{a.URL, b.URL}
	c := newAPIClient(creds)
	node := func(i int) string { return nodes[i%2] }

	c.ok(t, a.URL, "POST", "/v1/membership", map[string]any{"membershipName": "Security", "incidentResponseTeam": apiTeam})

	// 1. Racing retries: each token sent by 6 clients at once, 3 per node.
	const tokens, racers = 12, 6
	caseOfToken := make([][]string, tokens)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for k := range tokens {
		start := make(chan struct{})
		for r := range racers {
			wg.Go(func() {
				<-start
				res, err := c.call(node(r), "POST", "/v1/create-case", newCaseBody(fmt.Sprint("race-", k), fmt.Sprint("Raced ", k)))
				if err != nil || res.Status != 201 {
					t.Errorf("token %d, racer %d on %s: %v %d %s", k, r, node(r), err, res.Status, res.Raw)
					return
				}
				mu.Lock()
				caseOfToken[k] = append(caseOfToken[k], str(res.Body, "caseId"))
				mu.Unlock()
			})
		}
		close(start)
	}
	wg.Wait()
	raced := map[string]bool{}
	for k, ids := range caseOfToken {
		if len(ids) != racers || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 1 {
			t.Errorf("token %d: the %d racing creates answered cases %v, want one case", k, racers, ids)
		}
		if len(ids) > 0 {
			raced[ids[0]] = true
		}
	}
	if len(raced) != tokens {
		t.Errorf("%d tokens made %d distinct cases", tokens, len(raced))
	}
	// The same token with another request is a conflict, on either node.
	for i := range 2 {
		res, err := c.call(node(i), "POST", "/v1/create-case", newCaseBody("race-0", "Another title"))
		if err != nil || res.Type() != "ConflictException" {
			t.Errorf("reused token with another request on node %d: %v %d %s", i, err, res.Status, res.Raw)
		}
	}

	// 2. Watchers: 30 goroutines (the limit) add one distinct watcher each to
	// one case, through both nodes; and comments on another case meanwhile.
	wcase := str(c.ok(t, a.URL, "POST", "/v1/create-case", newCaseBody("", "Watched")), "caseId")
	ccase := str(c.ok(t, b.URL, "POST", "/v1/create-case", newCaseBody("", "Commented")), "caseId")
	const watchers, comments = 30, 40
	var watcherOK, commentOK atomic.Int64
	commentIDs := make(chan string, comments)
	for i := range watchers {
		wg.Go(func() {
			res, err := c.call(node(i), "POST", "/v1/cases/"+wcase+"/update-case", map[string]any{
				"watchersToAdd": []map[string]string{{"email": fmt.Sprintf("watcher%02d@example.com", i), "name": fmt.Sprint("W", i)}}})
			if err != nil || res.Status >= 300 {
				t.Errorf("watcher %d on %s: %v %d %s", i, node(i), err, res.Status, res.Raw)
				return
			}
			watcherOK.Add(1)
		})
	}
	for i := range comments {
		wg.Go(func() {
			body := map[string]any{"body": fmt.Sprint("comment ", i)}
			if i%4 == 0 { // some with a token, retried on the other node
				body["clientToken"] = fmt.Sprint("comment-", i)
			}
			res, err := c.call(node(i), "POST", "/v1/cases/"+ccase+"/create-comment", body)
			if err != nil || res.Status != 201 {
				t.Errorf("comment %d on %s: %v %d %s", i, node(i), err, res.Status, res.Raw)
				return
			}
			commentOK.Add(1)
			id := str(res.Body, "commentId")
			commentIDs <- id
			if i%4 == 0 {
				again, err := c.call(node(i+1), "POST", "/v1/cases/"+ccase+"/create-comment", body)
				if err != nil || str(again.Body, "commentId") != id {
					t.Errorf("comment %d retried on the other node: %v %s, want comment %s", i, err, again.Raw, id)
				}
			}
		})
	}
	wg.Wait()
	close(commentIDs)

	got := c.ok(t, b.URL, "GET", "/v1/cases/"+wcase+"/get-case", nil)
	var emails []string
	for _, w := range list(got, "watchers") {
		emails = append(emails, str(w, "email"))
	}
	sort.Strings(emails)
	var want []string
	for i := range watchers {
		want = append(want, fmt.Sprintf("watcher%02d@example.com", i))
	}
	if !slices.Equal(emails, want) || watcherOK.Load() != watchers {
		t.Errorf("after %d successful watcher additions the case has %d watchers: %v", watcherOK.Load(), len(emails), emails)
	}
	// History: the create and one entry per successful change, paged with
	// the nextToken alternating between the nodes.
	edits := pageAll(t, c, nodes, "/v1/cases/"+wcase+"/list-case-edits", 7)
	if len(edits.items) != 1+int(watcherOK.Load()) || edits.total != len(edits.items) {
		t.Errorf("ListCaseEdits: %d entries (total %d), want %d: the create and %d updates",
			len(edits.items), edits.total, 1+watcherOK.Load(), watcherOK.Load())
	}
	added := 0
	for _, e := range edits.items {
		if str(e, "action") == "CaseUpdated" || strings.Contains(str(e, "message"), "watchers") {
			added++
		}
	}
	if added != int(watcherOK.Load()) {
		t.Errorf("ListCaseEdits has %d update entries, want %d", added, watcherOK.Load())
	}

	// Comments: IDs unique and exactly 000001..000040.
	var ids []string
	for id := range commentIDs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for i, id := range ids {
		if want := fmt.Sprintf("%06d", i+1); id != want {
			t.Errorf("comment IDs %v: position %d is %s, want %s", ids, i, id, want)
			break
		}
	}
	listed := pageAll(t, c, nodes, "/v1/cases/"+ccase+"/list-comments", 7)
	if len(listed.items) != comments || listed.total != comments || commentOK.Load() != comments {
		t.Errorf("ListComments: %d items, total %d; %d comments made", len(listed.items), listed.total, commentOK.Load())
	}
	for i, it := range listed.items {
		if want := fmt.Sprintf("%06d", i+1); str(it, "commentId") != want {
			t.Errorf("ListComments item %d is %s, want %s (oldest first, no gap)", i, str(it, "commentId"), want)
			break
		}
	}
	cedits := pageAll(t, c, nodes, "/v1/cases/"+ccase+"/list-case-edits", 9)
	if len(cedits.items) != 1+comments || cedits.total != 1+comments {
		t.Errorf("ListCaseEdits of the commented case: %d (total %d), want %d", len(cedits.items), cedits.total, 1+comments)
	}

	// 3. Pages of ListCases, nextToken alternating between the nodes, while
	// new cases are created through both: every case that existed before the
	// listing started appears exactly once.
	before := pageAll(t, c, nodes, "/v1/list-cases", 25)
	existing := map[string]bool{}
	for _, it := range before.items {
		existing[str(it, "caseId")] = true
	}
	if len(existing) != len(before.items) || len(existing) != tokens+2 {
		t.Fatalf("ListCases: %d items, %d distinct; want %d cases", len(before.items), len(existing), tokens+2)
	}
	for id := range raced {
		if !existing[id] {
			t.Errorf("raced case %s is not listed", id)
		}
	}
	stop := make(chan struct{})
	var created atomic.Int64
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := c.call(node(i), "POST", "/v1/create-case", newCaseBody("", fmt.Sprint("During the listing ", i))); err == nil {
				created.Add(1)
			}
		}
	})
	during := pageAll(t, c, nodes, "/v1/list-cases", 2)
	close(stop)
	wg.Wait()
	seen := map[string]int{}
	for _, it := range during.items {
		seen[str(it, "caseId")]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("case %s listed %d times across the pages", id, n)
		}
	}
	for id := range existing {
		if seen[id] != 1 {
			t.Errorf("case %s, there before the listing, was listed %d times", id, seen[id])
		}
	}
	after := pageAll(t, c, nodes, "/v1/list-cases", 25)
	if want := tokens + 2 + int(created.Load()); len(after.items) != want || after.total != want {
		t.Errorf("ListCases at the end: %d items, total %d; want %d", len(after.items), after.total, want)
	}

	t.Logf("%d tokens raced by %d clients: %d cases; %d watcher updates, %d comments, %d history entries; %d cases created during a %d-page listing",
		tokens, racers, len(raced), watcherOK.Load(), commentOK.Load(), len(edits.items)+len(cedits.items), created.Load(), (len(during.items)+1)/2)

	// 4. An upload URL from node A, used through node B; the download URL
	// from node B, used through node A.
	data := make([]byte, 100<<10)
	rand.Read(data)
	up := str(c.ok(t, a.URL, "POST", "/v1/cases/"+wcase+"/get-presigned-url",
		map[string]any{"fileName": "capture.pcap", "contentLength": len(data)}), "attachmentPresignedUrl")
	up = onNode(t, up, b.URL)
	if st, _, body := httpDo(t, "PUT", up, data); st != 200 {
		t.Fatalf("PUT through node B of node A's URL: %d %s", st, body)
	}
	var aid string
	for _, at := range list(c.ok(t, a.URL, "GET", "/v1/cases/"+wcase+"/get-case", nil), "caseAttachments") {
		if str(at, "fileName") == "capture.pcap" {
			aid = str(at, "attachmentId")
			if s := str(at, "attachmentStatus"); s != "Verified" {
				t.Errorf("node A sees the attachment uploaded through node B as %s", s)
			}
		}
	}
	if aid == "" {
		t.Fatal("node A does not list the attachment uploaded through node B")
	}
	dl := str(c.ok(t, b.URL, "GET", "/v1/cases/"+wcase+"/get-presigned-url/"+aid, nil), "attachmentPresignedUrl")
	if st, _, body := httpDo(t, "GET", onNode(t, dl, a.URL), nil); st != 200 || !bytes.Equal(body, data) {
		t.Errorf("GET through node A of node B's download URL: %d, %d bytes (equal %t)", st, len(body), bytes.Equal(body, data))
	}
}

// onNode moves a presigned URL to another node's address.
func onNode(tb testing.TB, raw, base string) string {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	bu, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Scheme, u.Host = bu.Scheme, bu.Host
	return u.String()
}

type paged struct {
	items []any
	total int
}

// pageAll follows a list operation's pages, each page from the next node.
func pageAll(tb testing.TB, c *apiClient, nodes []string, path string, size int) paged {
	tb.Helper()
	var out paged
	body := map[string]any{"maxResults": size}
	for page := 0; ; page++ {
		if page > 1000 {
			tb.Fatalf("%s: the pages do not end", path)
		}
		res := c.ok(tb, nodes[page%len(nodes)], "POST", path, body)
		out.items = append(out.items, list(res, "items")...)
		if t, ok := res["total"].(float64); ok {
			out.total = int(t)
		}
		next, _ := res["nextToken"].(string)
		if next == "" {
			return out
		}
		body["nextToken"] = next
	}
}
