package loadgen

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func benchTarget() (*client, *target) {
	s, err := Config{Endpoint: "http://127.0.0.1:8080", AccessKey: testAccessKey, SecretKey: testSecretKey}.validate()
	if err != nil {
		panic(err)
	}
	t := &target{base: s.base.String(), baselineURL: s.BaselineURL, membershipID: fakeMemberID,
		caseIDs: []string{"1000000001", "1000000002"}, bodies: newBodies(time.Now())}
	return newClient(s), t
}

// BenchmarkSignRequest is the client's per-request CPU before the network:
// body copy with fresh token, request construction, payload hash, SigV4.
func BenchmarkSignRequest(b *testing.B) {
	c, t := benchTarget()
	signer := v4.NewSigner()
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	for _, op := range []opKind{opCreateCase, opGetCase, opUpdateCase} {
		b.Run(op.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.signedRequest(ctx, signer, t.build(op, rng)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSignRequestParallel shows whether signing scales across cores
// (each goroutine has its own signer, as each worker does).
func BenchmarkSignRequestParallel(b *testing.B) {
	c, t := benchTarget()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		signer := v4.NewSigner()
		rng := rand.New(rand.NewPCG(rand.Uint64(), 2))
		for pb.Next() {
			if _, err := c.signedRequest(ctx, signer, t.build(opCreateCase, rng)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
