package shape

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

var (
	shapeIndex       map[string]*Shape
	operationIndex   map[string]*Operation
	operationsByName []*Operation
)

// init resolves names to pointers, compiles every pattern once and renders
// constraint messages once, so the hot path does no lookups or formatting
// beyond the path of a failing member. A bad table is a build bug: panic.
func init() {
	shapeIndex = make(map[string]*Shape, len(shapeTable))
	for i := range shapeTable {
		shapeIndex[shapeTable[i].Name] = &shapeTable[i]
	}
	for i := range shapeTable {
		if err := resolveShape(&shapeTable[i]); err != nil {
			panic("shape: " + err.Error())
		}
	}
	operationIndex = make(map[string]*Operation, len(operationTable))
	for i := range operationTable {
		op := &operationTable[i]
		if err := resolveOperation(op); err != nil {
			panic("shape: " + err.Error())
		}
		operationIndex[op.Name] = op
		operationsByName = append(operationsByName, op)
	}
	buildInternTables()
	sort.Slice(operationsByName, func(i, j int) bool { return operationsByName[i].Name < operationsByName[j].Name })
}

func resolveShape(s *Shape) error {
	get := func(name string) (*Shape, error) {
		if name == "" {
			return nil, nil
		}
		t, ok := shapeIndex[name]
		if !ok {
			return nil, fmt.Errorf("%s refers to unknown shape %q", s.Name, name)
		}
		return t, nil
	}
	var err error
	if s.member, err = get(s.Member); err != nil {
		return err
	}
	if s.key, err = get(s.Key); err != nil {
		return err
	}
	if s.value, err = get(s.Value); err != nil {
		return err
	}
	if len(s.Members) > 0 {
		s.memberIndex = make(map[string]int, len(s.Members))
	}
	for i := range s.Members {
		m := &s.Members[i]
		if m.shape, err = get(m.Target); err != nil {
			return err
		}
		s.memberIndex[m.Name] = i
	}
	if s.Pattern != "" {
		if s.re, err = compilePattern(s.Pattern); err != nil {
			return fmt.Errorf("%s pattern: %w", s.Name, err)
		}
		s.msgPattern = "Member must satisfy regular expression pattern: " + s.Pattern
	}
	if len(s.Enum) > 0 {
		s.enumSet = make(map[string]struct{}, len(s.Enum))
		for _, e := range s.Enum {
			s.enumSet[e] = struct{}{}
		}
		s.msgEnum = "Member must satisfy enum value set: [" + strings.Join(s.Enum, ", ") + "]"
	}
	// Coral words collections' sizes as lengths too.
	noun := "length"
	switch s.Kind {
	case KindByte, KindShort, KindInteger, KindLong, KindFloat, KindDouble, KindBigInteger, KindBigDecimal:
		noun = "value"
	}
	if s.HasMin {
		s.msgMin = "Member must have " + noun + " greater than or equal to " + strconv.FormatInt(s.Min, 10)
	}
	if s.HasMax {
		s.msgMax = "Member must have " + noun + " less than or equal to " + strconv.FormatInt(s.Max, 10)
	}
	return nil
}

func resolveOperation(op *Operation) error {
	if op.Input != "" {
		in, ok := shapeIndex[op.Input]
		if !ok {
			return fmt.Errorf("operation %s: unknown input %q", op.Name, op.Input)
		}
		op.input = in
		for i := range in.Members {
			m := &in.Members[i]
			if m.Location != LocationBody {
				op.bound = append(op.bound, m)
			}
			switch m.Location {
			case LocationURI:
				op.labels = append(op.labels, m)
			case LocationQueryString:
				op.query = append(op.query, m)
			}
		}
	}
	segs, err := parseTemplate(op.URI)
	if err != nil {
		return fmt.Errorf("operation %s: %w", op.Name, err)
	}
	op.segs = segs
	for _, sg := range segs {
		if sg.label != "" && (op.input == nil || op.input.LookupMember(sg.label) == nil) {
			return fmt.Errorf("operation %s: label {%s} has no input member", op.Name, sg.label)
		}
	}
	return nil
}

// Operations returns every operation sorted by name. The slice is a copy.
func Operations() []*Operation {
	return append([]*Operation(nil), operationsByName...)
}

// LookupOperation returns the operation called name, or nil.
func LookupOperation(name string) *Operation { return operationIndex[name] }

// LookupShape returns the shape called name, or nil.
func LookupShape(name string) *Shape { return shapeIndex[name] }
