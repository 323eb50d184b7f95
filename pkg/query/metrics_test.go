package query

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Prometheus 2.52+ (the demo runs 3.9.1) puts annotations of severity info in the
// envelope's `infos` (e.g. "PromQL info: metric might not be a counter, name does not end
// in _total/_sum/_count/_bucket"), next to `warnings`. Warnings become frame notices;
// infos are parsed into Envelope and then dropped.
func TestMetricsQueryKeepsPrometheusInfos(t *testing.T) {
	body := `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[[1700000060,"1.5"]]}]},` +
		`"infos":["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"up\" (1:6)"]}`
	prom := newStoreReplay(t, map[string]answer{"/api/v1/query_range": jsonAnswer(body)})
	off := false
	env := metricsReplayEnv(t, prom)
	resp := Metrics(context.Background(), env, Request{Query: &Query{QueryType: TypeMetrics, Version: 1, Expr: `rate(up[5m])`, Exemplars: &off},
		From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000})
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	for _, f := range resp.Frames {
		if strings.Contains(noticeText(f), "might not be a counter") {
			return
		}
	}
	t.Errorf("the store's info annotation is on no frame")
}

// Grafana's interval and range macros reach the backend unexpanded: alert rules skip the
// editor, and no dashboard variable holds $__rate_interval. Prometheus refuses a `$` in
// PromQL, so each must be expanded from the request before the query is sent, for the
// series and for the exemplars alike (1 h range, 1 m interval: a 60 s step).
func TestMetricsQueryExpandsIntervalAndRangeMacros(t *testing.T) {
	matrix := `{"status":"success","data":{"resultType":"matrix","result":[]}}`
	tests := []struct{ name, expr, want string }{
		{"rate interval", `rate(http_requests_total[$__rate_interval])`, `rate(http_requests_total[75s])`},
		{"interval in braces", `rate(x[${__interval}])`, `rate(x[60s])`},
		{"interval", `avg_over_time(x[$__interval])`, `avg_over_time(x[60s])`},
		{"interval ms", `x > $__interval_ms`, `x > 60000`},
		{"range", `increase(x[$__range])`, `increase(x[3600s])`},
		{"range seconds and ms", `x * $__range_s + $__range_ms`, `x * 3600 + 3600000`},
		{"a longer name is left alone", `x{a="$__intervals"}`, `x{a="$__intervals"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prom := newStoreReplay(t, map[string]answer{
				"/api/v1/query_range":     jsonAnswer(matrix),
				"/api/v1/query_exemplars": jsonAnswer(`{"status":"success","data":[]}`),
			})
			env := metricsReplayEnv(t, prom)
			resp := Metrics(context.Background(), env, Request{Query: &Query{QueryType: TypeMetrics, Version: 1, Expr: tc.expr},
				From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000, FromAlert: tc.name == "rate interval"})
			if resp.Error != nil {
				t.Fatal(resp.Error)
			}
			got := prom.params("/api/v1/query_range", "query")
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("query_range query = %q, want %q", got, tc.want)
			}
			if tc.name != "rate interval" {
				if ex := prom.params("/api/v1/query_exemplars", "query"); len(ex) != 1 || ex[0] != tc.want {
					t.Errorf("query_exemplars query = %q, want %q", ex, tc.want)
				}
			}
		})
	}
}
