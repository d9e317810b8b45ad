package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/internal/fastjson"
)

func TestFastOutputLayouts(t *testing.T) {
	for _, tc := range []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[sird.GetCaseOutput](), getCaseOutputLayout},
		{reflect.TypeFor[sird.ListCasesOutput](), listCasesOutputLayout},
	} {
		if got := fastjson.LayoutHash(tc.typ); got != tc.want {
			t.Errorf("%s changed, so its hand-written encoder (fastout.go) is off and it goes through encoding/json. "+
				"Update the encoder for the change, then set its layout constant to %q.\nThe layout now:\n%s",
				tc.typ, got, fastjson.Layout(tc.typ))
		}
	}
}

var fastEdgeStrings = []string{"", "plain", "q\"b\\s/", "<a>&", "\x00\x1f\x7f\b\f\n\r\t", "é中😀", "\u2028\u2029", "bad\xff\xc3"}

func fastRandString(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		return fastEdgeStrings[r.IntN(len(fastEdgeStrings))]
	}
	b := make([]byte, r.IntN(12))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return string(b)
}

func fastRandTime(r *rand.Rand) sird.Time {
	return sird.At(time.Unix(r.Int64N(4e9)-1e9, r.Int64N(2)*r.Int64N(1e9)).UTC())
}

func fastRandTimePtr(r *rand.Rand) *sird.Time {
	if r.IntN(2) == 0 {
		return nil
	}
	t := fastRandTime(r)
	return &t
}

func fastRandList[T any](r *rand.Rand, f func() T) []T {
	switch r.IntN(3) {
	case 0:
		return nil
	case 1:
		return []T{}
	}
	out := make([]T, 1+r.IntN(3))
	for i := range out {
		out[i] = f()
	}
	return out
}

func TestFastOutputs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	s := func() string { return fastRandString(r) }
	for range 3000 {
		outs := []any{
			&sird.GetCaseOutput{
				Title: s(), CaseArn: s(), Description: s(), CaseStatus: s(), EngagementType: s(),
				ReportedIncidentStartDate: fastRandTimePtr(r), ActualIncidentStartDate: fastRandTimePtr(r),
				ImpactedAwsRegions:     fastRandList(r, func() sird.ImpactedRegion { return sird.ImpactedRegion{Region: s()} }),
				ThreatActorIPAddresses: fastRandList(r, func() sird.ThreatActorIP { return sird.ThreatActorIP{IPAddress: s(), UserAgent: s()} }),
				PendingAction:          s(), ImpactedAccounts: fastRandList(r, s),
				Watchers:    fastRandList(r, func() sird.Watcher { return sird.Watcher{Email: s(), Name: s(), JobTitle: s()} }),
				CreatedDate: fastRandTime(r), LastUpdatedDate: fastRandTime(r), ClosureCode: s(), ResolverType: s(),
				ImpactedServices: fastRandList(r, s),
				CaseAttachments: fastRandList(r, func() sird.AttachmentSummary {
					return sird.AttachmentSummary{AttachmentID: s(), FileName: s(), AttachmentStatus: s(), Creator: s(), CreatedDate: fastRandTime(r)}
				}),
				ClosedDate:   fastRandTimePtr(r),
				CaseMetadata: fastRandList(r, func() sird.MetadataEntry { return sird.MetadataEntry{Key: s(), Value: s()} }),
			},
			&sird.ListCasesOutput{
				Items: fastRandList(r, func() sird.ListCasesItem {
					return sird.ListCasesItem{CaseID: s(), LastUpdatedDate: fastRandTime(r), Title: s(), CaseArn: s(),
						EngagementType: s(), CaseStatus: s(), CreatedDate: fastRandTime(r), ClosedDate: fastRandTimePtr(r),
						ResolverType: s(), PendingAction: s()}
				}),
				NextToken: s(), Total: r.Int64() - r.Int64(),
			},
		}
		for _, out := range outs {
			want, err := json.Marshal(out)
			if err != nil {
				t.Fatal(err)
			}
			got, fast, err := appendFast(nil, out)
			if !fast || err != nil {
				t.Fatalf("%T: fast %v, err %v", out, fast, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%T:\n got %s\nwant %s", out, got, want)
			}
		}
	}
}

func BenchmarkWriteOutput(b *testing.B) {
	start := sird.At(time.Unix(1700000000, 0))
	out := &sird.GetCaseOutput{
		Title: "Suspicious IAM access key usage", CaseArn: "arn:aws:security-ir:us-east-1:123456789012:case/1234567890",
		Description: "Suspicious IAM access key usage. First observed by automated detection; related findings were raised.",
		CaseStatus:  sird.StatusSubmitted, EngagementType: "Security Incident", ReportedIncidentStartDate: &start,
		ImpactedAwsRegions: []sird.ImpactedRegion{{Region: "us-east-1"}}, ThreatActorIPAddresses: []sird.ThreatActorIP{},
		PendingAction: sird.PendingNone, ImpactedAccounts: []string{"123456789012"},
		Watchers:    []sird.Watcher{{Email: "a@example.com", Name: "A", JobTitle: "Lead"}},
		CreatedDate: start, LastUpdatedDate: start, ResolverType: sird.ResolverSelf, ImpactedServices: []string{},
		CaseAttachments: []sird.AttachmentSummary{},
	}
	b.Run("enc=encodingjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("enc=fast", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 4096)
		for b.Loop() {
			if _, _, err := appendFast(buf[:0], out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
