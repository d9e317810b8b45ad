package shape

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/sird-project/sird"
)

// FuzzDecode feeds arbitrary bodies to two operations with rich inputs. The
// corpus in testdata/fuzz/FuzzDecode seeds it.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(createCaseBody))
	f.Add([]byte(`{"incidentResponseTeam":[{"name":"Ann","jobTitle":"SRE","email":"a@b.co"},{"name":"Bob","jobTitle":"SRE","email":"c@d.co"}],"optInFeatures":[{"featureName":"Triage","isEnabled":true}]}`))
	f.Add([]byte(`{"a":"\ud83d\ude00","b":[1,2.5e3,null,true]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, perr := parseBody(body)
		if perr == nil && len(body) > 0 && !json.Valid(body) && !isBlank(body) {
			t.Fatalf("parser accepted a body encoding/json rejects: %q", body)
		}
		var cc createCaseInput
		checkDecodeResult(t, Decode(LookupOperation("CreateCase"), nil, nil, body, &cc))
		var um updateMembershipInput
		labels := map[string]string{"membershipId": "m-0123456789"}
		err := Decode(LookupOperation("UpdateMembership"), labels, nil, body, &um)
		checkDecodeResult(t, err)
		if err == nil && um.MembershipID != "m-0123456789" {
			t.Fatalf("membershipId = %q, want the label", um.MembershipID)
		}
	})
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// checkDecodeResult: nil, or a client-side ValidationException. An internal
// error would mean validation let through something the structs reject.
func checkDecodeResult(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var se *sird.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *sird.Error", err, err)
	}
	if se.Code != sird.ErrValidation {
		t.Fatalf("got %v, want a ValidationException", err)
	}
	switch se.Reason {
	case sird.ReasonCannotParse:
		if len(se.Fields) != 0 {
			t.Fatalf("CANNOT_PARSE with fields: %v", se.Fields)
		}
	case sird.ReasonFieldValidationFailed:
		if len(se.Fields) == 0 || len(se.Fields) > maxFieldErrors {
			t.Fatalf("FIELD_VALIDATION_FAILED with %d fields", len(se.Fields))
		}
	default:
		t.Fatalf("unexpected reason %q", se.Reason)
	}
}
