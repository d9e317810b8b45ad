package sird_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"path/filepath"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/sqlstore"
)

func TestPageTokensRoundTrip(t *testing.T) {
	clock := newClock()
	p := sird.NewPageTokens(testMasterKey, newSeededReader(3), clock.Now)
	c := callerOf(acctMgmt)
	for _, cursor := range []string{"", "x", "c\x00170000\x00123", string(bytes.Repeat([]byte{0xff, 0}, 300))} {
		tok := p.Seal("ListCases", c, "", cursor)
		got, err := p.Open("ListCases", c, "", tok)
		if err != nil || got != cursor {
			t.Errorf("Open(Seal(%q)) = %q, %v; want %q", cursor, got, err, cursor)
		}
		// Another principal of the same account and region is the same caller.
		if got, err := p.Open("ListCases", asUser(c, "bob"), "", tok); err != nil || got != cursor {
			t.Errorf("Open by another user of the account = %q, %v; want %q", got, err, cursor)
		}
	}
	// Two seals of one cursor differ (fresh nonce), so tokens do not reveal repeats.
	if a, b := p.Seal("ListCases", c, "", "k"), p.Seal("ListCases", c, "", "k"); a == b {
		t.Errorf("two seals of one cursor are equal: %q", a)
	}
	// Another node with the same master key accepts the token.
	other := sird.NewPageTokens(testMasterKey, newSeededReader(4), clock.Now)
	if got, err := other.Open("ListCases", c, "", p.Seal("ListCases", c, "", "k")); err != nil || got != "k" {
		t.Errorf("other node Open = %q, %v; want %q", got, err, "k")
	}
}

func TestPageTokensRefused(t *testing.T) {
	clock := newClock()
	p := sird.NewPageTokens(testMasterKey, newSeededReader(3), clock.Now)
	c := callerOf(acctMgmt)
	tok := p.Seal("ListComments", c, "1234567890", "m-cursor")
	flip := func(i int) string {
		raw, _ := base64.RawURLEncoding.DecodeString(tok)
		raw[i] ^= 0x01
		return base64.RawURLEncoding.EncodeToString(raw)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	tests := []struct {
		name   string
		list   string
		caller sird.Caller
		scope  string
		token  string
		keys   []byte
	}{
		{name: "other account", list: "ListComments", caller: callerOf(acctOther), scope: "1234567890", token: tok},
		{name: "other region", list: "ListComments", caller: inRegion(c, "eu-west-1"), scope: "1234567890", token: tok},
		{name: "other list", list: "ListCaseEdits", caller: c, scope: "1234567890", token: tok},
		{name: "other scope", list: "ListComments", caller: c, scope: "1234567891", token: tok},
		{name: "other master key", list: "ListComments", caller: c, scope: "1234567890", token: tok, keys: bytes.Repeat([]byte{1}, 32)},
		{name: "empty", list: "ListComments", caller: c, scope: "1234567890", token: ""},
		{name: "not base64", list: "ListComments", caller: c, scope: "1234567890", token: "!!!!" + tok},
		{name: "padded base64", list: "ListComments", caller: c, scope: "1234567890", token: tok + "="},
		{name: "truncated", list: "ListComments", caller: c, scope: "1234567890", token: tok[:len(tok)-4]},
		{name: "too short", list: "ListComments", caller: c, scope: "1234567890", token: base64.RawURLEncoding.EncodeToString(raw[:20])},
		{name: "extended", list: "ListComments", caller: c, scope: "1234567890", token: tok + "AAAA"},
		{name: "flipped nonce", list: "ListComments", caller: c, scope: "1234567890", token: flip(0)},
		{name: "flipped body", list: "ListComments", caller: c, scope: "1234567890", token: flip(14)},
		{name: "flipped tag", list: "ListComments", caller: c, scope: "1234567890", token: flip(len(raw) - 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt := p
			if tt.keys != nil {
				pt = sird.NewPageTokens(tt.keys, newSeededReader(3), clock.Now)
			}
			got, err := pt.Open(tt.list, tt.caller, tt.scope, tt.token)
			wantCode(t, err, sird.ErrInvalidToken, "Open")
			if got != "" {
				t.Errorf("Open returned cursor %q with the error", got)
			}
		})
	}
	// Every single-bit change anywhere is refused.
	for i := range raw {
		for bit := range 8 {
			b := append([]byte(nil), raw...)
			b[i] ^= 1 << bit
			if _, err := p.Open("ListComments", c, "1234567890", base64.RawURLEncoding.EncodeToString(b)); sird.CodeOf(err) != sird.ErrInvalidToken {
				t.Fatalf("byte %d bit %d flipped: got %v, want InvalidTokenException", i, bit, err)
			}
		}
	}
}

func TestPageTokensExpire(t *testing.T) {
	clock := newClock()
	p := sird.NewPageTokens(testMasterKey, newSeededReader(3), clock.Now)
	c := callerOf(acctMgmt)
	tok := p.Seal("ListCases", c, "", "cur")
	clock.Advance(sird.PageTokenTTL - time.Second)
	if got, err := p.Open("ListCases", c, "", tok); err != nil || got != "cur" {
		t.Fatalf("Open just before expiry = %q, %v; want %q", got, err, "cur")
	}
	clock.Advance(2 * time.Second)
	_, err := p.Open("ListCases", c, "", tok)
	wantCode(t, err, sird.ErrInvalidToken, "Open after 24h")
}

// TestListTokensThroughService: the service's list operations refuse a
// token from another list, caller or case, and expired tokens.
func TestListTokensThroughService(t *testing.T) {
	e := newTestEnv(t)
	a, b := callerOf(acctMgmt), callerOf(acctOther)
	e.createMembership(t, a, false)
	e.createMembership(t, b, false)
	var ids []string
	for range 3 {
		ids = append(ids, e.createCase(t, a, nil))
		e.clock.Advance(time.Second)
	}
	for range 3 {
		_, err := e.svc.CreateCaseComment(e.ctx, a, &sird.CreateCaseCommentInput{CaseID: ids[0], Body: "hello"})
		mustOK(t, err, "CreateCaseComment")
	}
	cases, err := e.svc.ListCases(e.ctx, a, &sird.ListInput{MaxResults: ptr(1)})
	mustOK(t, err, "ListCases")
	comments, err := e.svc.ListComments(e.ctx, a, &sird.ListCommentsInput{CaseID: ids[0], MaxResults: ptr(1)})
	mustOK(t, err, "ListComments")
	if cases.NextToken == "" || comments.NextToken == "" {
		t.Fatalf("got no nextToken (cases %q, comments %q)", cases.NextToken, comments.NextToken)
	}
	refused := []struct {
		name string
		call func() error
	}{
		{"ListCases by another account", func() error {
			_, err := e.svc.ListCases(e.ctx, b, &sird.ListInput{NextToken: cases.NextToken})
			return err
		}},
		{"ListCases in another region", func() error {
			_, err := e.svc.ListCases(e.ctx, inRegion(a, "eu-west-1"), &sird.ListInput{NextToken: cases.NextToken})
			return err
		}},
		{"ListCases token to ListMemberships", func() error {
			_, err := e.svc.ListMemberships(e.ctx, a, &sird.ListInput{NextToken: cases.NextToken})
			return err
		}},
		{"ListComments token to ListCaseEdits", func() error {
			_, err := e.svc.ListCaseEdits(e.ctx, a, &sird.ListCaseEditsInput{CaseID: ids[0], NextToken: comments.NextToken})
			return err
		}},
		{"ListComments token for another case", func() error {
			_, err := e.svc.ListComments(e.ctx, a, &sird.ListCommentsInput{CaseID: ids[1], NextToken: comments.NextToken})
			return err
		}},
		{"ListCases garbage token", func() error {
			_, err := e.svc.ListCases(e.ctx, a, &sird.ListInput{NextToken: "garbage"})
			return err
		}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.call(), sird.ErrInvalidToken, tt.name) })
	}
	// Valid tokens work, then expire.
	_, err = e.svc.ListCases(e.ctx, a, &sird.ListInput{NextToken: cases.NextToken})
	mustOK(t, err, "ListCases with its own token")
	e.clock.Advance(sird.PageTokenTTL + time.Second)
	_, err = e.svc.ListCases(e.ctx, a, &sird.ListInput{NextToken: cases.NextToken})
	wantCode(t, err, sird.ErrInvalidToken, "ListCases with an expired token")
	_, err = e.svc.ListComments(e.ctx, a, &sird.ListCommentsInput{CaseID: ids[0], NextToken: comments.NextToken})
	wantCode(t, err, sird.ErrInvalidToken, "ListComments with an expired token")
}

func newKeyStore(tb testing.TB) sird.Store {
	tb.Helper()
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(tb.TempDir(), "keys.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		tb.Fatalf("OpenSQLite: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func TestKeyringCreateResolveDisable(t *testing.T) {
	ctx := context.Background()
	st := newKeyStore(t)
	clock := newClock()
	k := sird.NewKeyring(st, testMasterKey, newSeededReader(5), clock.Now)

	id, secret, err := k.Create(ctx, "123412341234", "user/alice")
	mustOK(t, err, "Create")
	if len(id) != 20 || id[:4] != "AKIA" || len(secret) != 40 {
		t.Errorf("Create = %q, %q; want AKIA + 16 characters and a 40-character secret", id, secret)
	}
	roleID, roleSecret, err := k.Create(ctx, "123412341234", "role/responder")
	mustOK(t, err, "Create role key")
	if roleID == id || roleSecret == secret {
		t.Errorf("two keys share an ID or secret: %q/%q", roleID, roleSecret)
	}

	gotSecret, ak, err := k.Resolve(ctx, id)
	mustOK(t, err, "Resolve")
	if gotSecret != secret || ak.AccountID != "123412341234" || ak.Principal != "arn:aws:iam::123412341234:user/alice" {
		t.Errorf("Resolve = %q, %+v; want secret %q, account 123412341234, principal user/alice", gotSecret, ak, secret)
	}
	if _, ak, _ := k.Resolve(ctx, roleID); ak == nil || ak.Principal != "arn:aws:iam::123412341234:role/responder" {
		t.Errorf("Resolve(role key) = %+v; want principal role/responder", ak)
	}
	_, _, err = k.Resolve(ctx, "AKIAUNKNOWNUNKNOWN00")
	wantCode(t, err, sird.ErrUnrecognizedClient, "Resolve(unknown)")

	mustOK(t, k.SetDisabled(ctx, id, true), "disable")
	_, _, err = k.Resolve(ctx, id)
	wantCode(t, err, sird.ErrUnrecognizedClient, "Resolve(disabled)")
	if _, _, err := k.Resolve(ctx, roleID); err != nil {
		t.Errorf("Resolve(other key) after disabling one: %v", err)
	}
	mustOK(t, k.SetDisabled(ctx, id, false), "enable")
	if got, _, err := k.Resolve(ctx, id); err != nil || got != secret {
		t.Errorf("Resolve(re-enabled) = %q, %v; want the secret", got, err)
	}
	if err := k.SetDisabled(ctx, "AKIAUNKNOWNUNKNOWN00", true); err == nil {
		t.Errorf("SetDisabled(unknown): got success, want an error")
	}

	keys, err := k.List(ctx)
	mustOK(t, err, "List")
	if len(keys) != 2 {
		t.Fatalf("List: got %d keys, want 2", len(keys))
	}

	for _, bad := range []struct{ account, name string }{
		{"12341234123", "user/alice"}, {"1234123412345", "user/alice"}, {"12341234123a", "user/alice"},
		{"123412341234", "alice"}, {"123412341234", "group/alice"}, {"123412341234", "user/"}, {"123412341234", "user/a b"},
	} {
		if _, _, err := k.Create(ctx, bad.account, bad.name); err == nil {
			t.Errorf("Create(%q, %q): got success, want an error", bad.account, bad.name)
		}
	}
}

// TestKeyringDisableReachesOtherNodes: a node that cached a key stops
// accepting it within the cache lifetime after another node disables it.
func TestKeyringDisableReachesOtherNodes(t *testing.T) {
	ctx := context.Background()
	st := newKeyStore(t)
	clock := newClock()
	a := sird.NewKeyring(st, testMasterKey, newSeededReader(5), clock.Now)
	b := sird.NewKeyring(st, testMasterKey, newSeededReader(6), clock.Now)
	id, _, err := a.Create(ctx, "123412341234", "user/alice")
	mustOK(t, err, "Create")
	_, _, err = b.Resolve(ctx, id)
	mustOK(t, err, "Resolve on node b")
	mustOK(t, a.SetDisabled(ctx, id, true), "disable on node a")
	clock.Advance(6 * time.Second)
	_, _, err = b.Resolve(ctx, id)
	wantCode(t, err, sird.ErrUnrecognizedClient, "Resolve on node b 6s after disabling")
}

func TestKeyringDevMode(t *testing.T) {
	ctx := context.Background()
	t.Run("refused without AllowDev", func(t *testing.T) {
		k := sird.NewKeyring(newKeyStore(t), testMasterKey, newSeededReader(5), newClock().Now)
		_, _, err := k.Resolve(ctx, sird.DevAccessKeyID)
		wantCode(t, err, sird.ErrUnrecognizedClient, "Resolve(test) without AllowDev")
	})
	t.Run("only while no keys exist", func(t *testing.T) {
		st := newKeyStore(t)
		clock := newClock()
		k := sird.NewKeyring(st, testMasterKey, newSeededReader(5), clock.Now)
		k.AllowDev = true
		secret, ak, err := k.Resolve(ctx, sird.DevAccessKeyID)
		mustOK(t, err, "Resolve(test)")
		if secret != sird.DevSecretKey || ak.AccountID != sird.DevAccountID || ak.Principal != sird.DevPrincipal {
			t.Errorf("Resolve(test) = %q, %+v; want %q, account %s, principal %s", secret, ak, sird.DevSecretKey, sird.DevAccountID, sird.DevPrincipal)
		}
		// Another node, which saw no keys a moment ago, learns of the first key
		// within the cache lifetime.
		other := sird.NewKeyring(st, testMasterKey, newSeededReader(6), clock.Now)
		other.AllowDev = true
		_, _, err = other.Resolve(ctx, sird.DevAccessKeyID)
		mustOK(t, err, "Resolve(test) on the other node")

		_, _, err = k.Create(ctx, "123412341234", "user/alice")
		mustOK(t, err, "Create")
		_, _, err = k.Resolve(ctx, sird.DevAccessKeyID)
		wantCode(t, err, sird.ErrUnrecognizedClient, "Resolve(test) once a key exists")
		clock.Advance(6 * time.Second)
		_, _, err = other.Resolve(ctx, sird.DevAccessKeyID)
		wantCode(t, err, sird.ErrUnrecognizedClient, "Resolve(test) on the other node 6s after a key exists")
	})
	t.Run("a disabled key still counts", func(t *testing.T) {
		k := sird.NewKeyring(newKeyStore(t), testMasterKey, newSeededReader(5), newClock().Now)
		k.AllowDev = true
		id, _, err := k.Create(ctx, "123412341234", "user/alice")
		mustOK(t, err, "Create")
		mustOK(t, k.SetDisabled(ctx, id, true), "disable")
		_, _, err = k.Resolve(ctx, sird.DevAccessKeyID)
		wantCode(t, err, sird.ErrUnrecognizedClient, "Resolve(test) with a disabled key")
	})
}

func TestKeyringSecretsSealed(t *testing.T) {
	ctx := context.Background()
	st := newKeyStore(t)
	clock := newClock()
	k := sird.NewKeyring(st, testMasterKey, newSeededReader(5), clock.Now)
	id, secret, err := k.Create(ctx, "123412341234", "user/alice")
	mustOK(t, err, "Create")
	var stored *sird.AccessKey
	mustOK(t, st.Read(ctx, func(tx sird.Tx) (err error) { stored, err = tx.GetAccessKey(id); return err }), "GetAccessKey")
	if len(stored.SecretEnc) == 0 || bytes.Contains(stored.SecretEnc, []byte(secret)) {
		t.Errorf("stored SecretEnc %x holds the secret in clear", stored.SecretEnc)
	}
	for _, n := range []int{8, 12, 20} {
		if bytes.Contains(stored.SecretEnc, []byte(secret[:n])) {
			t.Errorf("stored SecretEnc holds the first %d characters of the secret", n)
		}
	}
	keys, err := k.List(ctx)
	mustOK(t, err, "List")
	for _, key := range keys {
		if bytes.Contains(key.SecretEnc, []byte(secret)) {
			t.Errorf("List returned the secret of %s in clear", key.ID)
		}
	}
	// A keyring with another master key cannot unseal it.
	wrong := sird.NewKeyring(st, bytes.Repeat([]byte{0x01}, 32), newSeededReader(5), clock.Now)
	got, _, err := wrong.Resolve(ctx, id)
	if err == nil || got == secret {
		t.Errorf("Resolve with another master key = %q, %v; want an error and no secret", got, err)
	}
	// The sealed secret is bound to its key ID: moved to another ID it does not open.
	moved := *stored
	moved.ID = "AKIAMOVEDMOVEDMOVED0"
	mustOK(t, st.Write(ctx, func(tx sird.Tx) error { return tx.PutAccessKey(&moved) }), "PutAccessKey")
	if got, _, err := k.Resolve(ctx, moved.ID); err == nil || got == secret {
		t.Errorf("Resolve(secret moved to another ID) = %q, %v; want an error", got, err)
	}
}
