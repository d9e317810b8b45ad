package sigv4

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sird-project/sird"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	terminator = "aws4_request"
	amzDateFmt = "20060102T150405Z"
)

// Query parameters of the presigned form.
const (
	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qExpires       = "X-Amz-Expires"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
)

// authInput is what the client claims: who signed, for which scope, when,
// over which headers, and the signature to check.
type authInput struct {
	presigned     bool
	accessKeyID   string
	date          string // scope date, YYYYMMDD
	region        string
	service       string
	scope         string // date/region/service/aws4_request as sent
	signedHeaders string // ';'-separated, as sent
	signature     string
	amzDate       string // ISO-8601 basic, validated
	signedAt      time.Time
	expires       int64 // presigned X-Amz-Expires in seconds; -1 when absent
	query         []queryParam
}

// parseRequest extracts the signature claim from either the Authorization
// header or the presigned query parameters.
func parseRequest(r *http.Request) (authInput, *sird.Error) {
	in := authInput{expires: -1}
	_, rawQuery := wireTarget(r)
	in.query = parseQuery(rawQuery)

	auth := headerValues(r.Header, "authorization")
	presigned := hasParam(in.query, qSignature) || hasParam(in.query, qAlgorithm) || hasParam(in.query, qCredential)
	switch {
	case len(auth) > 0 && presigned:
		return in, incomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified.")
	case len(auth) > 1:
		return in, incomplete("Only one Authorization header allowed.")
	case len(auth) == 1:
		if e := parseAuthorization(&in, auth[0]); e != nil {
			return in, e
		}
		dates := headerValues(r.Header, "x-amz-date")
		if len(dates) == 0 {
			return in, incomplete("Authorization header requires existence of a 'X-Amz-Date' header.")
		}
		if e := parseAmzDate(&in, dates[0]); e != nil {
			return in, e
		}
	case presigned:
		in.presigned = true
		if e := parsePresigned(&in); e != nil {
			return in, e
		}
	default:
		return in, incomplete("Request is missing Authentication Token")
	}
	if !hasSignedHost(in.signedHeaders) {
		return in, incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return in, nil
}

// parseAuthorization reads "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
func parseAuthorization(in *authInput, h string) *sird.Error {
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if alg != algorithm {
		return incomplete("Unsupported AWS 'algorithm': '%s'.", clip(alg))
	}
	var cred string
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok && k == "" {
			continue // tolerate a stray comma
		}
		var dst *string
		switch k {
		case "Credential":
			dst = &cred
		case "SignedHeaders":
			dst = &in.signedHeaders
		case "Signature":
			dst = &in.signature
		default:
			return incomplete("Authorization header has an unexpected component '%s'.", clip(k))
		}
		if *dst != "" {
			return incomplete("Authorization header has '%s' more than once.", k)
		}
		*dst = val
	}
	var missing strings.Builder
	for _, p := range [...]struct{ name, val string }{
		{"Credential", cred}, {"Signature", in.signature}, {"SignedHeaders", in.signedHeaders},
	} {
		if p.val == "" {
			if missing.Len() > 0 {
				missing.WriteByte(' ')
			}
			missing.WriteString("Authorization header requires '" + p.name + "' parameter.")
		}
	}
	if missing.Len() > 0 {
		return incomplete("%s", missing.String())
	}
	return parseCredential(in, cred)
}

// parsePresigned reads the X-Amz-* query parameters of a presigned URL.
func parsePresigned(in *authInput) *sird.Error {
	var vals [6]string
	names := [...]string{qAlgorithm, qCredential, qSignature, qDate, qSignedHeaders, qExpires}
	var missing []string
	for i, name := range names {
		v, n := param(in.query, name)
		if n > 1 {
			return incomplete("Query-string parameter '%s' must appear only once.", name)
		}
		if n == 0 && name != qExpires {
			missing = append(missing, "'"+name+"'")
		}
		vals[i] = v
	}
	if len(missing) > 0 {
		return incomplete("AWS query-string parameters must include %s. Re-examine the query-string parameters.", strings.Join(missing, ", "))
	}
	if vals[0] != algorithm {
		return incomplete("X-Amz-Algorithm only supports '%s'.", algorithm)
	}
	in.signature, in.signedHeaders = vals[2], vals[4]
	if e := parseCredential(in, vals[1]); e != nil {
		return e
	}
	if e := parseAmzDate(in, vals[3]); e != nil {
		return e
	}
	if _, n := param(in.query, qExpires); n == 1 {
		secs, err := strconv.ParseInt(vals[5], 10, 64)
		if err != nil || secs < 0 {
			return incomplete("X-Amz-Expires should be a number of seconds, got '%s'.", clip(vals[5]))
		}
		if secs > MaxPresignExpires {
			return incomplete("X-Amz-Expires must be less than a week (in seconds) that is %d.", MaxPresignExpires)
		}
		in.expires = secs
	}
	return nil
}

// parseCredential splits "AKID/YYYYMMDD/region/service/aws4_request".
func parseCredential(in *authInput, cred string) *sird.Error {
	ak, scope, _ := strings.Cut(cred, "/")
	date, rest, _ := strings.Cut(scope, "/")
	region, rest, _ := strings.Cut(rest, "/")
	service, term, _ := strings.Cut(rest, "/")
	if ak == "" || date == "" || region == "" || service == "" || term == "" || strings.Contains(term, "/") {
		return incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'.", clip(cred))
	}
	if term != terminator {
		return incomplete("Credential should be scoped with a valid terminator: '%s', not '%s'.", terminator, clip(term))
	}
	in.accessKeyID, in.date, in.region, in.service, in.scope = ak, date, region, service, scope
	return nil
}

// parseAmzDate accepts only the ISO-8601 basic form the string to sign uses.
func parseAmzDate(in *authInput, s string) *sird.Error {
	t, err := time.Parse(amzDateFmt, s)
	if err != nil || len(s) != len(amzDateFmt) {
		return incomplete("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", clip(s))
	}
	in.amzDate, in.signedAt = s, t
	return nil
}

// hasSignedHost reports whether "host" is among the signed headers: without
// it a signature could be replayed against another endpoint.
func hasSignedHost(list string) bool {
	for list != "" {
		var name string
		name, list, _ = strings.Cut(list, ";")
		if name == "host" {
			return true
		}
	}
	return false
}
