package plugin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
)

// checkAlertAnswer compares an alert request's answer to a metrics query with the
// dashboard's: every dashboard frame but the exemplars one (see alertAnswerIs).
// wantExemplarRows is how many exemplars the dashboard answer carries (so the exception
// is exercised, not assumed; -1: some).
func checkAlertAnswer(t *testing.T, dash, alert backend.DataResponse, wantExemplarRows int) {
	t.Helper()
	ex := framesOfKind(dash.Frames, frames.KindExemplars)
	if len(ex) != 1 || (wantExemplarRows >= 0 && ex[0].Rows() != wantExemplarRows) || (wantExemplarRows < 0 && ex[0].Rows() == 0) {
		t.Fatalf("dashboard answer: %d exemplars frames, want one with %d rows (-1: some)", len(ex), wantExemplarRows)
	}
	alertAnswerIs(t, dash, alert, frames.KindExemplars)
}

// alertAnswerIs compares an alert request's answer with the dashboard's, frame by frame
// (schema, meta and values): every dashboard frame but those of the kinds leftOut, in
// the same order. Those are left out because they are not wide time series, which
// Grafana's server-side expressions refuse, failing the whole rule; each kind must be in
// the dashboard answer (so the exception is exercised) and every frame of the alert
// answer must be a wide time series.
func alertAnswerIs(t *testing.T, dash, alert backend.DataResponse, leftOut ...string) {
	t.Helper()
	if dash.Error != nil || alert.Error != nil {
		t.Fatal(dash.Error, alert.Error)
	}
	skip := map[*data.Frame]bool{}
	for _, kind := range leftOut {
		fs := framesOfKind(dash.Frames, kind)
		if len(fs) == 0 {
			t.Fatalf("the dashboard answer has no %s frame", kind)
		}
		for _, f := range fs {
			if typ := f.TimeSeriesSchema().Type; typ == data.TimeSeriesTypeWide {
				t.Errorf("the %s frame is a wide time series now; alert requests can get it too (drop the exception in pkg/query)", kind)
			}
			skip[f] = true
		}
	}
	var want data.Frames
	for _, f := range dash.Frames {
		if !skip[f] {
			want = append(want, f)
		}
	}
	if len(want) == 0 {
		t.Fatal("the dashboard answer has no series frames")
	}
	if len(alert.Frames) != len(want) {
		t.Fatalf("alert answer: %d frames, dashboard %d besides those left out", len(alert.Frames), len(want))
	}
	for i, f := range alert.Frames {
		got, err1 := json.Marshal(f)
		exp, err2 := json.Marshal(want[i])
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if string(got) != string(exp) {
			t.Errorf("frame %d differs:\nalert     %s\ndashboard %s", i, got, exp)
		}
		if typ := f.TimeSeriesSchema().Type; typ != data.TimeSeriesTypeWide {
			t.Errorf("alert frame %d (%s) is a %s time series; server-side expressions need wide ones", i, f.Name, typ)
		}
	}
	if alert.Status != dash.Status {
		t.Errorf("status: alert %v, dashboard %v", alert.Status, dash.Status)
	}
}

// TestMetricsQueryAlertRequest: the same metrics query from a dashboard and from alert
// evaluation (header FromAlert: true), against a replayed Prometheus.
func TestMetricsQueryAlertRequest(t *testing.T) {
	pr := promReplay(t)
	pr.routes["/api/v1/query_range"] = ok([]byte(`{"status":"success","data":{"resultType":"matrix","result":[
		{"metric":{"__name__":"lens_bucket","le":"0.1","service":"checkout"},"values":[[1700000000,"1"],[1700000060,"3"]]},
		{"metric":{"__name__":"lens_bucket","le":"+Inf","service":"checkout"},"values":[[1700000000,"2"],[1700000060,"NaN"]]}]}}`))
	ds := newTestDatasource(t, settingsJSON("", "tempo", "", pr.srv.URL, ""))
	q := map[string]any{"queryType": "metrics", "version": 1, "expr": `lens_bucket{service="checkout"}`, "legendFormat": "{{le}}"}
	dash := queryOne(t, ds, nil, traceFrom, traceTo, q)
	for _, h := range []map[string]string{{"FromAlert": "true"}, {"http_FromAlert": "true"}} {
		alert := queryOne(t, ds, h, traceFrom, traceTo, q)
		// Two of the fixture's three exemplars carry a trace ID.
		checkAlertAnswer(t, dash, alert, 2)
		if len(framesOfKind(alert.Frames, frames.KindMetrics)) != 2 {
			t.Errorf("%v: want the two series", h)
		}
	}
}

// TestLatencyQueryAlertRequest: a latency query as a dashboard sends it (CDF and summary
// on) answers an alert request with the same percentile frames and nothing else, from a
// classic histogram and from exact span durations.
func TestLatencyQueryAlertRequest(t *testing.T) {
	pr := promReplay(t)
	pr.routes["/api/v1/query_range"] = ok([]byte(`{"status":"success","data":{"resultType":"matrix","result":[
		{"metric":{"service":"checkout"},"values":[[1700000000,"0.12"],[1700000060,"0.25"]]}]}}`))
	pr.routes["/api/v1/query"] = ok([]byte(`{"status":"success","data":{"resultType":"vector","result":[
		{"metric":{"le":"0.1"},"value":[1700000060,"10"]},{"metric":{"le":"+Inf"},"value":[1700000060,"40"]}]}}`))
	for _, tc := range []struct {
		name     string
		settings string
		q        map[string]any
	}{
		{"histogram", settingsJSON("", "tempo", "", pr.srv.URL, ""),
			map[string]any{"source": "histogram", "histogramMetric": "http_duration_seconds", "service": "checkout"}},
		{"exact from Jaeger spans", settingsJSON(jaegerReplay(t, false).srv.URL, "jaeger-v1", "", "", ""),
			map[string]any{"source": "spans", "service": "checkout"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := newTestDatasource(t, tc.settings)
			q := map[string]any{"queryType": "latency", "version": 1, "editorMode": "builder", "percentiles": []float64{0.5, 0.99}}
			for k, v := range tc.q {
				q[k] = v
			}
			dash := queryOne(t, ds, nil, traceFrom, traceTo, q)
			alert := queryOne(t, ds, map[string]string{"FromAlert": "true"}, traceFrom, traceTo, q)
			alertAnswerIs(t, dash, alert, frames.KindCDF, frames.KindSummary)
			if n := len(framesOfKind(alert.Frames, frames.KindPercentile)); n != 2 {
				t.Errorf("alert answer: %d percentile frames, want 2", n)
			}
		})
	}
}

// Two series that differ only in their metric name (`{__name__=~"a|b"}`) keep apart by
// their labels (__name__ kept, as Grafana's Prometheus data source keeps it): alerting
// refuses frames it cannot tell apart by labels ("has duplicate results").
func TestMetricSeriesKeepDistinctLabels(t *testing.T) {
	body := `{"status":"success","data":{"resultType":"matrix","result":[
	 {"metric":{"__name__":"http_requests_total","job":"api"},"values":[[1700000000,"1"]]},
	 {"metric":{"__name__":"http_errors_total","job":"api"},"values":[[1700000000,"2"]]}]}}`
	pr := newReplay(t, map[string]func(*http.Request) (int, string, []byte){"/api/v1/query_range": ok([]byte(body))})
	ds := newTestDatasource(t, settingsJSON("", "tempo", "", pr.srv.URL, ""))
	res := queryOne(t, ds, map[string]string{"FromAlert": "true"}, traceFrom, traceTo,
		map[string]any{"queryType": "metrics", "version": 1, "expr": `{__name__=~"http_.*_total"}`})
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	seen := map[string]bool{}
	for _, f := range res.Frames {
		l := f.Fields[1].Labels.String()
		if seen[l] {
			t.Fatalf("two series frames carry the same labels %s: an alert rule cannot tell them apart", l)
		}
		seen[l] = true
	}
}

// Each PromQL series is its own frame with one time and one float field (README,
// "Alerting"): a native histogram series (query_range "histograms") becomes two frames,
// its count and its sum, told apart by their names.
func TestNativeHistogramSeriesOneFloatFieldPerFrame(t *testing.T) {
	body := `{"status":"success","data":{"resultType":"matrix","result":[
	 {"metric":{"__name__":"http_request_duration_seconds","job":"api"},
	  "histograms":[[1700000000,{"count":"10","sum":"2.5","buckets":[[0,"0.1","0.2","10"]]}]]}]}}`
	pr := newReplay(t, map[string]func(*http.Request) (int, string, []byte){"/api/v1/query_range": ok([]byte(body))})
	ds := newTestDatasource(t, settingsJSON("", "tempo", "", pr.srv.URL, ""))
	res := queryOne(t, ds, map[string]string{"FromAlert": "true"}, traceFrom, traceTo,
		map[string]any{"queryType": "metrics", "version": 1, "expr": `http_request_duration_seconds`})
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	for _, f := range res.Frames {
		n := 0
		for _, fld := range f.Fields {
			if fld.Type().Numeric() {
				n++
			}
		}
		if n != 1 {
			t.Errorf("frame %q has %d numeric fields (%d fields), want one float field per frame", f.Name, n, len(f.Fields))
		}
	}
	var names []string
	for _, f := range res.Frames {
		if len(f.Fields) == 2 {
			names = append(names, f.Fields[1].Labels["__name__"]+"="+fmt.Sprint(f.Fields[1].At(0)))
		}
	}
	if strings.Join(names, " ") != "http_request_duration_seconds_count=10 http_request_duration_seconds_sum=2.5" {
		t.Errorf("series %q, want the count and the sum", names)
	}
}

// TestLogsMetricQueryAlertRequest: a logs query whose LogQL is a metric query answers an
// alert request with the same series frames as a dashboard, each a wide time series.
func TestLogsMetricQueryAlertRequest(t *testing.T) {
	lk := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/loki/api/v1/query_range": ok([]byte(`{"status":"success","data":{"resultType":"matrix","result":[
			{"metric":{"level":"error"},"values":[[1700000000,"1"],[1700000060,"3"]]},
			{"metric":{"level":"info"},"values":[[1700000000,"5"],[1700000060,"7"]]}]}}`)),
	})
	ds := newTestDatasource(t, settingsJSON("", "tempo", lk.srv.URL, "", ""))
	q := map[string]any{"queryType": "logs", "version": 1, "expr": `sum by (level) (count_over_time({service_name="checkout"}[1m]))`}
	dash := queryOne(t, ds, nil, traceFrom, traceTo, q)
	alert := queryOne(t, ds, map[string]string{"FromAlert": "true"}, traceFrom, traceTo, q)
	alertAnswerIs(t, dash, alert)
	if len(alert.Frames) != 2 {
		t.Errorf("%d frames, want one per level", len(alert.Frames))
	}
}
