package sqlstore

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// The fast event and history encoders must be indistinguishable from
// encoding/json.

func TestEventCodecLayout(t *testing.T) {
	tests := []struct {
		name, want, fix string
		hash, layout    func() string
	}{
		{"Event", eventCodecLayout, "appendEventDoc and eventCodecLayout", eventLayoutHash, eventLayout},
		{"CaseEdit", editCodecLayout, "appendEditDoc and editCodecLayout", editLayoutHash, editLayout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.hash(); got != tt.want {
				t.Fatalf("sird.%s or a type it holds changed, so its fast encoder (eventcodec.go) is off and "+
					"its documents go through encoding/json. Update %s for the change, then set the "+
					"constant to %q.\nThe layout now:\n%s", tt.name, tt.fix, got, tt.layout())
			}
		})
	}
}

func checkEventDoc(t *testing.T, e *sird.Event) {
	t.Helper()
	want, wantErr := json.Marshal(e)
	got, err := appendEventDoc(nil, e)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("appendEventDoc(%+v): error %v, encoding/json's %v", e, err, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("appendEventDoc differs from json.Marshal:\n got %s\nwant %s", got, want)
	}
}

func checkEditDoc(t *testing.T, e *sird.CaseEdit) {
	t.Helper()
	want, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := appendEditDoc(nil, e)
	if err != nil {
		t.Fatalf("appendEditDoc: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("appendEditDoc differs from json.Marshal:\n got %s\nwant %s", got, want)
	}
}

type (
	detailString string
	detailInt    int
	detailStruct struct {
		A string `json:"a"`
		B int    `json:"b,omitempty"`
	}
)

// detailMarshaler returns its own JSON, which json.Marshal compacts and
// HTML-escapes.
type detailMarshaler string

func (m detailMarshaler) MarshalJSON() ([]byte, error) { return []byte(m), nil }

// detailValues are Detail values of every kind json.Marshal treats apart.
var detailValues = map[string]any{
	"nil": nil, "string": "<a&b>\u2028\xff", "empty": "", "true": true, "false": false,
	"int": -42, "int8": int8(-8), "int16": int16(16), "int32": int32(math.MinInt32), "int64": int64(math.MinInt64),
	"uint": uint(7), "uint8": uint8(255), "uint16": uint16(65535), "uint32": uint32(math.MaxUint32),
	"uint64": uint64(math.MaxUint64), "uintptr": uintptr(9),
	"float64": 1.5, "float0": 0.0, "negzero": math.Copysign(0, -1), "big": 1e21, "justbelow": 999999999999999999999.0,
	"tiny": 1e-7, "small": 1e-6, "third": 1.0 / 3, "maxfloat": math.MaxFloat64, "float32": float32(0.1),
	"float32big": float32(1e21), "number": json.Number("12.50"),
	"raw": json.RawMessage(`{ "b" : "<", "a" : [ 1 , 2 ] }`), "marshaler": detailMarshaler(` "&" `),
	"named": detailString("<x>"), "namedint": detailInt(3), "struct": detailStruct{A: "\u2029"},
	"structptr": &detailStruct{B: 1}, "nilptr": (*detailStruct)(nil), "nilmap": map[string]any(nil),
	"emptymap": map[string]any{}, "nested": map[string]any{"z": 1, "a": []any{nil, "x", 2.5, map[string]int{"k": 1}}},
	"nilslice": []string(nil), "emptyslice": []string{}, "anys": []any{true, "<", -0.5}, "bytes": []byte("hi<"),
	"time": time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC), "sirdtime": sird.At(time.Unix(1700000000, 5e8)),
	"intkeys": map[int]string{10: "a", 9: "b", -1: "c"},
}

func TestEventDocMatchesEncodingJSON(t *testing.T) {
	if !eventCodecOn() {
		t.Skip("the codec is off (see TestEventCodecLayout)")
	}
	at := sird.At(time.Unix(1700000000, 123456789).UTC())
	tests := []struct {
		name string
		e    *sird.Event
	}{
		{"zero", &sird.Event{}},
		{"realistic", benchEvent()},
		{"empty strings", &sird.Event{Resources: []string{""}, Detail: map[string]any{"": ""},
			Recipients: []sird.Recipient{{}}}},
		{"nil resources", &sird.Event{ID: "e", Resources: nil}},
		{"empty resources", &sird.Event{ID: "e", Resources: []string{}}},
		{"nil detail", &sird.Event{Detail: nil}},
		{"empty detail", &sird.Event{Detail: map[string]any{}}},
		{"nil recipients", &sird.Event{Recipients: nil}},
		{"empty recipients", &sird.Event{Recipients: []sird.Recipient{}}},
		{"recipient preferences", &sird.Event{Recipients: []sird.Recipient{
			{Email: "a", Preferences: nil}, {Email: "b", Preferences: []string{}},
			{Email: "c", Name: "C", Preferences: []string{"", sird.EventCaseClosed, "<&>"}},
		}}},
		{"omitempty members", &sird.Event{CaseID: "1", CaseTitle: "t", Membership: "m-1"}},
		{"html", &sird.Event{ID: "<script>", Type: "a&b", Summary: "</x>", CaseTitle: "<&>",
			Detail: map[string]any{"<": ">", "&": "&amp;"}}},
		{"line separators", &sird.Event{Summary: "\u2028\u2029", Detail: map[string]any{"\u2028": "\u2029"}}},
		{"invalid utf8", &sird.Event{Summary: "bad \xff \xc3", Principal: "\xed\xa0\x80",
			Detail: map[string]any{"\xff": "\xfe", "\ufffd": "same as the key before once escaped"}}},
		{"control chars", &sird.Event{Summary: "\x00\x01\x1f\x7f\b\f\n\r\t\"\\/",
			Detail: map[string]any{"\n": "\x00"}}},
		{"key order", &sird.Event{Detail: map[string]any{
			"b": 1, "a": 2, "B": 3, "aa": 4, "é": 5, "Z": 6, "": 7, "a\x00": 8, "\x7f": 9, "~": 10,
		}}},
		{"detail kinds", &sird.Event{Detail: detailValues}},
		{"zero time", &sird.Event{Time: sird.Time{}}},
		{"nanosecond time", &sird.Event{Time: sird.At(time.Unix(1700000000, 1).UTC())}},
		{"negative time", &sird.Event{Time: sird.At(time.Unix(-2, 250000000))}},
		{"far time", &sird.Event{Time: sird.At(time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC))}},
		{"full", &sird.Event{ID: "e-1", Type: sird.EventCaseClosed, Time: at, AccountID: "111111111111",
			Region: "us-east-1", Resources: []string{"arn:a", "arn:b"}, Principal: "p", CaseID: "1", CaseTitle: "t",
			Membership: "m", Summary: "s", Detail: map[string]any{"k": "v"},
			Recipients: []sird.Recipient{{Email: "a@example.com", Name: "A", Preferences: []string{"x"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEventDoc(t, tt.e)
		})
	}
	// Each Detail kind on its own too, so a failure names it.
	for k, v := range detailValues {
		t.Run("detail="+k, func(t *testing.T) {
			checkEventDoc(t, &sird.Event{Detail: map[string]any{k: v}})
		})
	}
}

// Values json.Marshal refuses must fail, and encodeEventDoc must return
// encoding/json's own error.
func TestEventDocErrors(t *testing.T) {
	tests := []struct {
		name string
		v    any
	}{
		{"NaN", math.NaN()},
		{"Inf", math.Inf(1)},
		{"float32 Inf", float32(math.Inf(-1))},
		{"chan", make(chan int)},
		{"func", func() {}},
		{"nested NaN", map[string]any{"x": []any{math.NaN()}}},
		{"bad marshaler", detailMarshaler(`{`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &sird.Event{ID: "e", Detail: map[string]any{"a": "first", "v": tt.v}}
			checkEventDoc(t, e)
			_, wantErr := encodeJSON("event", e)
			_, err := encodeEventDoc(e)
			if err == nil || wantErr == nil || err.Error() != wantErr.Error() {
				t.Fatalf("encodeEventDoc: got error %v, want %v", err, wantErr)
			}
		})
	}
}

func TestEditDocMatchesEncodingJSON(t *testing.T) {
	if !editCodecOn() {
		t.Skip("the codec is off (see TestEventCodecLayout)")
	}
	tests := []struct {
		name string
		e    *sird.CaseEdit
	}{
		{"zero", &sird.CaseEdit{}},
		{"realistic", benchEdit()},
		{"seq is not encoded", &sird.CaseEdit{Seq: math.MaxInt64, Action: "a"}},
		{"html", &sird.CaseEdit{Principal: "<p>", Action: "a&b", Message: "</script>"}},
		{"line separators", &sird.CaseEdit{Message: "x\u2028y\u2029z"}},
		{"invalid utf8", &sird.CaseEdit{Message: "bad \xff utf8 \xc3", Principal: "\xed\xa0\x80"}},
		{"control chars", &sird.CaseEdit{Message: "\x00\x01\x1f\x7f\b\f\n\r\t\"\\"}},
		{"non-ASCII", &sird.CaseEdit{Message: "é中\U0001F600\ufffd"}},
		{"nanosecond time", &sird.CaseEdit{EventTimestamp: sird.At(time.Unix(1700000000, 1))}},
		{"negative time", &sird.CaseEdit{EventTimestamp: sird.At(time.Unix(-1, 999999999))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEditDoc(t, tt.e)
		})
	}
}

// randDetailValue returns a value of a kind the fast path writes itself, or
// one it leaves to json.Marshal, nesting up to depth.
func randDetailValue(r *rand.Rand, depth int) any {
	switch r.IntN(12) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return r.Int64() - r.Int64()
	case 3:
		return r.IntN(2000) - 1000
	case 4:
		return r.Uint64()
	case 5:
		return math.Float64frombits(r.Uint64()) // NaN and Inf too: both must fail
	case 6:
		return (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(50)-25))
	case 7:
		if depth > 0 {
			return randDetail(r, depth-1)
		}
	case 8:
		if depth > 0 {
			return randList(r, func() any { return randDetailValue(r, depth-1) })
		}
	}
	return randString(r)
}

func randDetail(r *rand.Rand, depth int) map[string]any {
	switch r.IntN(5) {
	case 0:
		return nil
	case 1:
		return map[string]any{}
	}
	m := map[string]any{}
	for range r.IntN(10) {
		m[randString(r)] = randDetailValue(r, depth)
	}
	return m
}

func randEvent(r *rand.Rand) *sird.Event {
	s := func() string { return randString(r) }
	return &sird.Event{
		ID: s(), Type: s(), Time: randTime(r), AccountID: s(), Region: s(), Resources: randList(r, s),
		Principal: s(), CaseID: s(), CaseTitle: s(), Membership: s(), Summary: s(), Detail: randDetail(r, 2),
		Recipients: randList(r, func() sird.Recipient {
			return sird.Recipient{Email: s(), Name: s(), Preferences: randList(r, s)}
		}),
	}
}

func randEdit(r *rand.Rand) *sird.CaseEdit {
	return &sird.CaseEdit{Seq: r.Int64(), EventTimestamp: randTime(r), Principal: randString(r),
		Action: randString(r), Message: randString(r)}
}

func TestEventDocRandom(t *testing.T) {
	if !eventCodecOn() || !editCodecOn() {
		t.Skip("a codec is off (see TestEventCodecLayout)")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 5000 {
		checkEventDoc(t, randEvent(r))
		checkEditDoc(t, randEdit(r))
	}
}

// encodeEventDoc and encodeEditDoc, pooled buffers included, return
// encodeJSON's documents: a string handed out must not change when its
// buffer is reused.
func TestEncodeEventDoc(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var prev []string
	var want []string
	for range 200 {
		e, ed := randEvent(r), randEdit(r)
		wantE, errE := encodeJSON("event", e)
		gotE, err := encodeEventDoc(e)
		if (err != nil) != (errE != nil) || gotE != wantE {
			t.Fatalf("encodeEventDoc: got %q, %v; want %q, %v", gotE, err, wantE, errE)
		}
		wantEd, _ := encodeJSON("case edit", ed)
		gotEd, err := encodeEditDoc(ed)
		if err != nil || gotEd != wantEd {
			t.Fatalf("encodeEditDoc: got %q, %v; want %q", gotEd, err, wantEd)
		}
		prev = append(prev, gotE, gotEd)
		want = append(want, wantE, wantEd)
	}
	for i := range prev {
		if prev[i] != want[i] {
			t.Fatalf("document %d changed after its buffer was reused:\n got %q\nwant %q", i, prev[i], want[i])
		}
	}
}

func FuzzEventDoc(f *testing.F) {
	f.Add("e-1", sird.EventCaseCreated, "arn:aws:iam::1:user/p", "Case <title> & more", "caseId", "1",
		"message", "a\u2028b", "a@example.com", "A", int64(1700000000), int64(1))
	f.Add("", "", "", "", "", "", "", "", "", "", int64(0), int64(0))
	f.Add("\xff", "\x00", "\\\"", "\ufffd", "\xff", "\xfe", "\xff", "", "\t", "\u2029", int64(-1), int64(999999999))
	f.Add("x", "y", "z", "", "b", "1", "a", "2", "", "", int64(-62135596800), int64(0))
	f.Fuzz(func(t *testing.T, id, typ, principal, title, k1, v1, k2, v2, email, name string, sec, nsec int64) {
		e := &sird.Event{
			ID: id, Type: typ, Time: sird.At(time.Unix(sec, nsec)), Principal: principal, CaseTitle: title,
			Resources: []string{id, title}, Summary: v2,
			Detail: map[string]any{k1: v1, k2: v2, v1: len(k1), "n": nil, "b": k1 < k2},
		}
		if email != "" || name != "" {
			e.Recipients = []sird.Recipient{{Email: email, Name: name}, {Email: name, Preferences: []string{k1, v1}}}
		}
		checkEventDoc(t, e)
		checkEditDoc(t, &sird.CaseEdit{EventTimestamp: e.Time, Principal: principal, Action: k1, Message: v1})
	})
}

// benchEvent is the event Service.recordChange writes for a case creation
// (svc_case.go): seven string Detail members, the watcher and the
// membership's team as recipients.
func benchEvent() *sird.Event {
	now := sird.At(time.Unix(1700000000, 123456789).UTC())
	id := "0000000042"
	arn := sird.CaseARN(benchRegion, benchAccount, id)
	principal := "arn:aws:iam::111111111111:user/analyst"
	title := "Suspicious IAM access key usage"
	msg := "Case created by " + principal + ": " + title + " (resolver " + sird.ResolverSelf +
		", engagement Security Incident)"
	return &sird.Event{
		ID: "018bcfe5-6a3b-7c2d-9e4f-0123456789ab", Type: sird.EventCaseCreated, Time: now,
		AccountID: benchAccount, Region: benchRegion, Resources: []string{arn}, Principal: principal,
		CaseID: id, CaseTitle: title, Summary: msg,
		Detail: map[string]any{
			"caseId": id, "caseArn": arn, "caseStatus": sird.StatusSubmitted, "resolverType": sird.ResolverSelf,
			"engagementType": "Security Incident", "action": "CaseCreated", "message": msg,
		},
		Recipients: []sird.Recipient{
			{Email: "analyst1@example.com", Name: "Analyst 1"},
			{Email: "one@example.com", Name: "One"},
			{Email: "two@example.com", Name: "Two", Preferences: []string{sird.EventCaseCreated, sird.EventCaseClosed}},
		},
	}
}

// benchEdit is the history entry written with benchEvent.
func benchEdit() *sird.CaseEdit {
	e := benchEvent()
	return &sird.CaseEdit{Seq: 1, EventTimestamp: e.Time, Principal: e.Principal, Action: "CaseCreated", Message: e.Summary}
}

func BenchmarkEventDoc(b *testing.B) {
	e := benchEvent()
	b.Run("codec=encodingjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeJSON("event", e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec=fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeEventDoc(e); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEditDoc(b *testing.B) {
	e := benchEdit()
	b.Run("codec=encodingjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeJSON("case edit", e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("codec=fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeEditDoc(e); err != nil {
				b.Fatal(err)
			}
		}
	})
}
