package smtp_test

import (
	"context"
	"io"
	"maps"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
	"testing"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify/smtp"
	"github.com/sird-project/sird/notify/smtptest"
)

// received is a parsed message: decoded headers and body.
type received struct {
	header mail.Header
	body   string
}

func parse(t *testing.T, raw []byte) received {
	t.Helper()
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line %d is %d bytes, over the RFC 5322 limit", i, len(line))
		}
	}
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("parsing message: %v\n%s", err, raw)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatalf("decoding body: %v", err)
	}
	return received{m.Header, string(body)}
}

func decode(t *testing.T, s string) string {
	t.Helper()
	out, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		t.Fatalf("decoding header %q: %v", s, err)
	}
	return out
}

var wantHeaders = []string{
	"Auto-Submitted", "Content-Transfer-Encoding", "Content-Type", "Date", "From", "Message-Id", "Mime-Version",
	"Subject", "To", "X-Sird-Event-Id", "X-Sird-Event-Type",
}

func TestMessageFormat(t *testing.T) {
	e := testEvent()
	from := &mail.Address{Name: "sird", Address: "sird@sird.example"}
	m := parse(t, smtp.Message(from, &mail.Address{Name: "Bob Builder", Address: "bob@example.com"}, e))
	tests := []struct{ header, want string }{
		{"Subject", `[sird] Case 1234567890 "Suspicious login": Case Status Updated`},
		{"From", `"sird" <sird@sird.example>`},
		{"To", `"Bob Builder" <bob@example.com>`},
		{"Date", "Mon, 06 May 2030 07:08:09 +0000"},
		{"Message-Id", "<5f0c6e2a-1111-4000-8000-000000000001@sird.example>"},
		{"X-Sird-Event-Id", "5f0c6e2a-1111-4000-8000-000000000001"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
		{"Auto-Submitted", "auto-generated"},
	}
	for _, tc := range tests {
		if got := m.header.Get(tc.header); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.header, got, tc.want)
		}
	}
	for _, want := range []string{
		"Case Status Updated\n", e.Summary, `1234567890 "Suspicious login"`, "Case status:        Containment, Eradication and Recovery",
		"By:                 arn:aws:iam::111122223333:user/alice", "Account:            111122223333", "Region:             eu-west-1",
		"Time:               2030-05-06T07:08:09Z", "Event ID:           " + e.ID, "Resource:           " + e.Resources[0],
	} {
		if !strings.Contains(m.body, strings.ReplaceAll(want, "\n", "\r\n")) {
			t.Errorf("body lacks %q:\n%s", want, m.body)
		}
	}
}

// Titles and names come from API callers; none may add a header or a
// recipient, whatever it contains.
func TestHeaderInjectionImpossible(t *testing.T) {
	tests := []struct {
		name        string
		title       string
		rcptName    string
		eventType   string
		wantSubject string
	}{
		{"CRLF in title", "Hi\r\nBcc: evil@attacker.example\r\n\r\nfake body", "Bob", sird.EventCaseCreated,
			`[sird] Case 1234567890 "Hi Bcc: evil@attacker.example fake body": Case Created`},
		{"bare LF and CR", "a\nTo: evil@attacker.example\rX: y", "Bob", sird.EventCaseCreated,
			`[sird] Case 1234567890 "a To: evil@attacker.example X: y": Case Created`},
		{"unicode line separators", "a\u2028Bcc: x@attacker.example\u0085b", "Bob", sird.EventCaseCreated,
			`[sird] Case 1234567890 "a Bcc: x@attacker.example b": Case Created`},
		{"injection in recipient name", "ok", "Bob\r\nBcc: evil@attacker.example", sird.EventCaseCreated,
			`[sird] Case 1234567890 "ok": Case Created`},
		{"injection in event type", "ok", "Bob", "Case Created\r\nBcc: evil@attacker.example",
			`[sird] Case 1234567890 "ok": Case Created Bcc: evil@attacker.example`},
		{"encoded-word lookalike stays text", "=?utf-8?q?=0D=0ABcc:_x@attacker.example?=", "Bob", sird.EventCaseCreated,
			`[sird] Case 1234567890 "=?utf-8?q?=0D=0ABcc:_x@attacker.example?=": Case Created`},
		{"encoded-word lookalike in name", "ok", "=?utf-8?q?Bob=0D=0ABcc:_x@attacker.example?=", sird.EventCaseCreated,
			`[sird] Case 1234567890 "ok": Case Created`},
		{"non-ASCII title is encoded", "Verdächtige Anmeldung — 東京", "Jürgen", sird.EventCaseCreated,
			`[sird] Case 1234567890 "Verdächtige Anmeldung — 東京": Case Created`},
		{"long title shortened", strings.Repeat("ü", 500), "Bob", sird.EventCaseCreated,
			`[sird] Case 1234567890 "` + strings.Repeat("ü", 79) + `…": Case Created`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Options{})
			s, err := smtp.New(smtp.Config{Host: "127.0.0.1", Port: srv.Port(), TLS: smtp.TLSNone, From: "sird <sird@sird.example>"})
			if err != nil {
				t.Fatal(err)
			}
			e := testEvent()
			e.CaseTitle, e.Type = tc.title, tc.eventType
			e.Recipients = []sird.Recipient{{Email: "bob@example.com", Name: tc.rcptName}}
			if err := s.Send(context.Background(), "bob@example.com", e); err != nil {
				t.Fatalf("Send: %v", err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 || !slices.Equal(msgs[0].To, []string{"bob@example.com"}) {
				t.Fatalf("server got %+v, want one message to bob@example.com", msgs)
			}
			m := parse(t, msgs[0].Data)
			if got := slices.Sorted(maps.Keys(m.header)); !slices.Equal(got, wantHeaders) {
				t.Errorf("headers = %q, want %q", got, wantHeaders)
			}
			for k, vs := range m.header {
				for _, v := range vs {
					if strings.ContainsAny(decode(t, v), "\r\n") {
						t.Errorf("header %s decodes to a value with a line break: %q", k, decode(t, v))
					}
				}
			}
			if got := decode(t, m.header.Get("Subject")); got != tc.wantSubject {
				t.Errorf("Subject = %q, want %q", got, tc.wantSubject)
			}
			to, err := mail.ParseAddress(m.header.Get("To"))
			if err != nil || to.Address != "bob@example.com" || strings.ContainsAny(to.Name, "\r\n") {
				t.Errorf("To = %q parses to %+v (%v), want bob@example.com with a one-line name", m.header.Get("To"), to, err)
			}
		})
	}
}
