// Package e2e runs Latency Lens end to end: real stores (Prometheus, Tempo, Loki,
// Jaeger via pkg/testenv) fed by the seed services of tests/seed (an instrumented
// web app, a producer and a consumer joined by a W3C traceparent, a seeded load
// driver that writes its ground truth), queried through the backend's QueryData
// in-process.
//
// The tier is opt-in: it runs when LATENCYLENS_E2E or LATENCYLENS_REQUIRE_STORES is
// set, and skips otherwise so that `go test ./...` stays fast. With
// LATENCYLENS_REQUIRE_STORES set, anything missing (a store binary, Python, the
// seed venv) fails the test instead of skipping it. tests/seed/README.md has the
// commands and timings.
//
// seed.go holds the helpers that start the seed services and the load driver from
// a test; the demo reuses them.
package e2e
