package plugin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/stores/storetest"
)

type captureSender struct{ resp *backend.CallResourceResponse }

func (c *captureSender) Send(r *backend.CallResourceResponse) error { c.resp = r; return nil }

// TestSecretsNeverEchoed: a store that echoes the credentials it received (as some
// proxies do in their error pages) must not get them into errors, notices, health or
// resource answers.
func TestSecretsNeverEchoed(t *testing.T) {
	const token = "s3cr3t-bearer-token"
	echo := func(r *http.Request) (int, string, []byte) {
		return 401, "text/plain", []byte("unauthorized: got " + r.Header.Get("Authorization") + " / " + r.Header.Get("X-Scope-OrgID"))
	}
	tr := newReplay(t, map[string]func(*http.Request) (int, string, []byte){"/": echo})
	lk := newReplay(t, map[string]func(*http.Request) (int, string, []byte){"/": echo})
	js := `{"traces":{"url":"` + tr.srv.URL + `","auth":"bearer"},"logs":{"url":"` + lk.srv.URL + `","headerNames":["X-Scope-OrgID"]}}`
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
		UID: "u", JSONData: []byte(js),
		DecryptedSecureJSONData: map[string]string{"tracesBearerToken": token, "logsHeaderValue0": "tenant-secret-42"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*Datasource)
	var seen []string
	res := queryOne(t, ds, nil, traceFrom, traceTo, traceQuery(storetest.CheckoutTraceID))
	if res.Error == nil {
		t.Fatal("want the 401 reported")
	}
	seen = append(seen, res.Error.Error())
	for _, f := range res.Frames {
		seen = append(seen, noticeTexts(f))
	}
	h, _ := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	seen = append(seen, h.Message, string(h.JSONDetails))
	for _, path := range []string{"services", "loki/labels", "services?source=logs", "operations?source=logs&service=a", "loki/label-values?label=a", "traceql/tag-values?tag=name"} {
		_, body := callResource(t, ds, path)
		seen = append(seen, body)
	}
	all := strings.Join(seen, "\n")
	if !strings.Contains(all, "HTTP 401") || !strings.Contains(all, "[redacted]") {
		t.Errorf("the 401 and the scrubbed echo should show:\n%s", all)
	}
	for _, secret := range []string{token, "tenant-secret-42"} {
		if strings.Contains(all, secret) {
			t.Fatalf("secret %q echoed:\n%s", secret, all)
		}
	}
	if tr.lastAuth.Load() != "Bearer "+token {
		t.Errorf("the store did not get the token")
	}
}

func TestHealthReportsEachStore(t *testing.T) {
	tr, lk := tempoReplay(t, false), lokiReplay(t)
	broken := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/v1/query": func(*http.Request) (int, string, []byte) {
			return 503, jsonCT, []byte(`{"status":"error","errorType":"unavailable","error":"TSDB not ready"}`)
		},
	})
	ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, broken.srv.URL, ""))
	h, _ := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if h.Status != backend.HealthStatusError {
		t.Errorf("status %v", h.Status)
	}
	var d struct {
		Stores []storeHealth `json:"stores"`
	}
	if err := json.Unmarshal(h.JSONDetails, &d); err != nil || len(d.Stores) != 3 {
		t.Fatalf("details %s", h.JSONDetails)
	}
	want := map[string]string{"metrics (prometheus)": "error", "logs (loki)": "ok", "traces (tempo)": "ok"}
	for _, s := range d.Stores {
		if want[s.Store] != s.Status {
			t.Errorf("%s: %s (%s)", s.Store, s.Status, s.Detail)
		}
	}
	if !strings.Contains(h.Message, "prometheus: HTTP 503: unavailable: TSDB not ready") {
		t.Errorf("message %q", h.Message)
	}
}

func TestResources(t *testing.T) {
	tr, lk, pr := tempoReplay(t, false), lokiReplay(t), promReplay(t)
	ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, pr.srv.URL, `"latency":{"histogramMetrics":["rpc_seconds"]}`))
	tests := []struct{ path, want string }{
		{"services", `{"values":["checkout","frontend"]}`},
		{"operations?service=checkout", `{"values":["checkout","frontend"]}`},
		{"loki/labels", `{"values":["level","service_name"]}`},
		{"loki/label-values?label=service_name", `{"values":["checkout","frontend","payment"]}`},
		{"prometheus/histograms", `{"values":["rpc_seconds","http_duration_seconds"]}`},
		{"traceql/tags", `{"values":["duration","name","resource.service.name","span.http.method"]}`},
	}
	for _, tc := range tests {
		var cs captureSender
		path, _, _ := strings.Cut(tc.path, "?")
		if err := ds.CallResource(context.Background(), &backend.CallResourceRequest{Path: path, URL: tc.path}, &cs); err != nil {
			t.Fatal(err)
		}
		if cs.resp.Status != 200 || string(cs.resp.Body) != tc.want {
			t.Errorf("%s: %d %s, want %s", tc.path, cs.resp.Status, cs.resp.Body, tc.want)
		}
	}
	var cs captureSender
	_ = ds.CallResource(context.Background(), &backend.CallResourceRequest{Path: "nope", URL: "nope"}, &cs)
	if cs.resp.Status != 404 {
		t.Errorf("unknown resource: %d", cs.resp.Status)
	}
}

// echoHeaders answers 401 with every header the store received: as it came,
// query-escaped and inside a JSON string, as error pages and JSON error bodies do.
func echoHeaders(r *http.Request) (int, string, []byte) {
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("rejected")
	for _, k := range names {
		v := r.Header.Get(k)
		js, _ := json.Marshal(v)
		b.WriteString(" " + k + ": " + v + " | " + url.QueryEscape(v) + " | " + string(js))
	}
	return http.StatusUnauthorized, "text/plain; charset=utf-8", []byte(b.String())
}

// TestCredentialsNeverEchoedInAnyForm: with each auth mode, stores that echo the headers
// they received leave no form of a credential in query errors and notices, health or
// look-ups, which still name the store and the status.
func TestCredentialsNeverEchoedInAnyForm(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name string
		// auth is the part of each store's settings; secure the secret per store prefix.
		auth   string
		secure map[string]string
		// absent must not show anywhere.
		absent []string
	}{
		{"basic", `"auth":"basic","basicAuthUser":"alice"`, map[string]string{"BasicAuthPassword": "s3cret-pw"},
			[]string{"s3cret-pw", "alice:s3cret-pw", "YWxpY2U6", b64("alice:s3cret-pw")}},
		{"basic, password with URL specials", `"auth":"basic","basicAuthUser":"alice"`, map[string]string{"BasicAuthPassword": "pa>ss?"},
			[]string{"pa>ss?", "YWxpY2U6", "cGE+c3M", "cGE%2Bc3M", "pa%3Ess%3F"}},
		{"basic, one-character password", `"auth":"basic","basicAuthUser":"alice"`, map[string]string{"BasicAuthPassword": "Ω"},
			[]string{"Ω", "%CE%A9", `\u03a9`, "YWxpY2U6"}},
		{"bearer", `"auth":"bearer"`, map[string]string{"BearerToken": "tok/en+42=="},
			[]string{"tok/en+42==", "tok%2Fen%2B42%3D%3D"}},
		{"custom headers", `"headerNames":["X-Scope-OrgID","X-Api-Key"]`, map[string]string{"HeaderValue0": "tenant-secret-42", "HeaderValue1": "key with spaces"},
			[]string{"tenant-secret-42", "key with spaces", "key+with+spaces", "key%20with%20spaces"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			routes := map[string]func(*http.Request) (int, string, []byte){"/": echoHeaders}
			pr, lk, tr := newReplay(t, routes), newReplay(t, routes), newReplay(t, routes)
			secure := map[string]string{}
			for _, store := range []string{"metrics", "logs", "traces"} {
				for k, v := range tc.secure {
					secure[store+k] = v
				}
			}
			js := fmt.Sprintf(`{"metrics":{"url":%q,%s},"logs":{"url":%q,%s},"traces":{"url":%q,%s}}`,
				pr.srv.URL, tc.auth, lk.srv.URL, tc.auth, tr.srv.URL, tc.auth)
			inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "u", JSONData: []byte(js), DecryptedSecureJSONData: secure})
			if err != nil {
				t.Fatal(err)
			}
			ds := inst.(*Datasource)
			if ds.configErr != nil {
				t.Fatal(ds.configErr)
			}
			var seen []string
			for _, q := range []map[string]any{
				{"queryType": "metrics", "version": 1, "expr": "up", "exemplars": true},
				{"queryType": "logs", "version": 1, "expr": `{service_name="payment"}`},
				{"queryType": "search", "version": 1, "editorMode": "code", "traceql": "{}"},
				traceQuery(storetest.CheckoutTraceID),
			} {
				res := mustQuery(t, ds, q)
				if res.Error == nil {
					t.Fatalf("%v: want the 401", q["queryType"])
				}
				seen = append(seen, res.Error.Error())
				for _, f := range res.Frames {
					seen = append(seen, noticeTexts(f))
				}
			}
			h, _ := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
			seen = append(seen, h.Message, string(h.JSONDetails))
			for _, path := range []string{"services", "loki/labels", "prometheus/label-values?label=job", "traceql/tags", "services?source=logs"} {
				// The store's 401 is answered as 400: Grafana's frontend reads a 401 of its own
				// API as the user's session ending.
				status, body := callResource(t, ds, path)
				if status != http.StatusBadRequest {
					t.Errorf("%s: %d %s", path, status, body)
				}
				seen = append(seen, body)
			}
			all := strings.Join(seen, "\n")
			for _, want := range []string{"prometheus: HTTP 401: rejected", "loki: HTTP 401: rejected", "tempo: HTTP 401: rejected", "[redacted]"} {
				if !strings.Contains(all, want) {
					t.Errorf("%q should show:\n%s", want, all)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(all, s) {
					t.Errorf("%q leaked:\n%s", s, all)
				}
			}
		})
	}
}

// TestHealthOneLinePerStoreWithProxyErrorPages: a reverse proxy in front of a store
// answers errors with a multi-line HTML page (nginx's 502). The health message promises
// one line per store; the page's lines must not break it (nor show raw markup).
func TestHealthOneLinePerStoreWithProxyErrorPages(t *testing.T) {
	nginx := newReplay(t, map[string]func(*http.Request) (int, string, []byte){"/": func(*http.Request) (int, string, []byte) {
		return 502, "text/html", []byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
			"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n")
	}})
	ds := newTestDatasource(t, settingsJSON(nginx.srv.URL, "tempo", nginx.srv.URL, nginx.srv.URL, ""))
	h, _ := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if lines := strings.Split(h.Message, "\n"); len(lines) != 3 {
		t.Errorf("health message has %d lines, want one per store:\n%s", len(lines), h.Message)
	}
	if strings.Contains(h.Message, "<center>") {
		t.Errorf("raw HTML in the health message:\n%s", h.Message)
	}
}
