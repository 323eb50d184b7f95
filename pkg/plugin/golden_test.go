package plugin

import (
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/experimental"
)

// TestGoldenFrames: the whole response of each query type but `trace` (whose golden file
// is written by TestTraceQueryAcrossTraceStores) against replayed stores, field by field,
// with types, configs, links and notices. LATENCYLENS_UPDATE_GOLDEN=1 rewrites the files.
func TestGoldenFrames(t *testing.T) {
	// A Prometheus that answers every range query with one series (the data source's
	// own queries are checked elsewhere; this pins the frames built from the answer).
	promSeries := func(t testing.TB) *replay {
		return newReplay(t, map[string]func(*http.Request) (int, string, []byte){
			"/api/v1/query_range": ok([]byte(`{"status":"success","data":{"resultType":"matrix","result":[` +
				`{"metric":{"service":"checkout"},"values":[[1700000000,"0.12"],[1700000060,"0.25"],[1700000120,"NaN"]]}]}}`)),
			"/api/v1/query": func(r *http.Request) (int, string, []byte) {
				// The increase of each classic bucket over the range (the CDF), else one value.
				if q := r.URL.Query().Get("query"); strings.Contains(q, "_bucket") && strings.Contains(q, "by (le)") {
					return 200, jsonCT, []byte(`{"status":"success","data":{"resultType":"vector","result":[` +
						`{"metric":{"le":"0.1"},"value":[1700000120,"10"]},{"metric":{"le":"0.25"},"value":[1700000120,"30"]},` +
						`{"metric":{"le":"0.5"},"value":[1700000120,"38"]},{"metric":{"le":"+Inf"},"value":[1700000120,"40"]}]}}`)
				}
				return 200, jsonCT, []byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000120,"40"]}]}}`)
			},
			"/api/v1/query_exemplars": ok(fixture(t, "prometheus", "exemplars.json")),
		})
	}
	tests := []struct {
		name     string
		settings func(t testing.TB) string
		q        map[string]any
	}{
		{"search_tempo",
			func(t testing.TB) string { return settingsJSON(tempoReplay(t, false).srv.URL, "tempo", "", "", "") },
			map[string]any{"queryType": "search", "editorMode": "code", "traceql": `{ status = error }`}},
		{"search_jaeger_v1",
			func(t testing.TB) string {
				return settingsJSON(jaegerReplay(t, false).srv.URL, "jaeger-v1", "", "", "")
			},
			map[string]any{"queryType": "search", "editorMode": "builder", "service": "frontend"}},
		{"logs_query",
			func(t testing.TB) string { return settingsJSON("", "tempo", lokiReplay(t).srv.URL, "", "") },
			map[string]any{"queryType": "logs", "expr": `{service_name="payment"}`}},
		{"latency_tempo_traceql",
			func(t testing.TB) string { return settingsJSON(tempoReplay(t, false).srv.URL, "tempo", "", "", "") },
			map[string]any{"queryType": "latency", "source": "spans", "editorMode": "builder", "service": "payment", "percentiles": []float64{0.5, 0.99}}},
		{"latency_jaeger_exact",
			func(t testing.TB) string {
				return settingsJSON(jaegerReplay(t, false).srv.URL, "jaeger-v1", "", "", `"latency":{"serviceRate":50}`)
			},
			map[string]any{"queryType": "latency", "source": "spans", "editorMode": "builder", "service": "checkout", "percentiles": []float64{0.5, 0.9}}},
		{"latency_histogram",
			func(t testing.TB) string { return settingsJSON("", "tempo", "", promSeries(t).srv.URL, "") },
			map[string]any{"queryType": "latency", "source": "histogram", "editorMode": "builder", "histogramMetric": "http_duration_seconds", "service": "checkout", "percentiles": []float64{0.5, 0.99}}},
		{"metrics_exemplars",
			func(t testing.TB) string { return settingsJSON("", "tempo", "", promSeries(t).srv.URL, "") },
			map[string]any{"queryType": "metrics", "expr": `histogram_quantile(0.99, sum by (le) (rate(lens_bucket[5m])))`, "exemplars": true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := newTestDatasource(t, tc.settings(t))
			tc.q["version"] = 1
			res := mustQuery(t, ds, tc.q)
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			if len(res.Frames) == 0 {
				t.Fatal("no frames")
			}
			experimental.CheckGoldenJSONResponse(t, "testdata", tc.name, &res, updateGolden)
		})
	}
}
