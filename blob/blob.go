// Package blob holds what every sird.BlobStore shares: the key syntax and the
// Content-Disposition a download answers with. The stores themselves live in
// the subpackages fsblob (embedded, the default) and s3blob.
package blob

import (
	"errors"
	"mime"
	"strings"
)

// MaxKeyLen bounds keys so a path built from one stays well under PATH_MAX.
const MaxKeyLen = 1024

// ErrInvalidKey is returned for keys that ValidKey refuses.
var ErrInvalidKey = errors.New("blob: invalid key")

// ValidKey reports whether key is "/"-separated segments of [A-Za-z0-9._-]+,
// none of them "." or "..". Keys are checked before they name a file or an
// object, so nothing in one can climb out of the store's directory or prefix.
func ValidKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return ErrInvalidKey
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return ErrInvalidKey
		}
		for i := 0; i < len(seg); i++ {
			if !nameByte(seg[i]) {
				return ErrInvalidKey
			}
		}
	}
	return nil
}

// nameByte is the alphabet of key segments and of attachment file names.
func nameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}

// maxFileName keeps the header short; file systems refuse longer names anyway.
const maxFileName = 255

// SanitizeFileName maps name into [A-Za-z0-9._-]+, the model's alphabet for
// attachment names, replacing every other byte with '_'. Names reach us from
// callers and are never trusted: after this nothing in them can end a header
// or a quoted string.
func SanitizeFileName(name string) string {
	b := []byte(name)
	if len(b) > maxFileName {
		b = b[:maxFileName]
	}
	for i, c := range b {
		if !nameByte(c) {
			b[i] = '_'
		}
	}
	s := string(b)
	if s == "" || s == "." || s == ".." {
		return "download"
	}
	return s
}

// ContentDisposition is the header value naming fileName for a download.
func ContentDisposition(fileName string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": SanitizeFileName(fileName)})
}
