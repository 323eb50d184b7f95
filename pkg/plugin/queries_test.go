package plugin

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/stores/storetest"
)

func TestSearchQuery(t *testing.T) {
	tests := []struct {
		name, kind string
		store      func(testing.TB) *replay
		q          map[string]any
		wantRows   int
	}{
		{"tempo traceql", "tempo", func(t testing.TB) *replay { return tempoReplay(t, false) },
			map[string]any{"editorMode": "code", "traceql": `{ status = error }`}, 2},
		{"jaeger v1 builder", "jaeger-v1", func(t testing.TB) *replay { return jaegerReplay(t, false) },
			map[string]any{"editorMode": "builder", "service": "frontend", "tags": `http.method=GET error="true"`, "minDuration": "10ms"}, 1},
		{"jaeger v3 builder", "jaeger-v3", func(t testing.TB) *replay { return jaegerReplay(t, true) },
			map[string]any{"editorMode": "builder", "service": "frontend"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.store(t)
			ds := newTestDatasource(t, settingsJSON(st.srv.URL, tc.kind, "", "", ""))
			tc.q["queryType"], tc.q["version"] = "search", 1
			res := mustQuery(t, ds, tc.q)
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			f := framesOfKind(res.Frames, frames.KindSearch)[0]
			if f.Rows() != tc.wantRows {
				t.Fatalf("%d rows", f.Rows())
			}
			ids := fieldStrings(t, f, frames.SearchTraceID)
			checkout := slices.Index(ids, storetest.CheckoutTraceID)
			if checkout < 0 {
				t.Fatalf("no checkout trace among %q", ids)
			}
			errs, _ := f.FieldByName(frames.SearchHasError)
			if !errs.At(checkout).(bool) {
				t.Error("checkout trace has an error span")
			}
			// Newest first, whatever order the store answered in.
			starts, _ := f.FieldByName(frames.SearchStartTime)
			for i := 1; i < f.Rows(); i++ {
				if starts.At(i).(time.Time).After(starts.At(i - 1).(time.Time)) {
					t.Errorf("row %d starts at %v, after row %d: not newest first", i, starts.At(i), i-1)
				}
			}
			tf, _ := f.FieldByName(frames.SearchTraceID)
			if tf.Config == nil || len(tf.Config.Links) != 1 {
				t.Error("trace IDs do not link to the trace query")
			}
		})
	}
	t.Run("bad duration is the user's error", func(t *testing.T) {
		ds := newTestDatasource(t, settingsJSON(tempoReplay(t, false).srv.URL, "tempo", "", "", ""))
		res := mustQuery(t, ds, map[string]any{"queryType": "search", "version": 1, "editorMode": "builder", "minDuration": "fast"})
		if res.Error == nil || !strings.Contains(res.Error.Error(), `minDuration "fast"`) || res.Status != backend.StatusBadRequest {
			t.Errorf("%v %v", res.Status, res.Error)
		}
	})
}

func TestLogsQuery(t *testing.T) {
	lk := lokiReplay(t)
	ds := newTestDatasource(t, settingsJSON("", "tempo", lk.srv.URL, "", ""))
	res := mustQuery(t, ds, map[string]any{"queryType": "logs", "version": 1, "expr": `{service_name="payment"}`})
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	f := framesOfKind(res.Frames, frames.KindLogs)[0]
	ids := fieldStrings(t, f, frames.LogTraceID)
	if f.Rows() != 5 || ids[0] != storetest.CheckoutTraceID {
		t.Fatalf("%d rows, ids %v", f.Rows(), ids)
	}
	ts, _ := f.FieldByName(frames.LogTime)
	if !ts.At(0).(time.Time).After(ts.At(4).(time.Time)) {
		t.Error("logs query lines come newest first")
	}
	bad := mustQuery(t, ds, map[string]any{"queryType": "logs", "version": 1, "expr": `{a="b"} | syntax error`})
	if bad.Error == nil || !strings.Contains(bad.Error.Error(), "loki: HTTP 400: parse error at line 1") {
		t.Errorf("plain-text error: %v", bad.Error)
	}
}

func TestLatencyFromSpans(t *testing.T) {
	t.Run("tempo: TraceQL quantile_over_time in the store", func(t *testing.T) {
		tr := tempoReplay(t, false)
		ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", "", "", ""))
		res := mustQuery(t, ds, map[string]any{"queryType": "latency", "version": 1, "source": "spans", "editorMode": "builder",
			"service": "payment", "percentiles": []float64{0.5, 0.99}})
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		p := framesOfKind(res.Frames, frames.KindPercentile)
		if len(p) != 2 {
			t.Fatalf("%d percentile frames", len(p))
		}
		for _, f := range p {
			if f.Fields[1].Labels[frames.QuantileLabel] == "0.99" && lastValue(t, f) != 250 {
				t.Errorf("p99 last = %v ms, want 250 (0.25 s from Tempo)", lastValue(t, f))
			}
		}
		if len(framesOfKind(res.Frames, frames.KindCDF)) != 1 || len(framesOfKind(res.Frames, frames.KindSummary)) != 1 {
			t.Error("CDF and summary frames expected")
		}
	})
	t.Run("jaeger: exact from raw spans", func(t *testing.T) {
		js := jaegerReplay(t, false)
		ds := newTestDatasource(t, settingsJSON(js.srv.URL, "jaeger-v1", "", "", `"latency":{"serviceRate":50}`))
		res := mustQuery(t, ds, map[string]any{"queryType": "latency", "version": 1, "source": "spans", "editorMode": "builder",
			"service": "checkout", "percentiles": []float64{0.5}})
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		p := framesOfKind(res.Frames, frames.KindPercentile)
		if len(p) != 1 || lastValue(t, p[0]) != 100 {
			t.Fatalf("p50 of the one checkout span (100 ms): %d frames", len(p))
		}
		s := framesOfKind(res.Frames, frames.KindSummary)[0]
		count, _ := s.FieldByName(frames.SummaryCount)
		rho, _ := s.FieldByName(frames.SummaryRho)
		er, _ := s.FieldByName(frames.SummaryErrorRate)
		tps := 1 / traceTo.Sub(traceFrom).Seconds()
		if count.At(0).(float64) != 1 || rho == nil || math.Abs(rho.At(0).(float64)-tps/50) > 1e-12 || *er.At(0).(*float64) != 0 {
			t.Errorf("summary count %v rho %v", count.At(0), rho)
		}
	})
}

func TestQueryDataNeverPanics(t *testing.T) {
	ds := newTestDatasource(t, settingsJSON(tempoReplay(t, false).srv.URL, "tempo", lokiReplay(t).srv.URL, promReplay(t).srv.URL, ""))
	for _, raw := range []string{`{}`, `[]`, `{"queryType":"latency","source":"histogram","percentiles":[0]}`, `{"queryType":"trace","traceId":""}`,
		`{"queryType":"metrics","expr":"up","step":"-1s"}`, `{"queryType":"trace","version":9,"traceId":"ab"}`, `{"queryType":"latency","source":"logs"}`} {
		var q map[string]any
		_ = json.Unmarshal([]byte(raw), &q)
		qt, _ := q["queryType"].(string)
		resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
			RefID: "A", QueryType: qt, JSON: []byte(raw), TimeRange: backend.TimeRange{From: traceFrom, To: traceTo},
		}}})
		if err != nil || resp.Responses["A"].Error == nil {
			t.Errorf("%s: want a per-query error, got %v / %+v", raw, err, resp.Responses["A"])
		}
	}
}

// TestHistogramErrorRate: with latency.errorLabel set, the summary's error rate is
// increase(errors)/increase(all) over the range, asked with the error label matching.
func TestHistogramErrorRate(t *testing.T) {
	var rec recorder
	vector := func(v string) []byte {
		return []byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"` + v + `"]}]}}`)
	}
	prom := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/v1/query_range": rec.route(200, []byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`)),
		"/api/v1/query": func(r *http.Request) (int, string, []byte) {
			q := r.URL.Query().Get("query")
			rec.route(200, nil)(r)
			switch {
			case strings.Contains(q, `status=~`):
				return 200, jsonCT, vector("5")
			case strings.Contains(q, "resets("):
				return 200, jsonCT, vector("0")
			case strings.Contains(q, "_sum"):
				return 200, jsonCT, vector("10")
			}
			return 200, jsonCT, vector("50")
		},
	})
	ds := newTestDatasource(t, settingsJSON("", "tempo", "", prom.srv.URL, `"latency":{"errorLabel":"status"}`))
	res := mustQuery(t, ds, map[string]any{"queryType": "latency", "version": 1, "source": "histogram", "editorMode": "builder",
		"histogramMetric": "http_duration_seconds", "service": "svc", "percentiles": []float64{0.5}})
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	s := framesOfKind(res.Frames, frames.KindSummary)[0]
	er, _ := s.FieldByName(frames.SummaryErrorRate)
	if p := er.At(0).(*float64); p == nil || *p != 0.1 {
		t.Errorf("error rate %v, want 5/50", p)
	}
	want := `sum(increase(http_duration_seconds_count{service="svc",status=~"5..|error|ERROR|STATUS_CODE_ERROR"}[7200s]))`
	found := false
	for _, q := range rec.all() {
		found = found || q == want
	}
	if !found {
		t.Errorf("no query %s among %q", want, rec.all())
	}
}

// TestProvisionedPercentilesGiveOneFramePerPercentile: percentiles provisioned in
// jsonData (no editor to sort and deduplicate them, as parsePercentiles does) given twice
// give one frame per percentile, not two frames of the same series, which Grafana's
// alerting refuses as duplicate results.
func TestProvisionedPercentilesGiveOneFramePerPercentile(t *testing.T) {
	prom := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/v1/query_range": ok([]byte(`{"status":"success","data":{"resultType":"matrix","result":[` +
			`{"metric":{"service":"checkout"},"values":[[1700000000,"0.12"],[1700000060,"0.25"]]}]}}`)),
		"/api/v1/query": ok([]byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000120,"40"]}]}}`)),
	})
	ds := newTestDatasource(t, settingsJSON("", "tempo", "", prom.srv.URL, `"latency":{"percentiles":[0.99,0.5,0.99]}`))
	res := mustQuery(t, ds, map[string]any{"queryType": "latency", "version": 1, "source": "histogram", "editorMode": "builder",
		"histogramMetric": "http_duration_seconds", "service": "checkout", "cdf": false, "summary": false})
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	seen := map[string]int{}
	for _, f := range res.Frames {
		key := f.Name
		if len(f.Fields) > 1 {
			key += f.Fields[1].Name + f.Fields[1].Labels.String()
		}
		seen[key]++
		if seen[key] == 2 {
			t.Errorf("two frames of the same series %q", key)
		}
	}
}

// A Tempo search hit whose trace ID does not normalise is left out with a notice that
// quotes the ID.
func TestSearchBadTraceIDIsAnnounced(t *testing.T) {
	body := `{"traces":[
	 {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","rootServiceName":"frontend","rootTraceName":"GET /","startTimeUnixNano":"1700000000000000000","durationMs":5},
	 {"traceID":"not-a-trace-id","rootServiceName":"frontend","rootTraceName":"GET /x","startTimeUnixNano":"1700000001000000000","durationMs":7}
	],"metrics":{}}`
	st := newReplay(t, map[string]func(*http.Request) (int, string, []byte){"/api/search": ok([]byte(body))})
	ds := newTestDatasource(t, settingsJSON(st.srv.URL, "tempo", "", "", ""))
	res := mustQuery(t, ds, map[string]any{"queryType": "search", "version": 1, "editorMode": "code", "traceql": `{ }`})
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	f := framesOfKind(res.Frames, frames.KindSearch)[0]
	if f.Rows() != 1 {
		t.Fatalf("%d rows, want the one valid hit", f.Rows())
	}
	if !strings.Contains(noticeTexts(f), "not-a-trace-id") {
		t.Errorf("the hit with trace ID %q vanished without a notice (notices: %q)", "not-a-trace-id", noticeTexts(f))
	}
}
