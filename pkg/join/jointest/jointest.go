// Package jointest generates seeded spans and log lines for join tests and benchmarks.
package jointest

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/latencylens/lens/pkg/model"
)

// MakeData builds a seeded workload: traces of spansPerTrace spans (a root and nested
// children), and linesPerSpan log lines per span, of which a share carries the span ID
// and the rest only the trace ID (placed by time containment).
func MakeData(seed uint64, traces, spansPerTrace, linesPerSpan int, withSpanID float64) ([]model.Span, []model.LogLine) {
	rng := rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+1))
	spans := make([]model.Span, 0, traces*spansPerTrace)
	logs := make([]model.LogLine, 0, traces*spansPerTrace*linesPerSpan)
	labels := []map[string]string{{"service_name": "frontend"}, {"service_name": "checkout"}, {"service_name": "payment"}}
	base := int64(1_700_000_000_000_000_000)
	for t := 0; t < traces; t++ {
		tid := fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64())
		start := base + int64(t)*1e9
		first := len(spans)
		for s := 0; s < spansPerTrace; s++ {
			sp := model.Span{TraceID: tid, SpanID: fmt.Sprintf("%016x", rng.Uint64()|1), Operation: fmt.Sprintf("op-%d", s%17),
				Service: labels[s%3]["service_name"], Kind: "server"}
			if s == 0 {
				sp.StartUnixNano, sp.DurationNano = start, 500e6
			} else {
				// Child of a random earlier span, inside its parent's window.
				p := &spans[first+rng.IntN(s)]
				sp.ParentSpanID = p.SpanID
				off := rng.Int64N(max(p.DurationNano/2, 1))
				sp.StartUnixNano = p.StartUnixNano + off
				sp.DurationNano = max(rng.Int64N(max(p.DurationNano-off, 1)), 1000)
			}
			spans = append(spans, sp)
		}
		for s := first; s < len(spans); s++ {
			sp := &spans[s]
			for l := 0; l < linesPerSpan; l++ {
				line := model.LogLine{
					TimeUnixNano: sp.StartUnixNano + rng.Int64N(sp.DurationNano+1),
					Body:         fmt.Sprintf("level=info msg=\"handled request %d\" op=%s", l, sp.Operation),
					Level:        "info",
					Labels:       labels[(s-first)%3],
					TraceID:      tid,
				}
				if rng.Float64() < withSpanID {
					line.SpanID = sp.SpanID
				}
				logs = append(logs, line)
			}
		}
	}
	// Lines arrive from the log store in time order, not grouped by span.
	slices.SortStableFunc(logs, func(a, b model.LogLine) int {
		switch {
		case a.TimeUnixNano < b.TimeUnixNano:
			return -1
		case a.TimeUnixNano > b.TimeUnixNano:
			return 1
		}
		return 0
	})
	return spans, logs
}
