package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// checker validates responses against the model.
type checker struct{ m *model }

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// output checks a success: the model's status code, and a body that parses
// against the output shape. It returns every problem found.
func (c *checker) output(op *operation, r reply) []string {
	var errs []string
	if r.status != op.HTTP.ResponseCode {
		errs = append(errs, fmt.Sprintf("status %d, model says %d", r.status, op.HTTP.ResponseCode))
	}
	var out *mshape
	if op.Output != nil {
		out = c.m.Shapes[op.Output.Shape]
	}
	if r.status == 204 {
		if out != nil && len(bodyMembers(out)) > 0 {
			errs = append(errs, "204 for an output with body members")
		}
		return errs
	}
	if r.tree == nil {
		return append(errs, "no JSON body")
	}
	if out == nil {
		if len(r.tree) != 0 {
			errs = append(errs, "operation has no output, body is not {}")
		}
		return errs
	}
	c.structure(&errs, "", out, r.tree, true)
	return errs
}

// bodyMembers lists the members of a top-level shape that travel in the body.
func bodyMembers(s *mshape) []string {
	var names []string
	for _, n := range s.memberNames() {
		if s.Members[n].Location == "" {
			names = append(names, n)
		}
	}
	return names
}

// errorReply checks an error answer of op (nil: outside any operation):
// a modeled error of the operation, its status, the X-Amzn-ErrorType header,
// and a body of __type plus the error's modeled members, each valid.
func (c *checker) errorReply(op *operation, r reply) []string {
	var errs []string
	typ := r.errType()
	if typ == "" {
		return []string{"error without __type: " + clip(string(r.body))}
	}
	if h := r.header.Get("X-Amzn-ErrorType"); h != typ {
		errs = append(errs, fmt.Sprintf("X-Amzn-ErrorType %q, __type %q", h, typ))
	}
	es := c.m.Shapes[typ]
	if es == nil || !es.Exception || es.Error == nil {
		return append(errs, fmt.Sprintf("%s is not an error shape of the model", typ))
	}
	if op != nil {
		listed := false
		for _, e := range op.Errors {
			listed = listed || e.Shape == typ
		}
		if !listed {
			errs = append(errs, fmt.Sprintf("%s is not among %s's modeled errors", typ, op.Name))
		}
	}
	if r.status != es.Error.HTTPStatusCode {
		errs = append(errs, fmt.Sprintf("%s with status %d, model says %d", typ, r.status, es.Error.HTTPStatusCode))
	}
	body := make(map[string]any, len(r.tree))
	for k, v := range r.tree {
		if k != "__type" {
			body[k] = v
		}
	}
	c.structure(&errs, "", es, body, true)
	for _, n := range es.memberNames() {
		m := es.Members[n]
		if m.Location == "header" {
			if v := r.header.Get(m.LocationName); v != "" {
				if _, err := strconv.ParseInt(v, 10, 32); err != nil && c.m.Shapes[m.Shape].Type == "integer" {
					errs = append(errs, fmt.Sprintf("header %s: %q is not an integer", m.LocationName, v))
				}
			}
		}
	}
	return errs
}

// structure checks obj against s: no member the model lacks, every required
// member present and non-null, every value valid. top skips members bound
// to headers or the status code.
func (c *checker) structure(errs *[]string, path string, s *mshape, obj map[string]any, top bool) {
	for k := range obj {
		m, ok := s.Members[k]
		if !ok || top && m.Location != "" {
			*errs = append(*errs, fmt.Sprintf("%s: member the model does not have", join(path, k)))
		}
	}
	for _, n := range s.memberNames() {
		m := s.Members[n]
		if top && m.Location != "" {
			continue
		}
		v, present := obj[n]
		if v == nil {
			if s.required(n) {
				*errs = append(*errs, fmt.Sprintf("%s: required member missing", join(path, n)))
			} else if present {
				*errs = append(*errs, fmt.Sprintf("%s: null (omit unset members)", join(path, n)))
			}
			continue
		}
		c.value(errs, join(path, n), m.Shape, v)
	}
}

// value checks one non-null value against the named shape.
func (c *checker) value(errs *[]string, path, name string, v any) {
	s := c.m.Shapes[name]
	bad := func(format string, args ...any) {
		*errs = append(*errs, path+": "+fmt.Sprintf(format, args...))
	}
	size := func(n int64, what string) {
		if s.Min != nil && n < *s.Min {
			bad("%s %d below the minimum %d", what, n, *s.Min)
		}
		if s.Max != nil && n > *s.Max {
			bad("%s %d above the maximum %d", what, n, *s.Max)
		}
	}
	switch s.Type {
	case "structure", "union":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("want an object, got %T", v)
			return
		}
		c.structure(errs, path, s, obj, false)
	case "list":
		arr, ok := v.([]any)
		if !ok {
			bad("want an array, got %T", v)
			return
		}
		size(int64(len(arr)), "length")
		for i, e := range arr {
			p := path + "." + strconv.Itoa(i+1)
			if e == nil {
				*errs = append(*errs, p+": null list element")
				continue
			}
			c.value(errs, p, s.Member.Shape, e)
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("want an object, got %T", v)
			return
		}
		size(int64(len(obj)), "size")
		for k, e := range obj {
			c.value(errs, path+"(key "+strconv.Quote(k)+")", s.Key.Shape, k)
			if e == nil {
				*errs = append(*errs, join(path, k)+": null map value")
				continue
			}
			c.value(errs, join(path, k), s.Value.Shape, e)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("want a string, got %T", v)
			return
		}
		size(int64(utf8.RuneCountInString(str)), "length")
		if s.re != nil && !s.re.MatchString(str) {
			bad("%q does not match %s", clip(str), *s.Pattern)
		}
		if len(s.Enum) > 0 && !s.enumerated(str) {
			bad("%q is not in the enum %v", str, s.Enum)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("want a boolean, got %T", v)
		}
	case "integer", "long":
		n, ok := v.(json.Number)
		if !ok {
			bad("want a number, got %T", v)
			return
		}
		bits := 64
		if s.Type == "integer" {
			bits = 32
		}
		i, err := strconv.ParseInt(string(n), 10, bits)
		if err != nil {
			bad("%s is not a %d-bit integer", n, bits)
			return
		}
		size(i, "value")
	case "double", "float":
		if _, ok := v.(json.Number); !ok {
			bad("want a number, got %T", v)
		}
	case "timestamp":
		// restJson1 body timestamps are epoch seconds.
		n, ok := v.(json.Number)
		if !ok {
			bad("want epoch seconds, got %T", v)
			return
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsInf(f, 0) || f < -62135596800 || f > 253402300799 {
			bad("%s is not an epoch-seconds timestamp of years 1 to 9999", n)
		}
	default:
		bad("shape type %s not supported by the checker", s.Type)
	}
}
