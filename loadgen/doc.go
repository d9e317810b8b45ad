// Package loadgen is the engine behind `sird bench`: it drives any endpoint
// speaking the security-ir restJson1 API with individually SigV4-signed
// requests from a pool of keep-alive workers and reports per-operation
// throughput, latency percentiles and errors by type.
//
// It also carries the trivial net/http baseline handler the performance
// targets are expressed against, so the server and the baseline can be
// measured by the same client in the same run.
package loadgen
