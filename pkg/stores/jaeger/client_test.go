package jaeger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/tracestore"
)

// The v3 gateway's stores refuse a search without a trace count; both parameter names go out.
func TestV3SearchAlwaysSendsATraceCount(t *testing.T) {
	tests := []struct {
		name  string
		limit int
		want  string
	}{
		{name: "limit given", limit: 7, want: "7"},
		{name: "no limit", limit: 0, want: "20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got url.Values
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.URL.Query()
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"result":{"resourceSpans":[]}}`))
			}))
			defer srv.Close()
			h, err := httpx.New(StoreName, settings.Store{Name: "traces", URL: srv.URL}, Options())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := NewV3(h).Search(context.Background(), tracestore.SearchParams{Service: "shop", Limit: tt.limit}); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"query.num_traces", "query.search_depth"} {
				if got.Get(k) != tt.want {
					t.Errorf("%s = %q, want %q (query %v)", k, got.Get(k), tt.want, got)
				}
			}
			if got.Get("query.service_name") != "shop" {
				t.Errorf("service = %q", got.Get("query.service_name"))
			}
		})
	}
}

// TestV1ClientKeepsErrorsWithData: errors that come with data keep the data: the trace carries them as warnings, a search
// result as its warnings, and a secret of the store never shows in either.
func TestV1ClientKeepsErrorsWithData(t *testing.T) {
	const token = "s3cret-token"
	body := `{"data":` + string(partialData(t)) + `,"total":1,"limit":0,"offset":0,"errors":[{"code":500,"msg":"storage rejected ` + token + `","traceID":"ff"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	st, err := settings.Parse([]byte(`{"traces":{"url":"`+srv.URL+`","kind":"jaeger-v1","auth":"bearer"}}`),
		map[string]string{"tracesBearerToken": token})
	if err != nil {
		t.Fatal(err)
	}
	h, err := httpx.New(StoreName, st.Traces, Options())
	if err != nil {
		t.Fatal(err)
	}
	c := NewV1(h)
	const want = "jaeger: storage rejected [redacted] (code 500, trace ff)"
	tr, err := c.Trace(context.Background(), "4bf92f3577b34da6a3ce929d0e0e4736", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Spans) != 3 || strings.Join(tr.Warnings, "|") != want {
		t.Errorf("trace: %d spans, warnings %q", len(tr.Spans), tr.Warnings)
	}
	res, err := c.Search(context.Background(), tracestore.SearchParams{Service: "frontend"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Traces) != 1 || strings.Join(res.Warnings, "|") != want {
		t.Errorf("search: %d hits, warnings %q", len(res.Traces), res.Warnings)
	}
}

// partialData is the `data` of the recorded partial answer.
func partialData(t *testing.T) json.RawMessage {
	var env struct{ Data json.RawMessage }
	if err := json.Unmarshal(read(t, "traces_v1_partial.json"), &env); err != nil {
		t.Fatal(err)
	}
	return env.Data
}

// A search result carries what its traces say of themselves: Jaeger's per-trace warnings
// (v1), named by trace, and spans left out for unreadable IDs (v3).
func TestSearchKeepsTraceWarnings(t *testing.T) {
	serve := func(t *testing.T, body []byte) *httpx.Client {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		}))
		t.Cleanup(srv.Close)
		h, err := httpx.New(StoreName, settings.Store{Name: "traces", URL: srv.URL}, Options())
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	t.Run("v1 trace warnings", func(t *testing.T) {
		var env map[string]any
		if err := json.Unmarshal(read(t, "trace_v1.json"), &env); err != nil {
			t.Fatal(err)
		}
		traces := env["data"].([]any)
		traces[0].(map[string]any)["warnings"] = []string{"clock skew adjustment disabled"}
		body, _ := json.Marshal(env)
		res, err := NewV1(serve(t, body)).Search(context.Background(), tracestore.SearchParams{Service: "frontend"})
		if err != nil {
			t.Fatal(err)
		}
		want := "trace " + res.Traces[0].TraceID + ": clock skew adjustment disabled"
		if strings.Join(res.Warnings, "|") != want {
			t.Errorf("warnings %q, want %q", res.Warnings, want)
		}
	})
	t.Run("v3 spans with unreadable IDs", func(t *testing.T) {
		body := strings.Replace(string(read(t, "trace_v3.json")), `"spanId": "5b8efff798038103"`, `"spanId": "not-hex"`, 1)
		res, err := NewV3(serve(t, []byte(body))).Search(context.Background(), tracestore.SearchParams{Service: "frontend"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Spans) != 2 || !strings.Contains(strings.Join(res.Warnings, "|"), "1 spans with unreadable IDs were left out") {
			t.Errorf("%d spans, warnings %q", len(res.Spans), res.Warnings)
		}
	})
}

// Jaeger's v3 gateway answers a search that finds nothing with 404 and
// {"error":{"httpCode":404,"message":"No traces found"}} (cmd/query/app/apiv3/http_gateway.go,
// returnTraces, v1.76.0): an empty result. A 404 of anything else (a wrong base path) stays
// an error, and so does a trace look-up that finds nothing.
func TestV3NotFoundAnswers(t *testing.T) {
	const noTraces = `{"error":{"httpCode":404,"message":"No traces found"}}` + "\n"
	tests := []struct {
		name    string
		body    string
		trace   bool
		wantErr string
	}{
		{name: "search without hits", body: noTraces},
		{name: "search at a path Jaeger does not serve", body: "404 page not found\n", wantErr: "jaeger: HTTP 404: 404 page not found"},
		// The store's own message does not say which trace: the error names it.
		{name: "trace not found", body: noTraces, trace: true, wantErr: "jaeger: HTTP 404: trace 4bf92f3577b34da6a3ce929d0e0e4736 not found: No traces found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			h, err := httpx.New(StoreName, settings.Store{Name: "traces", URL: srv.URL}, Options())
			if err != nil {
				t.Fatal(err)
			}
			c := NewV3(h)
			now := time.Now()
			if tt.trace {
				_, err = c.Trace(context.Background(), "4bf92f3577b34da6a3ce929d0e0e4736", now.Add(-time.Hour), now)
			} else {
				var res *tracestore.SearchResult
				res, err = c.Search(context.Background(), tracestore.SearchParams{Service: "shop", Start: now.Add(-time.Hour), End: now, Limit: 20})
				if err == nil && (res == nil || len(res.Traces) != 0 || len(res.Spans) != 0) {
					t.Fatalf("result %+v, want no traces", res)
				}
			}
			if got := fmt.Sprint(err); (tt.wantErr == "" && err != nil) || (tt.wantErr != "" && got != tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// Jaeger's v1 API answers a trace it does not hold with 404 and its envelope
// ({"errors":[{"code":404,"msg":"trace not found"}]}), which does not say which trace.
func TestV1TraceNotFoundNamesTheTrace(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}` + "\n"))
	}))
	defer srv.Close()
	h, err := httpx.New(StoreName, settings.Store{Name: "traces", URL: srv.URL}, Options())
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewV1(h).Trace(context.Background(), "00000000000000004bf92f3577b34da6", time.Time{}, time.Time{})
	var se *httpx.StoreError
	if !errors.As(err, &se) || se.Status != http.StatusNotFound || err.Error() != "jaeger: HTTP 404: trace 00000000000000004bf92f3577b34da6 not found: trace not found" {
		t.Fatalf("error %v, want the store's 404 naming the trace", err)
	}
}

// Jaeger's query service answers a path it has no API for with its UI's page, 200 and
// text/html (a base path that is not the query service's, or an API version this Jaeger
// does not serve: a jaeger-v1 data source on a Jaeger without /api/traces). Every call
// says so, naming the path and the page, instead of a JSON syntax error.
func TestHTMLAnswerNamesTheProblem(t *testing.T) {
	const page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head><title>Jaeger UI</title></head><body><div id=\"jaeger-ui-root\"></div></body></html>\n"
	var contentType string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write([]byte(page))
	}))
	defer srv.Close()
	h, err := httpx.New(StoreName, settings.Store{Name: "traces", URL: srv.URL + "/jaeger"}, Options())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	calls := []struct {
		name, path string
		call       func(tracestore.Store) error
	}{
		{"services", "services", func(c tracestore.Store) error { _, err := c.Services(context.Background(), now, now); return err }},
		{"operations", "operations", func(c tracestore.Store) error {
			_, err := c.Operations(context.Background(), "shop", now, now)
			return err
		}},
		{"trace", "traces/4bf92f3577b34da6a3ce929d0e0e4736", func(c tracestore.Store) error {
			_, err := c.Trace(context.Background(), "4bf92f3577b34da6a3ce929d0e0e4736", time.Time{}, time.Time{})
			return err
		}},
		{"search", "traces", func(c tracestore.Store) error {
			_, err := c.Search(context.Background(), tracestore.SearchParams{Service: "shop", Start: now.Add(-time.Hour), End: now, Limit: 20})
			return err
		}},
	}
	for _, api := range []struct {
		name, prefix, other string
		c                   tracestore.Store
	}{
		{"v1", "/api/", "jaeger-v3", NewV1(h)},
		{"v3", "/api/v3/", "jaeger-v1", NewV3(h)},
	} {
		for _, ct := range []string{"text/html; charset=utf-8", ""} {
			for _, call := range calls {
				t.Run(api.name+" "+call.name+" "+ct, func(t *testing.T) {
					contentType = ct
					err := call.call(api.c)
					var se *httpx.StoreError
					if !errors.As(err, &se) {
						t.Fatalf("error %v, want a store error", err)
					}
					msg := err.Error()
					path := api.prefix + call.path
					if call.name == "operations" && api.name == "v1" {
						path = "/api/services/shop/operations"
					}
					for _, want := range []string{"HTML page", `"Jaeger UI"`, path, api.other} {
						if !strings.Contains(msg, want) {
							t.Errorf("error %q does not say %q", msg, want)
						}
					}
					if strings.Contains(msg, "invalid character") {
						t.Errorf("error %q is a JSON syntax error", msg)
					}
				})
			}
		}
	}
}
