package query

import (
	"math"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/latency"
)

// Conversions between pkg/latency results and frame rows. All latency maths (exact
// quantiles and CDFs, histogram estimates, the summary) lives in pkg/latency.

// cdfLevels is how many evenly spaced levels of the exact CDF are sent to the panel.
const cdfLevels = 200

// exactQuantiles returns the exact quantiles of values (no sort: selection).
func exactQuantiles(values, qs []float64) ([]float64, error) {
	return latency.Quantiles(values, qs)
}

// cdfRows turns CDF steps read from histogram buckets (in the histogram's unit) into
// frame rows in ms, each with the bounds of its bucket.
func cdfRows(steps []latency.Step, scale float64) []frames.CDFRow {
	rows := make([]frames.CDFRow, len(steps))
	for i, s := range steps {
		rows[i] = frames.CDFRow{
			DurationMs: s.Upper * scale, Fraction: s.Fraction,
			LowerMs: s.Lower * scale, UpperMs: s.Upper * scale, Count: int64(math.Round(s.Count)),
		}
	}
	return rows
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
