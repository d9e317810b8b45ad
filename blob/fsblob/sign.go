package fsblob

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"time"
)

// Query parameters of a presigned URL.
const (
	paramOp        = "X-Sird-Op"
	paramExpires   = "X-Sird-Expires"
	paramSize      = "X-Sird-Size"
	paramName      = "X-Sird-Name"
	paramSignature = "X-Sird-Signature"
)

// Operations a URL grants; the op binds the HTTP method (get covers HEAD).
const (
	opPut = "put"
	opGet = "get"
)

// grant is what a URL allows: everything in it is covered by the signature.
type grant struct {
	op      string
	key     string
	expires int64  // unix seconds
	size    int64  // exact upload size; -1 on downloads
	name    string // download file name; "" on uploads
}

// mac signs a grant. Each field is length-prefixed, so no two different grants
// produce the same message, whatever bytes the name holds.
func (s *Store) mac(g grant) []byte {
	h := hmac.New(sha256.New, s.secret)
	for _, f := range []string{"sird-blob-v1", g.op, g.key, strconv.FormatInt(g.expires, 10), strconv.FormatInt(g.size, 10), g.name} {
		h.Write(strconv.AppendInt(nil, int64(len(f)), 10))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return h.Sum(nil)
}

// url builds the presigned URL for g. Valid keys are unreserved characters
// only, so the key needs no escaping in the path.
func (s *Store) url(g grant) string {
	q := url.Values{}
	q.Set(paramOp, g.op)
	q.Set(paramExpires, strconv.FormatInt(g.expires, 10))
	if g.op == opPut {
		q.Set(paramSize, strconv.FormatInt(g.size, 10))
	} else {
		q.Set(paramName, g.name)
	}
	q.Set(paramSignature, hex.EncodeToString(s.mac(g)))
	return s.publicURL + PathPrefix + g.key + "?" + q.Encode()
}

var (
	errBadQuery  = errors.New("malformed presigned query")
	errSignature = errors.New("signature does not match")
	errExpired   = errors.New("request has expired")
)

// verify parses the query of a request for key and checks its signature and
// expiry. A parameter given twice is refused rather than guessed at.
func (s *Store) verify(key, rawQuery string) (grant, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return grant{}, errBadQuery
	}
	for _, p := range []string{paramOp, paramExpires, paramSize, paramName, paramSignature} {
		if len(q[p]) > 1 {
			return grant{}, errBadQuery
		}
	}
	g := grant{op: q.Get(paramOp), key: key, size: -1, name: q.Get(paramName)}
	if g.op != opPut && g.op != opGet {
		return grant{}, errBadQuery
	}
	if g.expires, err = strconv.ParseInt(q.Get(paramExpires), 10, 64); err != nil {
		return grant{}, errBadQuery
	}
	if v, ok := q[paramSize]; ok {
		if g.size, err = strconv.ParseInt(v[0], 10, 64); err != nil || g.size < 0 {
			return grant{}, errBadQuery
		}
	}
	sig, err := hex.DecodeString(q.Get(paramSignature))
	if err != nil || !hmac.Equal(sig, s.mac(g)) {
		return grant{}, errSignature
	}
	// Checked after the signature so the answer says nothing about forged URLs.
	if !s.now().Before(time.Unix(g.expires, 0)) {
		return grant{}, errExpired
	}
	if g.op == opPut && g.size < 0 {
		return grant{}, errBadQuery // a signed upload always names its size
	}
	return g, nil
}
