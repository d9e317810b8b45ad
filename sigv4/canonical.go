package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// bufPool recycles the buffer the canonical request and string to sign are
// built in, since every request needs one.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// computeSignature writes into sig the hex signature the client should have
// sent, following the SigV4 canonical request the SDKs build.
func computeSignature(sig *[2 * sha256.Size]byte, key [sha256.Size]byte, r *http.Request, in *authInput, payload []byte) {
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]

	path, _ := wireTarget(r)
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, path)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, in.query, in.presigned)
	b = append(b, '\n')
	b = appendCanonicalHeaders(b, r, in.signedHeaders)
	b = append(b, '\n')
	b = append(b, in.signedHeaders...)
	b = append(b, '\n')
	b = append(b, payload...)
	crHash := sha256.Sum256(b)

	// HMAC-SHA256 (RFC 2104) done by hand over the pooled buffer: the key is
	// one 32-byte derived key, shorter than the block, and crypto/hmac would
	// cost six allocations on every request.
	b = b[:0]
	for i := range sha256.BlockSize {
		b = append(b, ipad^keyByte(&key, i))
	}
	b = append(b, algorithm+"\n"...)
	b = append(b, in.amzDate...)
	b = append(b, '\n')
	b = append(b, in.scope...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, crHash[:])
	inner := sha256.Sum256(b)
	var outer [sha256.BlockSize + sha256.Size]byte
	for i := range sha256.BlockSize {
		outer[i] = opad ^ keyByte(&key, i)
	}
	copy(outer[sha256.BlockSize:], inner[:])
	mac := sha256.Sum256(outer[:])
	hex.Encode(sig[:], mac[:])

	*bp = b
	if cap(b) <= 64<<10 { // don't keep a buffer grown by a huge request
		bufPool.Put(bp)
	}
}

const ipad, opad = 0x36, 0x5c

// keyByte is byte i of the key zero-padded to the hash block size.
func keyByte(key *[sha256.Size]byte, i int) byte {
	if i < len(key) {
		return key[i]
	}
	return 0
}

// wireTarget returns the path and raw query as the client sent them on the
// request line, since the signature covers those bytes and not Go's
// re-encoding of the parsed URL.
func wireTarget(r *http.Request) (path, rawQuery string) {
	uri := r.RequestURI
	if uri == "" {
		if r.URL == nil {
			return "", ""
		}
		return r.URL.EscapedPath(), r.URL.RawQuery
	}
	path, rawQuery, _ = strings.Cut(uri, "?")
	if !strings.HasPrefix(path, "/") {
		// absolute-form "http://host/path": keep only the path.
		if _, rest, ok := strings.Cut(path, "://"); ok {
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				return rest[i:], rawQuery
			}
			return "", rawQuery
		}
	}
	return path, rawQuery
}

// appendCanonicalURI escapes the already-escaped wire path once more: for
// every service but S3 the SDKs encode the path twice. Nothing is
// normalised, as aws-sdk-go-v2 does not normalise either.
func appendCanonicalURI(dst []byte, path string) []byte {
	if path == "" {
		return append(dst, '/')
	}
	return appendEscaped(dst, path, true)
}

// appendCanonicalHeaders writes "name:value\n" for each signed header in the
// order the client listed them.
func appendCanonicalHeaders(dst []byte, r *http.Request, list string) []byte {
	for list != "" {
		var name string
		name, list, _ = strings.Cut(list, ";")
		dst = append(dst, name...)
		dst = append(dst, ':')
		if name == "host" && r.Host != "" {
			// net/http moves Host out of the header map.
			dst = appendTrimmed(dst, r.Host)
		} else if vals := headerValues(r.Header, name); len(vals) > 0 {
			for i, v := range vals {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = appendTrimmed(dst, v)
			}
		} else if name == "content-length" && r.ContentLength >= 0 {
			// Requests built in-process carry the length only in the field.
			dst = strconv.AppendInt(dst, r.ContentLength, 10)
		} else if name == "transfer-encoding" {
			// net/http moves Transfer-Encoding out of the header map too.
			dst = append(dst, strings.Join(r.TransferEncoding, ",")...)
		}
		dst = append(dst, '\n')
	}
	return dst
}

// headerValues finds a header by case-insensitive name without allocating,
// so lowercase signed names match net/http's canonical keys and any other
// spelling a hand-built request uses.
func headerValues(h http.Header, lower string) []string {
	var found []string
	n := 0
	for k, v := range h {
		if strings.EqualFold(k, lower) {
			if n == 0 {
				found = v
			}
			n++
		}
	}
	if n <= 1 {
		return found
	}
	// Several spellings of one header (only in hand-built maps): merge in a
	// fixed order so the canonical request does not depend on map iteration.
	keys := make([]string, 0, n)
	for k := range h {
		if strings.EqualFold(k, lower) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var all []string
	for _, k := range keys {
		all = append(all, h[k]...)
	}
	return all
}

// appendTrimmed writes a header value with surrounding whitespace removed and
// inner runs of spaces collapsed to one, SigV4's Trimall.
func appendTrimmed(dst []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

// appendEscaped percent-encodes every byte outside RFC 3986's unreserved set
// (and '/' when keepSlash), upper-case hex, as SigV4 requires.
func appendEscaped(dst []byte, s string, keepSlash bool) []byte {
	const hexUpper = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (keepSlash && c == '/') {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hexUpper[c>>4], hexUpper[c&15])
	}
	return dst
}

func escapeString(s string) string {
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			return string(appendEscaped(make([]byte, 0, len(s)+16), s, false))
		}
	}
	return s
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}
