package query

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// A code-mode histogram query is a metric name and its matchers: the query wraps it in
// rate(…[window]), increase(…[range]) and histogram_quantile. Anything after the
// matchers (a range, an offset, a second selector) made Prometheus refuse every one of
// those with a parse error at a column of an expression the user never wrote ("1:68:
// parse error: ranges only allowed for vector selectors"). It is refused before any
// store call, naming what follows the matchers.
func TestHistogramCodeSelectorWithMoreThanMatchersIsRefusedNamingTheRest(t *testing.T) {
	tests := []struct {
		expr, rest string
	}{
		{`http_duration_seconds{service="api"}[5m]`, `[5m]`},
		{`http_duration_seconds_bucket{service="api"} offset 5m`, `offset 5m`},
		{`http_duration_seconds{service="api"} or other_seconds{service="api"}`, `or other_seconds{service="api"}`},
		{`http_duration_seconds{service="}"} [1m]`, `[1m]`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			p := &fakeProm{}
			r := histRequest(true, true)
			r.Query.EditorMode, r.Query.Expr = ModeCode, tt.expr
			resp := Latency(context.Background(), histEnv(p), r)
			if resp.Error == nil {
				t.Fatalf("accepted; the store was sent %q", p.seen)
			}
			if msg := resp.Error.Error(); !strings.Contains(msg, strconv.Quote(tt.rest)) || !strings.Contains(msg, "matchers") {
				t.Errorf("error %q does not name %q after the matchers", msg, tt.rest)
			}
			if len(p.seen) != 0 {
				t.Errorf("the store was sent %q", p.seen)
			}
		})
	}
	// Selectors as the editor shows them still run.
	for _, expr := range []string{
		`http_duration_seconds{service="api"}`, `http_duration_seconds_bucket{service="a}b", route=~"/x{2}"}`,
		`http_duration_seconds {service="api"} `, `http_duration_seconds`, `http_duration_seconds{}`,
	} {
		p := &fakeProm{instant: map[string]*prometheus.Data{}}
		r := histRequest(false, false)
		r.Query.EditorMode, r.Query.Expr = ModeCode, expr
		if resp := Latency(context.Background(), histEnv(p), r); resp.Error != nil {
			t.Errorf("%s: %v", expr, resp.Error)
		}
	}
}
