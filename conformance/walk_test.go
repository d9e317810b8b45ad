package conformance

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sird-project/sird/internal/testsupport/apitest"
)

// wire is an operation input split by where its members travel.
type wire struct {
	labels map[string]string // by label name; a missing label is an empty segment
	query  url.Values
	body   map[string]any
}

// builder places v (or nothing, when !present) at one path of an otherwise
// valid input and returns the whole request. Builders compose: a member's
// builder clones its parent's valid value, sets the member and hands the
// result to the parent's builder.
type builder func(v any, present bool) wire

// coverage counts the model's input constraints and how each fared.
type coverage struct {
	total, exercised, vacuous int // constraints
	typeChecks, typeFailed    int // wrong JSON types, not constraints
	business                  int // boundary values a business rule refused after validation
	missed                    []string
}

// walker drives one operation's constraint walk.
type walker struct {
	t    *testing.T
	m    *model
	c    *checker
	srv  *server
	cov  *coverage
	op   *operation
	in   *mshape
	p    *principal
	base map[string]any // the valid root input, labels included
	// rootRequired are the root's required members, judged against the
	// root base request once the walk is done (it may change state).
	rootRequired []pending
	unrouted     bool // the request has an empty label and cannot be routed
}

type pending struct {
	path string
	okV  bool
	whyV string
}

// patternExamples are short valid values of every pattern-constrained
// shape, each as short as the shape's minimum length allows so it can be
// padded (patterns are unanchored). TestPatternExamples checks them.
var patternExamples = map[string]string{
	"AWSAccountId":         "123456789012",
	"Arn":                  "arn:aws:security-ir:us-east-1:123456789012:case/1234567890",
	"AttachmentId":         "0123abcd-0123-4567-89ab-0123456789ab",
	"AwsService":           "s3",
	"CaseArn":              "arn:aws:security-ir:us-east-1:123456789012:case/1234567890",
	"CaseId":               "1234567890",
	"CommentId":            "123456",
	"EmailAddress":         "a@b.co",
	"FileName":             "f",
	"IPAddress":            "192.0.2.1",
	"InvestigationId":      "inv-0123456789",
	"MembershipArn":        "arn:aws:security-ir:us-east-1:123456789012:membership/m-0123456789",
	"MembershipId":         "m-0123456789",
	"OrganizationalUnitId": "ou-abcd-abcdefgh",
	"PrincipalId":          "AWS Responder",
	"ResultId":             "inv-0123456789",
	"Url":                  "https://example.com/x",
}

// patternBreakers are tried in order for a value that misses a pattern.
var patternBreakers = []string{"@", "!", "é", " "}

func (w *walker) split(tree map[string]any) wire {
	x := wire{labels: map[string]string{}, query: url.Values{}, body: map[string]any{}}
	for name, v := range tree {
		m := w.in.Members[name]
		switch m.Location {
		case "uri":
			if v != nil {
				x.labels[m.LocationName] = v.(string)
			}
		case "querystring":
			switch t := v.(type) {
			case nil:
			case []any:
				for _, e := range t {
					x.query.Add(m.LocationName, fmt.Sprint(e))
				}
			default:
				x.query.Set(m.LocationName, fmt.Sprint(t))
			}
		default:
			x.body[name] = v
		}
	}
	return x
}

// target expands the URI template with the labels, percent-encoded.
func (w *walker) target(x wire) string {
	target := apitest.ExpandURI(w.op.HTTP.RequestURI, func(name string) string { return x.labels[name] })
	if len(x.query) > 0 {
		target += "?" + x.query.Encode()
	}
	return target
}

// send issues x and checks the answer against the model: a success's
// status and output, an error's status and members.
func (w *walker) send(x wire) reply {
	w.t.Helper()
	var body []byte
	if len(x.body) > 0 || w.op.HTTP.Method == "POST" || w.op.HTTP.Method == "PUT" {
		var err error
		if body, err = json.Marshal(x.body); err != nil {
			w.t.Fatal(err)
		}
	}
	target := w.target(x)
	r := w.srv.call(w.t, w.p, w.op.HTTP.Method, target, body)
	switch {
	case r.status < 300:
		for _, e := range w.c.output(w.op, r) {
			w.t.Errorf("%s %s: success does not match the model: %s", w.op.Name, clip(target), e)
		}
	case w.unrouted && r.errType() == "UnknownOperationException":
		// An empty label: the caller judges it.
	default:
		for _, e := range w.c.errorReply(w.op, r) {
			w.t.Errorf("%s %s: error does not match the model: %s", w.op.Name, clip(target), e)
		}
	}
	return r
}

type fieldEntry struct{ name, message string }

func fields(r reply) (reason string, list []fieldEntry) {
	reason, _ = r.tree["reason"].(string)
	arr, _ := r.tree["fieldList"].([]any)
	for _, f := range arr {
		m, _ := f.(map[string]any)
		n, _ := m["name"].(string)
		msg, _ := m["message"].(string)
		list = append(list, fieldEntry{n, msg})
	}
	return reason, list
}

// constraintMessage tells a message of model validation (a broken
// constraint or a wrong JSON type) from a business rule's.
func constraintMessage(msg string) bool {
	return strings.Contains(msg, "failed to satisfy constraint") || strings.HasPrefix(msg, "Expected ")
}

// refused reports whether r is a field validation failure whose fieldList
// names path with a message containing want.
func refused(r reply, path, want string) (bool, string) {
	if r.status != 400 || r.errType() != "ValidationException" {
		return false, "got " + r.String()
	}
	reason, list := fields(r)
	if reason != "FIELD_VALIDATION_FAILED" {
		return false, "reason " + reason + ": " + r.String()
	}
	for _, f := range list {
		if f.name == path && strings.Contains(f.message, want) {
			return true, ""
		}
	}
	return false, fmt.Sprintf("fieldList %v does not name %s with %q", list, path, want)
}

// accepted reports whether r shows no validation failure of path for the
// constraint whose message contains want ("" for any constraint). A
// business rule may still refuse the request, even naming the member.
func (w *walker) accepted(r reply, path, want string) (bool, string) {
	if r.status >= 500 {
		return false, "server error " + r.String()
	}
	if r.errType() != "ValidationException" {
		return true, ""
	}
	reason, list := fields(r)
	if reason == "CANNOT_PARSE" {
		return false, "could not parse: " + r.String()
	}
	named := false
	for _, f := range list {
		if f.name != path {
			continue
		}
		named = true
		if constraintMessage(f.message) && strings.Contains(f.message, want) {
			return false, fmt.Sprintf("refused: %s: %s", f.name, f.message)
		}
	}
	if named {
		w.cov.business++
	}
	return true, ""
}

// record counts one constraint as exercised when its violation was refused
// and its boundary accepted.
func (w *walker) record(path, kind string, okV bool, whyV string, okA bool, whyA string, vacuous bool) {
	w.t.Helper()
	w.cov.total++
	if vacuous {
		w.cov.vacuous++
	}
	if okV && okA {
		w.cov.exercised++
		return
	}
	key := w.op.Name + " " + path + " [" + kind + "]"
	w.cov.missed = append(w.cov.missed, key)
	if !okV {
		w.t.Errorf("%s: violation not refused: %s", key, whyV)
	}
	if !okA {
		w.t.Errorf("%s: boundary value refused: %s", key, whyA)
	}
}

// walk exercises every constraint of the operation's input.
func (w *walker) walk() {
	root := func(v any, _ bool) wire { return w.split(v.(map[string]any)) }
	w.structure("", w.in.name, w.base, root)
	if len(w.rootRequired) > 0 {
		r := w.send(w.split(w.base))
		for _, p := range w.rootRequired {
			okA, whyA := w.accepted(r, p.path, "")
			w.record(p.path, "required", p.okV, p.whyV, okA, whyA, false)
		}
	}
}

func (w *walker) structure(path, name string, base map[string]any, b builder) {
	s := w.m.Shapes[name]
	for _, mn := range s.memberNames() {
		m := s.Members[mn]
		mb := func(v any, present bool) wire {
			obj := maps.Clone(base)
			if present {
				obj[mn] = v
			} else {
				delete(obj, mn)
			}
			return b(obj, true)
		}
		mpath := join(path, mn)
		loc := ""
		if path == "" {
			loc = m.Location
		}
		if s.required(mn) {
			var okV bool
			var whyV string
			if loc == "uri" {
				// An absent label leaves an empty path segment: no operation
				// has that path, so the request cannot reach this one.
				w.unrouted = true
				r := w.send(mb(nil, false))
				w.unrouted = false
				okV = r.status == 404 && r.errType() == "UnknownOperationException"
				whyV = "empty label: " + r.String()
			} else {
				okV, whyV = refused(w.send(mb(nil, false)), mpath, "Member must not be null")
				if okV && loc == "" {
					okV, whyV = refused(w.send(mb(nil, true)), mpath, "Member must not be null") // JSON null
				}
			}
			if path == "" {
				w.rootRequired = append(w.rootRequired, pending{path: mpath, okV: okV, whyV: whyV})
			} else {
				okA, whyA := w.accepted(w.send(mb(base[mn], true)), mpath, "")
				w.record(mpath, "required", okV, whyV, okA, whyA, false)
			}
		}
		w.value(mpath, m.Shape, mb, loc)
	}
}

// value exercises every constraint of shape name at path.
func (w *walker) value(path, name string, b builder, loc string) {
	s := w.m.Shapes[name]
	if loc == "" {
		w.wrongType(path, s, b)
	}
	switch s.Type {
	case "structure":
		w.structure(path, name, w.valid(name).(map[string]any), b)
	case "list":
		w.sizes(path, s, func(n int) any { return w.list(s, n) }, b)
		base := w.list(s, max(minOf(s), 1))
		eb := func(v any, _ bool) wire {
			arr := append([]any(nil), base...)
			arr[0] = v
			return b(arr, true)
		}
		w.value(path+".1", s.Member.Shape, eb, loc)
	case "map":
		w.sizes(path, s, func(n int) any { return w.mapOf(s, n) }, b)
		w.mapKeys(path, s, b)
		vb := func(v any, _ bool) wire { return b(map[string]any{"k1": v}, true) }
		w.value(join(path, "k1"), s.Value.Shape, vb, loc)
	case "string":
		w.strings(path, name, s, b)
	case "integer", "long":
		num := func(n int) any { return json.Number(fmt.Sprint(n)) }
		if s.Min != nil {
			w.bound(path, int(*s.Min), "min", "value", num, b)
		}
		if s.Max != nil {
			w.bound(path, int(*s.Max), "max", "value", num, b)
		}
	}
}

func (w *walker) sizes(path string, s *mshape, make func(int) any, b builder) {
	if s.Min != nil {
		w.bound(path, int(*s.Min), "min", "length", make, b)
	}
	if s.Max != nil {
		w.bound(path, int(*s.Max), "max", "length", make, b)
	}
}

// bound violates a min or max by one and sends the bound itself. A minimum
// of 0 cannot be violated: it is vacuous, and only its boundary is sent.
func (w *walker) bound(path string, limit int, side, noun string, make func(int) any, b builder) {
	want := fmt.Sprintf("Member must have %s greater than or equal to %d", noun, limit)
	if side == "max" {
		want = fmt.Sprintf("Member must have %s less than or equal to %d", noun, limit)
	}
	kind := side + "-" + noun
	okV, whyV, vacuous := true, "", side == "min" && limit == 0 && noun == "length"
	if !vacuous {
		over := limit + 1
		if side == "min" {
			over = limit - 1
		}
		okV, whyV = refused(w.send(b(make(over), true)), path, want)
	}
	okA, whyA := w.accepted(w.send(b(make(limit), true)), path, want)
	w.record(path, kind, okV, whyV, okA, whyA, vacuous)
}

func (w *walker) strings(path, name string, s *mshape, b builder) {
	if s.Min != nil {
		w.bound(path, int(*s.Min), "min", "length", func(n int) any { return w.sized(name, n) }, b)
	}
	if s.Max != nil {
		w.bound(path, int(*s.Max), "max", "length", func(n int) any { return w.sized(name, n) }, b)
	}
	if s.re != nil {
		bad := ""
		for _, r := range patternBreakers {
			if c := strings.Repeat(r, max(minOf(s), 1)); !s.re.MatchString(c) {
				bad = c
				break
			}
		}
		if bad == "" {
			w.t.Fatalf("%s: no value found that misses pattern %s", path, *s.Pattern)
		}
		const want = "Member must satisfy regular expression pattern"
		okV, whyV := refused(w.send(b(bad, true)), path, want)
		okA, whyA := w.accepted(w.send(b(w.valid(name), true)), path, "")
		w.record(path, "pattern", okV, whyV, okA, whyA, false)
	}
	if len(s.Enum) > 0 {
		const want = "Member must satisfy enum value set"
		okV, whyV := refused(w.send(b("NOT_AN_ENUM_VALUE", true)), path, want)
		okA, whyA := true, ""
		for _, e := range s.Enum {
			if ok, why := w.accepted(w.send(b(e, true)), path, ""); !ok && okA {
				okA, whyA = false, fmt.Sprintf("%q: %s", e, why)
			}
		}
		w.record(path, "enum", okV, whyV, okA, whyA, false)
	}
}

func (w *walker) mapKeys(path string, s *mshape, b builder) {
	ks := w.m.Shapes[s.Key.Shape]
	value := w.valid(s.Value.Shape)
	withKey := func(k string) wire { return b(map[string]any{k: value}, true) }
	const keyMsg = "Map keys must satisfy constraint: [Member must have length "
	if ks.Min != nil {
		want := fmt.Sprintf(keyMsg+"greater than or equal to %d", *ks.Min)
		okV, whyV, vacuous := true, "", *ks.Min == 0
		if !vacuous {
			okV, whyV = refused(w.send(withKey(strings.Repeat("k", int(*ks.Min)-1))), path, want)
		}
		okA, whyA := w.accepted(w.send(withKey(strings.Repeat("k", int(*ks.Min)))), path, want)
		w.record(path, "key-min-length", okV, whyV, okA, whyA, vacuous)
	}
	if ks.Max != nil {
		want := fmt.Sprintf(keyMsg+"less than or equal to %d", *ks.Max)
		okV, whyV := refused(w.send(withKey(strings.Repeat("k", int(*ks.Max)+1))), path, want)
		okA, whyA := w.accepted(w.send(withKey(strings.Repeat("k", int(*ks.Max)))), path, want)
		w.record(path, "key-max-length", okV, whyV, okA, whyA, false)
	}
	if ks.Pattern != nil || len(ks.Enum) > 0 {
		w.t.Errorf("%s: map key patterns and enums are not exercised by this suite", path)
	}
}

// wrongType sends a value of another JSON type than the member's: not a
// model constraint, but validation must name the member all the same.
func (w *walker) wrongType(path string, s *mshape, b builder) {
	var bad any = json.Number("7")
	switch s.Type {
	case "structure", "map", "list", "integer", "long", "boolean", "timestamp":
		bad = "x"
	}
	w.cov.typeChecks++
	if ok, why := refused(w.send(b(bad, true)), path, "Expected "); !ok {
		w.cov.typeFailed++
		w.t.Errorf("%s %s [type]: a %s given %v is not refused: %s", w.op.Name, path, s.Type, bad, why)
	}
}

// valid builds a minimal valid value of a shape: required members only,
// collections at their minimum size (at least one element, so nested
// constraints have somewhere to be violated).
func (w *walker) valid(name string) any {
	s := w.m.Shapes[name]
	switch s.Type {
	case "structure":
		obj := map[string]any{}
		for _, mn := range s.memberNames() {
			if s.required(mn) {
				obj[mn] = w.valid(s.Members[mn].Shape)
			}
		}
		return obj
	case "list":
		return w.list(s, max(minOf(s), 1))
	case "map":
		return w.mapOf(s, max(minOf(s), 1))
	case "string":
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		if s.re != nil {
			// The example, padded to the minimum length if it is shorter.
			return w.sized(name, max(minOf(s), utf8.RuneCountInString(patternExamples[name])))
		}
		return w.sized(name, max(minOf(s), 1))
	case "integer", "long":
		if s.Min != nil {
			return json.Number(fmt.Sprint(*s.Min))
		}
		return json.Number("1")
	case "boolean":
		return true
	case "timestamp":
		return json.Number("1700000000.5")
	}
	w.t.Fatalf("valid: unsupported type %s of %s", s.Type, name)
	return nil
}

func minOf(s *mshape) int {
	if s.Min == nil {
		return 0
	}
	return int(*s.Min)
}

func (w *walker) list(s *mshape, n int) []any {
	arr := make([]any, n)
	for i := range arr {
		arr[i] = w.valid(s.Member.Shape)
	}
	return arr
}

func (w *walker) mapOf(s *mshape, n int) map[string]any {
	obj := make(map[string]any, n)
	for i := range n {
		obj[fmt.Sprintf("k%d", i+1)] = w.valid(s.Value.Shape)
	}
	return obj
}

// sized returns a string of exactly n code points that keeps the shape's
// pattern when the pattern allows that length.
func (w *walker) sized(name string, n int) string {
	s := w.m.Shapes[name]
	if s.re == nil {
		return strings.Repeat("a", n)
	}
	ex, ok := patternExamples[name]
	if !ok {
		w.t.Fatalf("no pattern example for %s", name)
	}
	if c := utf8.RuneCountInString(ex); c <= n {
		return ex + strings.Repeat("a", n-c)
	}
	return strings.Repeat("a", n) // too short for the pattern: only the length is judged
}
