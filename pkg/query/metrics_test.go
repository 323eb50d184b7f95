package query

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/settings"
)

// Prometheus 2.52+ (the demo runs 3.9.1) puts annotations of severity info in the
// envelope's `infos` (e.g. "PromQL info: metric might not be a counter, name does not end
// in _total/_sum/_count/_bucket"), next to `warnings`. Both reach the frames as notices.
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

// $__rate_interval and the histogram latency's rate window follow the metrics store's
// scrape interval (jsonData.metrics.scrapeInterval, as Grafana's Prometheus data source
// has one): with one-minute scrapes a window of four 15 s scrapes holds one sample, and
// rate() over it is empty, so the panel showed gaps or nothing.
func TestRateWindowsFollowTheScrapeInterval(t *testing.T) {
	matrix := `{"status":"success","data":{"resultType":"matrix","result":[]}}`
	vector := `{"status":"success","data":{"resultType":"vector","result":[]}}`
	for _, tc := range []struct {
		scrape              string
		wantRate, wantLatcy string
	}{
		{"", `rate(x[75s])`, `[60s]`},
		{`,"scrapeInterval":"1m"`, `rate(x[240s])`, `[240s]`},
		{`,"scrapeInterval":30`, `rate(x[120s])`, `[120s]`},
	} {
		t.Run(tc.scrape, func(t *testing.T) {
			prom := newStoreReplay(t, map[string]answer{"/api/v1/query_range": jsonAnswer(matrix), "/api/v1/query": jsonAnswer(vector)})
			st, err := settings.Parse([]byte(`{"metrics":{"url":"`+prom.srv.URL+`"`+tc.scrape+`}}`), nil)
			if err != nil {
				t.Fatal(err)
			}
			env := &Env{Settings: st, Metrics: promClient(t, st.Metrics)}
			off := false
			r := Request{From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000}
			r.Query = &Query{QueryType: TypeMetrics, Version: 1, Expr: `rate(x[$__rate_interval])`, Exemplars: &off}
			if resp := Metrics(context.Background(), env, r); resp.Error != nil {
				t.Fatal(resp.Error)
			}
			r.Query = &Query{QueryType: TypeLatency, Version: 1, Source: SourceHistogram, HistogramMetric: "http_duration_seconds",
				Service: "checkout", Percentiles: []float64{0.99}, CDF: &off, Summary: &off}
			if resp := Latency(context.Background(), env, r); resp.Error != nil {
				t.Fatal(resp.Error)
			}
			got := prom.params("/api/v1/query_range", "query")
			if len(got) != 2 || got[0] != tc.wantRate || !strings.Contains(got[1], tc.wantLatcy) {
				t.Errorf("queries %q, want %q and a histogram_quantile over %s", got, tc.wantRate, tc.wantLatcy)
			}
		})
	}
}

// A Min step holding one of Grafana's millisecond macros means the interval itself, as
// $__interval and $__rate_interval do there: the macro's number of milliseconds is not
// read as a number of seconds (1000 times too coarse a step).
func TestMinStepReadsMillisecondMacrosAsTheInterval(t *testing.T) {
	from := time.Unix(1_700_000_000, 0)
	to := from.Add(time.Hour)
	step, scrape := time.Minute, 15*time.Second
	for _, tc := range []struct {
		text string
		want time.Duration
	}{
		{"$__interval_ms", step},
		{"${__interval_ms}", step},
		{"$__interval", step},
		{"$__rate_interval_ms", step + scrape},
		{"${__rate_interval_ms}", step + scrape},
		{"90", 90 * time.Second},
	} {
		got, err := minStep(tc.text, step, scrape, from, to)
		if err != nil || got != tc.want {
			t.Errorf("minStep(%q) = %v, %v; want %v", tc.text, got, err, tc.want)
		}
	}
}
