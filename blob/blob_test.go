package blob

import (
	"errors"
	"mime"
	"strings"
	"testing"
)

func TestValidKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"123456789012/1234567890/att-1", true},
		{"a", true},
		{"a.b_c-D/E.9", true},
		{"..a/b..", true},
		{"", false},
		{".", false},
		{"..", false},
		{"a/..", false},
		{"a/./b", false},
		{"/a", false},
		{"a/", false},
		{"a//b", false},
		{"a\\b", false},
		{"a\x00b", false},
		{"a%2e", false},
		{"a b", false},
		{"a~b", false},
		{"é", false},
		{strings.Repeat("a", MaxKeyLen), true},
		{strings.Repeat("a", MaxKeyLen+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			err := ValidKey(tt.key)
			if got := err == nil; got != tt.want {
				t.Errorf("ValidKey(%q) = %v, want valid: %v", tt.key, err, tt.want)
			}
			if err != nil && !errors.Is(err, ErrInvalidKey) {
				t.Errorf("err = %v, want ErrInvalidKey", err)
			}
		})
	}
}

func TestContentDisposition(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"report.pdf", "report.pdf"},
		{"a-b_c.tar.gz", "a-b_c.tar.gz"},
		{"a\"\r\nX-Evil: 1", "a___X-Evil__1"},
		{"\"; filename=evil.exe", "___filename_evil.exe"},
		{"../x", ".._x"},
		{"é", "__"},
		{"", "download"},
		{".", "download"},
		{"..", "download"},
		{strings.Repeat("x", 300), strings.Repeat("x", 255)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cd := ContentDisposition(tt.name)
			if strings.ContainsAny(cd, "\r\n\x00") {
				t.Fatalf("ContentDisposition(%q) = %q holds a control character", tt.name, cd)
			}
			typ, params, err := mime.ParseMediaType(cd)
			if err != nil || typ != "attachment" {
				t.Fatalf("ParseMediaType(%q) = %q, %v", cd, typ, err)
			}
			if got := params["filename"]; got != tt.want {
				t.Errorf("filename = %q, want %q", got, tt.want)
			}
		})
	}
}
