package plugin

import (
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/stores/storetest"
)

// BenchmarkTraceFanOut: a trace query against replayed stores with injected latency
// (Tempo 200 ms, Loki 150 ms, Prometheus 100 ms). Reports wall/slowest: 1.0 is the floor,
// the goal is ≤ 1.1.
func BenchmarkTraceFanOut(b *testing.B) {
	const slowest = 200 * time.Millisecond
	tr, lk, pr := tempoReplay(b, false), lokiReplay(b), promReplay(b)
	tr.delay, lk.delay, pr.delay = slowest, 150*time.Millisecond, 100*time.Millisecond
	ds := newTestDatasource(b, settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, pr.srv.URL, ""))
	q := traceQuery(storetest.CheckoutTraceID)
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if res := queryOne(b, ds, nil, traceFrom, traceTo, q); res.Error != nil {
			b.Fatal(res.Error)
		}
	}
	wall := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(wall)/float64(slowest), "wall/slowest")
}
