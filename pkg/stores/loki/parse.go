// Package loki talks to Loki: LogQL builders, a client behind API and pure parsers of
// query_range answers (streams with and without categorize-labels, matrix) and of its
// plain-text errors, plus trace-ID extraction from lines.
package loki

// Result is a parsed query_range answer (filled in by the parser).
type Result struct{}
