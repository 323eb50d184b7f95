package query

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// Grafana's query inspector and Explore show a frame's executed query: for a metrics or
// logs query, the PromQL or LogQL as sent to the store, its macros expanded, on every
// frame of the answer (series, exemplars, lines).
func TestMetricsAndLogsFramesCarryTheQuerySent(t *testing.T) {
	matrix := `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[[1700000060,"1.5"]]},{"metric":{"job":"b"},"values":[[1700000060,"2"]]}]}}`
	streams := `{"status":"success","data":{"resultType":"streams","result":[{"stream":{"service_name":"api"},"values":[["1700000060000000000","GET /x"]]}]}}`
	for _, tc := range []struct {
		name, expr, want string
		run              func(Request) []string
	}{
		{"metrics", `rate(http_requests_total[$__rate_interval])`, `rate(http_requests_total[75s])`, func(r Request) []string {
			prom := newStoreReplay(t, map[string]answer{
				"/api/v1/query_range":     jsonAnswer(matrix),
				"/api/v1/query_exemplars": jsonAnswer(`{"status":"success","data":[]}`),
			})
			r.Query.QueryType = TypeMetrics
			return executed(t, Metrics(context.Background(), metricsReplayEnv(t, prom), r).Frames, 3)
		}},
		{"logs metric", `sum by (job) (count_over_time({service_name="api"}[$__auto]))`, `sum by (job) (count_over_time({service_name="api"}[60s]))`, func(r Request) []string {
			logs := newStoreReplay(t, map[string]answer{"/loki/api/v1/query_range": jsonAnswer(matrix)})
			r.Query.QueryType = TypeLogs
			return executed(t, Logs(context.Background(), replayEnv(t, logs, nil, "", ""), r).Frames, 2)
		}},
		{"logs lines", `{service_name="api"} |= "GET" | logfmt | duration > $__interval`, `{service_name="api"} |= "GET" | logfmt | duration > 60s`, func(r Request) []string {
			logs := newStoreReplay(t, map[string]answer{"/loki/api/v1/query_range": jsonAnswer(streams)})
			r.Query.QueryType = TypeLogs
			return executed(t, Logs(context.Background(), replayEnv(t, logs, nil, "", ""), r).Frames, 1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.run(Request{Query: &Query{Version: 1, Expr: tc.expr}, From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000})
			for i, s := range got {
				if s != tc.want {
					t.Errorf("frame %d: executed query %q, want %q", i, s, tc.want)
				}
			}
		})
	}
}

// executed returns each frame's executed query string, requiring n frames.
func executed(t *testing.T, fs data.Frames, n int) []string {
	t.Helper()
	if len(fs) != n {
		t.Fatalf("%d frames, want %d", len(fs), n)
	}
	out := make([]string, len(fs))
	for i, f := range fs {
		if f.Meta != nil {
			out[i] = f.Meta.ExecutedQueryString
		}
	}
	return out
}

// A latency query from a histogram: each percentile's frames carry the
// histogram_quantile expression that computed them, so the query inspector shows what
// to compare with a Prometheus panel's own query.
func TestHistogramPercentileFramesCarryTheirQuery(t *testing.T) {
	p := &fakeProm{ranged: func(expr string) *prometheus.Data {
		return &prometheus.Data{ResultType: prometheus.ResultMatrix, Series: []prometheus.Series{{Labels: map[string]string{}, Points: []prometheus.Point{{TimeMs: 1_700_000_000_000, Value: 0.2}}}}}
	}}
	env := histEnv(p)
	req := histRequest(false, false)
	req.Query.Percentiles = []float64{0.5, 0.99}
	resp := Latency(context.Background(), env, req)
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	var ranged []string
	for _, s := range p.seen {
		if q, ok := strings.CutPrefix(s, "range "); ok {
			ranged = append(ranged, q)
		}
	}
	pct := framesOfKind(resp.Frames, frames.KindPercentile)
	if len(pct) != 2 || len(ranged) != 2 {
		t.Fatalf("%d percentile frames, %d range queries", len(pct), len(ranged))
	}
	for _, f := range pct {
		got := f.Meta.ExecutedQueryString
		if !slices.Contains(ranged, got) || !strings.HasPrefix(got, "histogram_quantile("+f.Fields[1].Labels[frames.QuantileLabel]+",") {
			t.Errorf("frame %q: executed query %q, not its range query (%q)", f.Name, got, ranged)
		}
	}
}
