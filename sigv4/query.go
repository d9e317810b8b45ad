package sigv4

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
)

// queryParam is one key=value pair of the raw query: decoded, to read the
// presigned parameters, and re-encoded, to sort and sign.
type queryParam struct {
	key, value       string
	encKey, encValue string
}

// parseQuery splits the raw query itself rather than using url.ParseQuery,
// which drops pairs it cannot decode (';', bad escapes): every byte the
// client sent must be covered by the signature or the request fails.
func parseQuery(raw string) []queryParam {
	if raw == "" {
		return nil
	}
	params := make([]queryParam, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue // SDKs never sign empty pairs; "a=1&&b=2" means a and b
		}
		k, v, _ := strings.Cut(pair, "=")
		k, v = unescapeQuery(k), unescapeQuery(v)
		params = append(params, queryParam{key: k, value: v, encKey: escapeString(k), encValue: escapeString(v)})
	}
	// SigV4 sorts after encoding, by key and then by value, so repeated keys
	// (tagKeys=a&tagKeys=b) have one canonical order.
	slices.SortFunc(params, func(a, b queryParam) int {
		if c := cmp.Compare(a.encKey, b.encKey); c != 0 {
			return c
		}
		return cmp.Compare(a.encValue, b.encValue)
	})
	return params
}

// unescapeQuery decodes '+' as a space, as the SDKs' query parsers do; a
// component that is not valid percent-encoding is taken literally, so it is
// still signed (its '%' becomes %25) instead of vanishing.
func unescapeQuery(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}

// param returns the first value of key and how many times key appears.
func param(params []queryParam, key string) (string, int) {
	var v string
	n := 0
	for _, p := range params {
		if p.key == key {
			if n == 0 {
				v = p.value
			}
			n++
		}
	}
	return v, n
}

func hasParam(params []queryParam, key string) bool {
	_, n := param(params, key)
	return n > 0
}

// appendCanonicalQuery writes the sorted, encoded pairs; the presigned form
// leaves out the signature itself.
func appendCanonicalQuery(dst []byte, params []queryParam, presigned bool) []byte {
	first := true
	for _, p := range params {
		if presigned && p.key == qSignature {
			continue
		}
		if !first {
			dst = append(dst, '&')
		}
		first = false
		dst = append(dst, p.encKey...)
		dst = append(dst, '=')
		dst = append(dst, p.encValue...)
	}
	return dst
}
