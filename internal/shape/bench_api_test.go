package shape

import "testing"

// apiCaseBody is the CreateCase body of api's request-path benchmarks, the
// load whose profile this package's decoding was tuned against.
const apiCaseBody = `{"resolverType":"Self","title":"Suspicious logins","description":"Several logins from unknown hosts.","engagementType":"Security Incident","reportedIncidentStartDate":1700000000,"impactedAccounts":["123456789012"],"watchers":[{"email":"carol@example.com","name":"Carol"}]}`

// BenchmarkDecodeGetCase is the bodyless, label-only input of reads.
func BenchmarkDecodeGetCase(b *testing.B) {
	op := LookupOperation("GetCase")
	labels := map[string]string{"caseId": "1234567890"}
	b.ReportAllocs()
	for b.Loop() {
		var in struct {
			CaseID string `json:"caseId"`
		}
		if err := Decode(op, labels, nil, nil, &in); err != nil {
			b.Fatal(err)
		}
	}
}
