package sqlstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// The fast case codec must be indistinguishable from encoding/json.

func TestCaseCodecLayout(t *testing.T) {
	if got := caseLayoutHash(); got != caseCodecLayout {
		t.Fatalf("sird.Case or a type it holds changed, so the fast case codec (casecodec.go) is off and "+
			"case documents go through encoding/json. Update appendCaseDoc and caseReader.caseDoc for the "+
			"change, then set caseCodecLayout to %q.\nThe layout now:\n%s", got, caseLayout())
	}
}

// edgeStrings exercise every escaping rule.
var edgeStrings = []string{
	"", "plain", "quote \" backslash \\ slash /", "<script>&amp;</script>", "\x00\x01\x1f\x7f",
	"\b\f\n\r\t", "é中\U0001F600", "\u2028\u2029", "bad \xff utf8 \xc3", "\xed\xa0\x80 surrogate bytes",
	"trailing \\", "\ufffd",
}

func randString(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return edgeStrings[r.IntN(len(edgeStrings))]
	}
	var b strings.Builder
	for range r.IntN(20) {
		switch r.IntN(6) {
		case 0:
			b.WriteByte(byte(r.IntN(0x80)))
		case 1:
			b.WriteRune(rune(0x80 + r.IntN(0x800)))
		case 2:
			b.WriteString(edgeStrings[r.IntN(len(edgeStrings))])
		default:
			b.WriteByte(byte('a' + r.IntN(26)))
		}
	}
	return b.String()
}

func randTime(r *rand.Rand) sird.Time {
	return sird.At(time.Unix(r.Int64N(4e9)-1e9, r.Int64N(3)*r.Int64N(1e9)).UTC())
}

func randTimePtr(r *rand.Rand) *sird.Time {
	if r.IntN(2) == 0 {
		return nil
	}
	t := randTime(r)
	return &t
}

func randList[T any](r *rand.Rand, f func() T) []T {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return []T{}
	}
	out := make([]T, 1+r.IntN(3))
	for i := range out {
		out[i] = f()
	}
	return out
}

func randCase(r *rand.Rand) *sird.Case {
	s := func() string { return randString(r) }
	c := &sird.Case{
		Title: s(), ARN: s(), Description: s(), Status: s(), EngagementType: s(),
		ReportedIncidentStartDate: randTimePtr(r), ActualIncidentStartDate: randTimePtr(r),
		ImpactedAwsRegions: randList(r, func() sird.ImpactedRegion { return sird.ImpactedRegion{Region: s()} }),
		ThreatActorIPAddresses: randList(r, func() sird.ThreatActorIP {
			return sird.ThreatActorIP{IPAddress: s(), UserAgent: s()}
		}),
		PendingAction:    s(),
		ImpactedAccounts: randList(r, s),
		Watchers:         randList(r, func() sird.Watcher { return sird.Watcher{Email: s(), Name: s(), JobTitle: s()} }),
		CreatedDate:      randTime(r), LastUpdatedDate: randTime(r),
		ClosureCode: s(), ResolverType: s(),
		ImpactedServices: randList(r, s),
		CaseAttachments: randList(r, func() sird.Attachment {
			return sird.Attachment{ID: s(), FileName: s(), Status: s(), Creator: s(), CreatedAt: randTime(r),
				Size: r.Int64() - r.Int64(), SHA256: s(), BlobKey: s(), ExpiresAt: randTime(r), Claimed: r.IntN(2) == 0}
		}),
		ClosedDate:   randTimePtr(r),
		CaseMetadata: randList(r, func() sird.MetadataEntry { return sird.MetadataEntry{Key: s(), Value: s()} }),
		CommentCount: r.IntN(1000) - 10, EditCount: r.IntN(1 << 30),
		Investigations: randList(r, func() sird.Investigation {
			v := sird.Investigation{InvestigationID: s(), ActionType: s(), Title: s(), Content: s(), Status: s(), LastUpdated: randTime(r)}
			if r.IntN(2) == 0 {
				v.Feedback = &sird.InvestigationFeedback{Usefulness: s(), Comment: s(), SubmittedAt: randTimePtr(r)}
			}
			return v
		}),
		ClientToken: s(),
	}
	switch r.IntN(3) {
	case 0:
		c.Tags = map[string]string{}
	case 1:
		c.Tags = map[string]string{s(): s(), s(): s(), "env": s()}
	}
	return c
}

func checkCaseCodec(t *testing.T, c *sird.Case) {
	t.Helper()
	want, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := appendCaseDoc(nil, c)
	if err != nil {
		t.Fatalf("appendCaseDoc: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("appendCaseDoc differs from json.Marshal:\n got %s\nwant %s", got, want)
	}
	checkCaseDecode(t, want)
}

// checkCaseDecode compares decodeCaseDoc with json.Unmarshal on doc, and
// reports whether the fast path (rather than the fallback) decoded it.
func checkCaseDecode(t *testing.T, doc []byte) (fast bool) {
	t.Helper()
	want := new(sird.Case)
	wantErr := json.Unmarshal(doc, want)
	got, err := decodeCaseDoc(string(doc))
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("decodeCaseDoc(%q): error %v, encoding/json's %v", doc, err, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeCaseDoc(%q):\n got %+v\nwant %+v", doc, got, want)
	}
	r := caseReader{b: string(doc)}
	return r.caseDoc() != nil && !r.bad
}

func TestCaseCodecMatchesEncodingJSON(t *testing.T) {
	if !caseCodecOn() {
		t.Skip("the codec is off (see TestCaseCodecLayout)")
	}
	checkCaseCodec(t, &sird.Case{})
	checkCaseCodec(t, benchCase(1))
	r := rand.New(rand.NewPCG(1, 2))
	fast := 0
	for range 5000 {
		c := randCase(r)
		checkCaseCodec(t, c)
		doc, _ := json.Marshal(c)
		if checkCaseDecode(t, doc) {
			fast++
		}
	}
	// Documents with invalid UTF-8 or surrogate escapes fall back; the rest
	// must take the fast path, or the codec is not worth having.
	t.Logf("%d of 5000 random documents decoded on the fast path", fast)
	doc, _ := json.Marshal(benchCase(1))
	if !checkCaseDecode(t, doc) {
		t.Errorf("a plain case document did not take the fast path")
	}
}

// Documents the codec does not write must still decode as encoding/json
// decodes them.
func TestCaseCodecFallback(t *testing.T) {
	docs := []string{
		`{"title":"a","unknown":1}`, `{"Title":"case-insensitive"}`, `{"title":"a","title":"b"}`,
		`{"tags":{"a":"1","a":"2"}}`, ` {"title":"space"}`, `{"title" : "space"}`, `{"title":"a"} `,
		`{"commentCount":1.0}`, `{"commentCount":01}`, `{"commentCount":"1"}`, `{"createdDate":null}`,
		`{"createdDate":"1"}`, `{"createdDate":1e3}`, `{"createdDate":-1.5}`, `{"closedDate":null}`,
		`{"watchers":null}`, `{"watchers":[]}`, `{"watchers":[null]}`, `{"watchers":[{"email":null}]}`,
		`{"title":"\ud83d\ude00"}`, `{"title":"\ud83d"}`, `{"title":"\u00e9\/"}`, "{\"title\":\"\xff\"}",
		`null`, `{}`, `[]`, `{"title":"a"}x`, `{"title":"a",}`, `{"investigations":[{"feedback":null}]}`,
		`{"investigations":[{"feedback":{}}]}`, `{"caseAttachments":[{"claimed":false,"size":-0}]}`,
		`{"tags":null}`, `{"tags":{}}`, `{"tags":{"\u00e9":"x"}}`, `{"impactedAccounts":[1]}`,
	}
	for _, d := range docs {
		checkCaseDecode(t, []byte(d))
	}
}

func FuzzCaseDoc(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		doc, _ := json.Marshal(randCase(r))
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkCaseDecode(t, doc)
	})
}

func BenchmarkCaseDoc(b *testing.B) {
	c := benchCase(1)
	doc, _ := json.Marshal(c)
	b.Run("codec=encodingjson/op=decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := json.Unmarshal(doc, new(sird.Case)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec=fast/op=decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeCaseDoc(string(doc)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec=encodingjson/op=encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeJSON("case", c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec=fast/op=encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeCaseDoc(c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

var _ = fmt.Sprint
