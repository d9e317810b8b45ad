package sird

import (
	"bytes"
	"testing"
	"time"
)

// FuzzPageToken feeds arbitrary nextToken strings to the token opener: it
// must never panic and must accept only tokens it sealed itself.
func FuzzPageToken(f *testing.F) {
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	tokens := NewPageTokens(bytes.Repeat([]byte{7}, 32), bytes.NewReader(bytes.Repeat([]byte{1}, 1<<20)), now)
	caller := Caller{AccountID: "123456789012", Region: "us-east-1"}
	valid := tokens.Seal("ListCases", caller, "", "cursor-1")
	f.Add(valid)
	f.Add("")
	f.Add("AAAA")
	f.Add(valid[:len(valid)-1] + "A")
	f.Fuzz(func(t *testing.T, token string) {
		cursor, err := tokens.Open("ListCases", caller, "", token)
		if err != nil {
			if CodeOf(err) != ErrInvalidToken {
				t.Fatalf("got %v, want InvalidTokenException", err)
			}
			return
		}
		if token != valid && cursor != "cursor-1" {
			t.Fatalf("a forged token %q opened to %q", token, cursor)
		}
	})
}
