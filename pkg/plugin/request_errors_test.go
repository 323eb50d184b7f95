package plugin

import (
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// TestRefusedSearchesAreBadRequests: a search the trace store cannot run as asked
// (TraceQL on Jaeger, no service for Jaeger, tags through Jaeger v3, a tag name TraceQL
// cannot carry) is the user's to fix: 400 from the plugin, naming the store, and the
// store is never called. It is not a 502 from downstream.
func TestRefusedSearchesAreBadRequests(t *testing.T) {
	tests := []struct {
		name  string
		kind  string
		query map[string]any
		want  string
	}{
		{"traceql on jaeger v1", "jaeger-v1",
			map[string]any{"editorMode": "code", "traceql": `{ resource.service.name = "checkout" }`},
			"jaeger: TraceQL is a Tempo language"},
		{"traceql on jaeger v3", "jaeger-v3",
			map[string]any{"editorMode": "code", "traceql": `{ name = "GET /" }`},
			"jaeger: TraceQL is a Tempo language"},
		{"builder without service on jaeger v1", "jaeger-v1",
			map[string]any{"editorMode": "builder", "operation": "GET /"},
			"jaeger: search needs a service"},
		{"builder without service on jaeger v3", "jaeger-v3",
			map[string]any{"editorMode": "builder"},
			"jaeger: search needs a service"},
		{"tags through jaeger v3", "jaeger-v3",
			map[string]any{"editorMode": "builder", "service": "checkout", "tags": "http.method=GET"},
			"jaeger: tag search is not supported through the Jaeger v3 API"},
		{"tag name traceql refuses", "tempo",
			map[string]any{"editorMode": "builder", "service": "checkout", "tags": "x|y=1"},
			`tempo: tag "x|y" is not a TraceQL attribute name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var store *replay
			if tc.kind == "tempo" {
				store = tempoReplay(t, false)
			} else {
				store = jaegerReplay(t, tc.kind == "jaeger-v3")
			}
			ds := newTestDatasource(t, settingsJSON(store.srv.URL, tc.kind, "", "", ""))
			q := map[string]any{"queryType": "search", "version": 1}
			for k, v := range tc.query {
				q[k] = v
			}
			res := mustQuery(t, ds, q)
			if res.Error == nil || !strings.Contains(res.Error.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", res.Error, tc.want)
			}
			if res.Status != backend.StatusBadRequest || res.ErrorSource != backend.ErrorSourcePlugin {
				t.Errorf("status %d source %q, want 400 from the plugin", res.Status, res.ErrorSource)
			}
			if n := store.calls.Load(); n != 0 {
				t.Errorf("the store was called %d times", n)
			}
		})
	}
}

// TestTraceQLResourcesOnJaegerAreBadRequests: TraceQL tag look-ups on a Jaeger data
// source are a look-up the store cannot do (400 naming the store), not a store failure.
func TestTraceQLResourcesOnJaegerAreBadRequests(t *testing.T) {
	for _, kind := range []string{"jaeger-v1", "jaeger-v3"} {
		store := jaegerReplay(t, kind == "jaeger-v3")
		ds := newTestDatasource(t, settingsJSON(store.srv.URL, kind, "", "", ""))
		for _, path := range []string{"traceql/tags", "traceql/tag-values?tag=name"} {
			t.Run(kind+" "+path, func(t *testing.T) {
				status, body := callResource(t, ds, path)
				if status != http.StatusBadRequest || !strings.Contains(body, "jaeger: TraceQL tags need Tempo") {
					t.Errorf("%d %s, want 400 naming jaeger", status, body)
				}
			})
		}
		if n := store.calls.Load(); n != 0 {
			t.Errorf("%s was called %d times", kind, n)
		}
	}
}

// TestOperationsNeedAService: the operations look-up without a service (or with an
// empty one) is a 400 for every source and every trace store, and no store is called
// (Jaeger v1 would otherwise be asked for /api/services//operations).
func TestOperationsNeedAService(t *testing.T) {
	stores := map[string]*replay{
		"jaeger-v1": jaegerReplay(t, false),
		"jaeger-v3": jaegerReplay(t, true),
		"tempo":     tempoReplay(t, false),
	}
	for kind, traces := range stores {
		logs, metrics := lokiReplay(t), promReplay(t)
		ds := newTestDatasource(t, settingsJSON(traces.srv.URL, kind, logs.srv.URL, metrics.srv.URL,
			`"latency":{"serviceLabel":"svc","operationLabel":"op"}`))
		for _, path := range []string{
			"operations", "operations?service=", "operations?source=traces",
			"operations?source=metrics", "operations?source=logs&service=",
		} {
			t.Run(kind+" "+path, func(t *testing.T) {
				status, body := callResource(t, ds, path)
				if status != http.StatusBadRequest || body != `{"error":"parameter service is required"}` {
					t.Errorf("%d %s, want 400 parameter service is required", status, body)
				}
			})
		}
		for name, r := range map[string]*replay{kind: traces, "loki": logs, "prometheus": metrics} {
			if n := r.calls.Load(); n != 0 {
				t.Errorf("%s was called %d times", name, n)
			}
		}
	}
}
