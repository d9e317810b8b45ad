package sqlstore

import (
	"errors"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

func TestCursorRoundTrip(t *testing.T) {
	tests := []struct {
		ns int64
		id string
	}{
		{0, "1"},
		{1700000000123456789, "1234567890"},
		{-5, "id\x00with\x00nuls"},
		{9223372036854775807, ""},
	}
	for _, tc := range tests {
		c := caseCursor(tc.ns, tc.id)
		ns, id, err := parseCaseCursor(c)
		if err != nil || ns != tc.ns || id != tc.id {
			t.Errorf("parseCaseCursor(caseCursor(%d, %q)): got (%d, %q, %v), want (%d, %q, nil)", tc.ns, tc.id, ns, id, err, tc.ns, tc.id)
		}
	}
	for _, seq := range []int64{0, 1, 1 << 40} {
		got, err := parseSeqCursor(seqCursor(seq))
		if err != nil || got != seq {
			t.Errorf("parseSeqCursor(seqCursor(%d)): got (%d, %v)", seq, got, err)
		}
	}
	if got, err := parseCommentCursor(commentCursor("000042")); err != nil || got != "000042" {
		t.Errorf("parseCommentCursor: got (%q, %v), want 000042", got, err)
	}
}

func TestCursorRejects(t *testing.T) {
	tests := []struct {
		name, cursor string
	}{
		{"not base64", "%%%"},
		{"empty payload", ""},
		{"comment cursor", commentCursor("000001")},
		{"seq cursor", seqCursor(3)},
		{"bad number", encodeCursor(cursorCases, "x", "id")},
		{"missing part", encodeCursor(cursorCases, "5")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseCaseCursor(tc.cursor)
			if sird.CodeOf(err) != sird.ErrInvalidToken {
				t.Errorf("parseCaseCursor(%q): got %v, want InvalidTokenException", tc.cursor, err)
			}
		})
	}
}

func TestDollarParams(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = $1 AND b = $2"},
		{"(?, ?) < (?, ?) LIMIT ?", "($1, $2) < ($3, $4) LIMIT $5"},
	}
	for _, tc := range tests {
		if got := dollarParams(tc.in); got != tc.want {
			t.Errorf("dollarParams(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRewriteForUpdate(t *testing.T) {
	q := "SELECT doc FROM cases WHERE case_id = ?" + forUpdate
	if got, want := sqliteDialect.rewrite(q), "SELECT doc FROM cases WHERE case_id = ?"; got != want {
		t.Errorf("sqlite: got %q, want %q", got, want)
	}
	if got, want := postgresDialect.rewrite(q), "SELECT doc FROM cases WHERE case_id = $1 FOR UPDATE"; got != want {
		t.Errorf("postgres: got %q, want %q", got, want)
	}
}

func TestPageLimit(t *testing.T) {
	tests := []struct{ limit, want int }{{-1, noLimit}, {0, noLimit}, {1, 2}, {25, 26}, {noLimit, noLimit}}
	for _, tc := range tests {
		if got := pageLimit(tc.limit); got != tc.want {
			t.Errorf("pageLimit(%d): got %d, want %d", tc.limit, got, tc.want)
		}
	}
}

// The outbox row holds the event document and its key columns.
func TestEventStored(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := b.fresh(t)(t, Options{Migrate: true})
			e := &sird.Event{ID: "e-1", Type: sird.EventCaseClosed, Time: sird.At(time.Unix(1700000000, 1).UTC()),
				AccountID: "111111111111", Region: "us-east-1", Resources: []string{"arn:x"}, Summary: "closed",
				Detail: map[string]any{"k": "v"}, Recipients: []sird.Recipient{{Email: "a@example.com"}}}
			add := func(tx sird.Tx) error { return tx.AddEvent(e) }
			if err := s.Write(t.Context(), add); err != nil {
				t.Fatalf("AddEvent: %v", err)
			}
			if err := s.Write(t.Context(), add); !errors.Is(err, sird.ErrDuplicate) {
				t.Fatalf("AddEvent again: got %v, want ErrDuplicate", err)
			}
			var (
				seq, created int64
				id, typ, doc string
			)
			err := s.r.QueryRowContext(t.Context(), "SELECT seq, id, created_at, type, doc FROM events").Scan(&seq, &id, &created, &typ, &doc)
			if err != nil {
				t.Fatal(err)
			}
			if seq != 1 || id != e.ID || created != e.Time.UnixNano() || typ != e.Type {
				t.Errorf("event row: got (%d, %s, %d, %s), want (1, %s, %d, %s)", seq, id, created, typ, e.ID, e.Time.UnixNano(), e.Type)
			}
			got, err := decodeJSON[sird.Event]("event")([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if got.Summary != e.Summary || !got.Time.Equal(e.Time.Time) || got.Detail["k"] != "v" || got.Recipients[0].Email != "a@example.com" {
				t.Errorf("event document: got %+v, want %+v", got, e)
			}
		})
	}
}
