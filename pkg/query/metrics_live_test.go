package query

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/frames"
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

// Exemplar labels carry the trace ID under whatever name the instrumented app gave it:
// trace_id (OpenTelemetry, the Java and .NET clients), traceID (Tempo's metrics
// generator), TraceID (client_golang's examples), and other spellings of the same name
// (Trace_Id, traceid, TRACE_ID); span IDs likewise. Each exemplar links to its trace
// whichever spelling it uses. Scraped by Debian's Prometheus with exemplar storage, one
// bucket per spelling.
func TestMetricsExemplarTraceIDLabelSpellings(t *testing.T) {
	spellings := []struct{ labels, traceID, spanID string }{
		{`trace_id="0af7651916cd43dd8448eb211c80319c",span_id="00f067aa0ba902b7"`, "0af7651916cd43dd8448eb211c80319c", "00f067aa0ba902b7"},
		{`traceID="1af7651916cd43dd8448eb211c80319c"`, "1af7651916cd43dd8448eb211c80319c", ""},
		{`TraceID="2af7651916cd43dd8448eb211c80319c",SpanID="10f067aa0ba902b7"`, "2af7651916cd43dd8448eb211c80319c", "10f067aa0ba902b7"},
		{`Trace_Id="3af7651916cd43dd8448eb211c80319c",Span_Id="20f067aa0ba902b7"`, "3af7651916cd43dd8448eb211c80319c", "20f067aa0ba902b7"},
		{`traceid="4af7651916cd43dd8448eb211c80319c",spanid="30f067aa0ba902b7"`, "4af7651916cd43dd8448eb211c80319c", "30f067aa0ba902b7"},
		{`TRACE_ID="5AF7651916CD43DD8448EB211C80319C",SPAN_ID="40F067AA0BA902B7"`, "5af7651916cd43dd8448eb211c80319c", "40f067aa0ba902b7"},
		{`traceId="6af7651916cd43dd8448eb211c80319c",spanId="50f067aa0ba902b7"`, "6af7651916cd43dd8448eb211c80319c", "50f067aa0ba902b7"},
	}
	var page strings.Builder
	page.WriteString("# TYPE req_seconds histogram\n")
	for i, s := range spellings {
		fmt.Fprintf(&page, "req_seconds_bucket{le=\"%d\"} %d # {%s} 0.5\n", i+1, i+1, s.labels)
	}
	fmt.Fprintf(&page, "req_seconds_bucket{le=\"+Inf\"} %d\nreq_seconds_count %d\nreq_seconds_sum 1\n# EOF\n", len(spellings), len(spellings))
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8")
		_, _ = io.WriteString(w, page.String())
	}))
	t.Cleanup(app.Close)
	env, prom := livePromEnv(t, testenv.PrometheusOptions{Features: []string{"exemplar-storage"},
		Targets: []testenv.ScrapeTarget{{URL: app.URL, Job: "app"}}})
	prom.WaitForQuery(t, `req_seconds_count == `+fmt.Sprint(len(spellings)), 30*time.Second)
	env.Links = frames.Links{DatasourceUID: "lens"}

	to := time.Now().Add(time.Second)
	resp := Metrics(context.Background(), env, Request{
		Query: &Query{QueryType: TypeMetrics, Version: 1, Expr: `req_seconds_bucket`},
		From:  to.Add(-time.Minute), To: to, Interval: time.Minute, MaxDataPoints: 1000,
	})
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	ex := framesOfKind(resp.Frames, frames.KindExemplars)
	if len(ex) != 1 {
		t.Fatalf("%d exemplars frames", len(ex))
	}
	f := ex[0]
	tid, _ := f.FieldByName(frames.ExemplarTraceID)
	sid, _ := f.FieldByName(frames.ExemplarSpanID)
	le, _ := f.FieldByName("le")
	got := map[string][2]string{}
	for i := 0; i < f.Rows(); i++ {
		span := ""
		if p := sid.At(i).(*string); p != nil {
			span = *p
		}
		got[le.At(i).(string)] = [2]string{tid.At(i).(string), span}
	}
	for i, s := range spellings {
		if g := got[fmt.Sprint(i+1)]; g != [2]string{s.traceID, s.spanID} {
			t.Errorf("exemplar labels {%s}: trace ID %q, span ID %q; want %q, %q", s.labels, g[0], g[1], s.traceID, s.spanID)
		}
	}
	if strings.Contains(noticeText(f), "without a valid trace ID") {
		t.Errorf("notices: %s", noticeText(f))
	}
}
