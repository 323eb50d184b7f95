package jaeger

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/tracestore"
	"github.com/latencylens/lens/pkg/testenv"
)

// Jaeger's memory store refuses a search for more traces than its max_traces with a 500
// "search depth must be greater than 0 and less than max traces": through both APIs that
// is the user's error naming the limit to lower, not a store failure.
func TestLiveJaegerSearchAboveMaxTraces(t *testing.T) {
	j := testenv.StartJaeger(t, testenv.JaegerOptions{MaxTraces: 10})
	for _, c := range bothAPIs(t, j.URL) {
		t.Run(c.name, func(t *testing.T) {
			p := tracestore.SearchParams{Service: "shop", Start: time.Now().Add(-time.Hour), End: time.Now(), Limit: 20}
			_, err := c.s.Search(context.Background(), p)
			var re *httpx.RequestError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), "20 traces") || !strings.Contains(err.Error(), "lower the query's trace limit") {
				t.Errorf("limit 20 on a store keeping 10: %v (%T), want the user's error naming the limit", err, err)
			}
			p.Limit = 5
			if _, err := c.s.Search(context.Background(), p); err != nil {
				t.Errorf("limit 5: %v", err)
			}
		})
	}
}
