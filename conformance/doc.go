// Package conformance holds sird's model-driven conformance suite (its
// tests): it reads the official security-ir model, starts a real sird on a
// loopback port and, for every operation, drives it over HTTP with signed
// requests. Every constrained input member is sent at its boundaries and
// past them; every success must carry the model's status code and parse
// against the output shape; every error must carry its modeled members.
//
//	go test ./conformance/ -v -run TestConformance
//
// The model is read from ../shared/models/security-ir/service-2.json
// relative to the repository root; the suite skips when it is absent.
package conformance
