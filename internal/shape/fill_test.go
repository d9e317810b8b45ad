package shape

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

type upper string

func (u *upper) UnmarshalText(b []byte) error { *u = upper(strings.ToUpper(string(b))); return nil }

type Base struct {
	Title string `json:"title"`
}

type tagName string

func TestFillGoTypes(t *testing.T) {
	op := mustOp(t, "CreateCase")
	body := createCaseWith(t, "tags", `{"a":"1"}`)

	t.Run("embedded pointer, named types, interfaces", func(t *testing.T) {
		var in struct {
			*Base
			Resolver upper               `json:"resolverType"`
			Accounts []any               `json:"impactedAccounts"`
			Tags     map[tagName]upper   `json:"tags"`
			Watchers []map[string]string `json:"watchers"`
			When     any                 `json:"reportedIncidentStartDate"`
		}
		if err := Decode(op, nil, nil, body, &in); err != nil {
			t.Fatal(err)
		}
		if in.Base == nil || !strings.HasPrefix(in.Title, "Suspicious") || in.Resolver != "AWS" ||
			in.Accounts[1] != "210987654321" || in.Tags["a"] != "1" || in.Watchers[0]["email"] != "secops@example.com" ||
			in.When != json.Number("1718000000.25") {
			t.Errorf("decoded %+v", in)
		}
	})
	t.Run("numbers into unsigned and float fields", func(t *testing.T) {
		var in struct {
			Len  uint64  `json:"contentLength"`
			Name *string `json:"fileName"`
		}
		err := Decode(mustOp(t, "GetCaseAttachmentUploadUrl"), map[string]string{"caseId": "1234567890"}, nil,
			[]byte(`{"fileName":"a.txt","contentLength":104857600}`), &in)
		if err != nil || in.Len != 104857600 || *in.Name != "a.txt" {
			t.Errorf("Decode = %v, %+v", err, in)
		}
		var f struct {
			Len float32 `json:"contentLength"`
		}
		err = Decode(mustOp(t, "GetCaseAttachmentUploadUrl"), map[string]string{"caseId": "1234567890"}, nil,
			[]byte(`{"fileName":"a","contentLength":5}`), &f)
		if err != nil || f.Len != 5 {
			t.Errorf("Decode = %v, %+v", err, f)
		}
	})
	t.Run("null clears pointers", func(t *testing.T) {
		s := "old"
		in := updateMembershipInput{MembershipName: &s}
		err := Decode(mustOp(t, "UpdateMembership"), map[string]string{"membershipId": "m-0123456789"}, nil, []byte(`{"membershipName":null}`), &in)
		if err != nil || in.MembershipName != nil {
			t.Errorf("Decode = %v, membershipName %v", err, in.MembershipName)
		}
	})
}

func TestFillErrorsNameThePath(t *testing.T) {
	op := mustOp(t, "CreateCase")
	tests := []struct {
		name string
		out  any
		want string
	}{
		{"string into int", &struct {
			Title int `json:"title"`
		}{}, "title: cannot store JSON string in Go int"},
		{"nested", &struct {
			Watchers []struct {
				Email bool `json:"email"`
			} `json:"watchers"`
		}{}, "watchers.1.email: cannot store JSON string in Go bool"},
		{"map value", &struct {
			Tags map[string]int `json:"tags"`
		}{}, "tags.a: cannot store JSON string in Go int"},
		{"int key map", &struct {
			Tags map[int]string `json:"tags"`
		}{}, "tags: cannot store JSON object in Go map[int]string"},
		{"number into int8 overflow", &struct {
			When int8 `json:"reportedIncidentStartDate"`
		}{}, `reportedIncidentStartDate: strconv.ParseInt: parsing "1718000000.25"`},
		{"unsupported kind", &struct {
			Title chan int `json:"title"`
		}{}, "title: cannot store JSON string in Go chan int"},
		{"non-empty interface", &struct {
			Title error `json:"title"`
		}{}, "title: cannot store JSON string in Go error"},
		{"not a pointer", struct{}{}, "out is struct {}, not a non-nil pointer to a struct"},
		{"nil pointer", (*struct{})(nil), "not a non-nil pointer to a struct"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Decode(op, nil, nil, createCaseWith(t, "tags", `{"a":"1"}`), tt.out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestFieldsByTag(t *testing.T) {
	type inner struct {
		A string `json:"a"`
	}
	var v struct {
		inner
		B string `json:"b,omitempty"`
		C string `json:"-"`
		D string
	}
	got := fieldsByTag(reflect.TypeOf(v))
	want := map[string][]int{"a": {0, 0}, "b": {1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fieldsByTag = %v, want %v", got, want)
	}
}

func TestAppendString(t *testing.T) {
	in := "a\"b\\c\n\x01é"
	got := appendString(nil, in)
	var back string
	if err := json.Unmarshal(got, &back); err != nil || back != in {
		t.Errorf("appendString(%q) = %s, round trip %q, %v", in, got, back, err)
	}
}
