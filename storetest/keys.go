package storetest

import (
	"testing"

	"github.com/sird-project/sird"
)

func testAccessKeys(t *testing.T, s sird.Store) {
	key := func(id string, disabled bool) *sird.AccessKey {
		return &sird.AccessKey{
			ID: id, SecretEnc: []byte{0, 1, 2, 0xfe, 0xff}, AccountID: acctA,
			Principal: "arn:aws:iam::" + acctA + ":user/" + id, Disabled: disabled, CreatedAt: ts(1700000000, 123456789),
		}
	}
	read(t, s, func(tx sird.Tx) error {
		n, err := tx.CountAccessKeys()
		must(t, "CountAccessKeys", err)
		if n != 0 {
			t.Errorf("CountAccessKeys of an empty store: got %d, want 0", n)
		}
		_, err = tx.GetAccessKey("AKIDMISSING")
		wantErr(t, "GetAccessKey(missing)", err, sird.ErrNotExist)
		return nil
	})
	write(t, s, func(tx sird.Tx) error {
		for _, id := range []string{"AKID3", "AKID1", "AKID2"} {
			must(t, "PutAccessKey", tx.PutAccessKey(key(id, false)))
		}
		// A second put replaces.
		return tx.PutAccessKey(key("AKID2", true))
	})
	read(t, s, func(tx sird.Tx) error {
		got, err := tx.GetAccessKey("AKID2")
		must(t, "GetAccessKey", err)
		equal(t, "GetAccessKey after replace", got, key("AKID2", true))

		list, err := tx.ListAccessKeys()
		must(t, "ListAccessKeys", err)
		equal(t, "ListAccessKeys", list, []*sird.AccessKey{key("AKID1", false), key("AKID2", true), key("AKID3", false)})

		n, err := tx.CountAccessKeys()
		must(t, "CountAccessKeys", err)
		if n != 3 {
			t.Errorf("CountAccessKeys: got %d, want 3", n)
		}
		return nil
	})
}

func testIdempotency(t *testing.T, s sird.Store) {
	at := ts(1700000000, 1)
	write(t, s, func(tx sird.Tx) error {
		must(t, "PutIdempotency", tx.PutIdempotency("CreateCase/"+acctA, "tok", "hash1", "case-1", at))
		must(t, "PutIdempotency other scope", tx.PutIdempotency("CreateCase/"+acctB, "tok", "hash2", "case-2", at))
		return nil
	})
	write(t, s, func(tx sird.Tx) error {
		err := tx.PutIdempotency("CreateCase/"+acctA, "tok", "hash3", "case-3", at)
		wantErr(t, "PutIdempotency again", err, sird.ErrDuplicate)
		return nil
	})
	tests := []struct {
		scope, token   string
		hash, resource string
		err            error
	}{
		{"CreateCase/" + acctA, "tok", "hash1", "case-1", nil},
		{"CreateCase/" + acctB, "tok", "hash2", "case-2", nil},
		{"CreateCase/" + acctA, "other", "", "", sird.ErrNotExist},
		{"CreateComment/" + acctA, "tok", "", "", sird.ErrNotExist},
	}
	read(t, s, func(tx sird.Tx) error {
		for _, tc := range tests {
			hash, res, err := tx.GetIdempotency(tc.scope, tc.token)
			wantErr(t, "GetIdempotency("+tc.scope+", "+tc.token+")", err, tc.err)
			if hash != tc.hash || res != tc.resource {
				t.Errorf("GetIdempotency(%s, %s): got (%q, %q), want (%q, %q)", tc.scope, tc.token, hash, res, tc.hash, tc.resource)
			}
		}
		return nil
	})
}
