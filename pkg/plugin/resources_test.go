package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// callResource runs one look-up and returns its status and body.
func callResource(t testing.TB, ds *Datasource, pathAndQuery string) (int, string) {
	t.Helper()
	var cs captureSender
	path, _, _ := strings.Cut(pathAndQuery, "?")
	if err := ds.CallResource(context.Background(), &backend.CallResourceRequest{Path: path, URL: pathAndQuery}, &cs); err != nil {
		t.Fatal(err)
	}
	return cs.resp.Status, string(cs.resp.Body)
}

// urlRecorder keeps the path and query of every request a replayed store received.
type urlRecorder struct {
	mu   sync.Mutex
	urls []string
}

func (r *urlRecorder) route(body string) func(*http.Request) (int, string, []byte) {
	return func(req *http.Request) (int, string, []byte) {
		r.mu.Lock()
		r.urls = append(r.urls, req.URL.Path+"?"+req.URL.RawQuery)
		r.mu.Unlock()
		return 200, jsonCT, []byte(body)
	}
}

func (r *urlRecorder) last() (string, url.Values) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.urls) == 0 {
		return "", nil
	}
	p, q, _ := strings.Cut(r.urls[len(r.urls)-1], "?")
	v, _ := url.ParseQuery(q)
	return p, v
}

func TestResourcesBySource(t *testing.T) {
	var promRec, lokiRec, tempoRec urlRecorder
	prom := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/v1/label/": promRec.route(`{"status":"success","data":["b","a","b"]}`),
		"/api/v1/labels": promRec.route(`{"status":"success","data":["b","a","b"]}`),
	})
	lk := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/loki/api/v1/labels": lokiRec.route(`{"status":"success","data":["level","service_name"]}`),
		"/loki/api/v1/label/": lokiRec.route(`{"status":"success","data":["payment","checkout"]}`),
	})
	tr := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/v2/search/tag/": tempoRec.route(`{"tagValues":[{"type":"int","value":"500"},{"type":"int","value":"200"}]}`),
	})
	ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, prom.srv.URL,
		`"latency":{"histogramMetrics":["rpc_seconds","http.x"],"serviceLabel":"svc","operationLabel":"op"}`))
	hostile := `x"} or {a=~".+`

	tests := []struct {
		name, path, want string
		rec              *urlRecorder
		wantPath         string
		wantParams       url.Values
	}{
		{"metrics services", "services?source=metrics", `{"values":["a","b"]}`, &promRec,
			"/api/v1/label/svc/values", url.Values{"match[]": {`{__name__=~"(?:rpc_seconds_bucket|rpc_seconds|http\\.x_bucket|http\\.x)"}`}}},
		{"metrics operations of a hostile service", "operations?source=metrics&service=" + url.QueryEscape(hostile), `{"values":["a","b"]}`, &promRec,
			"/api/v1/label/op/values", url.Values{"match[]": {`{__name__=~"(?:rpc_seconds_bucket|rpc_seconds|http\\.x_bucket|http\\.x)",svc="x\"} or {a=~\".+"}`}}},
		{"prometheus label values", "prometheus/label-values?label=job&match=" + url.QueryEscape(`up{a="b"}`), `{"values":["a","b"]}`, &promRec,
			"/api/v1/label/job/values", url.Values{"match[]": {`up{a="b"}`}}},
		{"prometheus label names of a selector, time range", "prometheus/labels?match=" + url.QueryEscape(`up{a="b"}`) + "&start=1700000000000&end=1700000060000", `{"values":["a","b"]}`, &promRec,
			"/api/v1/labels", url.Values{"match[]": {`up{a="b"}`}, "start": {"1700000000.000"}, "end": {"1700000060.000"}}},
		{"prometheus label names", "prometheus/labels", `{"values":["a","b"]}`, &promRec,
			"/api/v1/labels", url.Values{"match[]": nil}},
		{"prometheus label values, time range", "prometheus/label-values?label=job&start=1700000000000&end=1700000060000", `{"values":["a","b"]}`, &promRec,
			"/api/v1/label/job/values", url.Values{"start": {"1700000000.000"}, "end": {"1700000060.000"}}},
		{"logs services", "services?source=logs", `{"values":["checkout","payment"]}`, &lokiRec,
			"/loki/api/v1/label/service_name/values", url.Values{}},
		{"logs operations of a hostile service", "operations?source=logs&service=" + url.QueryEscape(hostile), `{"values":["checkout","payment"]}`, &lokiRec,
			"/loki/api/v1/label/op/values", url.Values{"query": {`{service_name="x\"} or {a=~\".+"}`}}},
		{"loki label names of a stream selector", "loki/labels?selector=" + url.QueryEscape(`{service_name="api"}`) + "&start=1700000000000&end=1700000060000", `{"values":["level","service_name"]}`, &lokiRec,
			"/loki/api/v1/labels", url.Values{"query": {`{service_name="api"}`}, "start": {"1700000000000000000"}, "end": {"1700000060000000000"}}},
		{"loki label values of a stream selector", "loki/label-values?label=level&selector=" + url.QueryEscape(`{service_name="api"}`), `{"values":["checkout","payment"]}`, &lokiRec,
			"/loki/api/v1/label/level/values", url.Values{"query": {`{service_name="api"}`}}},
		{"traceql tag values", "traceql/tag-values?tag=" + url.QueryEscape("span.http.status_code"), `{"values":["200","500"]}`, &tempoRec,
			"/api/v2/search/tag/span.http.status_code/values", url.Values{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := callResource(t, ds, tc.path)
			if status != 200 || body != tc.want {
				t.Fatalf("%d %s, want %s", status, body, tc.want)
			}
			p, params := tc.rec.last()
			if p != tc.wantPath {
				t.Errorf("store path %s, want %s", p, tc.wantPath)
			}
			for k, want := range tc.wantParams {
				if got := params[k]; strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("param %s = %q, want %q", k, got, want)
				}
			}
		})
	}

	for _, tc := range []struct{ name, path, want string }{
		{"unknown source", "services?source=zipkin", `zipkin\" is not one of traces, metrics, logs`},
		{"label name injection", "prometheus/label-values?label=" + url.QueryEscape(`job"}`), `is not a Prometheus label name`},
		{"missing tag", "traceql/tag-values", "parameter tag is required"},
		{"missing label", "loki/label-values", "parameter label is required"},
		{"missing prometheus label", "prometheus/label-values", "parameter label is required"},
		// Loki answers an empty list for a name no label can have, as if it had no values.
		{"not a loki label name", "loki/label-values?label=" + url.QueryEscape("service name"), `label \"service name\" is not a Loki label name`},
		{"bad time", "loki/labels?start=yesterday", `yesterday\" is not Unix milliseconds`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := callResource(t, ds, tc.path)
			if status != 400 || !strings.Contains(body, tc.want) {
				t.Errorf("%d %s, want 400 with %q", status, body, tc.want)
			}
		})
	}

	t.Run("tag values need Tempo", func(t *testing.T) {
		jds := newTestDatasource(t, settingsJSON(jaegerReplay(t, false).srv.URL, "jaeger-v1", "", "", ""))
		if status, body := callResource(t, jds, "traceql/tag-values?tag=name"); status != 400 || !strings.Contains(body, "jaeger: TraceQL tags need Tempo") {
			t.Errorf("%d %s", status, body)
		}
	})
	// A logs latency query selects its service by service_name: offering the values of
	// another label (the configured one for metrics, say) would list services the query
	// then finds no lines for, so the look-up says what to do instead.
	t.Run("logs without a service_name label", func(t *testing.T) {
		var rec urlRecorder
		lk := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
			"/loki/api/v1/labels": rec.route(`{"status":"success","data":["app","level"]}`),
			"/loki/api/v1/label/": rec.route(`{"status":"success","data":["x"]}`),
		})
		lds := newTestDatasource(t, settingsJSON("", "tempo", lk.srv.URL, "", `"latency":{"serviceLabel":"app"}`))
		for _, path := range []string{"services?source=logs", "operations?source=logs&service=x"} {
			if status, body := callResource(t, lds, path); status != 400 || !strings.Contains(body, "loki has no service_name label") || !strings.Contains(body, "stream selector") {
				t.Errorf("%s: %d %s", path, status, body)
			}
		}
		if p, _ := rec.last(); p != "/loki/api/v1/labels" {
			t.Errorf("asked %s after the labels", p)
		}
	})
}

// Tempo's tag look-ups (/api/v2/search/tag/<tag>/values, /api/v2/search/tags) search only
// the ingesters, i.e. the last minutes, when the request has no start and end (tempo
// modules/frontend/tag_sharder.go: "request without start or end, search only in
// ingester"). The trace store's services, operations and TraceQL tag look-ups pass the
// resource's range on, in Unix seconds.
func TestTempoLookupsCarryTheTimeRange(t *testing.T) {
	var rec urlRecorder
	tr := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/v2/search/tag/": rec.route(`{"tagValues":[{"type":"string","value":"shop"}]}`),
		"/api/v2/search/tags": rec.route(`{"scopes":[{"name":"span","tags":["http.method"]}]}`),
	})
	ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", "", "", ""))
	for _, path := range []string{
		"services?start=1700000000000&end=1700003600000",
		"operations?service=shop&start=1700000000000&end=1700003600000",
		"traceql/tag-values?tag=name&start=1700000000000&end=1700003600000",
		"traceql/tags?start=1700000000000&end=1700003600000",
	} {
		t.Run(path, func(t *testing.T) {
			if status, body := callResource(t, ds, path); status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			p, q := rec.last()
			if q.Get("start") != "1700000000" || q.Get("end") != "1700003600" {
				t.Errorf("Tempo was asked %s with start=%q end=%q, want start=1700000000 end=1700003600", p, q.Get("start"), q.Get("end"))
			}
		})
	}
}

// A store's failure is answered with the status QueryData gives it: a parameter the store
// refuses as a bad request (Prometheus: 400 bad_data for an invalid match[] selector, as
// its HTTP API documents; 422 for an expression it cannot execute) is the caller's to
// fix, 400 with the store's name and message; 401, 403 and 404 are kept; the rest is 502.
func TestResourceStoreFailureStatus(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantStatus int
		want       string
	}{
		{"bad match[]", 400, `{"status":"error","errorType":"bad_data","error":"invalid parameter \"match[]\": 1:4: parse error: unexpected end of input"}`,
			400, `prometheus: HTTP 400: bad_data: invalid parameter \"match[]\": 1:4: parse error`},
		{"unprocessable", 422, `{"status":"error","errorType":"execution","error":"expanding series: too many"}`, 400, "prometheus: HTTP 422"},
		// Grafana's frontend reads a 401 from its own API as the user's session ending: it
		// pings the login and asks again (backend_srv), so the store would be asked twice.
		// Grafana's data source proxy answers a data source's 401 as 400 for this reason.
		{"unauthorised", 401, `{"status":"error","errorType":"unauthorized","error":"no token"}`, 400, "prometheus: HTTP 401"},
		{"forbidden", 403, `{"status":"error","errorType":"forbidden","error":"tenant"}`, 403, "prometheus: HTTP 403"},
		{"not found", 404, `404 page not found`, 404, "prometheus: HTTP 404"},
		{"unavailable", 503, `{"status":"error","errorType":"unavailable","error":"TSDB not ready"}`, 502, "prometheus: HTTP 503: unavailable: TSDB not ready"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prom := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
				"/api/v1/label/": func(*http.Request) (int, string, []byte) { return tc.status, jsonCT, []byte(tc.body) },
			})
			ds := newTestDatasource(t, settingsJSON("", "tempo", "", prom.srv.URL, ""))
			status, body := callResource(t, ds, "prometheus/label-values?label=job&match=up{")
			if status != tc.wantStatus || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s, want %d with %q", status, body, tc.wantStatus, tc.want)
			}
		})
	}
}

// A parameter whose percent-escape is malformed is refused with 400 naming the escape,
// rather than dropped (url.URL.Query drops it: start=1%zz would answer over the default
// 6 hours, label=%zz that the label is missing); the store is not called.
func TestResourceMalformedParameter(t *testing.T) {
	for _, path := range []string{"loki/labels?start=1%zz", "loki/label-values?label=%zz"} {
		t.Run(path, func(t *testing.T) {
			lk := lokiReplay(t)
			ds := newTestDatasource(t, settingsJSON("", "tempo", lk.srv.URL, "", ""))
			status, body := callResource(t, ds, path)
			if status != http.StatusBadRequest || !strings.Contains(body, `malformed query string: invalid URL escape \"%zz\"`) {
				t.Errorf("%d %s, want 400 naming the malformed escape", status, body)
			}
			if n := lk.calls.Load(); n != 0 {
				t.Errorf("loki was called %d times", n)
			}
		})
	}
}

// Native histograms have no `_bucket` series: prometheus/histograms finds them through
// the metadata API, and one failing look-up does not sink the other's names.
func TestHistogramNamesFromBucketsAndMetadata(t *testing.T) {
	const (
		labelsPath = "/api/v1/label/__name__/values"
		metaPath   = "/api/v1/metadata"
	)
	buckets := ok([]byte(`{"status":"success","data":["http_duration_seconds_bucket","http_duration_seconds_count","checkout_request_duration_seconds_bucket","up"]}`))
	noBuckets := ok([]byte(`{"status":"success","data":["up","checkout_requests_total"]}`))
	metadata := ok(fixture(t, "prometheus", "metadata.json"))
	failing := func(status int, body string) func(*http.Request) (int, string, []byte) {
		return func(*http.Request) (int, string, []byte) { return status, jsonCT, []byte(body) }
	}
	unavailable := failing(503, `{"status":"error","errorType":"unavailable","error":"TSDB not ready"}`)
	notFound := failing(404, `404 page not found`)

	tests := []struct {
		name       string
		configured string
		routes     map[string]func(*http.Request) (int, string, []byte)
		status     int
		want       []string // body values, or substrings of the error
	}{
		{"merged, sorted, without repeats", "",
			map[string]func(*http.Request) (int, string, []byte){labelsPath: buckets, metaPath: metadata}, 200,
			[]string{`{"values":["checkout_native_duration_seconds","checkout_request_duration_seconds","http_duration_seconds","payment_wait_seconds"]}`}},
		{"configured names first", `"latency":{"histogramMetrics":["rpc_seconds","payment_wait_seconds"]}`,
			map[string]func(*http.Request) (int, string, []byte){labelsPath: buckets, metaPath: metadata}, 200,
			[]string{`{"values":["rpc_seconds","payment_wait_seconds","checkout_native_duration_seconds","checkout_request_duration_seconds","http_duration_seconds"]}`}},
		{"metadata fails: bucket names still come back", "",
			map[string]func(*http.Request) (int, string, []byte){labelsPath: buckets, metaPath: unavailable}, 200,
			[]string{`{"values":["checkout_request_duration_seconds","http_duration_seconds"]}`}},
		{"metadata API missing (404): bucket names still come back", "",
			map[string]func(*http.Request) (int, string, []byte){labelsPath: buckets, metaPath: notFound}, 200,
			[]string{`{"values":["checkout_request_duration_seconds","http_duration_seconds"]}`}},
		{"label values fail: metadata names still come back", "",
			map[string]func(*http.Request) (int, string, []byte){labelsPath: unavailable, metaPath: metadata}, 200,
			[]string{`{"values":["checkout_native_duration_seconds","checkout_request_duration_seconds","payment_wait_seconds"]}`}},
		{"metadata fails and no bucket names: the failure is the answer", "",
			map[string]func(*http.Request) (int, string, []byte){labelsPath: noBuckets, metaPath: unavailable}, 502,
			[]string{"histogram names from the metadata API", "prometheus: HTTP 503: unavailable: TSDB not ready"}},
		{"configured names do not hide a failure to find any", `"latency":{"histogramMetrics":["rpc_seconds"]}`,
			map[string]func(*http.Request) (int, string, []byte){labelsPath: noBuckets, metaPath: notFound}, 404,
			[]string{"histogram names from the metadata API", "HTTP 404"}},
		{"both fail: both failures named, the first one's status", "",
			map[string]func(*http.Request) (int, string, []byte){labelsPath: notFound, metaPath: unavailable}, 404,
			[]string{"histogram names from the `_bucket` series: prometheus: HTTP 404", "histogram names from the metadata API: prometheus: HTTP 503"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prom := newReplay(t, tc.routes)
			ds := newTestDatasource(t, settingsJSON("", "tempo", "", prom.srv.URL, tc.configured))
			status, body := callResource(t, ds, "prometheus/histograms")
			if status != tc.status {
				t.Fatalf("status %d (%s), want %d", status, body, tc.status)
			}
			if status == 200 {
				if body != tc.want[0] {
					t.Errorf("%s\nwant %s", body, tc.want[0])
				}
				return
			}
			var doc struct{ Error string }
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(doc.Error, w) {
					t.Errorf("error %q lacks %q", doc.Error, w)
				}
			}
		})
	}
}

// Tempo answers a tag name that is neither an intrinsic nor scoped (http.status_code
// instead of span.http.status_code) with HTTP 500 "please provide a valid tagName" (seen
// from the Tempo tests/stores builds). That is the caller's mistake, not the store's
// failure: 400 naming the parameter and how to scope it, with Tempo's message.
func TestTraceQLTagValuesOfAnUnscopedTag(t *testing.T) {
	tr := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/v2/search/tag/": func(*http.Request) (int, string, []byte) {
			return 500, "text/plain; charset=utf-8", []byte("please provide a valid tagName: tag name is not valid intrinsic or scoped attribute: http.status_code\n")
		},
	})
	ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", "", "", ""))
	status, body := callResource(t, ds, "traceql/tag-values?tag=http.status_code")
	for _, want := range []string{`tag \"http.status_code\" is not a TraceQL tag`, "span.http.status_code", "tempo: HTTP 500: please provide a valid tagName"} {
		if status != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("%d %s, want 400 with %q", status, body, want)
		}
	}
}

// Prometheus lists the label values of its whole retention when asked without start and
// end: the histogram picker offered histograms gone for months, and the look-up read every
// block. The `_bucket` names are looked up over the resource's range (default the last
// six hours), as every other look-up is.
func TestHistogramNamesOverTheTimeRange(t *testing.T) {
	var rec urlRecorder
	prom := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/v1/label/":   rec.route(`{"status":"success","data":["rpc_seconds_bucket"]}`),
		"/api/v1/metadata": ok([]byte(`{"status":"success","data":{}}`)),
	})
	ds := newTestDatasource(t, settingsJSON("", "tempo", "", prom.srv.URL, ""))
	status, body := callResource(t, ds, "prometheus/histograms?start=1700000000000&end=1700003600000")
	if status != 200 || body != `{"values":["rpc_seconds"]}` {
		t.Fatalf("%d %s", status, body)
	}
	if p, q := rec.last(); q.Get("start") != "1700000000.000" || q.Get("end") != "1700003600.000" {
		t.Errorf("asked %s with start=%q end=%q, want the resource's range", p, q.Get("start"), q.Get("end"))
	}
	before := time.Now()
	if status, body := callResource(t, ds, "prometheus/histograms"); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	_, q := rec.last()
	start, _ := strconv.ParseFloat(q.Get("start"), 64)
	end, _ := strconv.ParseFloat(q.Get("end"), 64)
	if d := end - start; d < 6*3600-1 || d > 6*3600+1 || end < float64(before.Unix()-1) {
		t.Errorf("without a range: start=%q end=%q, want the last six hours", q.Get("start"), q.Get("end"))
	}
}

// A selector the store cannot parse is refused with the store's parse error, which says
// where in the text it failed but not which parameter held that text: the 400 names the
// parameter and its value first. Other failures of the store are not blamed on it.
func TestResourceSelectorRefusedByTheStore(t *testing.T) {
	promBad := func(*http.Request) (int, string, []byte) {
		return 400, jsonCT, []byte(`{"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected end of input inside braces"}`)
	}
	lokiBad := func(*http.Request) (int, string, []byte) {
		return 400, "text/plain; charset=utf-8", []byte("parse error at line 1, col 15: syntax error: unexpected $end\n")
	}
	unavailable := func(*http.Request) (int, string, []byte) {
		return 503, jsonCT, []byte(`{"status":"error","errorType":"unavailable","error":"TSDB not ready"}`)
	}
	prom := newReplay(t, map[string]func(*http.Request) (int, string, []byte){"/api/v1/label": promBad})
	lk := newReplay(t, map[string]func(*http.Request) (int, string, []byte){"/loki/api/v1/label": lokiBad})
	down := newReplay(t, map[string]func(*http.Request) (int, string, []byte){"/api/v1/label": unavailable})
	ds := newTestDatasource(t, settingsJSON("", "tempo", lk.srv.URL, prom.srv.URL, ""))
	dsDown := newTestDatasource(t, settingsJSON("", "tempo", "", down.srv.URL, ""))
	for _, tc := range []struct {
		ds         *Datasource
		path       string
		wantStatus int
		want       string
	}{
		{ds, "prometheus/labels?match=" + url.QueryEscape("up{"), 400, `match \"up{\": prometheus: HTTP 400: bad_data: 1:4: parse error`},
		{ds, "prometheus/label-values?label=job&match=" + url.QueryEscape("up{"), 400, `match \"up{\": prometheus: HTTP 400`},
		{ds, "loki/labels?selector=" + url.QueryEscape("{service_name="), 400, `selector \"{service_name=\": loki: HTTP 400: parse error at line 1, col 15`},
		{ds, "loki/label-values?label=level&selector=" + url.QueryEscape("{service_name="), 400, `selector \"{service_name=\": loki: HTTP 400`},
		{ds, "prometheus/labels", 400, `{"error":"prometheus: HTTP 400`},
		{dsDown, "prometheus/labels?match=up", 502, `{"error":"prometheus: HTTP 503: unavailable`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			status, body := callResource(t, tc.ds, tc.path)
			if status != tc.wantStatus || !strings.Contains(body, tc.want) {
				t.Errorf("%d %s, want %d with %q", status, body, tc.wantStatus, tc.want)
			}
		})
	}
}

// Without configured histogram metrics, services and operations by metrics came only from
// `_bucket` series: a native histogram (stored under its own name, no `_bucket`) added
// none, so a Prometheus with native histograms only offered no service at all. The
// histograms the metadata API knows are looked up too, in requests short enough for a
// proxy's URL limit however many there are.
func TestMetricsServicesOfNativeHistograms(t *testing.T) {
	var mu sync.Mutex
	var matches []string
	var longest int
	byName := map[string][]string{`{__name__=~".+_bucket"}`: {"classic-svc"}, `{__name__=~".+_bucket",service="api"}`: {"GET"}}
	labelValues := func(r *http.Request) (int, string, []byte) {
		mu.Lock()
		defer mu.Unlock()
		longest = max(longest, len(r.URL.RequestURI()))
		var out []string
		for _, m := range r.URL.Query()["match[]"] {
			matches = append(matches, m)
			out = append(out, byName[m]...)
			if strings.Contains(m, "native_seconds") && !strings.Contains(m, "_bucket") {
				if strings.Contains(m, `service="api"`) {
					out = append(out, "POST")
				} else {
					out = append(out, "native-svc")
				}
			}
		}
		b, _ := json.Marshal(map[string]any{"status": "success", "data": out})
		return 200, jsonCT, b
	}
	// Many histograms, as a Prometheus scraping many services' client libraries has.
	meta := map[string][]map[string]string{"checkout_native_seconds": {{"type": "histogram"}}, "up": {{"type": "gauge"}}}
	for i := range 300 {
		meta[fmt.Sprintf("service_%03d_request_duration_seconds", i)] = []map[string]string{{"type": "histogram"}}
	}
	metaBody, _ := json.Marshal(map[string]any{"status": "success", "data": meta})
	prom := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/v1/label/":   labelValues,
		"/api/v1/metadata": ok(metaBody),
	})
	ds := newTestDatasource(t, settingsJSON("", "tempo", "", prom.srv.URL, `"latency":{"serviceLabel":"service","operationLabel":"op"}`))
	for _, tc := range []struct{ path, want string }{
		{"services?source=metrics", `{"values":["classic-svc","native-svc"]}`},
		{"operations?source=metrics&service=api", `{"values":["GET","POST"]}`},
	} {
		status, body := callResource(t, ds, tc.path)
		if status != 200 || body != tc.want {
			t.Errorf("%s: %d %s, want %s", tc.path, status, body, tc.want)
		}
	}
	if longest > 4096+200 {
		t.Errorf("a request of %d characters", longest)
	}
	joined := strings.Join(matches, "\n")
	for _, name := range []string{"service_000_request_duration_seconds", "service_299_request_duration_seconds"} {
		if !strings.Contains(joined, name) {
			t.Errorf("no selector asked for %s", name)
		}
	}
	if strings.Contains(joined, `"up"`) || strings.Contains(joined, "|up") {
		t.Errorf("a gauge was asked for: %s", joined)
	}
}
