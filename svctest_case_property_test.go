package sird_test

// A property-style test of the case rules: random sequences of case
// operations from a seeded PRNG, checked after every step against a simple
// model of what must hold.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// caseModel is what the test expects of one case.
type caseModel struct {
	id       string
	watchers map[string]sird.Watcher // by lower-cased e-mail
	ips      map[sird.ThreatActorIP]bool
	services map[string]bool
	regions  map[string]bool
	accounts map[string]bool
	title    string
	status   string
	resolver string
	closed   bool
	actions  []string // expected history, oldest first
	creators []string // comment creators, by comment number - 1
	// frozen is GetCase's answer when the case was closed; it never changes again.
	frozen []byte
	last   *sird.GetCaseOutput // GetCase's latest answer
}

func (m *caseModel) clone() *caseModel {
	c := *m
	c.watchers = maps.Clone(m.watchers)
	c.ips = maps.Clone(m.ips)
	c.services = maps.Clone(m.services)
	c.regions = maps.Clone(m.regions)
	c.accounts = maps.Clone(m.accounts)
	c.actions = slices.Clone(m.actions)
	c.creators = slices.Clone(m.creators)
	return &c
}

// sameContent reports whether two models describe the same case content.
func (m *caseModel) sameContent(o *caseModel) bool {
	return maps.Equal(m.watchers, o.watchers) && maps.Equal(m.ips, o.ips) && maps.Equal(m.services, o.services) &&
		maps.Equal(m.regions, o.regions) && maps.Equal(m.accounts, o.accounts) && m.title == o.title
}

// Limits of the case lists (README: they apply to the result).
const (
	limWatchers = 30
	limIPs      = 200
	limServices = 600
	limRegions  = 50
	limAccounts = 200
)

// propGen draws operations from a seeded PRNG.
type propGen struct{ r *rand.Rand }

func (g propGen) chance(p float64) bool { return g.r.Float64() < p }

// size is how many items a list operation touches: usually a few,
// sometimes enough to approach or pass the limit.
func (g propGen) size(big int) int {
	if g.chance(0.1) {
		return big/2 + g.r.IntN(big)
	}
	return g.r.IntN(5)
}

// dels is how many items a list operation deletes.
func (g propGen) dels() int {
	if g.chance(0.1) {
		return g.r.IntN(60)
	}
	return g.r.IntN(4)
}

func (g propGen) email() string {
	e := fmt.Sprintf("w%d@example.com", g.r.IntN(45))
	if g.chance(0.2) {
		e = strings.ToUpper(e[:1]) + e[1:]
	}
	if g.chance(0.05) {
		e = strings.ToUpper(e)
	}
	return e
}

func (g propGen) watcher() sird.Watcher {
	return sird.Watcher{Email: g.email(), Name: []string{"", "Ann", "Bo"}[g.r.IntN(3)], JobTitle: []string{"", "SOC"}[g.r.IntN(2)]}
}

func (g propGen) ip() sird.ThreatActorIP {
	return sird.ThreatActorIP{IPAddress: fmt.Sprintf("192.0.%d.%d", g.r.IntN(2), g.r.IntN(160)), UserAgent: []string{"", "curl/8"}[g.r.IntN(2)]}
}

func (g propGen) service() string { return fmt.Sprintf("svc-%d", g.r.IntN(700)) }
func (g propGen) region() string  { return fmt.Sprintf("zz-region-%d", g.r.IntN(60)) }
func (g propGen) account() string { return fmt.Sprintf("3%011d", g.r.IntN(240)) }

// pick draws from the present items (most of the time) or from the pool.
func pick[K comparable](g propGen, present map[K]bool, pool func() K) K {
	if len(present) > 0 && g.chance(0.7) {
		keys := slices.Collect(maps.Keys(present))
		return keys[g.r.IntN(len(keys))]
	}
	return pool()
}

// updateInput draws a random UpdateCase.
func (g propGen) updateInput(m *caseModel) *sird.UpdateCaseInput {
	in := &sird.UpdateCaseInput{CaseID: m.id}
	if g.chance(0.1) {
		in.Title = ptr([]string{"T1", "T2", "T3"}[g.r.IntN(3)])
	}
	if g.chance(0.4) {
		for range g.dels() {
			var w sird.Watcher
			if len(m.watchers) > 0 && g.chance(0.7) {
				keys := slices.Collect(maps.Keys(m.watchers))
				w = sird.Watcher{Email: m.watchers[keys[g.r.IntN(len(keys))]].Email}
				if g.chance(0.3) {
					w.Email = strings.ToUpper(w.Email)
				}
			} else {
				w = sird.Watcher{Email: g.email()}
			}
			in.WatchersToDelete = append(in.WatchersToDelete, w)
		}
		for range g.size(36) {
			in.WatchersToAdd = append(in.WatchersToAdd, g.watcher())
		}
	}
	if g.chance(0.3) {
		ipPresent := map[string]bool{}
		for ip := range m.ips {
			ipPresent[ip.IPAddress] = true
		}
		for range g.dels() {
			if len(m.ips) > 0 && g.chance(0.5) {
				keys := slices.Collect(maps.Keys(m.ips))
				in.ThreatActorIPAddressesToDelete = append(in.ThreatActorIPAddressesToDelete, keys[g.r.IntN(len(keys))])
			} else {
				// Without a user agent: every entry of the address.
				in.ThreatActorIPAddressesToDelete = append(in.ThreatActorIPAddressesToDelete,
					sird.ThreatActorIP{IPAddress: pick(g, ipPresent, func() string { return g.ip().IPAddress })})
			}
		}
		for range g.size(240) {
			in.ThreatActorIPAddressesToAdd = append(in.ThreatActorIPAddressesToAdd, g.ip())
		}
	}
	if g.chance(0.3) {
		for range g.dels() {
			in.ImpactedServicesToDelete = append(in.ImpactedServicesToDelete, pick(g, m.services, g.service))
		}
		for range g.size(700) {
			in.ImpactedServicesToAdd = append(in.ImpactedServicesToAdd, g.service())
		}
	}
	if g.chance(0.3) {
		for range g.dels() {
			in.ImpactedAwsRegionsToDelete = append(in.ImpactedAwsRegionsToDelete, sird.ImpactedRegion{Region: pick(g, m.regions, g.region)})
		}
		for range g.size(60) {
			in.ImpactedAwsRegionsToAdd = append(in.ImpactedAwsRegionsToAdd, sird.ImpactedRegion{Region: g.region()})
		}
	}
	if g.chance(0.3) {
		for range g.dels() {
			in.ImpactedAccountsToDelete = append(in.ImpactedAccountsToDelete, pick(g, m.accounts, g.account))
		}
		for range g.size(240) {
			in.ImpactedAccountsToAdd = append(in.ImpactedAccountsToAdd, g.account())
		}
	}
	return in
}

// applyUpdate is the README's set semantics, written independently of the
// service: deletions first, then additions; it reports whether the result
// is within every limit.
func applyUpdate(m *caseModel, in *sird.UpdateCaseInput) (*caseModel, bool) {
	n := m.clone()
	if in.Title != nil {
		n.title = *in.Title
	}
	for _, w := range in.WatchersToDelete {
		delete(n.watchers, strings.ToLower(w.Email))
	}
	for _, w := range in.WatchersToAdd {
		k := strings.ToLower(w.Email)
		if old, ok := n.watchers[k]; ok { // present: name and job title replaced, the e-mail kept
			w.Email = old.Email
		}
		n.watchers[k] = w
	}
	for _, d := range in.ThreatActorIPAddressesToDelete {
		for ip := range n.ips {
			if ip == d || (d.UserAgent == "" && ip.IPAddress == d.IPAddress) {
				delete(n.ips, ip)
			}
		}
	}
	for _, a := range in.ThreatActorIPAddressesToAdd {
		n.ips[a] = true
	}
	for _, d := range in.ImpactedServicesToDelete {
		delete(n.services, d)
	}
	for _, a := range in.ImpactedServicesToAdd {
		n.services[a] = true
	}
	for _, d := range in.ImpactedAwsRegionsToDelete {
		delete(n.regions, d.Region)
	}
	for _, a := range in.ImpactedAwsRegionsToAdd {
		n.regions[a.Region] = true
	}
	for _, d := range in.ImpactedAccountsToDelete {
		delete(n.accounts, d)
	}
	for _, a := range in.ImpactedAccountsToAdd {
		n.accounts[a] = true
	}
	ok := len(n.watchers) <= limWatchers && len(n.ips) <= limIPs && len(n.services) <= limServices &&
		len(n.regions) <= limRegions && len(n.accounts) <= limAccounts
	return n, ok
}

// checkModel compares GetCase's answer with the model.
func checkModel(t *testing.T, step int, m *caseModel, g *sird.GetCaseOutput) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("step %d, case %s: %s", step, m.id, fmt.Sprintf(format, args...))
	}
	if g.CaseStatus != m.status || g.ResolverType != m.resolver || g.Title != m.title {
		fail("status %q resolver %q title %q; want %q %q %q", g.CaseStatus, g.ResolverType, g.Title, m.status, m.resolver, m.title)
	}
	if (g.ClosedDate != nil) != m.closed {
		fail("closedDate %v with closed %t", g.ClosedDate, m.closed)
	}
	for name, n := range map[string][2]int{
		"watchers": {len(g.Watchers), limWatchers}, "threatActorIpAddresses": {len(g.ThreatActorIPAddresses), limIPs},
		"impactedServices": {len(g.ImpactedServices), limServices}, "impactedAwsRegions": {len(g.ImpactedAwsRegions), limRegions},
		"impactedAccounts": {len(g.ImpactedAccounts), limAccounts},
	} {
		if n[0] > n[1] {
			fail("%s has %d entries, over the limit %d", name, n[0], n[1])
		}
	}
	gotW := map[string]sird.Watcher{}
	for _, w := range g.Watchers {
		k := strings.ToLower(w.Email)
		if _, dup := gotW[k]; dup {
			fail("watcher %s twice", k)
		}
		gotW[k] = w
	}
	if !maps.Equal(gotW, m.watchers) {
		fail("watchers\n got %s\nwant %s", fmtList(gotW), fmtList(m.watchers))
	}
	set := func(name string, items []string, want map[string]bool) {
		t.Helper()
		got := map[string]bool{}
		for _, it := range items {
			if got[it] {
				fail("%s holds %q twice", name, it)
			}
			got[it] = true
		}
		if !maps.Equal(got, want) {
			fail("%s\n got %v\nwant %v", name, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
	}
	var ips, regions []string
	wantIPs := map[string]bool{}
	for _, ip := range g.ThreatActorIPAddresses {
		ips = append(ips, ip.IPAddress+"|"+ip.UserAgent)
	}
	for ip := range m.ips {
		wantIPs[ip.IPAddress+"|"+ip.UserAgent] = true
	}
	for _, r := range g.ImpactedAwsRegions {
		regions = append(regions, r.Region)
	}
	set("threatActorIpAddresses", ips, wantIPs)
	set("impactedServices", g.ImpactedServices, m.services)
	set("impactedAwsRegions", regions, m.regions)
	set("impactedAccounts", g.ImpactedAccounts, m.accounts)
}

func marshalCase(t *testing.T, g *sird.GetCaseOutput) []byte {
	t.Helper()
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatalf("marshal case: %v", err)
	}
	return b
}

// withoutLastUpdated is a GetCase answer minus lastUpdatedDate, to tell a
// change of content from a mere touch.
func withoutLastUpdated(t *testing.T, g *sird.GetCaseOutput) []byte {
	t.Helper()
	c := *g
	c.LastUpdatedDate = sird.Time{}
	return marshalCase(t, &c)
}

func TestCasePropertyRandomOperations(t *testing.T) {
	steps := 300
	seeds := []uint64{1, 2, 3, 4, 5, 6}
	if testing.Short() {
		steps, seeds = 100, seeds[:2]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			t.Parallel()
			runCaseProperty(t, seed, steps)
		})
	}
}

func runCaseProperty(t *testing.T, seed uint64, steps int) {
	e := newTestEnvSeed(t, seed)
	g := propGen{rand.New(rand.NewPCG(seed, 0x5eed))}
	alice := callerOf(acctMgmt)
	bob := asUser(alice, "bob")
	e.createMembership(t, alice, false)

	var models []*caseModel
	newCase := func(resolver string) {
		id := e.createCase(t, alice, func(in *sird.CreateCaseInput) {
			in.Title, in.ResolverType = "T0", resolver
			in.Watchers, in.ImpactedAccounts = nil, nil
		})
		models = append(models, &caseModel{
			id: id, watchers: map[string]sird.Watcher{}, ips: map[sird.ThreatActorIP]bool{}, services: map[string]bool{},
			regions: map[string]bool{}, accounts: map[string]bool{}, title: "T0", status: sird.StatusSubmitted,
			resolver: resolver, actions: []string{sird.ActionCaseCreated},
		})
	}
	for _, resolver := range []string{sird.ResolverSelf, sird.ResolverSelf, sird.ResolverAWS} {
		newCase(resolver)
	}
	// pickCase mostly works on open cases, opening a new one when all are
	// closed, and now and then tries a closed one.
	pickCase := func() *caseModel {
		var open []*caseModel
		for _, m := range models {
			if !m.closed {
				open = append(open, m)
			}
		}
		if len(open) == 0 {
			newCase(sird.ResolverSelf)
			return models[len(models)-1]
		}
		if g.chance(0.15) {
			return models[g.r.IntN(len(models))]
		}
		return open[g.r.IntN(len(open))]
	}
	statuses := append(slices.Clone(allStatuses), "Bogus")
	tally := map[string]int{} // operation and outcome, logged for -v
	defer func() { t.Logf("outcomes: %v", tally) }()

	for step := range steps {
		if g.chance(0.8) {
			e.clock.Advance(time.Duration(g.r.IntN(3000)) * time.Millisecond)
		}
		m := pickCase()
		// GetCase's answer before the operation: the one read after the last
		// step on this case, as nothing else writes to it.
		if m.last == nil {
			m.last = e.getCase(t, alice, m.id)
		}
		beforeCase := m.last
		before := marshalCase(t, beforeCase)
		var (
			err     error
			wantErr sird.ErrorCode // 0: success
			next    = m.clone()
			desc    string
			action  string // history entry a success records (UpdateCase: only if something changed)
		)
		switch op := g.r.IntN(100); {
		case op < 55:
			in := g.updateInput(m)
			desc = "UpdateCase " + fmtList(in)
			var ok bool
			next, ok = applyUpdate(m, in)
			switch {
			case m.closed:
				wantErr, next = sird.ErrConflict, m.clone()
			case !ok:
				wantErr, next = sird.ErrValidation, m.clone()
			}
			action = sird.ActionCaseUpdated
			err = e.svc.UpdateCase(e.ctx, alice, in)
		case op < 75:
			to := statuses[g.r.IntN(len(statuses))]
			var allowed []string
			for _, s := range allStatuses {
				if allowedTransitions[[2]string{m.status, s}] {
					allowed = append(allowed, s)
				}
			}
			if len(allowed) > 0 && g.chance(0.6) { // mostly a move the table allows
				to = allowed[g.r.IntN(len(allowed))]
			}
			desc = fmt.Sprintf("UpdateCaseStatus %q -> %q", m.status, to)
			switch {
			case m.closed:
				wantErr = sird.ErrConflict
			case m.resolver == sird.ResolverAWS:
				wantErr = sird.ErrValidation
			case !allowedTransitions[[2]string{m.status, to}]:
				wantErr = sird.ErrValidation
			default:
				next.status = to
			}
			action = sird.ActionStatusUpdated
			var out *sird.UpdateCaseStatusOutput
			out, err = e.svc.UpdateCaseStatus(e.ctx, alice, &sird.UpdateCaseStatusInput{CaseID: m.id, CaseStatus: to})
			if err == nil && out.CaseStatus != to {
				t.Fatalf("step %d: %s answered %q", step, desc, out.CaseStatus)
			}
		case op < 80:
			to := []string{sird.ResolverAWS, sird.ResolverSelf}[g.r.IntN(2)]
			desc = fmt.Sprintf("UpdateResolverType %s -> %s", m.resolver, to)
			switch {
			case m.closed:
				wantErr = sird.ErrConflict
			case to == m.resolver || to != sird.ResolverAWS:
				wantErr = sird.ErrValidation
			default:
				next.resolver = to
			}
			action = sird.ActionResolverTypeUpdated
			_, err = e.svc.UpdateResolverType(e.ctx, alice, &sird.UpdateResolverTypeInput{CaseID: m.id, ResolverType: to})
		case op < 82:
			desc = "CloseCase"
			if m.closed {
				wantErr = sird.ErrConflict
			} else {
				next.closed, next.status = true, sird.StatusClosed
			}
			action = sird.ActionCaseClosed
			_, err = e.svc.CloseCase(e.ctx, alice, &sird.CaseIDInput{CaseID: m.id})
		case op < 93:
			who := []sird.Caller{alice, bob}[g.r.IntN(2)]
			desc = "CreateCaseComment by " + who.Principal
			if m.closed {
				wantErr = sird.ErrConflict
			} else {
				next.creators = append(next.creators, who.Principal)
			}
			action = sird.ActionCommentAdded
			var out *sird.CreateCaseCommentOutput
			out, err = e.svc.CreateCaseComment(e.ctx, who, &sird.CreateCaseCommentInput{CaseID: m.id, Body: fmt.Sprint("step ", step)})
			if err == nil && out.CommentID != fmt.Sprintf("%06d", len(next.creators)) {
				t.Fatalf("step %d: comment ID %q, want %06d", step, out.CommentID, len(next.creators))
			}
		default:
			if len(m.creators) == 0 {
				continue
			}
			n := g.r.IntN(len(m.creators))
			who := []sird.Caller{alice, bob}[g.r.IntN(2)]
			desc = fmt.Sprintf("UpdateCaseComment %06d by %s", n+1, who.Principal)
			switch {
			case m.closed:
				wantErr = sird.ErrConflict
			case m.creators[n] != who.Principal:
				wantErr = sird.ErrAccessDenied
			}
			action = sird.ActionCommentUpdated
			_, err = e.svc.UpdateCaseComment(e.ctx, who, &sird.UpdateCaseCommentInput{CaseID: m.id, CommentID: fmt.Sprintf("%06d", n+1), Body: "edited"})
		}

		opName, _, _ := strings.Cut(desc, " ")
		outcome := "ok"
		if wantErr != 0 {
			outcome = wantErr.Name()
		}
		tally[opName+" "+outcome]++
		what := fmt.Sprintf("step %d (seed %d) on case %s: %s", step, seed, m.id, desc)
		if len(what) > 600 {
			what = what[:600] + "..."
		}
		got := e.getCase(t, alice, m.id)
		after := marshalCase(t, got)
		if wantErr != 0 {
			wantCode(t, err, wantErr, what)
			if !bytes.Equal(after, before) {
				t.Fatalf("%s: the refused operation changed the case:\n got %s\nwant %s", what, after, before)
			}
		} else {
			mustOK(t, err, what)
			// UpdateCase records an edit exactly when the case changed; every
			// other successful operation records one.
			touched := !bytes.Equal(withoutLastUpdated(t, got), withoutLastUpdated(t, beforeCase))
			if action != sird.ActionCaseUpdated || touched {
				next.actions = append(next.actions, action)
			}
			if action == sird.ActionCaseUpdated {
				if !m.sameContent(next) && !touched {
					t.Fatalf("%s: the model changed but the case did not", what)
				}
				if !touched && !bytes.Equal(after, before) {
					t.Fatalf("%s: a no-op update touched the case:\n got %s\nwant %s", what, after, before)
				}
			}
			if len(next.actions) > len(m.actions) && !got.LastUpdatedDate.Equal(e.clock.Now()) {
				t.Fatalf("%s: lastUpdatedDate %v, want %v", what, got.LastUpdatedDate, e.clock.Now())
			}
			if next.closed && !m.closed {
				if got.ClosedDate == nil || !got.ClosedDate.Equal(e.clock.Now()) || got.PendingAction != sird.PendingNone {
					t.Fatalf("%s: closedDate %v pendingAction %q, want %v and None", what, got.ClosedDate, got.PendingAction, e.clock.Now())
				}
				next.frozen = after
			}
			*m = *next
		}
		// Status changes obey the transition table (or close the case).
		if got.CaseStatus != beforeCase.CaseStatus && got.CaseStatus != sird.StatusClosed &&
			!sird.CanTransition(beforeCase.CaseStatus, got.CaseStatus) {
			t.Fatalf("%s: status moved %q -> %q against the transition table", what, beforeCase.CaseStatus, got.CaseStatus)
		}
		if m.frozen != nil && !bytes.Equal(after, m.frozen) {
			t.Fatalf("%s: the closed case changed:\n got %s\nwant %s", what, after, m.frozen)
		}
		m.last = got
		checkModel(t, step, m, got)
		if total := e.editTotal(t, alice, m.id); total != len(m.actions) {
			t.Fatalf("%s: ListCaseEdits total %d, want %d (%v)", what, total, len(m.actions), m.actions)
		}
		if step%50 == 49 || step == steps-1 {
			for _, cm := range models {
				checkHistory(t, e, alice, cm)
			}
		}
	}
}

// checkHistory pages through a case's whole history: one entry per
// successful change, in order, with sequence numbers 1..n and timestamps
// that never go back.
func checkHistory(t *testing.T, e *testEnv, c sird.Caller, m *caseModel) {
	t.Helper()
	edits, total := e.allEdits(t, c, m.id)
	stored := e.storedCase(t, c, m.id)
	if total != len(edits) || total != stored.EditCount || total != len(m.actions) {
		t.Fatalf("case %s: ListCaseEdits total %d, %d items, EditCount %d; want %d", m.id, total, len(edits), stored.EditCount, len(m.actions))
	}
	var actions []string
	for i, ed := range edits {
		actions = append(actions, ed.Action)
		if ed.Seq != int64(i+1) {
			t.Fatalf("case %s: edit %d has seq %d", m.id, i, ed.Seq)
		}
		if i > 0 && ed.EventTimestamp.Before(edits[i-1].EventTimestamp.Time) {
			t.Fatalf("case %s: edit %d at %v is before edit %d at %v", m.id, i, ed.EventTimestamp, i-1, edits[i-1].EventTimestamp)
		}
		if n := len([]rune(ed.Message)); n < 10 || n > 4096 {
			t.Fatalf("case %s: edit %d message of %d characters", m.id, i, n)
		}
	}
	if !slices.Equal(actions, m.actions) {
		t.Fatalf("case %s: history\n got %v\nwant %v", m.id, actions, m.actions)
	}
	if stored.CommentCount != len(m.creators) {
		t.Fatalf("case %s: commentCount %d, want %d", m.id, stored.CommentCount, len(m.creators))
	}
}
