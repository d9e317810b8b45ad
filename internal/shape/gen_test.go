package shape

import (
	"bytes"
	"os"
	"testing"

	"github.com/sird-project/sird/internal/shape/gen/modelgen"
)

func TestGeneratedMatchesModel(t *testing.T) {
	_, raw := loadModel(t)
	want, err := modelgen.Generate(raw)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	got, err := os.ReadFile("model_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("model_gen.go is stale: run `go generate ./internal/shape` (got %d bytes, want %d)", len(got), len(want))
	}
	again, err := modelgen.Generate(raw)
	if err != nil || !bytes.Equal(again, want) {
		t.Fatalf("Generate is not deterministic")
	}
}

func TestGeneratedTablesAgreeWithModel(t *testing.T) {
	m, _ := loadModel(t)
	if got, want := len(Operations()), len(m.Operations); got != want {
		t.Fatalf("Operations() = %d, want %d", got, want)
	}
	for name, mo := range m.Operations {
		t.Run(name, func(t *testing.T) {
			op := LookupOperation(name)
			if op == nil {
				t.Fatalf("LookupOperation(%q) = nil", name)
			}
			status := mo.HTTP.ResponseCode
			if status == 0 {
				status = 200
			}
			got := [...]any{op.Method, op.URI, op.SuccessStatus, op.Input, op.Output}
			want := [...]any{mo.HTTP.Method, mo.HTTP.RequestURI, status, mo.Input.Shape, mo.Output.Shape}
			if got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	for name := range m.Shapes {
		if LookupShape(name) == nil {
			t.Errorf("LookupShape(%q) = nil", name)
		}
	}
	if errShape := LookupShape("ThrottlingException"); errShape == nil || errShape.ErrorStatus != 429 || !errShape.Throttling {
		t.Errorf("ThrottlingException = %+v, want status 429, throttling", errShape)
	}
}

func TestOperationsSorted(t *testing.T) {
	ops := Operations()
	if len(ops) != 24 {
		t.Fatalf("len(Operations()) = %d, want 24", len(ops))
	}
	for i := 1; i < len(ops); i++ {
		if ops[i-1].Name >= ops[i].Name {
			t.Errorf("Operations() not sorted at %d: %s >= %s", i, ops[i-1].Name, ops[i].Name)
		}
	}
	ops[0] = nil // callers own the slice
	if Operations()[0] == nil {
		t.Error("Operations() shares its slice with callers")
	}
}
