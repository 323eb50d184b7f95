package query

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/stores/httpx"
)

// TestErrorResponseStatus: the user's mistakes (a bad query, a request a store client
// refused before calling its store) are 400 from the plugin; a store's failures are from
// downstream, 502 unless the store's status or a timeout says more.
func TestErrorResponseStatus(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus backend.Status
		wantSource backend.ErrorSource
		wantText   string
	}{
		{"refused request", &httpx.RequestError{Store: "jaeger", Message: "search needs a service"},
			backend.StatusBadRequest, backend.ErrorSourcePlugin, "jaeger: search needs a service"},
		{"wrapped refused request", fmt.Errorf("latency query: %w", &httpx.RequestError{Store: "tempo", Message: "bad tag"}),
			backend.StatusBadRequest, backend.ErrorSourcePlugin, "latency query: tempo: bad tag"},
		{"store not configured", orNotConfigured(nil, "loki"),
			backend.StatusBadRequest, backend.ErrorSourcePlugin, "loki: not configured"},
		{"bad query", badQuery("search query: TraceQL is empty"),
			backend.StatusBadRequest, backend.ErrorSourcePlugin, "TraceQL is empty"},
		{"store without answer", &httpx.StoreError{Store: "jaeger", Message: "connection refused"},
			backend.StatusBadGateway, backend.ErrorSourceDownstream, "jaeger: connection refused"},
		{"store 500", &httpx.StoreError{Store: "tempo", Status: 500, Message: "boom"},
			backend.StatusBadGateway, backend.ErrorSourceDownstream, "tempo: HTTP 500: boom"},
		{"store 400", &httpx.StoreError{Store: "tempo", Status: 400, Message: "parse error"},
			backend.StatusBadRequest, backend.ErrorSourceDownstream, "tempo: HTTP 400: parse error"},
		// A store's rate limit (Loki's and Tempo's per-tenant limits) is the store's 429, so
		// a dashboard says "too many requests" rather than that the store is broken.
		{"store 429", &httpx.StoreError{Store: "loki", Status: 429, Message: "Ingestion rate limit exceeded"},
			backend.StatusTooManyRequests, backend.ErrorSourceDownstream, "loki: HTTP 429: Ingestion rate limit exceeded"},
		{"store timeout", &httpx.StoreError{Store: "loki", Message: "no answer within 5s", Timeout: true},
			backend.StatusTimeout, backend.ErrorSourceDownstream, "loki: no answer"},
		{"anything else", errors.New("frame build failed"),
			backend.StatusInternal, backend.ErrorSourcePlugin, "frame build failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := errorResponse(tc.err)
			if res.Status != tc.wantStatus || res.ErrorSource != tc.wantSource {
				t.Errorf("status %d source %q, want %d %q", res.Status, res.ErrorSource, tc.wantStatus, tc.wantSource)
			}
			if res.Error == nil || !strings.Contains(res.Error.Error(), tc.wantText) {
				t.Errorf("error %v, want one containing %q", res.Error, tc.wantText)
			}
		})
	}
}
