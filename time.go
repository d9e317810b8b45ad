package sird

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Time is an instant that travels as epoch seconds in a JSON number, integer
// or fractional, as restJson1 timestamps do. Nanosecond precision is kept so a
// value round-trips exactly as the client sent it.
type Time struct{ time.Time }

// At wraps t, dropping the monotonic clock reading so values compare by instant.
func At(t time.Time) Time { return Time{t.Round(0)} }

// TimePtr is At for optional members.
func TimePtr(t time.Time) *Time { v := At(t); return &v }

func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(FormatEpoch(t.Time)), nil
}

func (t *Time) UnmarshalJSON(b []byte) error {
	v, err := ParseEpoch(string(b))
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// FormatEpoch renders t as decimal epoch seconds without float rounding.
func FormatEpoch(t time.Time) string {
	ns := t.UnixNano()
	sec, frac := ns/1e9, ns%1e9
	if frac < 0 {
		sec--
		frac += 1e9
	}
	s := strconv.FormatInt(sec, 10)
	if frac == 0 {
		return s
	}
	f := strings.TrimRight(fmt.Sprintf("%09d", frac), "0")
	return s + "." + f
}

// Epoch seconds accepted: years 0001 through 9999, enough for any real date.
const (
	minEpoch = -62135596800
	maxEpoch = 253402300799
)

// ParseEpoch reads a JSON number of epoch seconds exactly (no float rounding
// for plain decimals; exponent forms go through big.Float).
func ParseEpoch(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "null" {
		return time.Time{}, fmt.Errorf("timestamp must be a number of epoch seconds")
	}
	if strings.ContainsAny(s, "eE") {
		f, ok := new(big.Float).SetPrec(200).SetString(s)
		if !ok {
			return time.Time{}, fmt.Errorf("timestamp %q is not a number", s)
		}
		ns := new(big.Float).Mul(f, big.NewFloat(1e9))
		i, _ := ns.Int(nil)
		if !i.IsInt64() {
			return time.Time{}, fmt.Errorf("timestamp %q is out of range", s)
		}
		// Exponent forms are rare; they are limited to the int64-nanosecond range.
		return time.Unix(0, i.Int64()).UTC(), nil
	}
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	intPart, fracPart, _ := strings.Cut(digits, ".")
	if intPart == "" || !allDigits(intPart) || !allDigits(fracPart) {
		return time.Time{}, fmt.Errorf("timestamp %q is not a number", s)
	}
	if len(intPart) > 13 {
		return time.Time{}, fmt.Errorf("timestamp %q is out of range", s)
	}
	sec, _ := strconv.ParseInt(intPart, 10, 64)
	if len(fracPart) > 9 {
		fracPart = fracPart[:9]
	}
	var frac int64
	if fracPart != "" {
		frac, _ = strconv.ParseInt(fracPart+strings.Repeat("0", 9-len(fracPart)), 10, 64)
	}
	if sec > maxEpoch+1 {
		return time.Time{}, fmt.Errorf("timestamp %q is out of range", s)
	}
	if neg {
		sec, frac = -sec, -frac
	}
	t := time.Unix(sec, frac).UTC()
	if t.Unix() < minEpoch || t.Unix() > maxEpoch {
		return time.Time{}, fmt.Errorf("timestamp %q is out of range", s)
	}
	return t, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
