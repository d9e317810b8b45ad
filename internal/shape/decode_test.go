package shape

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

func mustOp(tb testing.TB, name string) *Operation {
	tb.Helper()
	op := LookupOperation(name)
	if op == nil {
		tb.Fatalf("no operation %s", name)
	}
	return op
}

func asError(tb testing.TB, err error) *sird.Error {
	tb.Helper()
	var se *sird.Error
	if !errors.As(err, &se) {
		tb.Fatalf("error %v (%T) is not a *sird.Error", err, err)
	}
	return se
}

// createCaseWith returns createCaseBody with one member replaced by raw JSON.
func createCaseWith(tb testing.TB, member, raw string) []byte {
	tb.Helper()
	tree, perr := parseBody([]byte(createCaseBody))
	if perr != nil {
		tb.Fatal(perr)
	}
	sub, perr := parseBody([]byte(`{"v":` + raw + `}`))
	if perr != nil {
		tb.Fatal(perr)
	}
	tree[member] = sub["v"]
	return appendAny(nil, tree)
}

func TestDecodeCannotParse(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 33) + "1" + strings.Repeat("}", 33)
	deepArr := `{"a":` + strings.Repeat("[", 32) + strings.Repeat("]", 32) + "}"
	tests := []struct {
		name, body string
		want       []string // substrings of the message
	}{
		{"truncated", `{"title":`, []string{"unexpected end of input", "offset 9"}},
		{"array", `[]`, []string{"not a JSON object"}},
		{"string", `"x"`, []string{"not a JSON object"}},
		{"null", `null`, []string{"not a JSON object"}},
		{"number", `12`, []string{"not a JSON object"}},
		{"garbage", `hello`, []string{"invalid character 'h'", "offset 0"}},
		{"trailing object", `{} {}`, []string{"unexpected data after the JSON object", "offset 3"}},
		{"trailing text", `{}x`, []string{"unexpected data", "offset 2"}},
		{"invalid UTF-8", "{\"title\":\"ab\xff\"}", []string{"invalid UTF-8", "offset 12"}},
		{"invalid UTF-8 after escape", "{\"title\":\"\\n\xc3\"}", []string{"invalid UTF-8"}},
		{"invalid UTF-8 in key", "{\"\xfe\":1}", []string{"invalid UTF-8"}},
		{"lone surrogate", `{"title":"\ud800"}`, []string{"unpaired surrogate"}},
		{"reversed surrogates", `{"title":"\udc00\ud800"}`, []string{"unpaired surrogate"}},
		{"duplicate key", `{"title":"a","title":"b"}`, []string{`duplicate key "title"`, "offset 13"}},
		{"duplicate key by escape", `{"title":"a","\u0074itle":"b"}`, []string{`duplicate key "title"`}},
		{"duplicate nested key", `{"x":{"a":1,"a":1}}`, []string{`duplicate key "a"`}},
		{"too deep objects", deep, []string{"nesting deeper than 32 levels"}},
		{"too deep arrays", `{"a":` + strings.Repeat("[", 32) + strings.Repeat("]", 32) + "}", []string{"nesting deeper than 32"}},
		{"control character", "{\"title\":\"a\nb\"}", []string{"control character"}},
		{"bad escape", `{"title":"\x"}`, []string{"invalid escape"}},
		{"bad unicode escape", `{"title":"\u12g4"}`, []string{`invalid \u escape`}},
		{"byte order mark", "\xef\xbb\xbf{}", []string{"invalid character"}},
		{"leading zero", `{"a":01}`, []string{"invalid character '1'"}},
		{"bare minus", `{"a":-}`, []string{"in a number"}},
		{"dot without digits", `{"a":1.}`, []string{"after a decimal point"}},
		{"exponent without digits", `{"a":1e}`, []string{"in an exponent"}},
		{"trailing comma", `{"a":1,}`, []string{"looking for an object key"}},
		{"trailing comma in array", `{"a":[1,]}`, []string{"looking for a value"}},
		{"single quotes", `{'a':1}`, []string{"looking for an object key"}},
		{"NaN", `{"a":NaN}`, []string{"invalid character 'N'"}},
		{"bad literal", `{"a":tru}`, []string{"in literal true"}},
		{"missing colon", `{"a" 1}`, []string{"after an object key"}},
		{"missing comma", `{"a":1 "b":2}`, []string{"after an object value"}},
		{"unterminated string", `{"a":"abc`, []string{"end of input in a string"}},
		{"unterminated escaped string", `{"a":"a\n`, []string{"end of input in a string"}},
	}
	if len(deepArr) == 0 {
		t.Fatal()
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, opName := range []string{"CreateCase", "UpdateCase", "GetCase"} {
				err := Decode(mustOp(t, opName), map[string]string{"caseId": "1234567890"}, nil, []byte(tt.body), nil)
				se := asError(t, err)
				if se.Code != sird.ErrValidation || se.Reason != sird.ReasonCannotParse || len(se.Fields) != 0 {
					t.Fatalf("%s: got %+v, want ValidationException CANNOT_PARSE", opName, se)
				}
				for _, w := range tt.want {
					if !strings.Contains(se.Message, w) {
						t.Errorf("%s: message %q lacks %q", opName, se.Message, w)
					}
				}
			}
		})
	}
}

func TestDecodeAcceptsEdges(t *testing.T) {
	op := mustOp(t, "UpdateCase")
	labels := map[string]string{"caseId": "1234567890"}
	for name, body := range map[string]string{
		"empty":           ``,
		"whitespace":      " \n\t\r ",
		"empty object":    `{}`,
		"depth 32":        `{"a":` + strings.Repeat("[", 31) + strings.Repeat("]", 31) + "}",
		"unknown members": `{"zzz":{"deep":[1,2,{"x":null}]},"Title":7}`,
		"surrogate pair":  `{"title":"\ud83d\ude00"}`,
		"escapes":         `{"title":"a\"\\\/\b\f\n\r\t\u00e9"}`,
		"null member":     `{"title":null}`,
		"numbers":         `{"x":[0,-0,1.5e10,-2E-3,123456789012345678901234567890]}`,
	} {
		t.Run(name, func(t *testing.T) {
			if err := Decode(op, labels, nil, []byte(body), nil); err != nil {
				t.Errorf("Decode(%q) = %v, want nil", body, err)
			}
		})
	}
}

func TestDecodeEmptyBodyIsEmptyObject(t *testing.T) {
	err := Decode(mustOp(t, "CreateCase"), nil, nil, nil, nil)
	se := asError(t, err)
	if se.Reason != sird.ReasonFieldValidationFailed {
		t.Fatalf("reason = %s, want FIELD_VALIDATION_FAILED", se.Reason)
	}
	var names []string
	for _, f := range se.Fields {
		names = append(names, f.Name)
	}
	// Model member order, each one missing.
	want := []string{"resolverType", "title", "description", "engagementType", "reportedIncidentStartDate", "impactedAccounts", "watchers"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("fields = %v, want %v", names, want)
	}
	if !strings.HasPrefix(se.Message, "7 validation errors detected: resolverType: Value null at 'resolverType'") {
		t.Errorf("message = %q", se.Message)
	}
}

func TestDecodeFieldErrors(t *testing.T) {
	team := func(n int, bad string) string {
		parts := make([]string, n)
		for i := range parts {
			email := "a@b.co"
			if i == n-1 {
				email = bad
			}
			parts[i] = `{"name":"Ann","jobTitle":"SRE","email":"` + email + `"}`
		}
		return `[` + strings.Join(parts, ",") + `]`
	}
	tests := []struct {
		name   string
		op     string
		labels map[string]string
		query  url.Values
		body   []byte
		want   sird.FieldError
	}{
		{"title too long", "CreateCase", nil, nil, createCaseWith(t, "title", `"`+strings.Repeat("x", 301)+`"`),
			sird.FieldError{Name: "title", Message: "Value at 'title' failed to satisfy constraint: Member must have length less than or equal to 300"}},
		{"title counted in code points", "CreateCase", nil, nil, createCaseWith(t, "title", `"`+strings.Repeat("é", 301)+`"`),
			sird.FieldError{Name: "title", Message: "Value at 'title' failed to satisfy constraint: Member must have length less than or equal to 300"}},
		{"title null", "CreateCase", nil, nil, createCaseWith(t, "title", `null`),
			sird.FieldError{Name: "title", Message: "Value null at 'title' failed to satisfy constraint: Member must not be null"}},
		{"enum", "CreateCase", nil, nil, createCaseWith(t, "resolverType", `"Other"`),
			sird.FieldError{Name: "resolverType", Message: "Value at 'resolverType' failed to satisfy constraint: Member must satisfy enum value set: [AWS, Self]"}},
		{"third watcher email", "CreateCase", nil, nil, createCaseWith(t, "watchers", `[{"email":"a@b.co"},{"email":"c@d.co"},{"email":"nope!!"}]`),
			sird.FieldError{Name: "watchers.3.email", Message: "Value at 'watchers.3.email' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*"}},
		{"watcher null", "CreateCase", nil, nil, createCaseWith(t, "watchers", `[{"email":"a@b.co"},null]`),
			sird.FieldError{Name: "watchers.2", Message: "Value null at 'watchers.2' failed to satisfy constraint: Member must not be null"}},
		{"tag value", "CreateCase", nil, nil, createCaseWith(t, "tags", `{"myKey":"`+strings.Repeat("v", 257)+`"}`),
			sird.FieldError{Name: "tags.myKey", Message: "Value at 'tags.myKey' failed to satisfy constraint: Member must have length less than or equal to 256"}},
		{"tag value null", "CreateCase", nil, nil, createCaseWith(t, "tags", `{"myKey":null}`),
			sird.FieldError{Name: "tags.myKey", Message: "Value null at 'tags.myKey' failed to satisfy constraint: Member must not be null"}},
		{"tag key", "CreateCase", nil, nil, createCaseWith(t, "tags", `{"":"v"}`),
			sird.FieldError{Name: "tags", Message: "Value at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length greater than or equal to 1]"}},
		{"team too small", "UpdateMembership", map[string]string{"membershipId": "m-0123456789"}, nil, []byte(`{"incidentResponseTeam":` + team(1, "a@b.co") + `}`),
			sird.FieldError{Name: "incidentResponseTeam", Message: "Value at 'incidentResponseTeam' failed to satisfy constraint: Member must have length greater than or equal to 2"}},
		{"team too big", "UpdateMembership", map[string]string{"membershipId": "m-0123456789"}, nil, []byte(`{"incidentResponseTeam":` + team(11, "a@b.co") + `}`),
			sird.FieldError{Name: "incidentResponseTeam", Message: "Value at 'incidentResponseTeam' failed to satisfy constraint: Member must have length less than or equal to 10"}},
		{"team email", "UpdateMembership", map[string]string{"membershipId": "m-0123456789"}, nil, []byte(`{"incidentResponseTeam":` + team(2, "a@b.c") + `}`),
			sird.FieldError{Name: "incidentResponseTeam.2.email", Message: "Value at 'incidentResponseTeam.2.email' failed to satisfy constraint: Member must have length greater than or equal to 6"}},
		{"label too long", "GetCase", map[string]string{"caseId": strings.Repeat("1", 33)}, nil, nil,
			sird.FieldError{Name: "caseId", Message: "Value at 'caseId' failed to satisfy constraint: Member must have length less than or equal to 32"}},
		{"label empty", "GetCase", map[string]string{"caseId": ""}, nil, nil,
			sird.FieldError{Name: "caseId", Message: "Value null at 'caseId' failed to satisfy constraint: Member must not be null"}},
		{"label missing", "GetCase", nil, nil, nil,
			sird.FieldError{Name: "caseId", Message: "Value null at 'caseId' failed to satisfy constraint: Member must not be null"}},
		{"range", "GetCaseAttachmentUploadUrl", map[string]string{"caseId": "1234567890"}, nil, []byte(`{"fileName":"a","contentLength":0}`),
			sird.FieldError{Name: "contentLength", Message: "Value at 'contentLength' failed to satisfy constraint: Member must have value greater than or equal to 1"}},
		{"query integer not a number", "ListInvestigations", map[string]string{"caseId": "1234567890"}, url.Values{"maxResults": {"abc"}}, nil,
			sird.FieldError{Name: "maxResults", Message: "Expected an integer in the query string"}},
		{"query integer empty", "ListInvestigations", map[string]string{"caseId": "1234567890"}, url.Values{"maxResults": {""}}, nil,
			sird.FieldError{Name: "maxResults", Message: "Expected an integer in the query string"}},
		{"query integer range", "ListInvestigations", map[string]string{"caseId": "1234567890"}, url.Values{"maxResults": {"26"}}, nil,
			sird.FieldError{Name: "maxResults", Message: "Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25"}},
		{"query integer beyond int32", "ListInvestigations", map[string]string{"caseId": "1234567890"}, url.Values{"maxResults": {"9999999999"}}, nil,
			sird.FieldError{Name: "maxResults", Message: "Expected a JSON integer between -2147483648 and 2147483647, got 9999999999"}},
		{"query list missing", "UntagResource", map[string]string{"resourceArn": labelExamples["resourceArn"]}, nil, nil,
			sird.FieldError{Name: "tagKeys", Message: "Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"}},
		{"query list element", "UntagResource", map[string]string{"resourceArn": labelExamples["resourceArn"]}, url.Values{"tagKeys": {"a", ""}}, nil,
			sird.FieldError{Name: "tagKeys.2", Message: "Value at 'tagKeys.2' failed to satisfy constraint: Member must have length greater than or equal to 1"}},
		// Wrong JSON types.
		{"number for string", "CreateCase", nil, nil, createCaseWith(t, "title", `5`),
			sird.FieldError{Name: "title", Message: "Expected a JSON string, got a number"}},
		{"string for list", "CreateCase", nil, nil, createCaseWith(t, "impactedAccounts", `"123456789012"`),
			sird.FieldError{Name: "impactedAccounts", Message: "Expected a JSON array, got a string"}},
		{"number in string list", "CreateCase", nil, nil, createCaseWith(t, "impactedAccounts", `["123456789012", 5]`),
			sird.FieldError{Name: "impactedAccounts.2", Message: "Expected a JSON string, got a number"}},
		{"array for structure", "CreateCase", nil, nil, createCaseWith(t, "watchers", `[[]]`),
			sird.FieldError{Name: "watchers.1", Message: "Expected a JSON object, got an array"}},
		{"array for map", "CreateCase", nil, nil, createCaseWith(t, "tags", `[]`),
			sird.FieldError{Name: "tags", Message: "Expected a JSON object, got an array"}},
		{"string for timestamp", "CreateCase", nil, nil, createCaseWith(t, "reportedIncidentStartDate", `"2024-01-01T00:00:00Z"`),
			sird.FieldError{Name: "reportedIncidentStartDate", Message: "Expected a JSON number of epoch seconds, got a string"}},
		{"timestamp out of range", "CreateCase", nil, nil, createCaseWith(t, "reportedIncidentStartDate", `1e300`),
			sird.FieldError{Name: "reportedIncidentStartDate", Message: "Value at 'reportedIncidentStartDate' failed to satisfy constraint: Member must be a timestamp between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z"}},
		{"timestamp infinite", "CreateCase", nil, nil, createCaseWith(t, "reportedIncidentStartDate", `1e999`),
			sird.FieldError{Name: "reportedIncidentStartDate", Message: "Value at 'reportedIncidentStartDate' failed to satisfy constraint: Member must be a timestamp between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z"}},
		{"string for boolean", "UpdateMembership", map[string]string{"membershipId": "m-0123456789"}, nil, []byte(`{"undoMembershipCancellation":"true"}`),
			sird.FieldError{Name: "undoMembershipCancellation", Message: "Expected a JSON boolean, got a string"}},
		{"fractional integer", "ListCases", nil, nil, []byte(`{"maxResults":1.5}`),
			sird.FieldError{Name: "maxResults", Message: "Expected a JSON integer between -2147483648 and 2147483647, got 1.5"}},
		{"integer with exponent", "ListCases", nil, nil, []byte(`{"maxResults":1e1}`),
			sird.FieldError{Name: "maxResults", Message: "Expected a JSON integer between -2147483648 and 2147483647, got 1e1"}},
		{"integer beyond int32", "ListCases", nil, nil, []byte(`{"maxResults":2147483648}`),
			sird.FieldError{Name: "maxResults", Message: "Expected a JSON integer between -2147483648 and 2147483647, got 2147483648"}},
		{"long beyond int64", "GetCaseAttachmentUploadUrl", map[string]string{"caseId": "1234567890"}, nil, []byte(`{"fileName":"a","contentLength":9223372036854775808}`),
			sird.FieldError{Name: "contentLength", Message: "Expected a JSON integer between -9223372036854775808 and 9223372036854775807, got 9223372036854775808"}},
		{"boolean for string", "CreateCase", nil, nil, createCaseWith(t, "title", `true`),
			sird.FieldError{Name: "title", Message: "Expected a JSON string, got a boolean"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Decode(mustOp(t, tt.op), tt.labels, tt.query, tt.body, nil)
			se := asError(t, err)
			if se.Code != sird.ErrValidation || se.Reason != sird.ReasonFieldValidationFailed {
				t.Fatalf("got %+v, want FIELD_VALIDATION_FAILED", se)
			}
			if !reflect.DeepEqual(se.Fields, []sird.FieldError{tt.want}) {
				t.Errorf("fields = %q, want [%q]", se.Fields, tt.want)
			}
		})
	}
}

func TestDecodeFillsOut(t *testing.T) {
	t.Run("CreateCase", func(t *testing.T) {
		var in createCaseInput
		if err := Decode(mustOp(t, "CreateCase"), nil, nil, []byte(createCaseBody), &in); err != nil {
			t.Fatal(err)
		}
		if in.Title != "Suspicious API calls from unknown IP addresses in production" || len(in.Watchers) != 2 ||
			in.Watchers[1].Email != "ciso@example.com" || in.Tags["ticket"] != "SEC-4821" ||
			in.ImpactedAwsRegions[1].Region != "eu-west-1" || *in.ThreatActorIPAddresses[0].UserAgent != "aws-cli/2.15.0 Python/3.11" {
			t.Errorf("decoded %+v", in)
		}
		if want := time.Unix(1718000000, 250000000).UTC(); !in.ReportedIncidentStartDate.Equal(want) {
			t.Errorf("reportedIncidentStartDate = %v, want %v", in.ReportedIncidentStartDate, want)
		}
	})
	t.Run("unknown members never reach fields", func(t *testing.T) {
		// encoding/json would match "TITLE" and "Email" case-insensitively.
		body := createCaseWith(t, "TITLE", `"`+strings.Repeat("x", 5000)+`"`)
		body = []byte(strings.Replace(string(body), `"email":"ciso@example.com"`, `"email":"ciso@example.com","Email":"evil"`, 1))
		var in createCaseInput
		if err := Decode(mustOp(t, "CreateCase"), nil, nil, body, &in); err != nil {
			t.Fatal(err)
		}
		if in.Title != "Suspicious API calls from unknown IP addresses in production" {
			t.Errorf("title = %q: an unknown member overwrote it", in.Title)
		}
		if in.Watchers[1].Email != "ciso@example.com" {
			t.Errorf("email = %q: an unknown member overwrote it", in.Watchers[1].Email)
		}
	})
	t.Run("label wins over body copy", func(t *testing.T) {
		var in updateCaseInput
		err := Decode(mustOp(t, "UpdateCase"), map[string]string{"caseId": "1234567890"}, nil, []byte(`{"caseId":5,"title":"T"}`), &in)
		if err != nil {
			t.Fatal(err)
		}
		if in != (updateCaseInput{CaseID: "1234567890", Title: "T"}) {
			t.Errorf("decoded %+v", in)
		}
	})
	t.Run("repeated tagKeys", func(t *testing.T) {
		var in untagInput
		q := url.Values{"tagKeys": {"team", "ticket"}, "other": {"x"}}
		if err := Decode(mustOp(t, "UntagResource"), map[string]string{"resourceArn": labelExamples["resourceArn"]}, q, nil, &in); err != nil {
			t.Fatal(err)
		}
		want := untagInput{ResourceArn: labelExamples["resourceArn"], TagKeys: []string{"team", "ticket"}}
		if !reflect.DeepEqual(in, want) {
			t.Errorf("decoded %+v, want %+v", in, want)
		}
	})
	t.Run("query integer", func(t *testing.T) {
		var in listInvestigationsInput
		q := url.Values{"maxResults": {"25"}, "nextToken": {"abc"}}
		if err := Decode(mustOp(t, "ListInvestigations"), map[string]string{"caseId": "1234567890"}, q, nil, &in); err != nil {
			t.Fatal(err)
		}
		if in.MaxResults == nil || *in.MaxResults != 25 || in.NextToken == nil || *in.NextToken != "abc" || in.CaseID != "1234567890" {
			t.Errorf("decoded %+v", in)
		}
	})
	t.Run("struct without label fields", func(t *testing.T) {
		var in struct {
			Title string `json:"title"`
		}
		if err := Decode(mustOp(t, "UpdateCase"), map[string]string{"caseId": "1234567890"}, nil, []byte(`{"title":"T"}`), &in); err != nil || in.Title != "T" {
			t.Errorf("Decode = %v, %+v", err, in)
		}
	})
	t.Run("out not a struct pointer", func(t *testing.T) {
		var in updateCaseInput
		err := Decode(mustOp(t, "UpdateCase"), map[string]string{"caseId": "1234567890"}, nil, []byte(`{"title":"T"}`), in)
		if se := asError(t, err); se.Code != sird.ErrInternal {
			t.Errorf("got %v, want an internal error", err)
		}
	})
	t.Run("out type disagrees with model", func(t *testing.T) {
		var in struct {
			Title int `json:"title"`
		}
		err := Decode(mustOp(t, "UpdateCase"), map[string]string{"caseId": "1234567890"}, nil, []byte(`{"title":"T"}`), &in)
		if se := asError(t, err); se.Code != sird.ErrInternal {
			t.Errorf("got %v, want an internal error", err)
		}
	})
	t.Run("nil operation", func(t *testing.T) {
		if se := asError(t, Decode(nil, nil, nil, nil, nil)); se.Code != sird.ErrInternal {
			t.Errorf("got %v, want an internal error", se)
		}
	})
}

func TestDecodeCapsFieldList(t *testing.T) {
	accounts := strings.TrimSuffix(strings.Repeat(`"x",`, 1000), ",")
	err := Decode(mustOp(t, "CreateCase"), nil, nil, createCaseWith(t, "impactedAccounts", "["+accounts+"]"), nil)
	se := asError(t, err)
	if len(se.Fields) != maxFieldErrors {
		t.Errorf("len(fields) = %d, want %d", len(se.Fields), maxFieldErrors)
	}
	if se.Fields[0].Name != "impactedAccounts" {
		t.Errorf("first field = %v, want the list size violation", se.Fields[0])
	}
}
