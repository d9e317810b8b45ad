package shape

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/sird-project/sird"
)

// labelExamples are valid label values per label name, for building paths.
var labelExamples = map[string]string{
	"caseId":       "1234567890",
	"membershipId": "m-0123456789",
	"attachmentId": "0123abcd-0123-4567-89ab-0123456789ab",
	"resultId":     "inv-0123456789",
	"commentId":    "123456",
	"resourceArn":  "arn:aws:security-ir:us-east-1:123456789012:membership/m-0123456789",
}

// concretePath fills op's template with percent-encoded example labels.
func concretePath(tb testing.TB, op *Operation) (string, map[string]string) {
	tb.Helper()
	want := map[string]string{}
	path := op.URI
	for _, sg := range op.segs {
		if sg.label == "" {
			continue
		}
		v, ok := labelExamples[sg.label]
		if !ok {
			tb.Fatalf("no example for label %s", sg.label)
		}
		want[sg.label] = v
		path = strings.Replace(path, "{"+sg.label+"}", url.PathEscape(v), 1)
	}
	return path, want
}

func TestMatchEveryOperation(t *testing.T) {
	for _, op := range Operations() {
		t.Run(op.Name, func(t *testing.T) {
			path, want := concretePath(t, op)
			got, labels, ok := Match(op.Method, path)
			if !ok || got != op {
				t.Fatalf("Match(%s, %s) = %v, %v; want %s", op.Method, path, got, ok, op.Name)
			}
			if !reflect.DeepEqual(labels, want) {
				t.Errorf("labels = %v, want %v", labels, want)
			}
			// The decoded labels are valid members of the input.
			var se *sird.Error
			if err := Decode(op, labels, nil, nil, nil); errors.As(err, &se) {
				for _, f := range se.Fields {
					if _, isLabel := labels[f.Name]; isLabel {
						t.Errorf("label rejected: %v", f)
					}
				}
			}
		})
	}
}

func TestMatch(t *testing.T) {
	const arn = "arn:aws:security-ir:us-east-1:123456789012:membership/m-0123456789"
	tests := []struct {
		name, method, path string
		wantOp             string // "" for no match
		wantLabels         map[string]string
		wantAllowed        []string
	}{
		{"encoded ARN label", "GET", "/v1/tags/arn%3Aaws%3Asecurity-ir%3Aus-east-1%3A123456789012%3Amembership%2Fm-0123456789",
			"ListTagsForResource", map[string]string{"resourceArn": arn}, []string{"DELETE", "GET", "POST"}},
		{"lowercase escapes", "DELETE", "/v1/tags/arn%3aaws%3asecurity-ir%3aus-east-1%3a123456789012%3amembership%2fm-0123456789",
			"UntagResource", map[string]string{"resourceArn": arn}, []string{"DELETE", "GET", "POST"}},
		{"same path, GET", "GET", "/v1/membership/m-0123456789", "GetMembership",
			map[string]string{"membershipId": "m-0123456789"}, []string{"GET", "PUT"}},
		{"same path, PUT", "PUT", "/v1/membership/m-0123456789", "CancelMembership",
			map[string]string{"membershipId": "m-0123456789"}, []string{"GET", "PUT"}},
		{"two labels", "GET", "/v1/cases/1234567890/get-presigned-url/abc", "GetCaseAttachmentDownloadUrl",
			map[string]string{"caseId": "1234567890", "attachmentId": "abc"}, []string{"GET"}},
		{"plus stays plus", "GET", "/v1/cases/1+2/get-case", "GetCase", map[string]string{"caseId": "1+2"}, []string{"GET"}},
		{"query part ignored", "POST", "/v1/create-case?x=1", "CreateCase", map[string]string{}, []string{"POST"}},
		{"wrong method", "PATCH", "/v1/tags/x", "", nil, []string{"DELETE", "GET", "POST"}},
		{"wrong method literal path", "GET", "/v1/create-case", "", nil, []string{"POST"}},
		{"unknown path", "GET", "/v1/nothing", "", nil, nil},
		{"root", "GET", "/", "", nil, nil},
		{"empty", "GET", "", "", nil, nil},
		{"empty label", "GET", "/v1/cases//get-case", "", nil, nil},
		{"trailing slash", "POST", "/v1/create-case/", "", nil, nil},
		{"extra segment", "GET", "/v1/tags/a/b", "", nil, nil},
		{"bad escape", "GET", "/v1/tags/%zz", "", nil, nil},
		{"encoded slash is not a separator", "GET", "/v1/cases%2F1234567890/get-case", "", nil, nil},
		{"literal compared decoded", "POST", "/v1/create%2Dcase", "CreateCase", map[string]string{}, []string{"POST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, labels, ok := Match(tt.method, tt.path)
			if tt.wantOp == "" {
				if ok || op != nil || labels != nil {
					t.Errorf("Match = %v, %v, %v; want no match", op, labels, ok)
				}
			} else {
				if !ok || op == nil || op.Name != tt.wantOp {
					t.Fatalf("Match = %v, %v; want %s", op, ok, tt.wantOp)
				}
				if !reflect.DeepEqual(labels, tt.wantLabels) {
					t.Errorf("labels = %v, want %v", labels, tt.wantLabels)
				}
			}
			if got := AllowedMethods(tt.path); !reflect.DeepEqual(got, tt.wantAllowed) {
				t.Errorf("AllowedMethods = %v, want %v", got, tt.wantAllowed)
			}
		})
	}
}

func TestParseTemplate(t *testing.T) {
	segs, err := parseTemplate("/a/{b}/c/{d+}?x-id=y")
	want := []segment{{literal: "a"}, {label: "b"}, {literal: "c"}, {label: "d", greedy: true}}
	if err != nil || !reflect.DeepEqual(segs, want) {
		t.Errorf("parseTemplate = %v, %v; want %v", segs, err, want)
	}
	for _, bad := range []string{"a/b", "/a/x{b}"} {
		if _, err := parseTemplate(bad); err == nil {
			t.Errorf("parseTemplate(%q) succeeded, want error", bad)
		}
	}
	if n, ok := literalsMatched(want, []string{"a", "B", "c", "d1", "d2"}); !ok || n != 2 {
		t.Errorf("greedy match = %d, %v; want 2, true", n, ok)
	}
	if _, ok := literalsMatched(want, []string{"a", "B", "c"}); ok {
		t.Error("greedy label matched nothing")
	}
}
