package sqlstore

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/sird-project/sird"
)

// Cursors are the keyset position of the last row returned: a kind letter
// (so a cursor of one list is refused by another) and the key columns,
// base64url-encoded. They are opaque to callers, which seal them.
const (
	cursorCases    = "c"
	cursorEdits    = "e"
	cursorComments = "m"
)

func encodeCursor(kind string, parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + "\x00" + strings.Join(parts, "\x00")))
}

// decodeCursor returns the n parts of a cursor of kind.
func decodeCursor(kind, cursor string, n int) ([]string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err == nil {
		parts := strings.SplitN(string(raw), "\x00", n+1)
		if len(parts) == n+1 && parts[0] == kind {
			return parts[1:], nil
		}
	}
	return nil, errBadCursor
}

// errBadCursor is InvalidTokenException, what AWS answers a bad nextToken with.
var errBadCursor = sird.Errorf(sird.ErrInvalidToken, "The nextToken is not valid for this request.")

func caseCursor(createdNS int64, id string) string {
	return encodeCursor(cursorCases, strconv.FormatInt(createdNS, 10), id)
}

func parseCaseCursor(c string) (createdNS int64, id string, err error) {
	p, err := decodeCursor(cursorCases, c, 2)
	if err != nil {
		return 0, "", err
	}
	createdNS, err = strconv.ParseInt(p[0], 10, 64)
	if err != nil {
		return 0, "", errBadCursor
	}
	return createdNS, p[1], nil
}

func seqCursor(seq int64) string {
	return encodeCursor(cursorEdits, strconv.FormatInt(seq, 10))
}

func parseSeqCursor(c string) (int64, error) {
	p, err := decodeCursor(cursorEdits, c, 1)
	if err != nil {
		return 0, err
	}
	seq, err := strconv.ParseInt(p[0], 10, 64)
	if err != nil {
		return 0, errBadCursor
	}
	return seq, nil
}

func commentCursor(id string) string { return encodeCursor(cursorComments, id) }

func parseCommentCursor(c string) (string, error) {
	p, err := decodeCursor(cursorComments, c, 1)
	if err != nil {
		return "", err
	}
	return p[0], nil
}
