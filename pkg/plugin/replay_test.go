package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/stores/storetest"
)

// Replay servers answer like the real stores do, from the fixtures under
// pkg/stores/*/testdata (same status codes, content types and bodies). The tests that use
// them assert through pkg/stores/storetest, so a row backed by a real store (pkg/testenv)
// runs the same checks.

func fixture(t testing.TB, store, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "stores", store, "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replay is one fake store: routes to (status, content type, body), an injected delay
// and a call counter.
type replay struct {
	srv    *httptest.Server
	delay  time.Duration
	calls  atomic.Int64
	routes map[string]func(r *http.Request) (int, string, []byte)
	// lastAuth is the Authorization header of the last call.
	lastAuth atomic.Value
	// meet, when set, holds each request until every store sharing it has been called.
	meet *rendezvous
}

// rendezvous lets a request through only once n stores have each received one: stores
// called one after the other never all arrive, and their requests fail after patience.
type rendezvous struct {
	n        int
	patience time.Duration
	mu       sync.Mutex
	arrived  int
	all      chan struct{}
}

func newRendezvous(n int, patience time.Duration) *rendezvous {
	return &rendezvous{n: n, patience: patience, all: make(chan struct{})}
}

func (m *rendezvous) wait(r *http.Request) bool {
	m.mu.Lock()
	if m.arrived++; m.arrived == m.n {
		close(m.all)
	}
	m.mu.Unlock()
	select {
	case <-m.all:
		return true
	case <-time.After(m.patience):
		return false
	case <-r.Context().Done():
		return false
	}
}

func newReplay(t testing.TB, routes map[string]func(r *http.Request) (int, string, []byte)) *replay {
	rp := &replay{routes: routes}
	rp.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rp.calls.Add(1)
		rp.lastAuth.Store(r.Header.Get("Authorization"))
		if rp.meet != nil && !rp.meet.wait(r) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("the other stores were not called while this one was waiting\n"))
			return
		}
		if rp.delay > 0 {
			select {
			case <-time.After(rp.delay):
			case <-r.Context().Done():
				return
			}
		}
		// The longest matching prefix wins.
		best := ""
		for prefix := range rp.routes {
			if strings.HasPrefix(r.URL.Path, prefix) && len(prefix) > len(best) {
				best = prefix
			}
		}
		if h := rp.routes[best]; best != "" {
			status, ct, body := h(r)
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(status)
			_, _ = w.Write(body)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("404 page not found\n"))
	}))
	t.Cleanup(rp.srv.Close)
	return rp
}

const jsonCT = "application/json"

// plainCT is what Jaeger 2 and Loki put on their error bodies (Jaeger's are JSON all the
// same; tests/stores/fixtures/index.json).
const plainCT = "text/plain; charset=utf-8"

func ok(b []byte) func(*http.Request) (int, string, []byte) {
	return func(*http.Request) (int, string, []byte) { return 200, jsonCT, b }
}

// tempoReplay serves Tempo 2.6+ (v2 traces) or, with v1Only, an older Tempo that
// answers 404 on /api/v2.
func tempoReplay(t testing.TB, v1Only bool) *replay {
	routes := map[string]func(*http.Request) (int, string, []byte){
		"/api/traces/" + storetest.CheckoutTraceID: ok(fixture(t, "tempo", "trace_v1.json")),
		"/api/search":              ok(fixture(t, "tempo", "search.json")),
		"/api/metrics/query_range": ok(fixture(t, "tempo", "metrics.json")),
		"/api/v2/search/tag/":      ok([]byte(`{"tagValues":[{"type":"string","value":"frontend"},{"type":"string","value":"checkout"}],"metrics":{}}`)),
		"/api/v2/search/tags":      ok([]byte(`{"scopes":[{"name":"span","tags":["http.method"]},{"name":"resource","tags":["service.name"]},{"name":"intrinsic","tags":["duration","name"]}]}`)),
	}
	// A trace Tempo does not have: 404 with an empty body (tests/stores/fixtures/tempo_not_found.txt).
	routes["/api/traces/"] = func(*http.Request) (int, string, []byte) { return 404, "", nil }
	if !v1Only {
		routes["/api/v2/traces/"+storetest.CheckoutTraceID] = ok(fixture(t, "tempo", "trace_v2.json"))
		routes["/api/v2/traces/"] = func(*http.Request) (int, string, []byte) { return 404, "", nil }
	}
	return newReplay(t, routes)
}

func jaegerReplay(t testing.TB, v3 bool) *replay {
	if v3 {
		return newReplay(t, map[string]func(*http.Request) (int, string, []byte){
			"/api/v3/traces/" + storetest.CheckoutTraceID: func(*http.Request) (int, string, []byte) {
				return 200, plainCT, fixture(t, "jaeger", "trace_v3.json") // as Jaeger 2 labels it
			},
			"/api/v3/traces/":  func(*http.Request) (int, string, []byte) { return 404, plainCT, fixture(t, "jaeger", "error_v3.json") },
			"/api/v3/traces":   ok(fixture(t, "jaeger", "trace_v3.json")),
			"/api/v3/services": ok([]byte(`{"services":["frontend","checkout","payment"]}`)),
		})
	}
	return newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/traces/" + storetest.CheckoutTraceID: ok(fixture(t, "jaeger", "trace_v1.json")),
		"/api/traces/":  func(*http.Request) (int, string, []byte) { return 404, plainCT, fixture(t, "jaeger", "error_v1.json") },
		"/api/traces":   ok(fixture(t, "jaeger", "trace_v1.json")),
		"/api/services": ok(fixture(t, "jaeger", "services_v1.json")),
	})
}

// lokiReplay answers with categorize-labels triples when asked for them (Loki 3), with
// structured metadata merged into labels otherwise, and with Loki's plain-text 400 for
// a query it cannot parse.
func lokiReplay(t testing.TB) *replay {
	cat, plain := fixture(t, "loki", "streams_categorized.json"), fixture(t, "loki", "streams_plain.json")
	return newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/loki/api/v1/query_range": func(r *http.Request) (int, string, []byte) {
			if strings.Contains(r.URL.Query().Get("query"), "syntax error") {
				return 400, "text/plain; charset=utf-8", []byte("parse error at line 1, col 1: syntax error: unexpected IDENTIFIER\n")
			}
			// Loki's default max_entries_limit_per_query, and its refusal of more.
			if n, _ := strconv.Atoi(r.URL.Query().Get("limit")); n > 5000 {
				return 400, "text/plain; charset=utf-8", []byte(fmt.Sprintf("max entries limit per query exceeded, limit > max_entries_limit_per_query (%d > 5000)\n", n))
			}
			if strings.Contains(r.Header.Get("X-Loki-Response-Encoding-Flags"), "categorize-labels") {
				return 200, jsonCT, cat
			}
			return 200, jsonCT, plain
		},
		"/loki/api/v1/labels": ok([]byte(`{"status":"success","data":["level","service_name"]}`)),
		"/loki/api/v1/label/": ok([]byte(`{"status":"success","data":["checkout","frontend","payment"]}`)),
	})
}

func promReplay(t testing.TB) *replay {
	return newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/v1/query_exemplars":       ok(fixture(t, "prometheus", "exemplars.json")),
		"/api/v1/query":                 ok(fixture(t, "prometheus", "scalar.json")),
		"/api/v1/label/__name__/values": ok([]byte(`{"status":"success","data":["http_duration_seconds_bucket","http_duration_seconds_count","up"]}`)),
	})
}

// promReplayAt is promReplay with its exemplars moved by base - storetest.BaseUnixNano:
// those of a checkout trace starting at base, as a Prometheus scraping its service holds
// them.
func promReplayAt(t testing.TB, base int64) *replay {
	t.Helper()
	p := promReplay(t)
	dec := json.NewDecoder(strings.NewReader(string(fixture(t, "prometheus", "exemplars.json"))))
	dec.UseNumber()
	var doc struct {
		Status string `json:"status"`
		Data   []struct {
			SeriesLabels map[string]string `json:"seriesLabels"`
			Exemplars    []struct {
				Labels    map[string]string `json:"labels"`
				Value     string            `json:"value"`
				Timestamp json.Number       `json:"timestamp"`
			} `json:"exemplars"`
		} `json:"data"`
	}
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for i := range doc.Data {
		for k := range doc.Data[i].Exemplars {
			e := &doc.Data[i].Exemplars[k]
			sec, err := e.Timestamp.Float64()
			if err != nil {
				t.Fatal(err)
			}
			ms := int64(sec*1e3+0.5) + (base-storetest.BaseUnixNano)/1e6
			e.Timestamp = json.Number(fmt.Sprintf("%d.%03d", ms/1000, ms%1000))
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	p.routes["/api/v1/query_exemplars"] = ok(b)
	return p
}

// checkoutStores are the trace and log stores one row of a store table runs against,
// and where the checkout trace starts in them.
type checkoutStores struct {
	traceURL, logsURL string
	base              int64 // storetest.BaseUnixNano for replays
}

// from and to are a request range around the checkout trace.
func (c checkoutStores) from() time.Time { return time.Unix(0, c.base).Add(-time.Hour) }
func (c checkoutStores) to() time.Time   { return time.Unix(0, c.base).Add(time.Hour) }

// traceStoreUnderTest is one trace store the trace query is checked against: a replay
// of the store's documented answers, or the real store fed the same trace and lines.
type traceStoreUnderTest struct {
	name, kind string
	start      func(t *testing.T, real *realStores) checkoutStores
}

func replayed(start func(testing.TB) *replay) func(*testing.T, *realStores) checkoutStores {
	return func(t *testing.T, _ *realStores) checkoutStores {
		return checkoutStores{traceURL: start(t).srv.URL, logsURL: lokiReplay(t).srv.URL, base: storetest.BaseUnixNano}
	}
}

func realTraces(traceURL func(*realStores, *testing.T) string) func(*testing.T, *realStores) checkoutStores {
	return func(t *testing.T, r *realStores) checkoutStores {
		return checkoutStores{traceURL: traceURL(r, t), logsURL: r.lokiURL(t), base: r.base}
	}
}

var traceStores = []traceStoreUnderTest{
	{"tempo v2", "tempo", replayed(func(t testing.TB) *replay { return tempoReplay(t, false) })},
	{"tempo before 2.6 (v1 only)", "tempo", replayed(func(t testing.TB) *replay { return tempoReplay(t, true) })},
	{"jaeger v1", "jaeger-v1", replayed(func(t testing.TB) *replay { return jaegerReplay(t, false) })},
	{"jaeger v3", "jaeger-v3", replayed(func(t testing.TB) *replay { return jaegerReplay(t, true) })},
	{"real tempo + loki", "tempo", realTraces((*realStores).tempoURL)},
	{"real jaeger v1 + loki", "jaeger-v1", realTraces((*realStores).jaegerURL)},
	{"real jaeger v3 + loki", "jaeger-v3", realTraces((*realStores).jaegerURL)},
}

func settingsJSON(traceURL, kind, lokiURL, promURL string, extra string) string {
	s := fmt.Sprintf(`{"traces":{"url":%q,"kind":%q,"timeout":"5s"},"logs":{"url":%q,"timeout":"5s",
		"traceLogSelector":"{service_name=~\".+\"}","extraction":{"mode":"structuredMetadata","traceIdKey":"trace_id","spanIdKey":"span_id"}},
		"metrics":{"url":%q,"timeout":"5s"}`, traceURL, kind, lokiURL, promURL)
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

// traceRange is a request range around the fixtures' trace.
var traceFrom, traceTo = time.Unix(0, storetest.BaseUnixNano).Add(-time.Hour), time.Unix(0, storetest.BaseUnixNano).Add(time.Hour)

func traceQuery(id string) map[string]any {
	return map[string]any{"queryType": "trace", "version": 1, "traceId": id}
}

func fieldStrings(t testing.TB, f *data.Frame, name string) []string {
	t.Helper()
	fld, _ := f.FieldByName(name)
	if fld == nil {
		t.Fatalf("frame %s has no field %s", f.Name, name)
	}
	out := make([]string, fld.Len())
	for i := range out {
		switch v := fld.At(i).(type) {
		case string:
			out[i] = v
		case *string:
			if v != nil {
				out[i] = *v
			}
		case json.RawMessage:
			out[i] = string(v)
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}

func noticeTexts(f *data.Frame) string {
	if f.Meta == nil {
		return ""
	}
	var b strings.Builder
	for _, n := range f.Meta.Notices {
		b.WriteString(n.Severity.String() + ": " + n.Text + "\n")
	}
	return b.String()
}

func mustQuery(t testing.TB, ds *Datasource, q map[string]any) backend.DataResponse {
	t.Helper()
	return queryOne(t, ds, nil, traceFrom, traceTo, q)
}

// silence unused warnings for helpers only some tests use.
var _ = context.Background
