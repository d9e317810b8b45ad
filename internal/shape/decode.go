package shape

import (
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/sird-project/sird"
)

// maxFieldErrors caps a ValidationException's fieldList: its message grows
// with every entry, and a large hostile body could otherwise make it huge.
const maxFieldErrors = 100

// Decode parses and validates op's input from the URI labels (as Match
// returns them, keyed by label name), the query string and the JSON body
// (empty means {}), then fills out: a pointer to a struct whose json tags
// are the model's member names, or nil to validate only.
//
// Every member, whatever its location, goes to the field whose json tag is
// exactly its name (no case folding), and is skipped if out has none. Field
// types follow encoding/json's rules, json.Unmarshaler and
// encoding.TextUnmarshaler included (timestamps reach the former as the JSON
// number). Unknown body members, and body copies of members bound elsewhere,
// are ignored; header-bound members are not read (this model has none on
// input).
//
// Every error is a *sird.Error: CANNOT_PARSE for a body that is not one
// well-formed JSON object, FIELD_VALIDATION_FAILED naming each bad member
// (at most maxFieldErrors) otherwise, internal only when out's types
// disagree with the model.
func Decode(op *Operation, labels map[string]string, query url.Values, body []byte, out any) error {
	if op == nil {
		return sird.Errorf(sird.ErrInternal, "shape.Decode: nil operation")
	}
	tree, perr := parseTree(body)
	if perr != nil {
		return perr
	}
	in := op.input
	if in == nil {
		return nil
	}
	// A body copy of a bound member is not that member: replace it.
	for _, m := range op.bound {
		tree.remove(m.Name)
	}
	for _, m := range op.labels {
		if l := labels[m.LocationName]; l != "" { // an empty label is a missing one
			tree.set(m.Name, l)
		}
	}
	for _, m := range op.query {
		if vals, ok := query[m.LocationName]; ok && len(vals) > 0 {
			tree.set(m.Name, queryValue(m.shape, vals))
		}
	}

	v := validator{limit: maxFieldErrors}
	v.structure(in, tree)
	if len(v.errs) > 0 {
		return sird.ValidationError(v.errs...)
	}
	if out == nil {
		return nil
	}

	if err := fill(out, in, tree); err != nil {
		return sird.Errorf(sird.ErrInternal, "decoding %s input: %v", op.Name, err)
	}
	return nil
}

// badQuery stands in the tree for a query value that does not parse as its
// member's type, so validation reports it at the member's path.
type badQuery struct{ want string }

// queryValue converts query parameter values to the JSON tree form of s.
// A scalar takes the first value, as repeated scalars have no meaning.
func queryValue(s *Shape, vals []string) any {
	if s.Kind == KindList {
		arr := make([]any, len(vals))
		for i, q := range vals {
			arr[i] = queryScalar(s.member, q)
		}
		return arr
	}
	return queryScalar(s, vals[0])
}

func queryScalar(s *Shape, q string) any {
	switch s.Kind {
	case KindByte, KindShort, KindInteger, KindLong:
		if _, err := strconv.ParseInt(q, 10, 64); err != nil {
			return badQuery{"an integer"}
		}
		return json.Number(q)
	case KindFloat, KindDouble, KindBigInteger, KindBigDecimal:
		if _, err := strconv.ParseFloat(q, 64); err != nil {
			return badQuery{"a number"}
		}
		return json.Number(q)
	case KindBoolean:
		switch q {
		case "true":
			return true
		case "false":
			return false
		}
		return badQuery{"true or false"}
	case KindTimestamp:
		// restJson1 sends query timestamps as RFC 3339 date-times.
		t, err := time.Parse(time.RFC3339Nano, q)
		if err != nil {
			return badQuery{"an RFC 3339 date-time"}
		}
		return json.Number(strconv.FormatFloat(float64(t.UnixNano())/1e9, 'f', -1, 64))
	}
	return q
}
