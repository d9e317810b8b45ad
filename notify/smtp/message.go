package smtp

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sird-project/sird"
)

// maxTitle bounds the case title in the subject, in runes.
const maxTitle = 80

// Message renders the mail for event e to one recipient (RFC 5322, MIME,
// text/plain UTF-8, quoted-printable so it is 7-bit clean). Every header
// value passes through clean, which removes CR and LF, so no event field
// can add a header; non-ASCII is RFC 2047 encoded.
func Message(from, to *mail.Address, e sird.Event) []byte {
	date := e.Time.Time
	if date.IsZero() {
		date = time.Now()
	}
	var b bytes.Buffer
	header := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	header("Date", date.Format(time.RFC1123Z))
	header("From", formatAddress(from))
	header("To", formatAddress(to))
	header("Subject", encode(Subject(e)))
	// The event ID makes the Message-ID, so a resend after a lost
	// acknowledgement is recognisable as the same message.
	header("Message-ID", "<"+token(e.ID, "event")+"@"+token(domain(from.Address), "sird.invalid")+">")
	header("X-Sird-Event-Id", token(e.ID, "unknown"))
	header("X-Sird-Event-Type", encode(clean(e.Type)))
	header("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(Body(e)))
	qp.Close()
	return b.Bytes()
}

// Subject is the readable subject line, before encoding, e.g.
// [sird] Case 1234567890 "Title": Case Status Updated.
func Subject(e sird.Event) string {
	typ := clean(e.Type)
	switch {
	case e.CaseID != "":
		return fmt.Sprintf("[sird] Case %s \"%s\": %s", clean(e.CaseID), shorten(clean(e.CaseTitle), maxTitle), typ)
	case e.Membership != "":
		return fmt.Sprintf("[sird] Membership %s: %s", clean(e.Membership), typ)
	default:
		return "[sird] " + typ
	}
}

// Body is the text: what changed, by whom, on what, where and when.
func Body(e sird.Event) string {
	var b strings.Builder
	b.WriteString(e.Type + "\n\n")
	if e.Summary != "" {
		b.WriteString(e.Summary + "\n\n")
	}
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-19s %s\n", name+":", value)
		}
	}
	if e.CaseID != "" {
		field("Case", fmt.Sprintf("%s \"%s\"", e.CaseID, e.CaseTitle))
		field("Case status", detail(e, "caseStatus"))
	}
	if e.Membership != "" {
		field("Membership", e.Membership)
	}
	field("Membership name", detail(e, "membershipName"))
	field("Membership status", detail(e, "membershipStatus"))
	field("By", e.Principal)
	field("Account", e.AccountID)
	field("Region", e.Region)
	for _, r := range e.Resources {
		field("Resource", r)
	}
	if !e.Time.IsZero() {
		field("Time", e.Time.UTC().Format(time.RFC3339))
	}
	field("Event ID", e.ID)
	return b.String()
}

func detail(e sird.Event, key string) string {
	if v, ok := e.Detail[key]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

// clean makes s safe for a header: control characters (CR and LF among
// them) and Unicode line separators become spaces, runs of spaces collapse,
// and invalid UTF-8 is replaced.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// formatAddress renders a mailbox with a cleaned display name, encoded by
// encode when needed (net/mail would leave "=?" text as a quoted string,
// which lenient readers still decode).
func formatAddress(a *mail.Address) string {
	addr := (&mail.Address{Address: clean(a.Address)}).String()
	name := clean(a.Name)
	if name == "" {
		return addr
	}
	if enc := encode(name); enc != name {
		return enc + " " + addr
	}
	return (&mail.Address{Name: name, Address: clean(a.Address)}).String()
}

// encode applies RFC 2047 encoding when s is not plain printable ASCII or
// holds "=?", which a mail reader would otherwise decode as an encoded word
// (smuggling a line break into what it displays). Words are folded onto
// continuation lines so no line passes the 998-byte limit.
func encode(s string) string {
	if !strings.Contains(s, "=?") && !strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r > '~' }) {
		return s
	}
	const maxChunk = 45 // bytes: 60 base64 characters, a 72-character word
	var words []string
	for s != "" {
		n := 0
		for _, r := range s {
			if n+utf8.RuneLen(r) > maxChunk {
				break
			}
			n += utf8.RuneLen(r)
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, "\r\n ")
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// token keeps only characters safe inside a Message-ID or header token.
func token(s, fallback string) string {
	s = strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-._", r)) {
			return r
		}
		return -1
	}, s)
	if s == "" {
		return fallback
	}
	return s
}

func domain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}
