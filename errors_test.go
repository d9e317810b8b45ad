package sird

import "testing"

func TestEveryErrorCodeHasNameAndStatus(t *testing.T) {
	seen := map[string]ErrorCode{}
	for c := ErrorCode(0); c < errorCodeCount; c++ {
		info := errorTable[c]
		if info.Name == "" || info.Status < 400 || info.Status > 599 {
			t.Errorf("code %d: name %q status %d, want a name and a 4xx/5xx status", c, info.Name, info.Status)
		}
		if prev, dup := seen[info.Name]; dup {
			t.Errorf("codes %d and %d share wire name %q", prev, c, info.Name)
		}
		seen[info.Name] = c
	}
}

func TestValidationErrorMessageNamesFields(t *testing.T) {
	err := ValidationError(FieldError{Name: "title", Message: "length must be at most 300"})
	want := "1 validation error detected: title: length must be at most 300"
	if err.Message != want {
		t.Errorf("got %q, want %q", err.Message, want)
	}
	if err.Reason != ReasonFieldValidationFailed {
		t.Errorf("got reason %q", err.Reason)
	}
}
