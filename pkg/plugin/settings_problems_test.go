package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/stores/storetest"
)

// storePart is one store as the settings-problem tests use it: its settings section, a
// query, a look-up and a health line that need it and no other store.
type storePart struct {
	store    string // metrics, logs, traces
	section  string // format with the replay's URL
	query    map[string]any
	resource string
	health   string
	start    func(testing.TB) *replay
}

func threeStores() []storePart {
	return []storePart{
		{"metrics", `"metrics":{"url":%q,"timeout":"5s"}`,
			map[string]any{"queryType": "metrics", "version": 1, "expr": "up"},
			"prometheus/label-values?label=job", "metrics (prometheus)",
			func(t testing.TB) *replay {
				return newReplay(t, map[string]func(*http.Request) (int, string, []byte){
					"/api/v1/query_range": ok(fixture(t, "prometheus", "matrix.json")),
					"/api/v1/query":       ok(fixture(t, "prometheus", "scalar.json")),
					"/api/v1/label/":      ok([]byte(`{"status":"success","data":["a","b"]}`)),
				})
			}},
		{"logs", `"logs":{"url":%q,"timeout":"5s"}`,
			map[string]any{"queryType": "logs", "version": 1, "expr": `{service_name="payment"}`},
			"loki/labels", "logs (loki)", lokiReplay},
		{"traces", `"traces":{"url":%q,"kind":"tempo","timeout":"5s"}`,
			map[string]any{"queryType": "search", "version": 1, "editorMode": "code", "traceql": `{ status = error }`},
			"services", "traces (tempo)", func(t testing.TB) *replay { return tempoReplay(t, false) }},
	}
}

// healthDetails decodes CheckHealth's per-store list.
func healthDetails(t *testing.T, h *backend.CheckHealthResult) map[string]storeHealth {
	t.Helper()
	var d struct {
		Stores []storeHealth `json:"stores"`
	}
	if err := json.Unmarshal(h.JSONDetails, &d); err != nil {
		t.Fatalf("health details %q: %v", h.JSONDetails, err)
	}
	out := map[string]storeHealth{}
	for _, s := range d.Stores {
		out[s.Store] = s
	}
	return out
}

// TestOneStoreWithInvalidSettings: a store whose settings are invalid reports the problem
// (naming the setting) in its own queries, look-ups and health line, is never called,
// and the other stores answer as usual.
func TestOneStoreWithInvalidSettings(t *testing.T) {
	tests := []struct {
		name, broken string
		// section replaces the broken store's section (formatted with its URL); extra is
		// added to the settings.
		section, extra string
		want           string
	}{
		{"loki trace ID regex", "logs",
			`"logs":{"url":%q,"extraction":{"mode":"regex","traceIdRegex":"("}}`, "",
			"settings: logs.extraction.traceIdRegex: error parsing regexp: missing closing )"},
		{"loki line limit", "logs", "", `"limits":{"maxLogLines":-5}`, "settings: limits.maxLogLines -5 must not be negative"},
		{"prometheus timeout", "metrics", `"metrics":{"url":%q,"timeout":"soon"}`, "", `settings: metrics.timeout "soon" is not a positive duration (such as 30s, 1m, or a number of seconds)`},
		{"prometheus auth", "metrics", `"metrics":{"url":%q,"auth":"kerberos"}`, "", `settings: metrics.auth "kerberos" is not one of`},
		{"trace store kind", "traces", `"traces":{"url":%q,"kind":"zipkin"}`, "", `settings: traces.kind "zipkin"`},
		{"trace store timeout of the wrong JSON type", "traces", `"traces":{"url":%q,"timeout":true}`, "",
			"settings: traces.timeout is not a duration such as 30s or a number of seconds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts := threeStores()
			replays := map[string]*replay{}
			var sections []string
			for _, p := range parts {
				replays[p.store] = p.start(t)
				sec := p.section
				if p.store == tc.broken && tc.section != "" {
					sec = tc.section
				}
				sections = append(sections, fmt.Sprintf(sec, replays[p.store].srv.URL))
			}
			if tc.extra != "" {
				sections = append(sections, tc.extra)
			}
			inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
				UID: "u", JSONData: []byte("{" + strings.Join(sections, ",") + "}"),
			})
			if err != nil {
				t.Fatal(err)
			}
			ds := inst.(*Datasource)

			h, _ := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
			if h.Status != backend.HealthStatusError {
				t.Errorf("health status %v", h.Status)
			}
			if lines := strings.Split(h.Message, "\n"); len(lines) != 3 {
				t.Errorf("health message should have one line per store:\n%s", h.Message)
			}
			details := healthDetails(t, h)
			if len(details) != 3 {
				t.Errorf("health details %s", h.JSONDetails)
			}
			for _, p := range parts {
				res := mustQuery(t, ds, p.query)
				status, body := callResource(t, ds, p.resource)
				line := details[p.health]
				if p.store == tc.broken {
					if res.Error == nil || !strings.Contains(res.Error.Error(), tc.want) || res.Status != backend.StatusBadRequest {
						t.Errorf("%s query: %v %v, want %q", p.store, res.Status, res.Error, tc.want)
					}
					if status != http.StatusBadRequest || !strings.Contains(body, strings.ReplaceAll(tc.want, `"`, `\"`)) {
						t.Errorf("%s look-up: %d %s, want %q", p.store, status, body, tc.want)
					}
					if line.Status != "error" || !strings.Contains(line.Detail, tc.want) {
						t.Errorf("%s health: %+v, want %q", p.store, line, tc.want)
					}
					if !strings.Contains(h.Message, p.health+": error ("+tc.want) {
						t.Errorf("health message:\n%s", h.Message)
					}
					if n := replays[p.store].calls.Load(); n != 0 {
						t.Errorf("the store with invalid settings was called %d times", n)
					}
					continue
				}
				if res.Error != nil || len(res.Frames) == 0 {
					t.Errorf("%s query failed: %v", p.store, res.Error)
				}
				if status != http.StatusOK {
					t.Errorf("%s look-up: %d %s", p.store, status, body)
				}
				if line.Status != "ok" {
					t.Errorf("%s health: %+v", p.store, line)
				}
			}
		})
	}
}

// TestTraceQueryWithInvalidLogSettings: the trace query's logs part reports the logs
// store's settings problem; the spans come back.
func TestTraceQueryWithInvalidLogSettings(t *testing.T) {
	tr, lk := tempoReplay(t, false), lokiReplay(t)
	js := fmt.Sprintf(`{"traces":{"url":%q},"logs":{"url":%q,"extraction":{"mode":"json"}}}`, tr.srv.URL, lk.srv.URL)
	inst, _ := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "u", JSONData: []byte(js)})
	res := mustQuery(t, inst.(*Datasource), traceQuery(storetest.CheckoutTraceID))
	if res.Error != nil {
		t.Fatalf("the logs store's settings must not fail the trace: %v", res.Error)
	}
	if s := framesOfKind(res.Frames, frames.KindSpans); len(s) != 1 || s[0].Rows() != 3 {
		t.Fatal("spans missing")
	}
	l := framesOfKind(res.Frames, frames.KindLogs)
	if len(l) != 1 || !strings.Contains(noticeTexts(l[0]), "settings: logs.extraction (json) needs traceIdPath") {
		t.Errorf("logs part should name the setting: %v", l)
	}
}

// TestTraceQueryWithInvalidTraceSettings: the trace part fails as the plugin's (and the
// user's) problem, status 400, naming the setting; the logs store is not blamed.
func TestTraceQueryWithInvalidTraceSettings(t *testing.T) {
	lk := lokiReplay(t)
	js := fmt.Sprintf(`{"traces":{"url":"ftp://tempo:3200","kind":"tempo"},"logs":{"url":%q}}`, lk.srv.URL)
	inst, _ := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "u", JSONData: []byte(js)})
	res := mustQuery(t, inst.(*Datasource), traceQuery(storetest.CheckoutTraceID))
	if res.Error == nil || !strings.Contains(res.Error.Error(), "traces.url") {
		t.Fatalf("want the trace store's setting named: %v", res.Error)
	}
	if res.ErrorSource != backend.ErrorSourcePlugin || res.Status != backend.StatusBadRequest {
		t.Errorf("source %q status %v, want plugin 400", res.ErrorSource, res.Status)
	}
}

// TestInvalidLatencySettings: invalid latency settings stop latency queries and the
// look-ups that read the service and operation labels, get their own health line, and
// leave every store working.
func TestInvalidLatencySettings(t *testing.T) {
	tr, lk, pr := tempoReplay(t, false), lokiReplay(t), promReplay(t)
	inst, _ := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "u",
		JSONData: []byte(settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, pr.srv.URL, `"latency":{"percentiles":[1.5],"serviceLabel":"svc name"}`))})
	ds := inst.(*Datasource)

	res := mustQuery(t, ds, map[string]any{"queryType": "latency", "version": 1, "source": "spans", "editorMode": "builder", "service": "payment"})
	if res.Error == nil || !strings.Contains(res.Error.Error(), "settings: latency.percentiles: 1.5 is not in (0,1)") ||
		!strings.Contains(res.Error.Error(), `latency.serviceLabel "svc name"`) || res.Status != backend.StatusBadRequest {
		t.Errorf("latency query: %v %v", res.Status, res.Error)
	}
	if res := mustQuery(t, ds, traceQuery(storetest.CheckoutTraceID)); res.Error != nil {
		t.Errorf("trace query: %v", res.Error)
	}
	for path, want := range map[string]int{
		"services?source=metrics":                http.StatusBadRequest,
		"operations?source=logs&service=a":       http.StatusBadRequest,
		"services":                               http.StatusOK,
		"loki/labels":                            http.StatusOK,
		"prometheus/label-values?label=__name__": http.StatusOK,
	} {
		status, body := callResource(t, ds, path)
		if status != want || (want != http.StatusOK && !strings.Contains(body, `latency.serviceLabel \"svc name\"`)) {
			t.Errorf("%s: %d %s, want %d", path, status, body, want)
		}
	}
	h, _ := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	details := healthDetails(t, h)
	for _, s := range []string{"metrics (prometheus)", "logs (loki)", "traces (tempo)"} {
		if details[s].Status != "ok" {
			t.Errorf("%s: %+v", s, details[s])
		}
	}
	if l := details["latency settings"]; h.Status != backend.HealthStatusError || l.Status != "error" || !strings.Contains(l.Detail, "latency.percentiles") {
		t.Errorf("health %v %s", h.Status, h.JSONDetails)
	}
}

// TestJSONDataNotAnObject: the one problem that concerns the whole data source fails
// every part with a message that says what is wrong.
func TestJSONDataNotAnObject(t *testing.T) {
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "u", JSONData: []byte(`["metrics"]`)})
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*Datasource)
	const want = "settings: jsonData is not valid: got a JSON array, want an object"
	if res := mustQuery(t, ds, map[string]any{"queryType": "metrics", "version": 1, "expr": "up"}); res.Error == nil || res.Error.Error() != want {
		t.Errorf("query: %v", res.Error)
	}
	h, _ := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if h.Status != backend.HealthStatusError || h.Message != want || healthDetails(t, h)["settings"].Detail != want {
		t.Errorf("health: %v %q %s", h.Status, h.Message, h.JSONDetails)
	}
	if status, body := callResource(t, ds, "services"); status != http.StatusBadRequest || !strings.Contains(body, want) {
		t.Errorf("look-up: %d %s", status, body)
	}
}

// TestUnusableConnectionSettingsAreSettingsProblems: a CA certificate that is not PEM or a
// custom header name HTTP cannot carry is a mistake in the data source's settings: the
// query answers 400 from the plugin naming the setting, as every other invalid setting
// does, not 502 "Bad Gateway" blamed on the store (which was never reached).
func TestUnusableConnectionSettingsAreSettingsProblems(t *testing.T) {
	for _, tc := range []struct {
		name, section string
		secure        map[string]string
		want          string
	}{
		{"CA not PEM", `"tlsWithCACert":true`, map[string]string{"metricsTlsCACert": "not a certificate"}, "metrics.tlsWithCACert"},
		{"header name with a space", `"headerNames":["X Scope OrgID"]`, map[string]string{"metricsHeaderValue0": "tenant-1"}, "metrics.headerNames"},
		{"bearer token with a line break inside", `"auth":"bearer"`, map[string]string{"metricsBearerToken": "tok-123\n456"}, "metrics.auth"},
		{"header value with a control character", `"headerNames":["X-Api-Key"]`, map[string]string{"metricsHeaderValue0": "key-\x00123456"}, "metrics.headerNames"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr := promReplay(t)
			inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
				UID: "u", JSONData: []byte(`{"metrics":{"url":"` + pr.srv.URL + `",` + tc.section + `}}`),
				DecryptedSecureJSONData: tc.secure,
			})
			if err != nil {
				t.Fatal(err)
			}
			ds := inst.(*Datasource)
			res := mustQuery(t, ds, map[string]any{"queryType": "metrics", "version": 1, "expr": "up"})
			if res.Error == nil || res.Status != backend.StatusBadRequest || res.ErrorSource != backend.ErrorSourcePlugin ||
				!strings.Contains(res.Error.Error(), "settings: "+tc.want) {
				t.Errorf("got %v %v %q, want 400 from the plugin naming %s", res.Status, res.ErrorSource, res.Error, tc.want)
			}
			for _, v := range tc.secure {
				if res.Error != nil && strings.Contains(res.Error.Error(), v) {
					t.Errorf("the secret shows: %v", res.Error)
				}
			}
		})
	}
}

// A data source whose only store has a URL the settings refuse (credentials in it) has
// a store configured: its health report names that store's settings problem and does not
// also tell the user to "configure at least one store".
func TestHealthOfOnlyStoreWithRefusedURL(t *testing.T) {
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
		UID: "u", JSONData: []byte(`{"metrics":{"url":"http://admin:hunter2-secret@127.0.0.1:9"}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := inst.(*Datasource).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if !strings.Contains(h.Message, "metrics.url must not carry credentials") {
		t.Fatalf("health message lacks the URL problem:\n%s", h.Message)
	}
	if strings.Contains(h.Message, "configure at least one store") {
		t.Errorf("health message tells the user to configure a store although one is configured (its URL is refused):\n%s", h.Message)
	}
	if strings.Contains(h.Message, "hunter2-secret") {
		t.Errorf("the password shows:\n%s", h.Message)
	}
}
