package plugin

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/language"
)

// recorder keeps every query text a replayed store received (`query` or `q`).
type recorder struct {
	mu      sync.Mutex
	queries []string
}

func (r *recorder) route(status int, body []byte) func(*http.Request) (int, string, []byte) {
	return func(req *http.Request) (int, string, []byte) {
		r.mu.Lock()
		for _, k := range []string{"query", "q"} {
			if v := req.URL.Query().Get(k); v != "" {
				r.queries = append(r.queries, v)
			}
		}
		r.mu.Unlock()
		return status, jsonCT, body
	}
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.queries...)
}

// hostileFields are builder values that would change a query's structure if they were
// pasted in unquoted.
var hostileFields = []string{
	`"} or vector(1) or {a="`, `x" || true || name = "`, `a\"b\`, "multi\nline", `"} |= "`, `}|{`, `x") || (true`,
}

// TestBuilderFieldsAreQuoted: the editors send builder fields raw; each store receives
// them as one string literal, and a field that cannot be made safe is refused before
// any store is called.
func TestBuilderFieldsAreQuoted(t *testing.T) {
	emptyVector := []byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`)
	emptyMatrix := []byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`)
	emptyStreams := []byte(`{"status":"success","data":{"resultType":"streams","result":[]}}`)
	for _, v := range hostileFields {
		lit := language.QuoteString(v)
		t.Run("histogram "+v, func(t *testing.T) {
			var rec recorder
			prom := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
				"/api/v1/query_range": rec.route(200, emptyMatrix),
				"/api/v1/query":       rec.route(200, emptyVector),
			})
			ds := newTestDatasource(t, settingsJSON("", "tempo", "", prom.srv.URL, ""))
			res := mustQuery(t, ds, map[string]any{"queryType": "latency", "version": 1, "source": "histogram", "editorMode": "builder",
				"histogramMetric": "http_duration_seconds", "service": v, "operation": v + "2", "percentiles": []float64{0.9}})
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			want := `{operation=` + language.QuoteString(v+"2") + `,service=` + lit + `}`
			qs := rec.all()
			if len(qs) < 3 {
				t.Fatalf("only %d store queries", len(qs))
			}
			for _, q := range qs {
				// Every selector in the query is the intended one: nothing else has braces or quotes.
				if !strings.Contains(q, want) {
					t.Errorf("query %s lacks selector %s", q, want)
				}
				if rest := strings.ReplaceAll(q, want, ""); strings.ContainsAny(rest, `{}"`) {
					t.Errorf("query %s has text outside the intended selector: %s", q, rest)
				}
			}
		})
		t.Run("spans "+v, func(t *testing.T) {
			var rec recorder
			tr := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
				"/api/metrics/query_range": rec.route(200, []byte(`{"series":[]}`)),
				"/api/search":              rec.route(200, []byte(`{"traces":[]}`)),
			})
			ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", "", "", ""))
			res := mustQuery(t, ds, map[string]any{"queryType": "latency", "version": 1, "source": "spans", "editorMode": "builder",
				"service": v, "operation": v, "spanFilter": `span.http.status_code >= 500`, "percentiles": []float64{0.9}})
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			want := `{ resource.service.name = ` + lit + ` && name = ` + lit + ` && (span.http.status_code >= 500) }`
			for _, q := range rec.all() {
				if !strings.HasPrefix(q, want) {
					t.Errorf("query %s does not start with %s", q, want)
				}
			}
		})
		t.Run("logs "+v, func(t *testing.T) {
			var rec recorder
			lk := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
				"/loki/api/v1/query_range": rec.route(200, emptyStreams),
			})
			ds := newTestDatasource(t, settingsJSON("", "tempo", lk.srv.URL, "", ""))
			res := mustQuery(t, ds, map[string]any{"queryType": "latency", "version": 1, "source": "logs", "editorMode": "builder",
				"service": v, "logField": "duration_ms", "percentiles": []float64{0.9}})
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			want := `{service_name=` + lit + `}`
			for _, q := range rec.all() {
				// Besides the selector, only the builder's own error filter has quotes.
				rest := strings.ReplaceAll(strings.ReplaceAll(q, want, ""), `| __error__=""`, "")
				if strings.Count(q, want) != 1 || strings.ContainsAny(rest, `{}"`) {
					t.Errorf("query %s: want exactly one selector %s", q, want)
				}
			}
		})
	}

	refused := []struct {
		name string
		q    map[string]any
	}{
		{"filter leaving its parentheses", map[string]any{"source": "spans", "service": "a", "spanFilter": `true) || (true`}},
		{"filter closing the selector", map[string]any{"source": "spans", "service": "a", "spanFilter": `true } | { true`}},
		{"group by injection", map[string]any{"source": "histogram", "histogramMetric": "h", "groupBy": []string{`le) or vector(1) or sum by (le`}}},
		{"unwrap injection", map[string]any{"source": "logs", "service": "a", "logField": `d [1m]) or vector(1) #`}},
		{"metric name injection", map[string]any{"source": "histogram", "histogramMetric": `h{a="b"} or vector(1) or h`}},
	}
	for _, tc := range refused {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			var rec recorder
			any200 := rec.route(200, []byte(`{}`))
			st := newReplay(t, map[string]func(*http.Request) (int, string, []byte){"/": any200})
			ds := newTestDatasource(t, settingsJSON(st.srv.URL, "tempo", st.srv.URL, st.srv.URL, ""))
			tc.q["queryType"], tc.q["version"], tc.q["editorMode"] = "latency", 1, "builder"
			res := mustQuery(t, ds, tc.q)
			if res.Error == nil || res.Status != backend.StatusBadRequest {
				t.Errorf("want a 400 query error, got %v %v", res.Status, res.Error)
			}
			if qs := rec.all(); len(qs) != 0 {
				t.Errorf("stores were called with %q", qs)
			}
		})
	}
}
