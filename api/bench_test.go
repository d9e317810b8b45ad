package api_test

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkRequestPath measures whole requests in-process, with no network:
// sign (as a client would) → route → verify the signature → decode →
// validate → the service and the SQLite store → encode. Compare runs with
// benchstat:
//
//	go test -run '^$' -bench BenchmarkRequestPath -benchmem -count 10 ./api/ > new.txt
func BenchmarkRequestPath(b *testing.B) {
	b.Run("op=GetCase", func(b *testing.B) {
		e := newEnv(b, false)
		e.membership()
		id := e.newCase()
		benchRequests(b, e, func(int) request {
			return request{method: "GET", target: "/v1/cases/" + id + "/get-case"}
		}, 200)
	})
	b.Run("op=CreateCase", func(b *testing.B) {
		e := newEnv(b, false)
		e.membership()
		body := []byte(caseBody)
		benchRequests(b, e, func(int) request {
			return request{method: "POST", target: "/v1/create-case", body: body}
		}, 201)
	})
	b.Run("op=ListCases", func(b *testing.B) {
		e := newEnv(b, false)
		e.membership()
		for range 30 {
			e.newCase()
		}
		body := []byte(`{"maxResults":25}`)
		benchRequests(b, e, func(int) request {
			return request{method: "POST", target: "/v1/list-cases", body: body}
		}, 200)
	})
	b.Run("op=UpdateCase", func(b *testing.B) {
		e := newEnv(b, false)
		e.membership()
		id := e.newCase()
		target := "/v1/cases/" + id + "/update-case"
		bodies := [2][]byte{
			[]byte(`{"title":"Suspicious logins (triaged)","impactedServicesToAdd":["ec2","iam"],"watchersToAdd":[{"email":"dan@example.com","name":"Dan"}]}`),
			[]byte(`{"title":"Suspicious logins","impactedServicesToDelete":["iam"],"watchersToDelete":[{"email":"dan@example.com"}]}`),
		}
		benchRequests(b, e, func(i int) request {
			return request{method: "POST", target: target, body: bodies[i%2]}
		}, 200)
	})
}

func benchRequests(b *testing.B, e *env, next func(int) request, want int) {
	b.Helper()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := next(i)
		req := e.build(r, "http://sird.test:8300")
		req.RequestURI = r.target
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("%s %s: %d %s", r.method, r.target, rec.Code, rec.Body)
		}
	}
}
