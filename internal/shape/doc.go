// Package shape holds the security-ir API model's operations and shapes as
// generated Go tables, routes requests to operations, and decodes and
// validates operation inputs the way the AWS service does.
//
// The model itself is not part of the repository (licensing): model_gen.go is
// generated from it and carries only the facts (no documentation strings).
package shape

//go:generate go run ./gen -model ../../../shared/models/security-ir/service-2.json -out model_gen.go
