package conformance

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strconv"
	"testing"
)

// modelPath is the official model, beside the repository.
const modelPath = "../../shared/models/security-ir/service-2.json"

// model is this suite's own reading of service-2.json, independent of the
// generated tables in internal/shape that the server validates with.
type model struct {
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*mshape    `json:"shapes"`
}

type operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input  *ref  `json:"input"`
	Output *ref  `json:"output"`
	Errors []ref `json:"errors"`
}

type ref struct {
	Shape string `json:"shape"`
}

type mshape struct {
	name      string
	Type      string             `json:"type"`
	Members   map[string]*member `json:"members"`
	Required  []string           `json:"required"`
	Member    *ref               `json:"member"`
	Key       *ref               `json:"key"`
	Value     *ref               `json:"value"`
	Min       *int64             `json:"min"`
	Max       *int64             `json:"max"`
	Pattern   *string            `json:"pattern"`
	Enum      []string           `json:"enum"`
	Exception bool               `json:"exception"`
	Error     *struct {
		HTTPStatusCode int `json:"httpStatusCode"`
	} `json:"error"`

	re *regexp.Regexp
}

type member struct {
	Shape        string `json:"shape"`
	Location     string `json:"location"`
	LocationName string `json:"locationName"`
}

func (s *mshape) required(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// memberNames returns the members sorted, for a reproducible walk.
func (s *mshape) memberNames() []string {
	names := make([]string, 0, len(s.Members))
	for n := range s.Members {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *mshape) enumerated(v string) bool {
	for _, e := range s.Enum {
		if e == v {
			return true
		}
	}
	return false
}

// loadModel reads the model, or skips when it is not there.
func loadModel(tb testing.TB) *model {
	tb.Helper()
	raw, err := os.ReadFile(modelPath)
	if os.IsNotExist(err) {
		tb.Skipf("model not present at %s", modelPath)
	}
	if err != nil {
		tb.Fatal(err)
	}
	var m model
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	for name, s := range m.Shapes {
		s.name = name
		if s.Pattern != nil {
			re, err := compilePattern(*s.Pattern)
			if err != nil {
				tb.Fatalf("shape %s: pattern %q: %v", name, *s.Pattern, err)
			}
			s.re = re
		}
	}
	for name, op := range m.Operations {
		op.Name = name
	}
	return &m
}

// repeatRE finds counted repetitions.
var repeatRE = regexp.MustCompile(`\{(\d+),(\d+)\}`)

// compilePattern compiles a Smithy (ECMA 262, unanchored) pattern for Go.
// RE2 refuses counts above 1000 (Url ends with {0,2048}); such an upper
// bound is dropped, which only admits more strings: the check stays sound
// for what it refuses.
func compilePattern(p string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(p)
	if err == nil {
		return re, nil
	}
	relaxed := repeatRE.ReplaceAllStringFunc(p, func(m string) string {
		sub := repeatRE.FindStringSubmatch(m)
		lo, _ := strconv.Atoi(sub[1])
		hi, _ := strconv.Atoi(sub[2])
		if hi <= 1000 {
			return m
		}
		return "{" + strconv.Itoa(min(lo, 1000)) + ",}"
	})
	return regexp.Compile(relaxed)
}
