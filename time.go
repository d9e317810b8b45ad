package sird

import (
	"fmt"
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
	// Unix and Nanosecond, not UnixNano: years 1..9999 overflow int64 nanoseconds.
	sec, frac := t.Unix(), int64(t.Nanosecond()) // sec is the floor, 0 <= frac < 1e9
	if frac == 0 {
		return strconv.FormatInt(sec, 10)
	}
	sign := ""
	if sec < 0 { // -2 + 0.75 is written -1.25
		sign, sec, frac = "-", -sec-1, 1e9-frac
	}
	f := strings.TrimRight(fmt.Sprintf("%09d", frac), "0")
	return sign + strconv.FormatInt(sec, 10) + "." + f
}

// Epoch seconds accepted: years 0001 through 9999, enough for any real date.
const (
	minEpoch = -62135596800
	maxEpoch = 253402300799
)

// ParseEpoch reads a JSON number of epoch seconds exactly: no float
// rounding, exponent forms included (their decimal point is moved in the
// text). Digits beyond nanoseconds are dropped, rounding toward zero.
func ParseEpoch(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "null" {
		return time.Time{}, fmt.Errorf("timestamp must be a number of epoch seconds")
	}
	num := s
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		var ok bool
		if num, ok = shiftExponent(s[:i], s[i+1:]); !ok {
			return time.Time{}, fmt.Errorf("timestamp %q is not a number", s)
		}
	}
	neg := strings.HasPrefix(num, "-")
	digits := strings.TrimPrefix(num, "-")
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

// shiftExponent rewrites mantissa×10^exp as a plain decimal. Values of 14 or
// more integer digits come out as such (ParseEpoch refuses them); values
// below 1e-20 come out as zero.
func shiftExponent(mantissa, exp string) (string, bool) {
	sign := ""
	if strings.HasPrefix(mantissa, "-") {
		sign, mantissa = "-", mantissa[1:]
	}
	intPart, fracPart, _ := strings.Cut(mantissa, ".")
	expDigits := exp
	if exp != "" && (exp[0] == '+' || exp[0] == '-') {
		expDigits = exp[1:]
	}
	if intPart == "" || !allDigits(intPart) || !allDigits(fracPart) || expDigits == "" || !allDigits(expDigits) {
		return "", false
	}
	digits := strings.TrimLeft(intPart+fracPart, "0")
	if digits == "" {
		return "0", true
	}
	// The value is 0.digits × 10^point.
	point := len(intPart) - (len(intPart+fracPart) - len(digits))
	if len(expDigits) > 6 { // |exp| ≥ 10^6: zero or far out of range
		if exp[0] == '-' {
			return "0", true
		}
		return sign + strings.Repeat("9", 14), true
	}
	e, _ := strconv.Atoi(exp)
	if point+e > 14 {
		return sign + strings.Repeat("9", 14), true // out of range, without building a huge string
	}
	point += e
	switch {
	case point < -20:
		return "0", true
	case point <= 0:
		return sign + "0." + strings.Repeat("0", -point) + digits, true
	case point >= len(digits):
		return sign + digits + strings.Repeat("0", point-len(digits)), true
	default:
		return sign + digits[:point] + "." + digits[point:], true
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
