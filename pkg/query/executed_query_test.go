package query

import (
	"context"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
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
