package sird

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"sync"
)

// Idempotency digests of requests.
//
// A request retried with its clientToken must match the digest stored with
// the first one; another request with the same token is a conflict. The
// digest of encoding/json's form of the input (requestHash) cost a
// CreateCase about 6 µs, a twentieth of the server's CPU per create, so
// CreateCase's digest hashes a hand-written binary encoding instead. Its
// digests start with digestV2: a record stored before, without the prefix,
// is still compared with the encoding/json digest of the same input.

const digestV2 = "v2:"

// requestDigest identifies a request among retries with one token.
type requestDigest struct {
	sum    string        // what a new record stores
	legacy func() string // the encoding/json digest, for records stored before digestV2; nil if sum is that
}

// jsonDigest is the digest of encoding/json's form of v.
func jsonDigest(v any) requestDigest { return requestDigest{sum: requestHash(v)} }

// requestHash fingerprints a request by encoding/json's form of it.
func requestHash(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// matches reports whether a stored digest is this request's.
func (d requestDigest) matches(stored string) bool {
	if stored == d.sum {
		return true
	}
	return d.legacy != nil && !strings.HasPrefix(stored, digestV2) && stored == d.legacy()
}

// createCaseDigest digests in, whose ClientToken the caller has cleared.
// Every field goes in, length-prefixed, with nil slices and maps apart from
// empty ones as encoding/json has them; TestCreateCaseDigestCoversEveryField
// fails when a field is added to the input and not here.
func createCaseDigest(in *CreateCaseInput) requestDigest {
	w := digestBufs.Get().(*digestWriter)
	w.b = append(w.b[:0], "CreateCase"...)
	w.str(in.ResolverType)
	w.str(in.Title)
	w.str(in.Description)
	w.str(in.EngagementType)
	if t := in.ReportedIncidentStartDate; t == nil {
		w.b = append(w.b, 0)
	} else {
		w.b = append(w.b, 1)
		w.b = binary.AppendVarint(w.b, t.Unix())
		w.b = binary.AppendUvarint(w.b, uint64(t.Nanosecond()))
	}
	w.strs(in.ImpactedAccounts)
	w.count(len(in.Watchers), in.Watchers == nil)
	for _, x := range in.Watchers {
		w.str(x.Email)
		w.str(x.Name)
		w.str(x.JobTitle)
	}
	w.count(len(in.ThreatActorIPAddresses), in.ThreatActorIPAddresses == nil)
	for _, x := range in.ThreatActorIPAddresses {
		w.str(x.IPAddress)
		w.str(x.UserAgent)
	}
	w.strs(in.ImpactedServices)
	w.count(len(in.ImpactedAwsRegions), in.ImpactedAwsRegions == nil)
	for _, r := range in.ImpactedAwsRegions {
		w.str(r.Region)
	}
	w.count(len(in.Tags), in.Tags == nil)
	if len(in.Tags) > 0 {
		keys := make([]string, 0, len(in.Tags))
		for k := range in.Tags {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			w.str(k)
			w.str(in.Tags[k])
		}
	}
	sum := sha256.Sum256(w.b)
	digestBufs.Put(w)
	return requestDigest{sum: digestV2 + hex.EncodeToString(sum[:]), legacy: func() string { return requestHash(in) }}
}

type digestWriter struct{ b []byte }

var digestBufs = sync.Pool{New: func() any { return &digestWriter{b: make([]byte, 0, 1024)} }}

func (w *digestWriter) str(s string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

// count writes a list's length, or 0 for nil (n+1 otherwise).
// strs writes a list of strings: its count (nil apart from empty), then each.
func (w *digestWriter) strs(list []string) {
	w.count(len(list), list == nil)
	for _, s := range list {
		w.str(s)
	}
}

func (w *digestWriter) count(n int, isNil bool) {
	if isNil {
		w.b = append(w.b, 0)
		return
	}
	w.b = binary.AppendUvarint(w.b, uint64(n)+1)
}
