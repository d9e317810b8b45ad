package sird_test

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// Epoch seconds of the first and the last instant ParseEpoch accepts
// (0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z).
const (
	firstEpoch = -62135596800
	lastEpoch  = 253402300799
)

func TestParseEpoch(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		// canon is FormatEpoch of the parsed value; empty means in itself.
		canon string
	}{
		{in: "0", want: time.Unix(0, 0)},
		{in: "1", want: time.Unix(1, 0)},
		{in: "1700000000", want: time.Unix(1700000000, 0)},
		{in: "1700000000.5", want: time.Unix(1700000000, 500000000)},
		{in: "1700000000.123456789", want: time.Unix(1700000000, 123456789)},
		{in: "1700000000.000000001", want: time.Unix(1700000000, 1)},
		{in: "1700000000.999999999", want: time.Unix(1700000000, 999999999)},
		{in: "1700000000.120", want: time.Unix(1700000000, 120000000), canon: "1700000000.12"},
		{in: "1700000000.0", want: time.Unix(1700000000, 0), canon: "1700000000"},
		{in: " 1700000000 ", want: time.Unix(1700000000, 0), canon: "1700000000"},
		{in: "0.000000001", want: time.Unix(0, 1)},
		{in: "-1", want: time.Unix(-1, 0)},
		{in: "-1.5", want: time.Unix(-2, 500000000)},
		{in: "-0.5", want: time.Unix(-1, 500000000)},
		{in: "-0.000000001", want: time.Unix(-1, 999999999)},
		{in: "-2.25", want: time.Unix(-3, 750000000)},
		{in: "-1700000000.123456789", want: time.Unix(-1700000001, 876543211)},
		{in: "-0", want: time.Unix(0, 0), canon: "0"},
		{in: "-62135596800", want: time.Unix(firstEpoch, 0)},
		{in: "253402300799", want: time.Unix(lastEpoch, 0)},
		{in: "253402300799.999999999", want: time.Unix(lastEpoch, 999999999)},
		{in: "-62135596799.5", want: time.Unix(firstEpoch, 500000000)},
		// Exponent forms.
		{in: "1.7e9", want: time.Unix(1700000000, 0), canon: "1700000000"},
		{in: "1.7E9", want: time.Unix(1700000000, 0), canon: "1700000000"},
		{in: "1.5e0", want: time.Unix(1, 500000000), canon: "1.5"},
		{in: "17e-1", want: time.Unix(1, 700000000), canon: "1.7"},
		{in: "1e-9", want: time.Unix(0, 1), canon: "0.000000001"},
		{in: "-2.5e-1", want: time.Unix(-1, 750000000), canon: "-0.25"},
		{in: "1.700000000123456789e9", want: time.Unix(1700000000, 123456789), canon: "1700000000.123456789"},
		{in: "0.256653183744e3", want: time.Unix(256, 653183744), canon: "256.653183744"},
		{in: "9.3e9", want: time.Unix(9300000000, 0), canon: "9300000000"},
		{in: "-6.21355968e10", want: time.Unix(firstEpoch, 0), canon: "-62135596800"},
		{in: "2.53402300799999999999e11", want: time.Unix(lastEpoch, 999999999), canon: "253402300799.999999999"},
		{in: "1e-400", want: time.Unix(0, 0), canon: "0"},
		{in: "1e-9999999", want: time.Unix(0, 0), canon: "0"},
		{in: "0e400", want: time.Unix(0, 0), canon: "0"},
		{in: "000.00017e+13", want: time.Unix(1700000000, 0), canon: "1700000000"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := sird.ParseEpoch(tt.in)
			if err != nil {
				t.Fatalf("ParseEpoch(%q): got error %v, want %v", tt.in, err, tt.want.UTC())
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseEpoch(%q) = %v (%d.%09d), want %v", tt.in, got, got.Unix(), got.Nanosecond(), tt.want.UTC())
			}
			if got.Location() != time.UTC {
				t.Errorf("ParseEpoch(%q): location %v, want UTC", tt.in, got.Location())
			}
			canon := tt.canon
			if canon == "" {
				canon = tt.in
			}
			if s := sird.FormatEpoch(got); s != canon {
				t.Errorf("FormatEpoch(ParseEpoch(%q)) = %q, want %q", tt.in, s, canon)
			}
			back, err := sird.ParseEpoch(canon)
			if err != nil || !back.Equal(got) {
				t.Errorf("ParseEpoch(%q) = %v, %v; want %v", canon, back, err, got)
			}
		})
	}
}

func TestParseEpochRefuses(t *testing.T) {
	for _, in := range []string{
		"", "null", "abc", "1.2.3", "+1", ".5", "--1", "1-", "1e", "e5", "0x10", "1,5", "NaN", "Inf", "1 2",
		"\"1700000000\"", "-", "1.5.", "1.-5",
		// Out of range: before year 1, after year 9999, or beyond int64 nanoseconds (exponent forms).
		"-62135596801", "-62135596800.5", "253402300800", "253402300800.5", "99999999999999", "-99999999999999",
		"1e19", "-1e19", "1e400", "2.534023008e11", "-6.21355968000001e10", "1e9999999", "1e99999999999999999999",
		"1e+-5", "1e--5", "1.5e", "1.5e+", "-e5", "1ee5", "1e5.5", "1e0x1",
	} {
		t.Run(in, func(t *testing.T) {
			if got, err := sird.ParseEpoch(in); err == nil {
				t.Errorf("ParseEpoch(%q) = %v, want an error", in, got)
			}
		})
	}
}

// TestEpochRoundTripRandom: every instant between years 1 and 9999 at
// nanosecond precision survives FormatEpoch then ParseEpoch, and JSON.
func TestEpochRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	check := func(t *testing.T, want time.Time) {
		t.Helper()
		s := sird.FormatEpoch(want)
		got, err := sird.ParseEpoch(s)
		if err != nil || !got.Equal(want) {
			t.Fatalf("ParseEpoch(FormatEpoch(%d.%09d) = %q) = %v, %v; want %v", want.Unix(), want.Nanosecond(), s, got, err, want)
		}
		b, err := json.Marshal(sird.At(want))
		if err != nil {
			t.Fatalf("marshal %v: %v", want, err)
		}
		var back sird.Time
		if err := json.Unmarshal(b, &back); err != nil || !back.Equal(want) {
			t.Fatalf("JSON round trip of %v through %s = %v, %v", want, b, back.Time, err)
		}
	}
	edges := []time.Time{
		time.Unix(firstEpoch, 0), time.Unix(firstEpoch, 1), time.Unix(lastEpoch, 999999999),
		time.Unix(-1, 0), time.Unix(-1, 1), time.Unix(-1, 999999999), time.Unix(0, 1), time.Unix(0, 999999999),
		time.Date(1677, 9, 21, 0, 12, 43, 145224191, time.UTC),  // just before int64 nanoseconds run out
		time.Date(2262, 4, 11, 23, 47, 16, 854775808, time.UTC), // just after
		time.Date(1, 1, 1, 0, 0, 0, 123, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 1, time.UTC),
	}
	for _, e := range edges {
		check(t, e)
		checkExponentForms(t, e)
	}
	for range 20000 {
		var sec int64
		switch r.IntN(3) {
		case 0: // anywhere in range
			sec = firstEpoch + r.Int64N(lastEpoch-firstEpoch+1)
		case 1: // near the epoch, negatives included
			sec = r.Int64N(2000) - 1000
		default: // recent dates
			sec = 1_600_000_000 + r.Int64N(200_000_000)
		}
		ns := int64(0)
		switch r.IntN(4) {
		case 0:
		case 1:
			ns = r.Int64N(1000) * 1_000_000 // milliseconds
		default:
			ns = r.Int64N(1e9)
		}
		tm := time.Unix(sec, ns).UTC()
		check(t, tm)
		checkExponentForms(t, tm)
	}
}

// checkExponentForms writes t's exact decimal value in scientific notation
// three ways and expects ParseEpoch to read each back exactly.
func checkExponentForms(t *testing.T, want time.Time) {
	t.Helper()
	plain := sird.FormatEpoch(want)
	sign := ""
	if strings.HasPrefix(plain, "-") {
		sign, plain = "-", plain[1:]
	}
	intPart, fracPart, _ := strings.Cut(plain, ".")
	digits := intPart + fracPart
	forms := []string{
		sign + "0." + digits + "e" + strconv.Itoa(len(intPart)),
		sign + digits + "e-" + strconv.Itoa(len(fracPart)),
		sign + digits[:1] + "." + digits[1:] + "E+" + strconv.Itoa(len(intPart)-1),
	}
	for _, f := range forms {
		got, err := sird.ParseEpoch(f)
		if err != nil || !got.Equal(want) {
			t.Fatalf("ParseEpoch(%q) = %d.%09d, %v; want %d.%09d", f, got.Unix(), got.Nanosecond(), err, want.Unix(), want.Nanosecond())
		}
	}
}

func TestTimeAtDropsMonotonic(t *testing.T) {
	now := time.Now()
	a, b := sird.At(now), sird.At(now.Round(0))
	if a != b {
		t.Errorf("At(now) = %#v, want %#v (no monotonic reading)", a, b)
	}
}
