package plugin

import (
	"encoding/json"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
)

// checkAlertAnswer compares an alert request's answer to a metrics query with the
// dashboard's, frame by frame (schema, meta and values): every dashboard frame but the
// exemplars one, in the same order. That one is left out because it is not a wide time
// series, which Grafana's server-side expressions refuse, failing the whole rule; every
// frame of the alert answer must be one. wantExemplarRows is how many exemplars the
// dashboard answer carries (so the exception is exercised, not assumed).
func checkAlertAnswer(t *testing.T, dash, alert backend.DataResponse, wantExemplarRows int) {
	t.Helper()
	if dash.Error != nil || alert.Error != nil {
		t.Fatal(dash.Error, alert.Error)
	}
	ex := framesOfKind(dash.Frames, frames.KindExemplars)
	if len(ex) != 1 || (wantExemplarRows >= 0 && ex[0].Rows() != wantExemplarRows) || (wantExemplarRows < 0 && ex[0].Rows() == 0) {
		t.Fatalf("dashboard answer: %d exemplars frames, want one with %d rows (-1: some)", len(ex), wantExemplarRows)
	}
	if typ := ex[0].TimeSeriesSchema().Type; typ == data.TimeSeriesTypeWide {
		t.Errorf("the exemplars frame is a wide time series now; alert requests can get it too (drop the exception in query.Metrics)")
	}
	var want data.Frames
	for _, f := range dash.Frames {
		if f != ex[0] {
			want = append(want, f)
		}
	}
	if len(want) == 0 {
		t.Fatal("the dashboard answer has no series frames")
	}
	if len(alert.Frames) != len(want) {
		t.Fatalf("alert answer: %d frames, dashboard %d besides its exemplars", len(alert.Frames), len(want))
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
