package query

import (
	"math"
	"time"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// thinExemplars keeps, of each series' exemplars in each step of a range query (steps
// on multiples of step, as the range query's points), the one with the highest value:
// for a latency histogram the slowest request of that step, the one worth opening. Ties
// keep the earlier exemplar. The kept ones stay in their input order; ex is not changed.
// Grafana's time series panel draws one marker per exemplar, so tens of thousands of
// them (a week of a busy histogram) would hide the series and stall the browser.
func thinExemplars(ex []model.Exemplar, step time.Duration) []model.Exemplar {
	if step <= 0 || len(ex) < 2 {
		return ex
	}
	type cell struct {
		series string
		step   int64
	}
	best := make(map[cell]int, len(ex))
	for i, e := range ex {
		c := cell{groupKey(e.SeriesLabels), prometheus.AlignToStep(time.Unix(0, e.TimeUnixNano), step).UnixNano()}
		j, ok := best[c]
		// A value that is not a number (Prometheus' "NaN") loses to any that is.
		if !ok || e.Value > ex[j].Value || math.IsNaN(ex[j].Value) && !math.IsNaN(e.Value) {
			best[c] = i
		}
	}
	if len(best) == len(ex) {
		return ex
	}
	keep := make([]bool, len(ex))
	for _, i := range best {
		keep[i] = true
	}
	out := make([]model.Exemplar, 0, len(best))
	for i, e := range ex {
		if keep[i] {
			out = append(out, e)
		}
	}
	return out
}
