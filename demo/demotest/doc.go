// Package demotest checks the demo: docker-compose.yaml (valid, every image pinned,
// health checks and ordered start), the provisioning (alert rules built on the data
// source's latency query with reduce and threshold, a local contact point), and, with the
// real stores fed by the seed services, every query of every dashboard and alert rule
// executed through the backend's QueryData; finally `npm run demo:local` itself.
//
// The live tests start stores and services (see stack.Up). They run when
// LATENCYLENS_E2E or LATENCYLENS_REQUIRE_STORES is set and skip otherwise; with
// LATENCYLENS_REQUIRE_STORES set anything missing (a store binary, Python, docker-compose,
// the built plugin) fails them instead.
package demotest
