package e2e

// End-to-end tests of notifications: a real SMTP server (notify/smtptest,
// STARTTLS and AUTH) and a real HTTP receiver that verifies the webhook
// signatures, against sird processes driven with the AWS CLI, with the
// receiver going away and sird being killed with SIGKILL on the way.

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sird-project/sird/internal/testsupport/pgtest"
	"github.com/sird-project/sird/notify/smtptest"
	"github.com/sird-project/sird/notify/webhook"
)

const (
	devAccount    = "123456789012"
	secretSIEM    = "siem-secret-6f1d2a9c0b7e4d3f"
	secretClosure = "closures-secret-8a7b6c5d4e3f"
	smtpUser      = "relay-user"
	smtpPassword  = "relay-password-not-in-argv"
)

// responder is a member of the incident response team of the test.
type responder struct {
	name, email string
	prefs       []string // communicationPreferences; empty: every event
}

var (
	notifyTeam = []responder{
		{"Alice Lead", "alice@example.com", nil},
		{"Bob Analyst", "bob@example.com", []string{"Case Closed", "Case Comment Added"}},
		{"Carol Manager", "carol@example.com", []string{"Membership Updated"}},
		// Erin is also a watcher (spelt differently): one mail per event.
		{"Erin Responder", "erin@example.com", []string{"Case Closed"}},
		// The relay refuses gone@: those deliveries die at once (a 5xx).
		{"Gone Person", "gone@example.com", nil},
	}
	notifyWatchers = []map[string]string{
		{"name": "Dave Watcher", "email": "dave@example.com"},
		{"name": "Erin Responder", "email": "Erin@Example.com"},
	}
)

func teamArg(team []responder) string {
	var out []map[string]any
	for _, r := range team {
		m := map[string]any{"name": r.name, "jobTitle": "Responder", "email": r.email}
		if r.prefs != nil {
			m["communicationPreferences"] = r.prefs
		}
		out = append(out, m)
	}
	return jsonArg(out)
}

// wantRecipients is who must get an event of type typ by e-mail: case
// watchers get every case event, responders those their preferences name
// (all when they name none).
func wantRecipients(typ string) []string {
	var out []string
	if strings.HasPrefix(typ, "Case ") {
		for _, w := range notifyWatchers {
			out = append(out, strings.ToLower(w["email"]))
		}
	}
	for _, r := range notifyTeam {
		if (len(r.prefs) == 0 || slices.Contains(r.prefs, typ)) && !slices.Contains(out, r.email) {
			out = append(out, r.email)
		}
	}
	slices.Sort(out)
	return out
}

func TestNotifications(t *testing.T) {
	t.Parallel()
	awsCLI(t)

	// The relay: STARTTLS with a certificate sird trusts through
	// SSL_CERT_FILE, and AUTH with credentials sird gets from its environment.
	serverTLS, _ := smtptest.TLS(t)
	certFile := filepath.Join(t.TempDir(), "relay.pem")
	writeFile(t, certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: serverTLS.Certificates[0].Leaf.Raw}))
	relay := smtptest.Start(t, smtptest.Options{TLS: serverTLS, User: smtpUser, Password: smtpPassword, Reject: []string{"gone@example.com"}})

	hooks := newHookReceiver(t)
	hooks.start(t, false)
	hooksFile := filepath.Join(t.TempDir(), "webhooks.json")
	writeFile(t, hooksFile, []byte(jsonArg([]map[string]any{
		{"name": "siem", "url": hooks.url + "/siem", "secret": secretSIEM},
		{"name": "closures", "url": hooks.url + "/closures", "secret": secretClosure, "events": []string{"Case Closed"}},
	})))

	dir := t.TempDir()
	env := []string{
		"SIRD_DATA_DIR=" + dir,
		"SIRD_SMTP_HOST=127.0.0.1", "SIRD_SMTP_PORT=" + strconv.Itoa(relay.Port()), "SIRD_SMTP_TLS=starttls",
		"SIRD_SMTP_USERNAME=" + smtpUser, "SIRD_SMTP_PASSWORD=" + smtpPassword,
		"SIRD_SMTP_FROM=Incident Response <sird@example.org>", "SSL_CERT_FILE=" + certFile,
		"SIRD_WEBHOOKS_FILE=" + hooksFile,
		"SIRD_NOTIFY_POLL_INTERVAL=100ms", "SIRD_NOTIFY_BACKOFF=100ms", "SIRD_NOTIFY_MAX_BACKOFF=500ms",
		"SIRD_NOTIFY_MAX_ATTEMPTS=100000", "SIRD_NOTIFY_TIMEOUT=2s", "SIRD_NOTIFY_LEASE=3s",
	}
	seen := func() string { return notifyState(relay, hooks) }
	s := startServer(t, env...)
	if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", s.cmd.Process.Pid)); err == nil && bytes.Contains(cmdline, []byte(smtpPassword)) {
		t.Errorf("the SMTP password is in sird's command line")
	}

	// Phase 1: everything up. Each change's event reaches every recipient.
	mid := str(s.awsOK(t, devCreds, "create-membership", "--membership-name", "Security",
		"--incident-response-team", teamArg(notifyTeam)), "membershipId")
	cid := str(s.awsOK(t, devCreds, "create-case", "--resolver-type", "Self", "--title", "Leaked key",
		"--description", "An access key was pushed to a public repository.", "--engagement-type", "Security Incident",
		"--reported-incident-start-date", "2025-01-02T03:04:05Z", "--impacted-accounts", devAccount,
		"--watchers", jsonArg(notifyWatchers)), "caseId")
	s.awsOK(t, devCreds, "update-case", "--case-id", cid, "--title", "Leaked access key")
	s.awsOK(t, devCreds, "update-case-status", "--case-id", cid, "--case-status", "Detection and Analysis")
	s.awsOK(t, devCreds, "create-case-comment", "--case-id", cid, "--body", "Key deactivated.")
	evidence := []byte(`{"Records":["..."]}`)
	upload := str(s.awsOK(t, devCreds, "get-case-attachment-upload-url", "--case-id", cid, "--file-name", "cloudtrail.json",
		"--content-length", strconv.Itoa(len(evidence))), "attachmentPresignedUrl")
	if st, _, body := httpDo(t, "PUT", upload, evidence); st != 200 {
		t.Fatalf("attachment PUT: %d %s", st, body)
	}
	s.awsOK(t, devCreds, "update-membership", "--membership-id", mid, "--membership-name", "Security Team")
	phase1 := map[string]int{
		"Membership Created": 1, "Case Created": 1, "Case Updated": 1, "Case Status Updated": 1,
		"Case Comment Added": 1, "Case Attachment Url Uploaded": 1, "Membership Updated": 1,
	}
	waitFor(t, s, 30*time.Second, "phase 1 webhooks and mails", func() bool {
		return typesEqual(hooks.acked("siem"), phase1) && mailsComplete(relay, hooks.acked("siem"))
	}, seen)

	// Dead deliveries (the relay refuses gone@) are listed and can be retried.
	var dead []map[string]string
	waitFor(t, s, 10*time.Second, "7 dead deliveries, one per event to gone@example.com", func() bool {
		dead = outboxRows(t, dir, "--status", "dead")
		return len(dead) == 7
	}, seen)
	for _, r := range dead {
		if r["TARGET"] != "gone@example.com" || r["CHANNEL"] != "email" || !strings.Contains(r["LAST ERROR"], "550") {
			t.Errorf("dead delivery %v, want the refused e-mail to gone@example.com with the relay's 550", r)
		}
	}
	if len(dead) > 0 {
		out, _, code := runSird(t, "outbox", "retry", dead[0]["ID"], "--data-dir", dir)
		if code != 0 || !strings.Contains(out, "pending again") {
			t.Errorf("outbox retry %s: exit %d, %q", dead[0]["ID"], code, out)
		}
		died := `"msg":"notify: delivery dead","delivery":` + dead[0]["ID"] + ","
		waitFor(t, s, 10*time.Second, "the retried delivery to die again", func() bool {
			return strings.Count(s.logs.String(), died) == 2
		}, seen)
		for _, r := range outboxRows(t, dir, "--status", "dead") {
			if r["ID"] == dead[0]["ID"] && r["ATTEMPTS"] != "1" {
				t.Errorf("retried delivery died after %s attempts, want 1 (Retry resets them)", r["ATTEMPTS"])
			}
		}
		if _, stderr, code := runSird(t, "outbox", "retry", dead[0]["ID"]+"0000", "--data-dir", dir); code == 0 || !strings.Contains(stderr, "no such dead delivery") {
			t.Errorf("outbox retry of a missing delivery: exit %d, %q", code, stderr)
		}
	}

	// Phase 2: the webhook receiver goes away; e-mail keeps flowing and the
	// webhook deliveries wait, visible in the outbox.
	hooks.stop()
	s.awsOK(t, devCreds, "update-case", "--case-id", cid, "--description", "Key deactivated and rotated.")
	s.awsOK(t, devCreds, "update-case-comment", "--case-id", cid, "--comment-id", "000001", "--body", "Key deactivated at 10:02.")
	waitFor(t, s, 30*time.Second, "phase 2 mails while the receiver is down", func() bool {
		return mailTypeCount(relay, "Case Updated") == 2 && mailTypeCount(relay, "Case Comment Updated") == 1
	}, seen)
	waitFor(t, s, 10*time.Second, "the outbox to show the failing webhook deliveries", func() bool {
		n := 0
		for _, r := range outboxRows(t, dir, "--status", "pending") {
			if r["TARGET"] == "siem" && strings.Contains(r["LAST ERROR"], "refused") {
				n++
			}
		}
		return n == 2
	}, seen)

	// Phase 3: the receiver is back on the same address but holds requests
	// without answering; sird is killed with SIGKILL in the middle of those
	// deliveries, right after one more change.
	hooks.start(t, true)
	waitFor(t, s, 10*time.Second, "a webhook request to be held", func() bool { return hooks.held() > 0 }, seen)
	s.awsOK(t, devCreds, "create-case-comment", "--case-id", cid, "--body", "Scope confirmed: one key.")
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.exited
	hooks.stop()
	if pending := outboxRows(t, dir, "--status", "pending"); len(pending) == 0 {
		t.Errorf("no pending deliveries after the kill, want the webhook deliveries in flight")
	}

	// Phase 4: restart on the same data dir with the receiver answering:
	// everything recorded before the kill is delivered, and new changes too.
	hooks.start(t, false)
	s = startServer(t, env...)
	s.awsOK(t, devCreds, "close-case", "--case-id", cid)
	all := map[string]int{
		"Membership Created": 1, "Case Created": 1, "Case Updated": 2, "Case Status Updated": 1,
		"Case Comment Added": 2, "Case Attachment Url Uploaded": 1, "Membership Updated": 1,
		"Case Comment Updated": 1, "Case Closed": 1,
	}
	waitFor(t, s, 60*time.Second, "every webhook and mail after the restart", func() bool {
		return typesEqual(hooks.acked("siem"), all) && typesEqual(hooks.acked("closures"), map[string]int{"Case Closed": 1}) &&
			mailsComplete(relay, hooks.acked("siem"))
	}, seen)
	waitFor(t, s, 10*time.Second, "no pending delivery left", func() bool {
		return len(outboxRows(t, dir, "--status", "pending")) == 0
	}, seen)

	// Every event reached exactly its recipients, once each after
	// de-duplicating on the event ID (a resend is the same message).
	events := hooks.acked("siem")
	byEvent := mailsByEvent(t, relay)
	for id, typ := range events {
		got := map[string]bool{}
		for _, m := range byEvent[id] {
			got[m.to] = true
			if m.typ != typ {
				t.Errorf("mail for event %s says type %q, want %q", id, m.typ, typ)
			}
		}
		want := wantRecipients(typ)
		want = slices.DeleteFunc(want, func(a string) bool { return a == "gone@example.com" })
		if gotList := sortedKeys(got); !slices.Equal(gotList, want) {
			t.Errorf("%s (%s) mailed to %v, want %v", typ, id, gotList, want)
		}
	}
	for id := range byEvent {
		if _, ok := events[id]; !ok {
			t.Errorf("mail for event %s, which the webhook never saw", id)
		}
	}
	pairs := 0
	for _, ms := range byEvent {
		pairs += len(ms)
	}
	t.Logf("%d events, %d mails for %d (event, recipient) pairs, %d webhook requests",
		len(events), len(relay.Messages()), pairs, len(hooks.requests()))
	// Each event's mail to gone@ died at once (the retried one died again).
	if dead := outboxRows(t, dir, "--status", "dead"); len(dead) != len(events) {
		t.Errorf("dead deliveries: %d, want %d (one per event to gone@example.com)", len(dead), len(events))
	}
	if held := hooks.heldEvents(); len(held) == 0 {
		t.Errorf("no webhook request was in flight at the kill")
	} else {
		for _, id := range held {
			if _, ok := events[id]; !ok {
				t.Errorf("event %s, in flight at the kill, was never delivered afterwards", id)
			}
		}
	}

	// One mail, read closely.
	checkMail(t, relay, cid)
	// One webhook body, read closely (the receiver checked every signature).
	checkWebhookBody(t, hooks, cid)
}

// TestNotificationsBacklogAndKick: events recorded while no notifier ran
// (here: before notifications were configured) are delivered once one
// starts, and a change is delivered at once, not at the next poll: the
// service kicks the worker after the commit.
func TestNotificationsBacklogAndKick(t *testing.T) {
	t.Parallel()
	awsCLI(t)
	dir := t.TempDir()
	s := startServer(t, "SIRD_DATA_DIR="+dir)
	if !strings.Contains(s.logs.String(), "notifications are off") {
		t.Errorf("sird without SMTP or webhooks does not say notifications are off:\n%s", s.logs)
	}
	s.awsOK(t, devCreds, "create-membership", "--membership-name", "Security",
		"--incident-response-team", teamArg(notifyTeam[:2]))
	s.stop(t)
	if _, stderr, code := runSird(t, "outbox", "list", "--data-dir", dir); code != 0 || !strings.Contains(stderr, "1 event(s) not yet expanded") {
		t.Errorf("outbox list with an unexpanded event: exit %d, stderr %q", code, stderr)
	}

	relay := smtptest.Start(t, smtptest.Options{})
	s = startServer(t, "SIRD_DATA_DIR="+dir, "SIRD_SMTP_HOST=127.0.0.1", "SIRD_SMTP_PORT="+strconv.Itoa(relay.Port()),
		"SIRD_SMTP_TLS=none", "SIRD_SMTP_FROM=sird@example.org", "SIRD_NOTIFY_POLL_INTERVAL=1h")
	msgs := relay.Wait(t, 1, 20*time.Second)
	if typ := header(t, msgs[0], "X-Sird-Event-Type"); typ != "Membership Created" {
		t.Errorf("backlog mail is %q, want Membership Created", typ)
	}
	start := time.Now()
	s.awsOK(t, devCreds, "create-case", "--resolver-type", "Self", "--title", "Kicked",
		"--description", "d", "--engagement-type", "Investigation",
		"--reported-incident-start-date", "2025-01-02T03:04:05Z", "--impacted-accounts", devAccount, "--watchers", "[]")
	msgs = relay.Wait(t, 2, 20*time.Second) // the poll interval is an hour: only the kick sends it
	if typ := header(t, msgs[1], "X-Sird-Event-Type"); typ != "Case Created" {
		t.Errorf("second mail is %q, want Case Created", typ)
	}
	t.Logf("case created and mailed in %v", time.Since(start))
	if rows := outboxRows(t, dir); len(rows) != 2 || rows[0]["STATUS"] != "delivered" || rows[1]["STATUS"] != "delivered" {
		t.Errorf("outbox list: %v, want the two deliveries delivered", rows)
	}
}

// TestNotificationsPostgresNodes: three nodes on one PostgreSQL database
// all run the notifier and compete for the same deliveries; each is leased
// to one node, so with no crash every mail and webhook goes out exactly once.
func TestNotificationsPostgresNodes(t *testing.T) {
	t.Parallel()
	awsCLI(t)
	dsn := pgtest.NewDatabase(t)
	relay := smtptest.Start(t, smtptest.Options{})
	hooks := newHookReceiver(t)
	hooks.start(t, false)
	hooksFile := filepath.Join(t.TempDir(), "webhooks.json")
	writeFile(t, hooksFile, []byte(jsonArg([]map[string]any{{"name": "siem", "url": hooks.url + "/siem", "secret": secretSIEM}})))
	env := []string{
		"SIRD_DATABASE_URL=" + dsn, "SIRD_MASTER_KEY=" + testMasterKey,
		"SIRD_SMTP_HOST=127.0.0.1", "SIRD_SMTP_PORT=" + strconv.Itoa(relay.Port()), "SIRD_SMTP_TLS=none",
		"SIRD_SMTP_FROM=sird@example.org", "SIRD_WEBHOOKS_FILE=" + hooksFile, "SIRD_NOTIFY_POLL_INTERVAL=20ms",
		"SIRD_LOG_LEVEL=debug",
	}
	var nodes []*server
	for range 3 {
		nodes = append(nodes, startServer(t, env...))
	}
	seen := func() string { return notifyState(relay, hooks) }
	team := notifyTeam[:2] // Alice: everything; Bob: comments and closures
	nodes[0].awsOK(t, devCreds, "create-membership", "--membership-name", "Security", "--incident-response-team", teamArg(team))
	const cases = 9
	var wg sync.WaitGroup
	for i := range cases {
		n := nodes[i%len(nodes)]
		wg.Go(func() {
			res := n.aws(t, devCreds, "create-case", "--resolver-type", "Self", "--title", fmt.Sprint("Case ", i),
				"--description", "d", "--engagement-type", "Investigation", "--reported-incident-start-date", "2025-01-02T03:04:05Z",
				"--impacted-accounts", devAccount, "--watchers", "[]")
			if res.Code != 0 {
				t.Errorf("create-case on %s: exit %d: %s", n.URL, res.Code, res.Stderr)
			}
		})
	}
	wg.Wait()
	want := map[string]int{"Membership Created": 1, "Case Created": cases}
	waitFor(t, nodes[0], 30*time.Second, "every mail and webhook", func() bool {
		return typesEqual(hooks.acked("siem"), want) && len(relay.Messages()) >= 1+cases
	}, seen)
	var rows []map[string]string
	waitFor(t, nodes[0], 10*time.Second, "every delivery recorded as delivered", func() bool {
		rows = outboxRows(t, t.TempDir(), "--database", dsn)
		return !slices.ContainsFunc(rows, func(r map[string]string) bool { return r["STATUS"] == "pending" })
	}, seen)
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show up
	if got := len(hooks.requests()); got != 1+cases {
		t.Errorf("%d webhook requests for %d events, want one each:\n%s", got, 1+cases, seen())
	}
	if got := len(relay.Messages()); got != 1+cases {
		t.Errorf("%d mails for %d events to Alice, want one each:\n%s", got, 1+cases, seen())
	}
	for id, ms := range mailsByEvent(t, relay) {
		if len(ms) != 1 || ms[0].to != "alice@example.com" {
			t.Errorf("event %s mailed to %v, want Alice only", id, ms)
		}
	}
	for _, r := range rows {
		if r["STATUS"] != "delivered" || r["ATTEMPTS"] != "1" {
			t.Errorf("delivery %v, want delivered at the first attempt", r)
		}
	}
	if len(rows) != 2*(1+cases) {
		t.Errorf("outbox lists %d deliveries, want %d", len(rows), 2*(1+cases))
	}
	var perNode []int
	for _, n := range nodes {
		perNode = append(perNode, strings.Count(n.logs.String(), `"msg":"notify: delivered"`))
	}
	t.Logf("deliveries made by each node: %v", perNode)
}

// hookReceiver is the webhook endpoint: it can stop and come back on the
// same address, and can hold requests without answering.
type hookReceiver struct {
	t   *testing.T
	url string
	ln  string // host:port, kept across restarts

	mu      sync.Mutex
	srv     *http.Server
	hold    bool
	got     []hookRequest
	heldIDs []string
}

type hookRequest struct {
	hook    string // URL path without the slash
	id      string // the event ID
	typ     string // detail-type
	attempt int
	acked   bool // answered 2xx; false: held without an answer
	body    []byte
}

func newHookReceiver(t *testing.T) *hookReceiver {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	h := &hookReceiver{t: t, url: "http://" + addr, ln: addr}
	t.Cleanup(h.stop)
	return h
}

// start listens on the receiver's address; hold makes it keep every request
// open without an answer until the client goes away.
func (h *hookReceiver) start(t *testing.T, hold bool) {
	t.Helper()
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if ln, err = net.Listen("tcp", h.ln); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("listening again on %s: %v", h.ln, err)
		}
	}
	srv := &http.Server{Handler: http.HandlerFunc(h.serve)}
	h.mu.Lock()
	h.srv, h.hold = srv, hold
	h.mu.Unlock()
	go srv.Serve(ln)
}

// stop closes the listener and every connection, as a crashed receiver would.
func (h *hookReceiver) stop() {
	h.mu.Lock()
	srv := h.srv
	h.srv = nil
	h.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

func (h *hookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	t := h.t
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	hook := strings.TrimPrefix(r.URL.Path, "/")
	secret := map[string]string{"siem": secretSIEM, "closures": secretClosure}[hook]
	ts, sig := r.Header.Get("X-Sird-Timestamp"), r.Header.Get("X-Sird-Signature")
	// Verify as a receiver must: HMAC-SHA256 of "<timestamp>.<raw body>".
	if secret == "" || !webhook.Verify(secret, ts, body, sig) || !webhook.Fresh(ts, time.Now(), 5*time.Minute) {
		t.Errorf("webhook %s: bad signature %q (timestamp %q) on %s", hook, sig, ts, body)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var env webhook.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		t.Errorf("webhook %s: body is not JSON: %v", hook, err)
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Sird-Event-Id") != env.ID {
		t.Errorf("webhook %s: %s with Content-Type %q, X-Sird-Event-Id %q for event %s", hook, r.Method,
			r.Header.Get("Content-Type"), r.Header.Get("X-Sird-Event-Id"), env.ID)
	}
	attempt, _ := strconv.Atoi(r.Header.Get("X-Sird-Attempt"))
	req := hookRequest{hook: hook, id: env.ID, typ: env.DetailType, attempt: attempt, body: body}
	h.mu.Lock()
	hold := h.hold
	if hold {
		h.heldIDs = append(h.heldIDs, env.ID)
	}
	req.acked = !hold
	h.got = append(h.got, req)
	h.mu.Unlock()
	if hold {
		<-r.Context().Done() // never answered: sird is killed, or the receiver stops
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// acked returns the event types, by event ID, that the hook acknowledged.
func (h *hookReceiver) acked(hook string) map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]string{}
	for _, r := range h.got {
		if r.hook == hook && r.acked {
			out[r.id] = r.typ
		}
	}
	return out
}

func (h *hookReceiver) held() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.heldIDs)
}

func (h *hookReceiver) heldEvents() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.heldIDs)
}

func (h *hookReceiver) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// notifyState describes what arrived, for a test that timed out waiting.
func notifyState(relay *smtptest.Server, h *hookReceiver) string {
	var b strings.Builder
	b.WriteString("webhook requests:\n")
	for _, r := range h.requests() {
		fmt.Fprintf(&b, "  %s %s %q attempt %d acked %v\n", r.hook, r.id, r.typ, r.attempt, r.acked)
	}
	b.WriteString("mails:\n")
	for _, m := range relay.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err == nil {
			fmt.Fprintf(&b, "  %s %q to %v\n", msg.Header.Get("X-Sird-Event-Id"), msg.Header.Get("X-Sird-Event-Type"), m.To)
		}
	}
	return b.String()
}

// typesEqual compares the events' types, counted, with want.
func typesEqual(events map[string]string, want map[string]int) bool {
	got := map[string]int{}
	for _, typ := range events {
		got[typ]++
	}
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

type mailInfo struct {
	to, typ string
}

// mailsByEvent indexes the mails by event ID, one entry per recipient.
func mailsByEvent(t *testing.T, relay *smtptest.Server) map[string][]mailInfo {
	out := map[string][]mailInfo{}
	seen := map[[2]string]bool{}
	for _, m := range relay.Messages() {
		id, typ := header(t, m, "X-Sird-Event-Id"), header(t, m, "X-Sird-Event-Type")
		for _, to := range m.To {
			to = strings.ToLower(to)
			if seen[[2]string{id, to}] {
				continue // a resend after a lost acknowledgement
			}
			seen[[2]string{id, to}] = true
			out[id] = append(out[id], mailInfo{to: to, typ: typ})
		}
	}
	return out
}

// mailsComplete reports whether every event has reached all its (deliverable) recipients.
func mailsComplete(relay *smtptest.Server, events map[string]string) bool {
	byEvent := map[string]map[string]bool{}
	for _, m := range relay.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			return false
		}
		id := msg.Header.Get("X-Sird-Event-Id")
		if byEvent[id] == nil {
			byEvent[id] = map[string]bool{}
		}
		for _, to := range m.To {
			byEvent[id][strings.ToLower(to)] = true
		}
	}
	for id, typ := range events {
		for _, want := range wantRecipients(typ) {
			if want != "gone@example.com" && !byEvent[id][want] {
				return false
			}
		}
	}
	return true
}

// mailTypeCount counts the distinct events of a type that were mailed.
func mailTypeCount(relay *smtptest.Server, typ string) int {
	ids := map[string]bool{}
	for _, m := range relay.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err == nil && msg.Header.Get("X-Sird-Event-Type") == typ {
			ids[msg.Header.Get("X-Sird-Event-Id")] = true
		}
	}
	return len(ids)
}

func header(t *testing.T, m smtptest.Message, name string) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("unparseable mail: %v\n%s", err, m.Data)
	}
	return msg.Header.Get(name)
}

// checkMail reads Alice's Case Closed mail closely.
func checkMail(t *testing.T, relay *smtptest.Server, cid string) {
	t.Helper()
	for _, m := range relay.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil || msg.Header.Get("X-Sird-Event-Type") != "Case Closed" || !slices.Contains(m.To, "alice@example.com") {
			continue
		}
		if !m.TLS || m.AuthUser != smtpUser || m.From != "sird@example.org" {
			t.Errorf("mail sent with TLS %v, AUTH %q, MAIL FROM %q; want STARTTLS, %s, sird@example.org", m.TLS, m.AuthUser, m.From, smtpUser)
		}
		h := msg.Header
		id := h.Get("X-Sird-Event-Id")
		checks := []struct{ name, got, want string }{
			{"From", h.Get("From"), `"Incident Response" <sird@example.org>`},
			{"To", h.Get("To"), `"Alice Lead" <alice@example.com>`},
			{"Subject", h.Get("Subject"), fmt.Sprintf(`[sird] Case %s "Leaked access key": Case Closed`, cid)},
			{"Message-ID", h.Get("Message-ID"), "<" + id + "@example.org>"},
			{"Auto-Submitted", h.Get("Auto-Submitted"), "auto-generated"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("mail %s: %q, want %q", c.name, c.got, c.want)
			}
		}
		body, _ := io.ReadAll(msg.Body)
		for _, want := range []string{"Case Closed", cid, "Closed", "arn:aws:iam::" + devAccount + ":user/test", "Event ID:", id} {
			if !bytes.Contains(body, []byte(want)) {
				t.Errorf("mail body lacks %q:\n%s", want, body)
			}
		}
		return
	}
	t.Errorf("no Case Closed mail to alice@example.com")
}

// checkWebhookBody reads the Case Closed payload closely: EventBridge's shape.
func checkWebhookBody(t *testing.T, h *hookReceiver, cid string) {
	t.Helper()
	for _, r := range h.requests() {
		if r.hook != "closures" || !r.acked {
			continue
		}
		var got map[string]any
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatal(err)
		}
		arn := "arn:aws:security-ir:us-east-1:" + devAccount + ":case/" + cid
		for k, want := range map[string]any{
			"version": "0", "detail-type": "Case Closed", "source": "aws.security-ir", "account": devAccount, "region": "us-east-1",
		} {
			if got[k] != want {
				t.Errorf("webhook %s = %v, want %v", k, got[k], want)
			}
		}
		if res := list(got, "resources"); len(res) != 1 || res[0] != arn {
			t.Errorf("webhook resources %v, want [%s]", res, arn)
		}
		if ts, err := time.Parse(time.RFC3339, str(got, "time")); err != nil || time.Since(ts) > 5*time.Minute {
			t.Errorf("webhook time %q", str(got, "time"))
		}
		if str(got, "id") == "" || str(got, "detail", "caseId") != cid || str(got, "detail", "caseStatus") != "Closed" ||
			str(got, "detail", "caseTitle") != "Leaked access key" || str(got, "detail", "principal") == "" {
			t.Errorf("webhook id/detail: %s", r.body)
		}
		if bytes.Contains(r.body, []byte("@example.com")) {
			t.Errorf("webhook payload leaks recipients' addresses: %s", r.body)
		}
		return
	}
	t.Errorf("no Case Closed webhook acknowledged")
}

// outboxRows runs `sird outbox list` and returns its table rows as maps.
func outboxRows(t *testing.T, dir string, args ...string) []map[string]string {
	t.Helper()
	out, stderr, code := runSird(t, append([]string{"outbox", "list", "--limit", "1000", "--data-dir", dir}, args...)...)
	if code != 0 {
		t.Fatalf("sird outbox list: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	// Columns start where the header's names start; the last one runs to the end.
	head := lines[0]
	names := []string{"ID", "STATUS", "CHANNEL", "TARGET", "ATTEMPTS", "NEXT ATTEMPT", "EVENT TYPE", "EVENT ID", "LAST ERROR"}
	starts := make([]int, len(names))
	for i, n := range names {
		if starts[i] = strings.Index(head, n); starts[i] < 0 {
			t.Fatalf("outbox list header %q lacks %s", head, n)
		}
	}
	var rows []map[string]string
	for _, l := range lines[1:] {
		row := map[string]string{}
		for i, n := range names {
			end := len(l)
			if i+1 < len(names) {
				end = min(starts[i+1], len(l))
			}
			row[n] = strings.TrimSpace(l[min(starts[i], len(l)):end])
		}
		rows = append(rows, row)
	}
	return rows
}

// runSird runs the sird binary and returns stdout, stderr and the exit code.
func runSird(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sirdBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("sird %s: %v", strings.Join(args, " "), err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// waitFor polls cond until it holds, failing the test with sird's logs after timeout.
func waitFor(t *testing.T, s *server, timeout time.Duration, what string, cond func() bool, state func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; sird logs:\n%s\n%s", timeout, what, s.logs, state())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
