package sird_test

// Shared fixtures of the domain-service tests: a Service over a fresh SQLite
// store with an injected clock and deterministic randomness, so every run of
// these tests does exactly the same thing.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/blob/fsblob"
	"github.com/sird-project/sird/sqlstore"
)

// testMasterKey seals page tokens and access-key secrets in these tests.
var testMasterKey = bytes.Repeat([]byte{0x5a}, 32)

// testEpoch is where every fake clock starts.
var testEpoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is a clock the test moves by hand; safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: testEpoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// seededReader is a ChaCha8 stream behind a mutex (ChaCha8 alone is not safe
// for concurrent use and the service reads randomness from many goroutines).
type seededReader struct {
	mu sync.Mutex
	r  *rand.ChaCha8
}

func newSeededReader(seed uint64) *seededReader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return &seededReader{r: rand.NewChaCha8(s)}
}

func (s *seededReader) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.Read(p)
}

// testEnv is one Service with its store, clock and embedded blob store.
type testEnv struct {
	ctx     context.Context
	svc     *sird.Service
	store   sird.Store
	clock   *fakeClock
	blobs   *fsblob.Store
	blobDir string
	dbPath  string
	seed    uint64
}

func newTestEnv(tb testing.TB) *testEnv { return newTestEnvSeed(tb, 1) }

func newTestEnvSeed(tb testing.TB, seed uint64) *testEnv {
	tb.Helper()
	dir := tb.TempDir()
	e := &testEnv{ctx: context.Background(), clock: newClock(), blobDir: filepath.Join(dir, "blobs"), dbPath: filepath.Join(dir, "sird.db"), seed: seed}
	e.open(tb)
	return e
}

// open opens the store and builds the service on it.
func (e *testEnv) open(tb testing.TB) {
	tb.Helper()
	st, err := sqlstore.OpenSQLite(e.ctx, e.dbPath, sqlstore.Options{Migrate: true})
	if err != nil {
		tb.Fatalf("OpenSQLite: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	e.store = st
	e.svc = sird.NewService(sird.Config{Store: st, MasterKey: testMasterKey, Now: e.clock.Now, Rand: newSeededReader(e.seed)})
	e.blobs = fsblob.New(e.blobDir, []byte("blob-secret"), "http://127.0.0.1:1", e.svc, e.clock.Now)
	e.svc.SetBlobs(e.blobs)
}

// restart closes the store and opens it again under a new Service, as a
// restarted server would; its randomness differs from the first run's.
func (e *testEnv) restart(tb testing.TB) {
	tb.Helper()
	mustOK(tb, e.store.Close(), "closing the store")
	e.seed += 1000
	e.open(tb)
}

// Accounts used across the tests.
const (
	acctMgmt   = "111111111111"
	acctMember = "222222222222"
	acctOther  = "999999999999"
	testRegion = "us-east-1"
)

func callerOf(account string) sird.Caller {
	return sird.Caller{AccountID: account, Region: testRegion, Principal: "arn:aws:iam::" + account + ":user/alice"}
}

// asUser is c acting as another IAM user of the same account.
func asUser(c sird.Caller, user string) sird.Caller {
	c.Principal = "arn:aws:iam::" + c.AccountID + ":user/" + user
	return c
}

func inRegion(c sird.Caller, region string) sird.Caller {
	c.Region = region
	return c
}

func team() []sird.IncidentResponder {
	return []sird.IncidentResponder{
		{Name: "Alice", JobTitle: "Lead", Email: "alice@example.com"},
		{Name: "Bob", JobTitle: "Analyst", Email: "bob@example.com"},
	}
}

func ptr[T any](v T) *T { return &v }

// mustOK fails the test on a non-nil error.
func mustOK(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: got error %v, want success", what, err)
	}
}

// wantCode fails the test unless err is a service error of code.
func wantCode(tb testing.TB, err error, code sird.ErrorCode, what string) *sird.Error {
	tb.Helper()
	if err == nil {
		tb.Fatalf("%s: got success, want %s", what, code.Name())
	}
	e, ok := sird.AsError(err)
	if !ok || e.Code != code {
		tb.Fatalf("%s: got error %v, want %s", what, err, code.Name())
	}
	return e
}

// createMembership creates an Active membership for c and returns its ID.
func (e *testEnv) createMembership(tb testing.TB, c sird.Caller, coverOrg bool) string {
	tb.Helper()
	in := &sird.CreateMembershipInput{MembershipName: "Security", IncidentResponseTeam: team()}
	if coverOrg {
		in.CoverEntireOrganization = ptr(true)
	}
	out, err := e.svc.CreateMembership(e.ctx, c, in)
	mustOK(tb, err, "CreateMembership")
	return out.MembershipID
}

func newCaseInput(title string) *sird.CreateCaseInput {
	return &sird.CreateCaseInput{
		ResolverType:     sird.ResolverSelf,
		Title:            title,
		Description:      "Something happened",
		EngagementType:   "Security Incident",
		ImpactedAccounts: []string{"123456789012"},
		Watchers:         []sird.Watcher{{Email: "watcher@example.com", Name: "W", JobTitle: "SOC"}},
	}
}

// createCase creates a self-managed case; mutate, if not nil, edits the input first.
func (e *testEnv) createCase(tb testing.TB, c sird.Caller, mutate func(*sird.CreateCaseInput)) string {
	tb.Helper()
	in := newCaseInput("Leaked keys")
	if mutate != nil {
		mutate(in)
	}
	out, err := e.svc.CreateCase(e.ctx, c, in)
	mustOK(tb, err, "CreateCase")
	return out.CaseID
}

func (e *testEnv) getCase(tb testing.TB, c sird.Caller, id string) *sird.GetCaseOutput {
	tb.Helper()
	out, err := e.svc.GetCase(e.ctx, c, &sird.CaseIDInput{CaseID: id})
	mustOK(tb, err, "GetCase "+id)
	return out
}

// caseBytes is GetCase's answer as the wire would carry it, for
// byte-for-byte comparisons.
func (e *testEnv) caseBytes(tb testing.TB, c sird.Caller, id string) []byte {
	tb.Helper()
	b, err := json.Marshal(e.getCase(tb, c, id))
	if err != nil {
		tb.Fatalf("marshal case: %v", err)
	}
	return b
}

// storedCase reads the stored document, including members GetCase does not answer.
func (e *testEnv) storedCase(tb testing.TB, c sird.Caller, id string) *sird.Case {
	tb.Helper()
	var cs *sird.Case
	err := e.store.Read(e.ctx, func(tx sird.Tx) (err error) {
		cs, err = tx.GetCase(c.AccountID, c.Region, id, false)
		return err
	})
	mustOK(tb, err, "store GetCase")
	return cs
}

// allEdits pages through a case's history with a small page size.
func (e *testEnv) allEdits(tb testing.TB, c sird.Caller, id string) (items []sird.CaseEdit, total int) {
	tb.Helper()
	in := &sird.ListCaseEditsInput{CaseID: id, MaxResults: ptr(7)}
	for page := 0; ; page++ {
		if page > 10000 {
			tb.Fatalf("ListCaseEdits: pagination does not end")
		}
		out, err := e.svc.ListCaseEdits(e.ctx, c, in)
		mustOK(tb, err, "ListCaseEdits")
		items = append(items, out.Items...)
		total = out.Total
		if out.NextToken == "" {
			return items, total
		}
		in.NextToken = out.NextToken
	}
}

func (e *testEnv) editTotal(tb testing.TB, c sird.Caller, id string) int {
	tb.Helper()
	out, err := e.svc.ListCaseEdits(e.ctx, c, &sird.ListCaseEditsInput{CaseID: id, MaxResults: ptr(1)})
	mustOK(tb, err, "ListCaseEdits")
	return out.Total
}

// loadTestOrg declares one organization:
//
//	o-aaaaaaaaaa, management 111111111111 (root)
//	  ou-ab12-prod0000 Prod
//	    ou-ab12-paym0000 Payments (nested)   222222222222
//	  333333333333 (Prod)
//	  ou-ab12-devl0000 Dev                   444444444444
//	  555555555555 (root)
//
// and a second organization o-bbbbbbbbbb with 666666666666 and 777777777777.
func (e *testEnv) loadTestOrg(tb testing.TB) {
	tb.Helper()
	d := &sird.OrgDeclaration{Organizations: []sird.DeclaredOrganization{{
		Organization: sird.Organization{ID: "o-aaaaaaaaaa", ManagementAccountID: acctMgmt},
		Units: []sird.OrgUnit{
			{ID: ouProd, Name: "Prod"},
			{ID: ouPayments, Name: "Payments", ParentID: ouProd},
			{ID: ouDev, Name: "Dev"},
		},
		Accounts: []sird.OrgAccount{
			{AccountID: acctMember, OUID: ouPayments},
			{AccountID: "333333333333", OUID: ouProd},
			{AccountID: "444444444444", OUID: ouDev},
			{AccountID: "555555555555"},
		},
	}, {
		Organization: sird.Organization{ID: "o-bbbbbbbbbb", ManagementAccountID: "666666666666"},
		Accounts:     []sird.OrgAccount{{AccountID: "777777777777"}},
	}}}
	mustOK(tb, sird.LoadOrganizations(e.ctx, e.store, d), "LoadOrganizations")
}

const (
	ouProd     = "ou-ab12-prod0000"
	ouPayments = "ou-ab12-paym0000"
	ouDev      = "ou-ab12-devl0000"
)

// fmtList renders a value for got/want messages.
func fmtList(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
