package jaeger

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

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
