package sird

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func digestTestInput() *CreateCaseInput {
	start := At(time.Date(2025, 1, 2, 3, 4, 5, 600, time.UTC))
	return &CreateCaseInput{
		ResolverType: ResolverSelf, Title: "Suspicious logins", Description: "From unknown hosts.",
		EngagementType: "Security Incident", ReportedIncidentStartDate: &start,
		ImpactedAccounts:       []string{"123456789012", "210987654321"},
		Watchers:               []Watcher{{Email: "a@example.com", Name: "A", JobTitle: "Lead"}},
		ThreatActorIPAddresses: []ThreatActorIP{{IPAddress: "198.51.100.7", UserAgent: "curl/8"}},
		ImpactedServices:       []string{"ec2"},
		ImpactedAwsRegions:     []ImpactedRegion{{Region: "us-east-1"}},
		Tags:                   map[string]string{"team": "blue", "env": "prod"},
	}
}

// mutations changes v (a field of the input) in every way that must change
// the digest, recursing into struct elements, and calls check after each
// change with a description; v is restored afterwards.
func mutations(v reflect.Value, path string, check func(string)) {
	orig := reflect.New(v.Type()).Elem()
	orig.Set(v)
	defer v.Set(orig)
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
		check(path + " changed")
	case reflect.Pointer:
		if v.IsNil() {
			check(path + " (nil) untouched") // nothing to change inside
			return
		}
		v.Set(reflect.Zero(v.Type()))
		check(path + " set to nil")
		v.Set(orig)
		cp := reflect.New(v.Type().Elem())
		cp.Elem().Set(orig.Elem())
		v.Set(cp)
		if t, ok := cp.Interface().(*Time); ok {
			t.Time = t.Time.Add(time.Nanosecond)
			check(path + " moved by 1 ns")
		}
	case reflect.Slice:
		v.Set(reflect.Zero(v.Type()))
		check(path + " set to nil")
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		check(path + " set to empty")
		v.Set(orig)
		for i := range orig.Len() {
			cp := reflect.MakeSlice(v.Type(), orig.Len(), orig.Len())
			reflect.Copy(cp, orig)
			v.Set(cp)
			mutations(cp.Index(i), path+"["+string(rune('0'+i))+"]", check)
		}
		v.Set(reflect.Append(orig, orig.Index(0)))
		check(path + " one element longer")
	case reflect.Struct:
		for i := range v.NumField() {
			mutations(v.Field(i), path+"."+v.Type().Field(i).Name, check)
		}
	case reflect.Map:
		v.Set(reflect.Zero(v.Type()))
		check(path + " set to nil")
		cp := reflect.MakeMap(v.Type())
		for _, k := range orig.MapKeys() {
			cp.SetMapIndex(k, orig.MapIndex(k))
		}
		cp.SetMapIndex(reflect.ValueOf("added"), reflect.ValueOf("x"))
		v.Set(cp)
		check(path + " one entry more")
	default:
		panic("createCaseDigest test: no mutation for " + path + " of kind " + v.Kind().String())
	}
}

// Every field of the input, and of the structs inside it, moves the digest,
// so a field added to CreateCaseInput without being added to
// createCaseDigest fails here.
func TestCreateCaseDigestCoversEveryField(t *testing.T) {
	in := digestTestInput()
	base := createCaseDigest(in).sum
	v := reflect.ValueOf(in).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if name == "ClientToken" {
			continue // cleared before digesting: retries carry the same token
		}
		mutations(v.Field(i), name, func(what string) {
			if strings.HasSuffix(what, "untouched") {
				return
			}
			if got := createCaseDigest(in).sum; got == base {
				t.Errorf("%s: digest unchanged", what)
			}
		})
	}
	if got := createCaseDigest(in).sum; got != base {
		t.Fatalf("the input was not restored: digest %s, want %s", got, base)
	}
}

// Lengths are part of the encoding: moving text from one field to the next
// is another request.
func TestCreateCaseDigestFieldBoundaries(t *testing.T) {
	a, b := digestTestInput(), digestTestInput()
	a.Title, a.Description = "ab", "c"
	b.Title, b.Description = "a", "bc"
	if createCaseDigest(a).sum == createCaseDigest(b).sum {
		t.Error(`title "ab" + description "c" digests as title "a" + description "bc"`)
	}
	c, d := digestTestInput(), digestTestInput()
	c.ImpactedAccounts, c.ImpactedServices = []string{"123456789012", "ec2"}, nil
	d.ImpactedAccounts, d.ImpactedServices = []string{"123456789012"}, []string{"ec2"}
	if createCaseDigest(c).sum == createCaseDigest(d).sum {
		t.Error("an element moved from one list to the next digests the same")
	}
}

// Tags are a map: their order in memory does not matter.
func TestCreateCaseDigestStable(t *testing.T) {
	want := createCaseDigest(digestTestInput()).sum
	for range 50 {
		if got := createCaseDigest(digestTestInput()).sum; got != want {
			t.Fatalf("digest of the same input: got %s, want %s", got, want)
		}
	}
	if !strings.HasPrefix(want, digestV2) {
		t.Errorf("digest %s lacks the %s prefix", want, digestV2)
	}
}

// Records stored before digestV2 hold the encoding/json digest: a retry
// still matches its own and only its own.
func TestCreateCaseDigestMatchesEarlierRecords(t *testing.T) {
	in, other := digestTestInput(), digestTestInput()
	other.Title = "Another request"
	d := createCaseDigest(in)
	tests := []struct {
		stored string
		want   bool
	}{
		{d.sum, true},
		{requestHash(in), true},
		{createCaseDigest(other).sum, false},
		{requestHash(other), false},
		{digestV2 + requestHash(in), false}, // a v2 record is compared as v2 only
	}
	for _, tc := range tests {
		if got := d.matches(tc.stored); got != tc.want {
			t.Errorf("matches(%q): got %v, want %v", tc.stored, got, tc.want)
		}
	}
	if jd := jsonDigest(in); !jd.matches(requestHash(in)) || jd.matches(d.sum) {
		t.Error("jsonDigest must match its own encoding/json digest only")
	}
}

// BenchmarkCreateCaseDigest compares the digest with encoding/json's.
func BenchmarkCreateCaseDigest(b *testing.B) {
	in := digestTestInput()
	b.Run("digest=json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = requestHash(in)
		}
	})
	b.Run("digest=v2", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = createCaseDigest(in).sum
		}
	})
}
