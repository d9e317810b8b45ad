package sqlstore

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/internal/fastjson"
)

// A fast codec for case documents.
//
// Every GetCase decodes a case document, every ListCases page 25 of them,
// and every case change encodes one (twice for a new case); with
// encoding/json's reflection that was the largest single cost of those
// operations. This codec writes and reads the same JSON by hand:
//
//   - appendCaseDoc produces exactly the bytes json.Marshal produces (same
//     member order, omitempty rules, escaping and Time format), so documents
//     stay plain JSON that any tool, the export included, reads.
//   - decodeCaseDoc reads what appendCaseDoc writes. On anything else (an
//     unknown or duplicate member, a value of an unexpected kind, invalid
//     UTF-8, a surrogate escape, whitespace it does not expect...) it gives
//     up and json.Unmarshal decodes the document instead, so the result
//     (or the error) is always encoding/json's.
//   - Both are used only while sird.Case and the types it holds have the
//     layout the codec was written for (caseCodecLayout). A change to those
//     types switches the codec off, falling back to encoding/json, and
//     TestCaseCodecLayout fails until the codec is updated.

// caseCodecLayout is the sha256 of caseLayout() the codec was written for.
const caseCodecLayout = "e19c3a54ab4a6306651e42c0da5489929663a4dc9c9ad41e2329ba475875dc38"

var caseCodecOn = sync.OnceValue(func() bool { return caseLayoutHash() == caseCodecLayout })

func caseLayoutHash() string { return fastjson.LayoutHash(reflect.TypeFor[sird.Case]()) }

func caseLayout() string { return fastjson.Layout(reflect.TypeFor[sird.Case]()) }

// encodeCaseDoc is json.Marshal(c) as a string.
func encodeCaseDoc(c *sird.Case) (string, error) {
	return encodeDoc("case", c, caseCodecOn, appendCaseDoc)
}

// decodeCaseDoc is json.Unmarshal(doc, c) for a new c. Strings without
// escapes are slices of doc, not copies.
func decodeCaseDoc(doc string) (*sird.Case, error) {
	if caseCodecOn() {
		r := caseReader{b: doc}
		if c := r.caseDoc(); c != nil && !r.bad {
			return c, nil
		}
	}
	c := new(sird.Case)
	if err := json.Unmarshal([]byte(doc), c); err != nil {
		return nil, err
	}
	return c, nil
}

// ---- encoding ----

func appendCaseDoc(b []byte, c *sird.Case) ([]byte, error) {
	var err error
	b = append(b, `{"title":`...)
	b = fastjson.AppendString(b, c.Title)
	b = append(b, `,"caseArn":`...)
	b = fastjson.AppendString(b, c.ARN)
	b = append(b, `,"description":`...)
	b = fastjson.AppendString(b, c.Description)
	b = append(b, `,"caseStatus":`...)
	b = fastjson.AppendString(b, c.Status)
	b = append(b, `,"engagementType":`...)
	b = fastjson.AppendString(b, c.EngagementType)
	if c.ReportedIncidentStartDate != nil {
		b = append(b, `,"reportedIncidentStartDate":`...)
		if b, err = fastjson.AppendTime(b, *c.ReportedIncidentStartDate); err != nil {
			return nil, err
		}
	}
	if c.ActualIncidentStartDate != nil {
		b = append(b, `,"actualIncidentStartDate":`...)
		if b, err = fastjson.AppendTime(b, *c.ActualIncidentStartDate); err != nil {
			return nil, err
		}
	}
	b = append(b, `,"impactedAwsRegions":`...)
	b = fastjson.AppendList(b, c.ImpactedAwsRegions, fastjson.AppendImpactedRegion)
	b = append(b, `,"threatActorIpAddresses":`...)
	b = fastjson.AppendList(b, c.ThreatActorIPAddresses, fastjson.AppendThreatActorIP)
	b = append(b, `,"pendingAction":`...)
	b = fastjson.AppendString(b, c.PendingAction)
	b = append(b, `,"impactedAccounts":`...)
	b = fastjson.AppendList(b, c.ImpactedAccounts, fastjson.AppendString)
	b = append(b, `,"watchers":`...)
	b = fastjson.AppendList(b, c.Watchers, fastjson.AppendWatcher)
	b = append(b, `,"createdDate":`...)
	if b, err = fastjson.AppendTime(b, c.CreatedDate); err != nil {
		return nil, err
	}
	b = append(b, `,"lastUpdatedDate":`...)
	if b, err = fastjson.AppendTime(b, c.LastUpdatedDate); err != nil {
		return nil, err
	}
	if c.ClosureCode != "" {
		b = append(b, `,"closureCode":`...)
		b = fastjson.AppendString(b, c.ClosureCode)
	}
	b = append(b, `,"resolverType":`...)
	b = fastjson.AppendString(b, c.ResolverType)
	b = append(b, `,"impactedServices":`...)
	b = fastjson.AppendList(b, c.ImpactedServices, fastjson.AppendString)
	b = append(b, `,"caseAttachments":`...)
	if c.CaseAttachments == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, a := range c.CaseAttachments {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = ccAttachment(b, &a); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	if c.ClosedDate != nil {
		b = append(b, `,"closedDate":`...)
		if b, err = fastjson.AppendTime(b, *c.ClosedDate); err != nil {
			return nil, err
		}
	}
	if len(c.CaseMetadata) > 0 {
		b = append(b, `,"caseMetadata":`...)
		b = fastjson.AppendList(b, c.CaseMetadata, fastjson.AppendMetadataEntry)
	}
	if len(c.Tags) > 0 {
		b = append(b, `,"tags":{`...)
		keys := make([]string, 0, len(c.Tags))
		for k := range c.Tags {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = fastjson.AppendString(b, k)
			b = append(b, ':')
			b = fastjson.AppendString(b, c.Tags[k])
		}
		b = append(b, '}')
	}
	b = append(b, `,"commentCount":`...)
	b = strconv.AppendInt(b, int64(c.CommentCount), 10)
	b = append(b, `,"editCount":`...)
	b = strconv.AppendInt(b, int64(c.EditCount), 10)
	if len(c.Investigations) > 0 {
		b = append(b, `,"investigations":[`...)
		for i := range c.Investigations {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = ccInvestigation(b, &c.Investigations[i]); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	if c.ClientToken != "" {
		b = append(b, `,"clientToken":`...)
		b = fastjson.AppendString(b, c.ClientToken)
	}
	return append(b, '}'), nil
}

func ccAttachment(b []byte, a *sird.Attachment) ([]byte, error) {
	var err error
	b = append(b, `{"attachmentId":`...)
	b = fastjson.AppendString(b, a.ID)
	b = append(b, `,"fileName":`...)
	b = fastjson.AppendString(b, a.FileName)
	b = append(b, `,"attachmentStatus":`...)
	b = fastjson.AppendString(b, a.Status)
	b = append(b, `,"creator":`...)
	b = fastjson.AppendString(b, a.Creator)
	b = append(b, `,"createdDate":`...)
	if b, err = fastjson.AppendTime(b, a.CreatedAt); err != nil {
		return nil, err
	}
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, a.Size, 10)
	if a.SHA256 != "" {
		b = append(b, `,"sha256":`...)
		b = fastjson.AppendString(b, a.SHA256)
	}
	b = append(b, `,"blobKey":`...)
	b = fastjson.AppendString(b, a.BlobKey)
	b = append(b, `,"expiresAt":`...)
	if b, err = fastjson.AppendTime(b, a.ExpiresAt); err != nil {
		return nil, err
	}
	if a.Claimed {
		b = append(b, `,"claimed":true`...)
	}
	return append(b, '}'), nil
}

func ccInvestigation(b []byte, v *sird.Investigation) ([]byte, error) {
	var err error
	b = append(b, `{"investigationId":`...)
	b = fastjson.AppendString(b, v.InvestigationID)
	b = append(b, `,"actionType":`...)
	b = fastjson.AppendString(b, v.ActionType)
	b = append(b, `,"title":`...)
	b = fastjson.AppendString(b, v.Title)
	b = append(b, `,"content":`...)
	b = fastjson.AppendString(b, v.Content)
	b = append(b, `,"status":`...)
	b = fastjson.AppendString(b, v.Status)
	b = append(b, `,"lastUpdated":`...)
	if b, err = fastjson.AppendTime(b, v.LastUpdated); err != nil {
		return nil, err
	}
	if f := v.Feedback; f != nil {
		b = append(b, `,"feedback":{`...)
		sep := false
		if f.Usefulness != "" {
			b = append(b, `"usefulness":`...)
			b = fastjson.AppendString(b, f.Usefulness)
			sep = true
		}
		if f.Comment != "" {
			if sep {
				b = append(b, ',')
			}
			b = append(b, `"comment":`...)
			b = fastjson.AppendString(b, f.Comment)
			sep = true
		}
		if f.SubmittedAt != nil {
			if sep {
				b = append(b, ',')
			}
			b = append(b, `"submittedAt":`...)
			if b, err = fastjson.AppendTime(b, *f.SubmittedAt); err != nil {
				return nil, err
			}
		}
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

// ---- decoding ----

// caseReader reads the documents appendCaseDoc writes. It sets bad, and
// the caller falls back to encoding/json, on anything else.
type caseReader struct {
	b   string
	i   int
	bad bool
	tmp []byte // unescaping buffer
}

func (r *caseReader) fail() { r.bad = true }

func (r *caseReader) peek() byte {
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	r.bad = true
	return 0
}

// eat consumes c if it is next.
func (r *caseReader) eat(c byte) bool {
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

func (r *caseReader) expect(c byte) {
	if !r.eat(c) {
		r.bad = true
	}
}

// null consumes a null literal if it is next.
func (r *caseReader) null() bool {
	if len(r.b)-r.i >= 4 && r.b[r.i:r.i+4] == "null" {
		r.i += 4
		return true
	}
	return false
}

// object calls member for each member of an object, or reports null.
// member must consume the value; it sets bad on an unknown name.
func (r *caseReader) object(member func(name string)) (isNull bool) {
	if r.null() {
		return true
	}
	r.expect('{')
	if r.eat('}') {
		return false
	}
	for !r.bad {
		name := r.name()
		r.expect(':')
		if r.bad {
			return false
		}
		member(name)
		if r.eat(',') {
			continue
		}
		r.expect('}')
		break
	}
	return false
}

// array calls elem for each element; it returns false for null.
func (r *caseReader) array(elem func()) (present bool) {
	if r.null() {
		return false
	}
	r.expect('[')
	if r.eat(']') {
		return true
	}
	for !r.bad {
		elem()
		if r.eat(',') {
			continue
		}
		r.expect(']')
		break
	}
	return true
}

// plainASCII marks the bytes a string holds as they are: printable ASCII
// but the quote and the backslash.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// name reads a member name, which must need no unescaping.
func (r *caseReader) name() string {
	r.expect('"')
	start := r.i
	b := r.b
	i := r.i
	for i < len(b) && plainASCII[b[i]] {
		i++
	}
	if i < len(b) && b[i] == '"' {
		r.i = i + 1
		return b[start:i]
	}
	r.bad = true
	return ""
}

// str reads a string value; null leaves the field as it was, as in
// encoding/json.
func (r *caseReader) str(dst *string) {
	if r.null() {
		return
	}
	if !r.eat('"') {
		r.bad = true
		return
	}
	start := r.i
	ascii := true
	for r.i < len(r.b) {
		for r.i < len(r.b) && plainASCII[r.b[r.i]] {
			r.i++
		}
		if r.i == len(r.b) {
			break
		}
		c := r.b[r.i]
		switch {
		case c == '"':
			raw := r.b[start:r.i]
			r.i++
			if !ascii && !utf8.ValidString(raw) {
				r.bad = true // encoding/json replaces invalid bytes
				return
			}
			*dst = raw
			return
		case c == '\\':
			r.escaped(dst, start)
			return
		case c < 0x20:
			r.bad = true
			return
		case c >= utf8.RuneSelf:
			ascii = false
		}
		r.i++
	}
	r.bad = true
}

// escaped finishes a string that holds escapes, from its start.
func (r *caseReader) escaped(dst *string, start int) {
	out := append(r.tmp[:0], r.b[start:r.i]...)
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			if !utf8.Valid(out) {
				r.bad = true
				return
			}
			*dst = string(out)
			r.tmp = out
			return
		case c < 0x20:
			r.bad = true
			return
		case c != '\\':
			out = append(out, c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.b) {
			r.bad = true
			return
		}
		e := r.b[r.i+1]
		r.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if r.i+4 > len(r.b) {
				r.bad = true
				return
			}
			v, err := strconv.ParseUint(r.b[r.i:r.i+4], 16, 16)
			if err != nil || v >= 0xD800 && v < 0xE000 {
				r.bad = true // surrogates: encoding/json's pairing rules
				return
			}
			r.i += 4
			out = utf8.AppendRune(out, rune(v))
		default:
			r.bad = true
			return
		}
	}
	r.bad = true
}

// number returns the text of a number literal.
func (r *caseReader) number() string {
	start := r.i
	for r.i < len(r.b) {
		c := r.b[r.i]
		if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			r.i++
			continue
		}
		break
	}
	if !fastjson.IsNumber(r.b[start:r.i]) {
		r.bad = true
	}
	return r.b[start:r.i]
}

func (r *caseReader) int64(dst *int64) {
	n, err := strconv.ParseInt(r.number(), 10, 64)
	if err != nil {
		r.bad = true
		return
	}
	*dst = n
}

func (r *caseReader) int(dst *int) {
	var n int64
	r.int64(&n)
	if int64(int(n)) != n {
		r.bad = true
		return
	}
	*dst = int(n)
}

func (r *caseReader) bool(dst *bool) {
	switch {
	case len(r.b)-r.i >= 4 && r.b[r.i:r.i+4] == "true":
		r.i += 4
		*dst = true
	case len(r.b)-r.i >= 5 && r.b[r.i:r.i+5] == "false":
		r.i += 5
		*dst = false
	default:
		r.bad = true
	}
}

// time reads a Time as its UnmarshalJSON does.
func (r *caseReader) time(dst *sird.Time) {
	if r.peek() == 'n' {
		r.bad = true // null: let encoding/json decide
		return
	}
	num := r.number()
	if r.bad {
		return
	}
	// What Time.UnmarshalJSON does, without copying num twice; the codec's
	// tests compare the result with encoding/json's, which calls it.
	v, err := sird.ParseEpoch(num)
	if err != nil {
		r.bad = true
		return
	}
	dst.Time = v
}

func (r *caseReader) timePtr(dst **sird.Time) {
	if r.null() {
		*dst = nil
		return
	}
	t := new(sird.Time)
	r.time(t)
	*dst = t
}

func (r *caseReader) strings(dst *[]string) {
	out := []string{}
	if !r.array(func() {
		var s string
		r.str(&s)
		out = append(out, s)
	}) {
		out = nil
	}
	*dst = out
}

// stringMap reads an object of strings, or null.
func (r *caseReader) stringMap() map[string]string {
	if r.null() {
		return nil
	}
	m := map[string]string{}
	r.expect('{')
	if r.eat('}') {
		return m
	}
	for !r.bad {
		var k, v string
		if r.peek() != '"' {
			r.fail()
			break
		}
		r.str(&k)
		r.expect(':')
		r.str(&v)
		if _, dup := m[k]; dup {
			r.fail()
		}
		m[k] = v
		if r.eat(',') {
			continue
		}
		r.expect('}')
		break
	}
	return m
}

// ccSeen tracks the members of one object, to refuse duplicates (which
// encoding/json merges in ways not worth copying).
type ccSeen uint64

func (s *ccSeen) once(r *caseReader, bit int) {
	if *s&(1<<bit) != 0 {
		r.bad = true
	}
	*s |= 1 << bit
}

func (r *caseReader) caseDoc() *sird.Case {
	c := new(sird.Case)
	var s ccSeen
	if r.object(func(name string) {
		switch name {
		case "title":
			s.once(r, 0)
			r.str(&c.Title)
		case "caseArn":
			s.once(r, 1)
			r.str(&c.ARN)
		case "description":
			s.once(r, 2)
			r.str(&c.Description)
		case "caseStatus":
			s.once(r, 3)
			r.str(&c.Status)
		case "engagementType":
			s.once(r, 4)
			r.str(&c.EngagementType)
		case "reportedIncidentStartDate":
			s.once(r, 5)
			r.timePtr(&c.ReportedIncidentStartDate)
		case "actualIncidentStartDate":
			s.once(r, 6)
			r.timePtr(&c.ActualIncidentStartDate)
		case "impactedAwsRegions":
			s.once(r, 7)
			c.ImpactedAwsRegions = []sird.ImpactedRegion{}
			if !r.array(func() {
				var v sird.ImpactedRegion
				var s ccSeen
				r.object(func(name string) {
					switch name {
					case "region":
						s.once(r, 0)
						r.str(&v.Region)
					default:
						r.fail()
					}
				})
				c.ImpactedAwsRegions = append(c.ImpactedAwsRegions, v)
			}) {
				c.ImpactedAwsRegions = nil
			}
		case "threatActorIpAddresses":
			s.once(r, 8)
			c.ThreatActorIPAddresses = []sird.ThreatActorIP{}
			if !r.array(func() {
				var v sird.ThreatActorIP
				var s ccSeen
				r.object(func(name string) {
					switch name {
					case "ipAddress":
						s.once(r, 0)
						r.str(&v.IPAddress)
					case "userAgent":
						s.once(r, 1)
						r.str(&v.UserAgent)
					default:
						r.fail()
					}
				})
				c.ThreatActorIPAddresses = append(c.ThreatActorIPAddresses, v)
			}) {
				c.ThreatActorIPAddresses = nil
			}
		case "pendingAction":
			s.once(r, 9)
			r.str(&c.PendingAction)
		case "impactedAccounts":
			s.once(r, 10)
			r.strings(&c.ImpactedAccounts)
		case "watchers":
			s.once(r, 11)
			c.Watchers = []sird.Watcher{}
			if !r.array(func() {
				var v sird.Watcher
				var s ccSeen
				r.object(func(name string) {
					switch name {
					case "email":
						s.once(r, 0)
						r.str(&v.Email)
					case "name":
						s.once(r, 1)
						r.str(&v.Name)
					case "jobTitle":
						s.once(r, 2)
						r.str(&v.JobTitle)
					default:
						r.fail()
					}
				})
				c.Watchers = append(c.Watchers, v)
			}) {
				c.Watchers = nil
			}
		case "createdDate":
			s.once(r, 12)
			r.time(&c.CreatedDate)
		case "lastUpdatedDate":
			s.once(r, 13)
			r.time(&c.LastUpdatedDate)
		case "closureCode":
			s.once(r, 14)
			r.str(&c.ClosureCode)
		case "resolverType":
			s.once(r, 15)
			r.str(&c.ResolverType)
		case "impactedServices":
			s.once(r, 16)
			r.strings(&c.ImpactedServices)
		case "caseAttachments":
			s.once(r, 17)
			c.CaseAttachments = []sird.Attachment{}
			if !r.array(func() {
				c.CaseAttachments = append(c.CaseAttachments, r.attachment())
			}) {
				c.CaseAttachments = nil
			}
		case "closedDate":
			s.once(r, 18)
			r.timePtr(&c.ClosedDate)
		case "caseMetadata":
			s.once(r, 19)
			c.CaseMetadata = []sird.MetadataEntry{}
			if !r.array(func() {
				var v sird.MetadataEntry
				var s ccSeen
				r.object(func(name string) {
					switch name {
					case "key":
						s.once(r, 0)
						r.str(&v.Key)
					case "value":
						s.once(r, 1)
						r.str(&v.Value)
					default:
						r.fail()
					}
				})
				c.CaseMetadata = append(c.CaseMetadata, v)
			}) {
				c.CaseMetadata = nil
			}
		case "tags":
			s.once(r, 20)
			c.Tags = r.stringMap()
		case "commentCount":
			s.once(r, 21)
			r.int(&c.CommentCount)
		case "editCount":
			s.once(r, 22)
			r.int(&c.EditCount)
		case "investigations":
			s.once(r, 23)
			c.Investigations = []sird.Investigation{}
			if !r.array(func() {
				c.Investigations = append(c.Investigations, r.investigation())
			}) {
				c.Investigations = nil
			}
		case "clientToken":
			s.once(r, 24)
			r.str(&c.ClientToken)
		default:
			r.fail()
		}
	}) {
		r.fail() // a null document: encoding/json leaves an empty case
	}
	if r.i != len(r.b) {
		r.fail()
	}
	if r.bad {
		return nil
	}
	return c
}

func (r *caseReader) attachment() sird.Attachment {
	var a sird.Attachment
	var s ccSeen
	r.object(func(name string) {
		switch name {
		case "attachmentId":
			s.once(r, 0)
			r.str(&a.ID)
		case "fileName":
			s.once(r, 1)
			r.str(&a.FileName)
		case "attachmentStatus":
			s.once(r, 2)
			r.str(&a.Status)
		case "creator":
			s.once(r, 3)
			r.str(&a.Creator)
		case "createdDate":
			s.once(r, 4)
			r.time(&a.CreatedAt)
		case "size":
			s.once(r, 5)
			r.int64(&a.Size)
		case "sha256":
			s.once(r, 6)
			r.str(&a.SHA256)
		case "blobKey":
			s.once(r, 7)
			r.str(&a.BlobKey)
		case "expiresAt":
			s.once(r, 8)
			r.time(&a.ExpiresAt)
		case "claimed":
			s.once(r, 9)
			r.bool(&a.Claimed)
		default:
			r.fail()
		}
	})
	return a
}

func (r *caseReader) investigation() sird.Investigation {
	var v sird.Investigation
	var s ccSeen
	r.object(func(name string) {
		switch name {
		case "investigationId":
			s.once(r, 0)
			r.str(&v.InvestigationID)
		case "actionType":
			s.once(r, 1)
			r.str(&v.ActionType)
		case "title":
			s.once(r, 2)
			r.str(&v.Title)
		case "content":
			s.once(r, 3)
			r.str(&v.Content)
		case "status":
			s.once(r, 4)
			r.str(&v.Status)
		case "lastUpdated":
			s.once(r, 5)
			r.time(&v.LastUpdated)
		case "feedback":
			s.once(r, 6)
			f := new(sird.InvestigationFeedback)
			var fs ccSeen
			if r.object(func(name string) {
				switch name {
				case "usefulness":
					fs.once(r, 0)
					r.str(&f.Usefulness)
				case "comment":
					fs.once(r, 1)
					r.str(&f.Comment)
				case "submittedAt":
					fs.once(r, 2)
					r.timePtr(&f.SubmittedAt)
				default:
					r.fail()
				}
			}) {
				f = nil
			}
			v.Feedback = f
		default:
			r.fail()
		}
	})
	return v
}
