package query

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/testenv"
)

// livePromEnv starts Debian's Prometheus (with exemplar storage) and returns an Env whose
// metrics store it is.
func livePromEnv(t *testing.T, opts testenv.PrometheusOptions) (*Env, *testenv.Prometheus) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	prom := testenv.StartPrometheus(t, opts)
	st, err := settings.Parse([]byte(`{"metrics":{"url":"`+prom.URL+`"}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Settings: st, Metrics: promClient(t, st.Metrics)}, prom
}

// seriesStep is the distance between the first two points of a metrics answer's first
// frame.
func seriesStep(t *testing.T, resp backend.DataResponse) time.Duration {
	t.Helper()
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if len(resp.Frames) == 0 || resp.Frames[0].Rows() < 2 {
		t.Fatalf("want a series of at least two points, got %d frames", len(resp.Frames))
	}
	ts := resp.Frames[0].Fields[0]
	return ts.At(1).(time.Time).Sub(ts.At(0).(time.Time))
}

// The Min step takes what Prometheus' step takes (days, weeks, years, combined units,
// plain seconds) and Grafana's $__interval forms, which Grafana's Prometheus data source
// allows there. A dashboard fills $__interval in before the query is sent, and over a long
// range Grafana writes it as "1d" or "1w", which time.ParseDuration refuses; an alert rule
// reaches the backend with the macro as written. Here, `time()` over 30 days at most 1000
// points: a 2592 s step unless the Min step is coarser.
func TestMetricsMinStepTakesPrometheusDurationsAndIntervalMacros(t *testing.T) {
	env, _ := livePromEnv(t, testenv.PrometheusOptions{})
	to := time.Now().Truncate(time.Hour)
	from := to.Add(-30 * 24 * time.Hour)
	const base = 2592 * time.Second // 30 days / 1000 points
	off := false
	for _, tc := range []struct {
		step string
		want time.Duration
	}{
		{"1d", 24 * time.Hour},
		{"1w", 7 * 24 * time.Hour},
		{"1d12h", 36 * time.Hour},
		{"30m", base}, // finer than the point limit's step
		{"3h30m", 210 * time.Minute},
		{"7200", 2 * time.Hour},
		{"$__interval", base},
		{"${__interval}", base},
		{"$__rate_interval", base + settings.DefaultScrapeInterval},
	} {
		t.Run(tc.step, func(t *testing.T) {
			for _, alert := range []bool{false, true} {
				resp := Metrics(context.Background(), env, Request{
					Query: &Query{QueryType: TypeMetrics, Version: 1, Expr: `time()`, Step: tc.step, Exemplars: &off},
					From:  from, To: to, Interval: time.Minute, MaxDataPoints: 1000, FromAlert: alert,
				})
				if got := seriesStep(t, resp); got != tc.want {
					t.Errorf("alert %v: points %s apart, want %s", alert, got, tc.want)
				}
			}
		})
	}
	for _, bad := range []string{"1x", "-1d", "1d1d", "$var"} {
		resp := Metrics(context.Background(), env, Request{
			Query: &Query{QueryType: TypeMetrics, Version: 1, Expr: `time()`, Step: bad, Exemplars: &off},
			From:  from, To: to, Interval: time.Minute, MaxDataPoints: 1000,
		})
		if resp.Error == nil || !strings.Contains(resp.Error.Error(), `step "`+bad+`"`) {
			t.Errorf("step %q: error %v, want one naming the step", bad, resp.Error)
		}
	}
}

// Grafana's interval and range macros are filled in before the query reaches
// Prometheus, which refuses a `$` in PromQL; $__rate_interval_ms too, one of the macros
// of Grafana's Prometheus data source. One hour at a 60 s step, 15 s scrapes: the rate
// window is max(60 s + 15 s, 4 × 15 s) = 75 s.
func TestMetricsMacroValuesOnPrometheus(t *testing.T) {
	env, _ := livePromEnv(t, testenv.PrometheusOptions{})
	to := time.Now().Truncate(time.Hour)
	off := false
	for _, tc := range []struct {
		expr string
		want float64
	}{
		{`vector($__interval_ms)`, 60000},
		{`vector($__rate_interval_ms)`, 75000},
		{`vector(${__rate_interval_ms})`, 75000},
		{`vector($__range_s)`, 3600},
		{`vector(${__range_ms})`, 3600000},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			resp := Metrics(context.Background(), env, Request{
				Query: &Query{QueryType: TypeMetrics, Version: 1, Expr: tc.expr, Exemplars: &off},
				From:  to.Add(-time.Hour), To: to, Interval: time.Minute, MaxDataPoints: 1000,
			})
			if resp.Error != nil {
				t.Fatal(resp.Error)
			}
			if len(resp.Frames) != 1 || resp.Frames[0].Rows() == 0 {
				t.Fatalf("want one series, got %d frames", len(resp.Frames))
			}
			if got := resp.Frames[0].Fields[1].At(0).(float64); got != tc.want {
				t.Errorf("value %v, want %v", got, tc.want)
			}
		})
	}
}

// backfilled is OpenMetrics text for Prometheus' backfill: a counter of the hour before
// to, every 15 s, one series with a quote in a label value; and a gauge with no samples
// from 40 to 10 minutes before to.
func backfilled(to time.Time) string {
	var b strings.Builder
	b.WriteString("# TYPE reqs counter\n")
	end := to.Unix()
	for ts := end - 3600; ts <= end; ts += 15 {
		fmt.Fprintf(&b, "reqs_total{service=\"api\",path=\"/a\\\"b\"} %d %d\n", (ts-(end-3600))/15, ts)
	}
	b.WriteString("# TYPE queue gauge\n")
	for ts := end - 3600; ts <= end; ts += 15 {
		if ts <= end-2400 || ts >= end-600 {
			fmt.Fprintf(&b, "queue{service=\"api\"} 3 %d\n", ts)
		}
	}
	b.WriteString("# EOF\n")
	return b.String()
}

// Series are named as Grafana's Prometheus data source names them, so that a panel shows
// the same legend whichever data source runs the PromQL: metric{label="value", …} with
// each value quoted as a Go string (a quote in a value escaped), and a series without
// name or labels (an aggregation without `by`, `time()`) by its expression, macros
// filled in, since "" would leave Grafana to call every such series "value".
func TestMetricsSeriesNamesAsGrafanasPrometheus(t *testing.T) {
	to := time.Now().Truncate(time.Minute)
	env, _ := livePromEnv(t, testenv.PrometheusOptions{Features: []string{}, Backfill: backfilled(to)})
	off := false
	for _, tc := range []struct{ expr, legend, want string }{
		{`reqs_total`, "", `reqs_total{path="/a\"b", service="api"}`},
		{`reqs_total`, "__auto", `reqs_total{path="/a\"b", service="api"}`},
		{`reqs_total`, "{{path}} {{ service }}", `/a"b api`},
		{`sum(rate(reqs_total[$__rate_interval]))`, "", `sum(rate(reqs_total[75s]))`},
		{`sum(reqs_total)`, "__auto", `sum(reqs_total)`},
		{`sum by (service) (reqs_total)`, "", `{service="api"}`},
	} {
		t.Run(tc.expr+" "+tc.legend, func(t *testing.T) {
			resp := Metrics(context.Background(), env, Request{
				Query: &Query{QueryType: TypeMetrics, Version: 1, Expr: tc.expr, LegendFormat: tc.legend, Exemplars: &off},
				From:  to.Add(-30 * time.Minute), To: to, Interval: time.Minute, MaxDataPoints: 1000,
			})
			if resp.Error != nil {
				t.Fatal(resp.Error)
			}
			if len(resp.Frames) != 1 {
				t.Fatalf("%d frames, want one series", len(resp.Frames))
			}
			f := resp.Frames[0]
			cfg := f.Fields[1].Config
			if f.Name != tc.want || cfg == nil || cfg.DisplayNameFromDS != tc.want {
				t.Errorf("frame %q, display name %+v; want %q", f.Name, cfg, tc.want)
			}
		})
	}
}

// The time field of each series carries the step in milliseconds (its config's interval),
// as Grafana's Prometheus data source sets it: Grafana's time series panel inserts a null
// where two points are further apart than that, so a series that was absent for a while
// (a target down, a gauge not exported) shows a gap there, not a straight line drawn
// across the time it had no samples.
func TestMetricsSeriesCarryTheirStep(t *testing.T) {
	to := time.Now().Truncate(time.Minute)
	env, _ := livePromEnv(t, testenv.PrometheusOptions{Features: []string{}, Backfill: backfilled(to)})
	off := false
	for _, alert := range []bool{false, true} {
		resp := Metrics(context.Background(), env, Request{
			Query: &Query{QueryType: TypeMetrics, Version: 1, Expr: `queue`, Exemplars: &off},
			From:  to.Add(-time.Hour), To: to, Interval: time.Minute, MaxDataPoints: 1000, FromAlert: alert,
		})
		if resp.Error != nil {
			t.Fatal(resp.Error)
		}
		if len(resp.Frames) != 1 {
			t.Fatalf("%d frames, want one series", len(resp.Frames))
		}
		ts := resp.Frames[0].Fields[0]
		gap := false
		for i := 1; i < ts.Len(); i++ {
			gap = gap || ts.At(i).(time.Time).Sub(ts.At(i-1).(time.Time)) > time.Minute
		}
		if !gap {
			t.Fatalf("the series has no gap; the test's data has one")
		}
		if ts.Config == nil || ts.Config.Interval != float64(time.Minute.Milliseconds()) {
			t.Errorf("alert %v: time field config %+v, want interval 60000 (ms)", alert, ts.Config)
		}
	}
}
