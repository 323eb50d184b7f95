package prometheus

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
)

// replayClient is a client of a replayed Prometheus answering every path with status and body.
func replayClient(t *testing.T, status int, body []byte, gotPath *string) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*gotPath = r.URL.Path
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	h, err := httpx.New(StoreName, settings.Store{Name: "metrics", URL: srv.URL}, Options())
	if err != nil {
		t.Fatal(err)
	}
	return NewClient(h)
}

func TestMetricNamesOfType(t *testing.T) {
	var path string
	names, err := replayClient(t, 200, read(t, "metadata.json"), &path).MetricNamesOfType(context.Background(), MetricTypeHistogram)
	if err != nil {
		t.Fatal(err)
	}
	if path != "/api/v1/metadata" || strings.Join(names, ",") != "checkout_native_duration_seconds,checkout_request_duration_seconds,payment_wait_seconds" {
		t.Errorf("asked %s, got %q", path, names)
	}

	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"garbled answer", 200, `{"status":"success","data":[1]}`, "prometheus: HTTP 200: garbled answer: metadata: data is not an object"},
		{"error envelope", 503, `{"status":"error","errorType":"unavailable","error":"TSDB not ready"}`, "prometheus: HTTP 503: unavailable: TSDB not ready"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := replayClient(t, tc.status, []byte(tc.body), &path).MetricNamesOfType(context.Background(), MetricTypeHistogram)
			var se *httpx.StoreError
			if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %v, want a store error starting %q", err, tc.want)
			}
		})
	}
}

// A selector over a multi-value variable (hundreds of services in one regex) makes a
// query of many kilobytes. In a GET's URL it passes Prometheus itself, but the reverse
// proxy in front of most stores refuses long request lines (nginx: 414 above 8 KB by
// default). Prometheus takes the same parameters as a form in a POST body on its query
// endpoints, as Grafana's Prometheus data source sends them by default, so long queries
// go that way; short ones stay GETs (which caches and read-only proxies allow).
func TestLongQueriesGoInAPostBody(t *testing.T) {
	long := `up{service=~"` + strings.Repeat("service-with-a-long-name|", 400) + `x"}`
	type seen struct{ method, contentType, query, start string }
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > 8192 {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusRequestURITooLong)
			_, _ = w.Write([]byte("<html><head><title>414 Request-URI Too Large</title></head></html>"))
			return
		}
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		got = append(got, seen{r.Method, r.Header.Get("Content-Type"), r.Form.Get("query"), r.Form.Get("start")})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`))
	}))
	t.Cleanup(srv.Close)
	h, err := httpx.New(StoreName, settings.Store{Name: "metrics", URL: srv.URL}, Options())
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(h)
	from := time.Unix(1700000000, 0)
	for _, expr := range []string{"up", long} {
		if _, err := c.QueryRange(context.Background(), expr, from, from.Add(time.Hour), time.Minute); err != nil {
			t.Fatalf("%d-byte query: %v", len(expr), err)
		}
		if _, err := c.Query(context.Background(), expr, from); err != nil {
			t.Fatalf("%d-byte instant query: %v", len(expr), err)
		}
		if _, err := c.Exemplars(context.Background(), expr, from, from.Add(time.Hour)); err == nil || !strings.Contains(err.Error(), "garbled") {
			// The replay answers a matrix, which is not an exemplars answer: the call got through.
			t.Fatalf("%d-byte exemplars query: %v", len(expr), err)
		}
	}
	if len(got) != 6 {
		t.Fatalf("%d calls reached the store, want 6", len(got))
	}
	for i, s := range got {
		wantMethod, wantQuery := http.MethodGet, "up"
		if i >= 3 {
			wantMethod, wantQuery = http.MethodPost, long
		}
		if s.method != wantMethod || s.query != wantQuery {
			t.Errorf("call %d: %s with a %d-byte query, want %s with %d bytes", i, s.method, len(s.query), wantMethod, len(wantQuery))
		}
		if s.method == http.MethodPost && s.contentType != "application/x-www-form-urlencoded" {
			t.Errorf("call %d: POST body of type %q", i, s.contentType)
		}
		if i%3 != 1 && s.start != "1700000000.000" && s.start != "1699999980.000" {
			t.Errorf("call %d: start %q lost", i, s.start)
		}
	}
}
