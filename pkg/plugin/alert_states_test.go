package plugin

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The states an alert rule "A = latency query; B = last(A); C = B > threshold" gets from
// each source, evaluated as Grafana evaluates it (alert_eval_test.go).

var alertTo = time.Unix(1700000000, 0)
var alertFrom = alertTo.Add(-10 * time.Minute)

// promMatrix is a query_range answer of series given as `labels|v1,v2,…` with points
// 15 s apart ending at alertTo ("NaN" as Prometheus writes it).
func promMatrix(series ...string) []byte {
	var parts []string
	for _, s := range series {
		lbl, vals, _ := strings.Cut(s, "|")
		vs := strings.Split(vals, ",")
		var pts []string
		for i, v := range vs {
			ts := alertTo.Unix() - int64(15*(len(vs)-1-i))
			pts = append(pts, `[`+strconv.FormatInt(ts, 10)+`,"`+v+`"]`)
		}
		parts = append(parts, `{"metric":{`+lbl+`},"values":[`+strings.Join(pts, ",")+`]}`)
	}
	return []byte(`{"status":"success","data":{"resultType":"matrix","result":[` + strings.Join(parts, ",") + `]}}`)
}

func histogramAlertDatasource(t *testing.T, body []byte) *Datasource {
	pr := promReplay(t)
	pr.routes["/api/v1/query_range"] = ok(body)
	// The classic-histogram probe finds `le` series.
	pr.routes["/api/v1/query"] = ok([]byte(`{"status":"success","data":{"resultType":"vector","result":[
		{"metric":{"le":"0.1"},"value":[1700000000,"10"]},{"metric":{"le":"+Inf"},"value":[1700000000,"40"]}]}}`))
	return newTestDatasource(t, settingsJSON("", "tempo", "", pr.srv.URL, ""))
}

var histogramRuleQuery = map[string]any{"queryType": "latency", "version": 1, "source": "histogram", "editorMode": "builder",
	"service": "shop-web", "histogramMetric": "http_server_request_duration_seconds", "percentiles": []float64{0.99},
	"groupBy": []string{"route"}, "cdf": true, "summary": true}

func TestHistogramAlertStates(t *testing.T) {
	for _, tc := range []struct {
		name   string
		body   []byte
		strict string // the rule's outcome with the reducer's default (strict) mode
		dropNN string // and with "drop non-numeric values"
	}{
		{"no series in the range", promMatrix(), "NoData ", "NoData "},
		{"no traffic: every point NaN", promMatrix(`"route":"/a"|NaN,NaN,NaN`), "NoData ", "NoData "},
		{"traffic stopped before the last step", promMatrix(`"route":"/a"|0.5,0.6,NaN`, `"route":"/b"|2.5,NaN,3`),
			`{quantile=0.99, route=/a}=Normal(600) {quantile=0.99, route=/b}=Alerting(3000)`,
			`{quantile=0.99, route=/a}=Normal(600) {quantile=0.99, route=/b}=Alerting(3000)`},
		{"one route without traffic", promMatrix(`"route":"/a"|NaN,NaN`, `"route":"/b"|0.1,0.2`),
			`{quantile=0.99, route=/b}=Normal(200)`, `{quantile=0.99, route=/b}=Normal(200)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := histogramAlertDatasource(t, tc.body)
			resp := alertQuery(t, ds, alertFrom, alertTo, histogramRuleQuery)
			if got := evalRule(t, resp, "", 1000).String(); got != tc.strict {
				t.Errorf("strict last: %s, want %s", got, tc.strict)
			}
			if got := evalRule(t, resp, "dropNN", 1000).String(); got != tc.dropNN {
				t.Errorf("dropNN last: %s, want %s", got, tc.dropNN)
			}
		})
	}
}

// A failing store puts the rule in Error with the store's message, never NoData or OK.
func TestHistogramAlertStoreFails(t *testing.T) {
	pr := promReplay(t)
	pr.routes["/api/v1/query"] = func(*http.Request) (int, string, []byte) {
		return 503, jsonCT, []byte(`{"status":"error","errorType":"unavailable","error":"TSDB not ready"}`)
	}
	ds := newTestDatasource(t, settingsJSON("", "tempo", "", pr.srv.URL, ""))
	got := evalRule(t, alertQuery(t, ds, alertFrom, alertTo, histogramRuleQuery), "", 1000)
	if got.state != "Error" || !strings.Contains(got.err, "TSDB not ready") {
		t.Errorf("got %s, want Error naming the store's message", got)
	}
}

// No traffic in the rule's range gives NoData from every source, and a step without
// traffic at the end of the range leaves "last" on the last step that had some.
func TestSpansAndLogsAlertStatesWithoutTraffic(t *testing.T) {
	emptyLoki := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/loki/api/v1/query_range": ok([]byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`)),
	})
	emptyTempo := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/metrics/query_range": ok([]byte(`{"series":[],"metrics":{}}`)),
		"/api/search":              ok([]byte(`{"traces":[],"metrics":{}}`)),
	})
	// Tempo omits a zero value: the last step had no spans.
	stoppedTempo := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/metrics/query_range": ok([]byte(`{"series":[{"labels":[{"key":"p","value":{"doubleValue":0.99}}],
			"samples":[{"timestampMs":"1699999880000","value":0.4},{"timestampMs":"1699999940000","value":2.5},{"timestampMs":"1700000000000"}]}]}`)),
	})
	// The Jaeger fixture's trace lies outside this range.
	jaeger := jaegerReplay(t, false)
	for _, tc := range []struct {
		name, settings string
		q              map[string]any
		want           string
	}{
		{"Tempo", settingsJSON(emptyTempo.srv.URL, "tempo", "", "", ""),
			map[string]any{"source": "spans", "service": "checkout"}, "NoData "},
		{"Tempo, traffic stopped", settingsJSON(stoppedTempo.srv.URL, "tempo", "", "", ""),
			map[string]any{"source": "spans", "service": "checkout"}, "{quantile=0.99}=Alerting(2500)"},
		{"Jaeger", settingsJSON(jaeger.srv.URL, "jaeger-v1", "", "", ""),
			map[string]any{"source": "spans", "service": "checkout"}, "NoData "},
		{"Loki unwrap", settingsJSON("", "tempo", emptyLoki.srv.URL, "", ""),
			map[string]any{"source": "logs", "editorMode": "code",
				"expr": `{service_name="checkout"} | json | unwrap duration_ms`, "valueUnit": "ms"}, "NoData "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := newTestDatasource(t, tc.settings)
			q := map[string]any{"queryType": "latency", "version": 1, "editorMode": "builder", "percentiles": []float64{0.99}, "cdf": true, "summary": true}
			for k, v := range tc.q {
				q[k] = v
			}
			resp := alertQuery(t, ds, alertFrom, alertTo, q)
			for _, mode := range []string{"", "dropNN"} {
				if got := evalRule(t, resp, mode, 2000).String(); got != tc.want {
					t.Errorf("last (mode %q): %s, want %s", mode, got, tc.want)
				}
			}
		})
	}
}
