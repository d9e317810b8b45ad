package shape

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/sird-project/sird"
)

func tree(tb testing.TB, s string) map[string]any {
	tb.Helper()
	m, err := parseBody([]byte(s))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func fieldNames(fs []sird.FieldError) []string {
	var names []string
	for _, f := range fs {
		names = append(names, f.Name)
	}
	return names
}

func TestValidateReportsEveryViolationInModelOrder(t *testing.T) {
	v := tree(t, `{"membershipName":"x","incidentResponseTeam":[{"name":"Al","jobTitle":"","email":"bad"},{"name":"Bob","jobTitle":"SRE","email":"b@c.de","communicationPreferences":["Case Created","Nope"]}],"tags":{"":"v"}}`)
	got := fieldNames(Validate("CreateMembershipRequest", v))
	want := []string{
		"membershipName",
		"incidentResponseTeam.1.name",
		"incidentResponseTeam.1.jobTitle",
		"incidentResponseTeam.1.email", // length
		"incidentResponseTeam.1.email", // pattern
		"incidentResponseTeam.2.communicationPreferences.2",
		"tags",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
}

func TestValidateTopLevel(t *testing.T) {
	tests := []struct {
		name, shape string
		v           any
		want        []sird.FieldError
	}{
		{"unknown shape", "Nope", map[string]any{}, []sird.FieldError{{Name: "", Message: `unknown shape "Nope"`}}},
		{"null", "CaseTitle", nil, []sird.FieldError{{Name: "", Message: "Value null at '' failed to satisfy constraint: Member must not be null"}}},
		{"scalar", "CaseTitle", "", []sird.FieldError{{Name: "", Message: "Value at '' failed to satisfy constraint: Member must have length greater than or equal to 1"}}},
		{"valid scalar", "AWSAccountId", "123456789012", nil},
		{"300 emoji", "CaseTitle", strings.Repeat("😀", 300), nil},
		{"301 emoji", "CaseTitle", strings.Repeat("😀", 301), []sird.FieldError{{Name: "", Message: "Value at '' failed to satisfy constraint: Member must have length less than or equal to 300"}}},
		{"unsupported Go value", "CaseTitle", 5, []sird.FieldError{{Name: "", Message: "Expected a JSON string, got an unsupported value"}}},
		{"pattern unanchored", "MembershipId", "x-m-0123456789-x", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Validate(tt.shape, tt.v); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Validate = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestValidateOtherKinds covers shape types this model does not use, on
// shapes built by hand.
func TestValidateOtherKinds(t *testing.T) {
	mk := func(s Shape) *Shape {
		t.Helper()
		if err := resolveShape(&s); err != nil {
			t.Fatal(err)
		}
		return &s
	}
	str := LookupShape("String")
	union := mk(Shape{Name: "U", Kind: KindUnion, Members: []Member{{Name: "a", Target: "String"}, {Name: "b", Target: "String"}}})
	tests := []struct {
		name string
		s    *Shape
		v    any
		want []string // messages
	}{
		{"blob ok", mk(Shape{Kind: KindBlob, HasMax: true, Max: 3}), "YWJj", nil},
		{"blob too long", mk(Shape{Kind: KindBlob, HasMax: true, Max: 2}), "YWJj", []string{"Value at '' failed to satisfy constraint: Member must have length less than or equal to 2"}},
		{"blob not base64", mk(Shape{Kind: KindBlob}), "!!", []string{"Expected a base64-encoded JSON string"}},
		{"blob not string", mk(Shape{Kind: KindBlob}), json.Number("1"), []string{"Expected a JSON string, got a number"}},
		{"byte range", mk(Shape{Kind: KindByte}), json.Number("128"), []string{"Expected a JSON integer between -128 and 127, got 128"}},
		{"short ok", mk(Shape{Kind: KindShort}), json.Number("-32768"), nil},
		{"double ok", mk(Shape{Kind: KindDouble, HasMin: true, Min: 0}), json.Number("0.5"), nil},
		{"double below", mk(Shape{Kind: KindDouble, HasMin: true, Min: 1}), json.Number("0.5"), []string{"Value at '' failed to satisfy constraint: Member must have value greater than or equal to 1"}},
		{"double above", mk(Shape{Kind: KindFloat, HasMax: true, Max: 1}), json.Number("1.5"), []string{"Value at '' failed to satisfy constraint: Member must have value less than or equal to 1"}},
		{"double NaN string", mk(Shape{Kind: KindDouble}), "NaN", nil},
		{"double other string", mk(Shape{Kind: KindDouble}), "x", []string{"Expected a JSON number, got a string"}},
		{"double overflow", mk(Shape{Kind: KindDouble}), json.Number("1e999"), []string{"Expected a JSON number in the range of a double, got 1e999"}},
		{"double bool", mk(Shape{Kind: KindDouble}), true, []string{"Expected a JSON number, got a boolean"}},
		{"bigInteger", mk(Shape{Kind: KindBigInteger}), json.Number("123456789012345678901234567890"), nil},
		{"bigDecimal string", mk(Shape{Kind: KindBigDecimal}), "1", []string{"Expected a JSON number, got a string"}},
		{"document", mk(Shape{Kind: KindDocument}), []any{map[string]any{}}, nil},
		{"union one", union, map[string]any{"a": "x"}, nil},
		{"union none", union, map[string]any{"a": nil}, []string{"Value at '' failed to satisfy constraint: Member must have exactly one member set"}},
		{"union two", union, map[string]any{"a": "x", "b": "y"}, []string{"Value at '' failed to satisfy constraint: Member must have exactly one member set"}},
		{"string", str, "x", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v validator
			v.value(tt.s, tt.v)
			var got []string
			for _, e := range v.errs {
				got = append(got, e.Message)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("messages = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKinds(t *testing.T) {
	for k := KindStructure; k <= KindDocument; k++ {
		if got := KindOf(k.String()); got != k {
			t.Errorf("KindOf(%q) = %v, want %v", k.String(), got, k)
		}
	}
	if KindOf("nope") != KindUnknown || Kind(200).String() != "unknown" {
		t.Error("unknown kinds are not reported as such")
	}
}

func TestQueryScalars(t *testing.T) {
	mk := func(k Kind) *Shape { return &Shape{Kind: k} }
	tests := []struct {
		name string
		s    *Shape
		in   string
		want any
	}{
		{"integer", mk(KindInteger), "12", json.Number("12")},
		{"integer bad", mk(KindLong), "1.5", badQuery{"an integer"}},
		{"double", mk(KindDouble), "1.5", json.Number("1.5")},
		{"double bad", mk(KindDouble), "x", badQuery{"a number"}},
		{"bool", mk(KindBoolean), "false", false},
		{"bool true", mk(KindBoolean), "true", true},
		{"bool bad", mk(KindBoolean), "yes", badQuery{"true or false"}},
		{"timestamp", mk(KindTimestamp), "2024-01-01T00:00:00.5Z", json.Number("1704067200.5")},
		{"timestamp bad", mk(KindTimestamp), "yesterday", badQuery{"an RFC 3339 date-time"}},
		{"string", mk(KindString), "x y", "x y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := queryScalar(tt.s, tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("queryScalar = %#v, want %#v", got, tt.want)
			}
		})
	}
}
