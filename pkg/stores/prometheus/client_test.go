package prometheus

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
