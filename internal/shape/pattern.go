package shape

import (
	"regexp"
	"strconv"
	"strings"
)

// maxRepeat is RE2's (and so Go's) limit on a counted repetition.
const maxRepeat = 1000

// compilePattern compiles a Smithy pattern for Go's regexp. Smithy patterns
// are ECMA 262 and may count past RE2's limit of 1000 (Url ends with
// {0,2048}). Such a bound is relaxed: an upper one to unbounded, which is
// exact for a repeat that ends the pattern since matching is unanchored, and
// only admits more strings elsewhere; a lower one to 1000.
func compilePattern(p string) (*regexp.Regexp, error) {
	return regexp.Compile(relaxRepeats(p))
}

func relaxRepeats(p string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			b.WriteString(p[i : i+2])
			i++
			continue
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			// A ']' first in a class is a literal.
			j := i + 1
			if j < len(p) && p[j] == '^' {
				j++
			}
			if j < len(p) && p[j] == ']' {
				b.WriteString(p[i : j+1])
				i = j
				continue
			}
		case c == '{':
			if end, lo, hi, ok := parseRepeat(p[i:]); ok && (lo > maxRepeat || hi > maxRepeat) {
				lo = min(lo, maxRepeat)
				b.WriteString("{" + strconv.Itoa(lo) + ",}")
				i += end - 1
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// parseRepeat reads {n}, {n,} or {n,m} at the start of s, returning its
// length and bounds (hi -1 when unbounded).
func parseRepeat(s string) (end, lo, hi int, ok bool) {
	close := strings.IndexByte(s, '}')
	if close < 0 {
		return 0, 0, 0, false
	}
	body := s[1:close]
	loS, hiS, comma := strings.Cut(body, ",")
	lo, err := strconv.Atoi(loS)
	if err != nil || lo < 0 {
		return 0, 0, 0, false
	}
	hi = lo
	if comma {
		hi = -1
		if hiS != "" {
			if hi, err = strconv.Atoi(hiS); err != nil || hi < lo {
				return 0, 0, 0, false
			}
		}
	}
	return close + 1, lo, hi, true
}
