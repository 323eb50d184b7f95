package plugin

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A store URL that points at a web page rather than the store's API (Grafana's own
// address, the store's UI, a proxy's sign-in page) answers 200 with HTML. Every query
// that reads such an answer fails saying so, quoting the page's title, and saying what to
// give instead, rather than a JSON syntax error ("invalid character '<'").
func TestQueriesAnsweredWithAnHTMLPageSaySo(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!DOCTYPE html><html><head><title>Sign in - Example SSO</title></head><body><form>…</form></body></html>`))
	}))
	t.Cleanup(page.Close)
	tests := []struct {
		name, store string
		settings    string
		query       map[string]any
	}{
		{"metrics on prometheus", "prometheus", settingsJSON("http://127.0.0.1:1", "tempo", "http://127.0.0.1:1", page.URL, ""),
			map[string]any{"queryType": "metrics", "version": 1, "expr": "up", "exemplars": false}},
		{"logs on loki", "loki", settingsJSON("http://127.0.0.1:1", "tempo", page.URL, "http://127.0.0.1:1", ""),
			map[string]any{"queryType": "logs", "version": 1, "expr": `{app="api"}`}},
		{"search on tempo", "tempo", settingsJSON(page.URL, "tempo", "http://127.0.0.1:1", "http://127.0.0.1:1", ""),
			map[string]any{"queryType": "search", "version": 1, "editorMode": "code", "traceql": `{ name = "GET /" }`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := newTestDatasource(t, tc.settings)
			res := mustQuery(t, ds, tc.query)
			if res.Error == nil {
				t.Fatalf("no error for an HTML answer")
			}
			msg := res.Error.Error()
			for _, want := range []string{tc.store + ":", "HTML page", "Sign in - Example SSO", "give the store's API address"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, "invalid character") {
				t.Errorf("error %q is a JSON syntax error", msg)
			}
		})
	}
}
