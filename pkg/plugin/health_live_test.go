package plugin

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/testenv"
)

// TestHealthAgainstRealStores: the real stores report ok at their base URL (with a
// trailing slash too), and a URL with a wrong path (a UI page's, or /api) fails with the
// advice to give the store's base URL, whatever each store answers such a path with.
func TestHealthAgainstRealStores(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real stores")
	}
	prom := testenv.StartPrometheus(t, testenv.PrometheusOptions{})
	real := newRealStores(t)
	urls := map[string]string{"metrics": prom.URL, "logs": real.lokiURL(t), "traces": real.tempoURL(t)}
	jaegerURL := real.jaegerURL(t)
	health := func(t *testing.T, js string) (*backend.CheckHealthResult, map[string]storeHealth) {
		t.Helper()
		inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "u", JSONData: []byte(js)})
		if err != nil {
			t.Fatal(err)
		}
		h, _ := inst.(*Datasource).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
		return h, healthDetails(t, h)
	}
	section := func(suffix string) string {
		return `{"metrics":{"url":"` + urls["metrics"] + suffix + `"},"logs":{"url":"` + urls["logs"] + suffix +
			`"},"traces":{"url":"` + urls["traces"] + suffix + `","kind":"tempo"}}`
	}
	lines := []string{"metrics (prometheus)", "logs (loki)", "traces (tempo)"}

	t.Run("base URLs", func(t *testing.T) {
		for _, suffix := range []string{"", "/"} {
			h, d := health(t, section(suffix))
			if h.Status != backend.HealthStatusOk {
				t.Errorf("suffix %q: status %v\n%s", suffix, h.Status, h.Message)
			}
			for _, l := range lines {
				if d[l].Status != "ok" {
					t.Errorf("suffix %q: %s %+v", suffix, l, d[l])
				}
			}
		}
	})
	t.Run("wrong paths", func(t *testing.T) {
		for _, suffix := range []string{"/api", "/graph", "/api/v1"} {
			h, d := health(t, section(suffix))
			if h.Status != backend.HealthStatusError {
				t.Errorf("suffix %q: status %v", suffix, h.Status)
			}
			for _, l := range lines {
				if d[l].Status != "error" || !strings.Contains(d[l].Detail, "base URL") {
					t.Errorf("suffix %q: %s %+v, want the advice to give the base URL", suffix, l, d[l])
				}
			}
		}
	})
	t.Run("trace store of another kind", func(t *testing.T) {
		for _, tc := range []struct{ url, kind, line string }{
			{urls["traces"], "jaeger-v3", "traces (jaeger-v3)"},
			{jaegerURL, "tempo", "traces (tempo)"},
		} {
			_, d := health(t, `{"traces":{"url":"`+tc.url+`","kind":"`+tc.kind+`"}}`)
			if d[tc.line].Status != "error" || !strings.Contains(d[tc.line].Detail, "kind") {
				t.Errorf("%s at %s: %+v, want the advice to check the trace store kind", tc.kind, tc.url, d[tc.line])
			}
		}
	})
}

// TestHealthTriesTheTraceLogSelector: the trace log selector goes to Loki with every trace
// query, so a selector Loki cannot parse is the logs store's failure in the health check,
// named, rather than an OK there and a failed logs part in every trace query. A selector
// with a `}` inside a value, or followed by a pipeline, is fine.
func TestHealthTriesTheTraceLogSelector(t *testing.T) {
	real := newRealStores(t)
	lokiURL := real.lokiURL(t)
	for _, tc := range []struct {
		selector string
		ok       bool
	}{
		{`{service_name=~".+"}`, true},
		{`{service_name=~"a}b|.+"} | logfmt`, true},
		{`{service_name="nope"}`, true},
		{`{service_name=~".+}`, false},
		{`{service-name=~".+"}`, false},
		{`{service_name=~"(("}`, false},
	} {
		t.Run(tc.selector, func(t *testing.T) {
			js, _ := json.Marshal(map[string]any{"logs": map[string]any{"url": lokiURL, "traceLogSelector": tc.selector}})
			h, _ := newTestDatasource(t, string(js)).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
			got := healthDetails(t, h)["logs (loki)"]
			if tc.ok {
				if got.Status != "ok" || h.Status != backend.HealthStatusOk {
					t.Errorf("%+v, want ok", got)
				}
				return
			}
			if got.Status != "error" || !strings.Contains(got.Detail, "logs.traceLogSelector") || !strings.Contains(got.Detail, "loki: HTTP 400: parse error") {
				t.Errorf("%+v, want the selector named with Loki's parse error", got)
			}
		})
	}
}
