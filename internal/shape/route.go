package shape

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// segment is one '/'-separated piece of a URI template: a literal or a label.
type segment struct {
	literal string
	label   string // member name bound to this segment
	greedy  bool   // {name+}: takes the rest of the path
}

func parseTemplate(uri string) ([]segment, error) {
	path, _, _ := strings.Cut(uri, "?") // literal query parts do not route
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("URI %q does not start with '/'", uri)
	}
	var segs []segment
	for _, p := range strings.Split(path[1:], "/") {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			name := p[1 : len(p)-1]
			greedy := strings.HasSuffix(name, "+")
			segs = append(segs, segment{label: strings.TrimSuffix(name, "+"), greedy: greedy})
			continue
		}
		if strings.ContainsAny(p, "{}") {
			return nil, fmt.Errorf("URI %q: partial labels are not supported", uri)
		}
		segs = append(segs, segment{literal: p})
	}
	return segs, nil
}

// Match finds the operation for method and a raw (still percent-encoded)
// request path. Label values are returned percent-decoded; they are split on
// the raw '/' first so an encoded %2F stays inside its label. A label must be
// non-empty. ok is false when nothing matches: AllowedMethods then tells a
// path served under other methods (405) from an unknown one (404).
func Match(method, rawPath string) (op *Operation, labels map[string]string, ok bool) {
	parts, valid := splitPath(rawPath)
	if !valid {
		return nil, nil, false
	}
	best, bestLiterals := (*Operation)(nil), -1
	for _, cand := range operationsByName {
		if cand.Method != method {
			continue
		}
		if n, ok := literalsMatched(cand.segs, parts); ok && n > bestLiterals {
			best, bestLiterals = cand, n
		}
	}
	if best == nil {
		return nil, nil, false
	}
	labels = make(map[string]string, len(best.labels))
	for i, sg := range best.segs {
		switch {
		case sg.greedy:
			labels[sg.label] = strings.Join(parts[i:], "/")
		case sg.label != "":
			labels[sg.label] = parts[i]
		}
	}
	return best, labels, true
}

// AllowedMethods returns the sorted methods of the operations whose URI
// template matches rawPath, nil if none does.
func AllowedMethods(rawPath string) []string {
	parts, valid := splitPath(rawPath)
	if !valid {
		return nil
	}
	var methods []string
	for _, op := range operationsByName {
		if _, ok := literalsMatched(op.segs, parts); ok && !contains(methods, op.Method) {
			methods = append(methods, op.Method)
		}
	}
	sort.Strings(methods)
	return methods
}

// splitPath percent-decodes each raw segment; a bad escape matches nothing.
func splitPath(rawPath string) ([]string, bool) {
	rawPath, _, _ = strings.Cut(rawPath, "?")
	if !strings.HasPrefix(rawPath, "/") {
		return nil, false
	}
	parts := strings.Split(rawPath[1:], "/")
	for i, p := range parts {
		d, err := url.PathUnescape(p)
		if err != nil {
			return nil, false
		}
		parts[i] = d
	}
	return parts, true
}

// literalsMatched reports whether segs match parts and how many literal
// segments did, so the most specific template wins.
func literalsMatched(segs []segment, parts []string) (int, bool) {
	n := 0
	for i, sg := range segs {
		if sg.greedy {
			return n, i < len(parts) && strings.Join(parts[i:], "/") != ""
		}
		if i >= len(parts) {
			return 0, false
		}
		if sg.label != "" {
			if parts[i] == "" {
				return 0, false
			}
			continue
		}
		if parts[i] != sg.literal {
			return 0, false
		}
		n++
	}
	return n, len(segs) == len(parts)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
