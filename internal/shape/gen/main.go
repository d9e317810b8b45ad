// Command gen writes package shape's model_gen.go from an AWS service-2.json
// model. Run it through `go generate` in internal/shape.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/sird-project/sird/internal/shape/gen/modelgen"
)

func main() {
	modelPath := flag.String("model", "", "path to the service-2.json model")
	outPath := flag.String("out", "model_gen.go", "Go file to write")
	flag.Parse()
	if err := run(*modelPath, *outPath); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(modelPath, outPath string) error {
	if modelPath == "" {
		return fmt.Errorf("-model is required")
	}
	raw, err := os.ReadFile(modelPath)
	if err != nil {
		return err
	}
	src, err := modelgen.Generate(raw)
	if err != nil {
		return err
	}
	return os.WriteFile(outPath, src, 0o644)
}
