package shape

import (
	"encoding/json"
	"testing"
)

// BenchmarkDecodeCreateCase decodes this package's full CreateCase body and
// the smaller one of api's request-path benchmarks (body=api).
func BenchmarkDecodeCreateCase(b *testing.B) {
	op := LookupOperation("CreateCase")
	for _, bc := range []struct{ name, body string }{{"full", createCaseBody}, {"api", apiCaseBody}} {
		b.Run("body="+bc.name, func(b *testing.B) {
			body := []byte(bc.body)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var in createCaseInput
				if err := Decode(op, nil, nil, body, &in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodingJSONCreateCase is the baseline: encoding/json alone,
// without any validation.
func BenchmarkEncodingJSONCreateCase(b *testing.B) {
	body := []byte(createCaseBody)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var in createCaseInput
		if err := json.Unmarshal(body, &in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeUpdateCaseWithLabel(b *testing.B) {
	op := LookupOperation("UpdateCase")
	labels := map[string]string{"caseId": "1234567890"}
	body := []byte(`{"title":"New title","watchersToAdd":[{"email":"a@b.co"}],"impactedAccountsToAdd":["123456789012"]}`)
	b.ReportAllocs()
	for b.Loop() {
		var in updateCaseInput
		if err := Decode(op, labels, nil, body, &in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := Match("POST", "/v1/cases/1234567890/update-case"); !ok {
			b.Fatal("no match")
		}
	}
}
