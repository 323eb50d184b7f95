package query

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// A dashboard that refreshes every few seconds asks Prometheus for a range that moves by
// those seconds. Unless start and end sit on multiples of the step, every refresh samples
// the series at other instants, so the points of a rate or a percentile move up and down
// between refreshes although no data changed, and an alert evaluated twice on the same
// data can disagree. Grafana's own Prometheus data source aligns the range to the step;
// so must every query_range this backend sends to Prometheus.
func TestPrometheusRangeQueriesAlignToTheStep(t *testing.T) {
	off := false
	matrix := `{"status":"success","data":{"resultType":"matrix","result":[]}}`
	vector := `{"status":"success","data":{"resultType":"vector","result":[]}}`
	run := map[string]func(env *Env, r Request){
		"metrics": func(env *Env, r Request) {
			r.Query = &Query{QueryType: TypeMetrics, Version: 1, Expr: `rate(up[5m])`, Exemplars: &off}
			if resp := Metrics(context.Background(), env, r); resp.Error != nil {
				t.Fatal(resp.Error)
			}
		},
		"latency from a histogram": func(env *Env, r Request) {
			r.Query = &Query{QueryType: TypeLatency, Version: 1, Source: SourceHistogram, HistogramMetric: "http_duration_seconds",
				Service: "checkout", Percentiles: []float64{0.99}, CDF: &off, Summary: &off}
			if resp := Latency(context.Background(), env, r); resp.Error != nil {
				t.Fatal(resp.Error)
			}
		},
	}
	for name, query := range run {
		for _, shift := range []time.Duration{0, 17 * time.Second, 59*time.Second + 999*time.Millisecond} {
			t.Run(name+" shifted "+shift.String(), func(t *testing.T) {
				prom := newStoreReplay(t, map[string]answer{"/api/v1/query_range": jsonAnswer(matrix), "/api/v1/query": jsonAnswer(vector)})
				from, to := replayFrom.Add(shift), replayTo.Add(shift)
				query(metricsReplayEnv(t, prom), Request{From: from, To: to, Interval: time.Minute, MaxDataPoints: 1000})
				starts, ends, steps := prom.params("/api/v1/query_range", "start"), prom.params("/api/v1/query_range", "end"), prom.params("/api/v1/query_range", "step")
				if len(starts) != 1 || len(ends) != 1 || len(steps) != 1 || steps[0] != "60" {
					t.Fatalf("query_range start %q end %q step %q, want one query with a 60 s step", starts, ends, steps)
				}
				start, _ := strconv.ParseFloat(starts[0], 64)
				end, _ := strconv.ParseFloat(ends[0], 64)
				// The first point at or before the range's start, the last one at or before its end.
				wantStart := float64(from.Unix() - from.Unix()%60)
				wantEnd := float64(to.Unix() - to.Unix()%60)
				if start != wantStart || end != wantEnd {
					t.Errorf("query_range start, end = %v, %v; want %v, %v (multiples of the 60 s step)", start, end, wantStart, wantEnd)
				}
			})
		}
	}
}
