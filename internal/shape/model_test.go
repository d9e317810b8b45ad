package shape

import (
	"encoding/json"
	"os"
	"sort"
	"testing"
)

// modelPath is the official model, outside the repository (see doc.go).
const modelPath = "../../../shared/models/security-ir/service-2.json"

// testModel is the test's own reading of the model, independent of the
// generated tables it checks.
type testModel struct {
	Operations map[string]struct {
		HTTP struct {
			Method       string `json:"method"`
			RequestURI   string `json:"requestUri"`
			ResponseCode int    `json:"responseCode"`
		} `json:"http"`
		Input struct {
			Shape string `json:"shape"`
		} `json:"input"`
		Output struct {
			Shape string `json:"shape"`
		} `json:"output"`
	} `json:"operations"`
	Shapes map[string]*testShape `json:"shapes"`
}

type testRef struct {
	Shape string `json:"shape"`
}

type testShape struct {
	Type     string `json:"type"`
	Members  map[string]testMember
	Required []string `json:"required"`
	Member   *testRef `json:"member"`
	Key      *testRef `json:"key"`
	Value    *testRef `json:"value"`
	Min      *int64   `json:"min"`
	Max      *int64   `json:"max"`
	Pattern  *string  `json:"pattern"`
	Enum     []string `json:"enum"`
}

type testMember struct {
	Shape        string `json:"shape"`
	Location     string `json:"location"`
	LocationName string `json:"locationName"`
}

func (s *testShape) required(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// memberNames returns the members sorted, for a reproducible walk.
func (s *testShape) memberNames() []string {
	names := make([]string, 0, len(s.Members))
	for n := range s.Members {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// loadModel reads the model or skips the test when it is not there.
func loadModel(tb testing.TB) (*testModel, []byte) {
	tb.Helper()
	raw, err := os.ReadFile(modelPath)
	if os.IsNotExist(err) {
		tb.Skipf("model not present at %s", modelPath)
	}
	if err != nil {
		tb.Fatal(err)
	}
	var m testModel
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	return &m, raw
}
