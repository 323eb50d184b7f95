package query

import (
	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/latency"
)

// The one place the handlers call pkg/latency for exact statistics of raw durations.

// cdfLevels is how many evenly spaced levels of the exact CDF are sent to the panel.
const cdfLevels = 200

// exactQuantiles returns the exact quantiles of values (no sort: selection).
func exactQuantiles(values, qs []float64) ([]float64, error) {
	return latency.Quantiles(values, qs)
}

// exactCDF returns exact CDF points of values (ms) at cdfLevels levels.
func exactCDF(values []float64) ([]frames.CDFRow, error) {
	c, err := latency.CDFAtLevels(values, cdfLevels)
	if err != nil {
		return nil, err
	}
	rows := make([]frames.CDFRow, c.Len())
	for i := range rows {
		v := c.Values[i]
		rows[i] = frames.CDFRow{DurationMs: v, Fraction: c.Fraction(i), LowerMs: v, UpperMs: v, Count: int64(c.Counts[i])}
	}
	return rows, nil
}
