package shape

import "testing"

func TestRelaxRepeats(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a{0,2048}`, `a{0,}`},
		{`a{2,256}b{1001}`, `a{2,256}b{1000,}`},
		{`a{1500,}`, `a{1000,}`},
		{`[{0,2048}]x`, `[{0,2048}]x`},  // inside a class
		{`\{0,2048}`, `\{0,2048}`},      // escaped brace
		{`[]{]a{5000}`, `[]{]a{1000,}`}, // ']' first in a class is literal
		{`[^]]{0,9999}`, `[^]]{0,}`},    // negated class with literal ']'
		{`a{x,2000}`, `a{x,2000}`},      // not a repeat
		{`(?:ab){0,1000}`, `(?:ab){0,1000}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := relaxRepeats(tt.in); got != tt.want {
				t.Errorf("relaxRepeats(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestUrlPatternCompiles(t *testing.T) {
	s := LookupShape("Url")
	if s == nil || s.re == nil {
		t.Fatal("Url has no compiled pattern")
	}
	for in, want := range map[string]bool{"https://example.com/x": true, "ftp://x": false} {
		if got := s.re.MatchString(in); got != want {
			t.Errorf("Url match %q = %v, want %v", in, got, want)
		}
	}
}
