package query

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// Percentile series carry their step on the time field (config.interval, ms), as the
// metrics query's series and Grafana's Prometheus data source's do: Grafana's time series
// panel breaks a line only where two points are further apart than that, so without it a
// service that had no traffic for an hour is drawn as a straight line across that hour.
// Dashboard and alert answers alike.
func TestLatencyPercentileSeriesCarryTheirStep(t *testing.T) {
	to := time.Unix(1_700_000_000, 0)
	p := &fakeProm{
		instant: map[string]*prometheus.Data{`count(http_duration_seconds_bucket{service="api"})`: vec(12)},
		ranged: func(expr string) *prometheus.Data {
			if !strings.Contains(expr, "histogram_quantile") {
				return nil
			}
			// Two points, then an hour without traffic, then one more.
			return &prometheus.Data{ResultType: prometheus.ResultMatrix, Series: []prometheus.Series{{
				Labels: map[string]string{}, Points: []prometheus.Point{
					{TimeMs: to.Add(-3 * time.Hour).UnixMilli(), Value: 0.2},
					{TimeMs: to.Add(-3*time.Hour + time.Minute).UnixMilli(), Value: 0.25},
					{TimeMs: to.Add(-time.Hour).UnixMilli(), Value: 0.3},
				},
			}}}
		},
	}
	for _, alert := range []bool{false, true} {
		req := histRequest(false, false)
		req.From, req.To, req.FromAlert = to.Add(-4*time.Hour), to, alert
		resp := Latency(context.Background(), histEnv(p), req)
		if resp.Error != nil {
			t.Fatal(resp.Error)
		}
		step := prometheus.Step(req.From, req.To, req.Interval, 0, req.MaxDataPoints)
		var n int
		for _, f := range resp.Frames {
			if kind, _ := f.Meta.Custom.(map[string]any)[frames.LensKindKey].(string); kind != frames.KindPercentile || len(f.Fields) == 0 {
				continue
			}
			n++
			tf := f.Fields[0]
			if tf.Config == nil || tf.Config.Interval != float64(step.Milliseconds()) {
				t.Errorf("alert %v: frame %s time field config %+v, want interval %d ms", alert, f.Name, tf.Config, step.Milliseconds())
			}
		}
		if n == 0 {
			t.Errorf("alert %v: no percentile frame in %d frames", alert, len(resp.Frames))
		}
	}
}
