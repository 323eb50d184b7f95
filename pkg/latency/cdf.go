package latency

import (
	"fmt"
	"math"
	"slices"
)

// CDF is a set of points of the empirical step function F(t) = #{v ≤ t} / N
// of raw durations. Every point is exact: Values[i] is one of the durations
// and Counts[i] is the number of durations ≤ Values[i].
//
// From FullCDF the points are every jump of F, so F(t) = Counts[i]/N for
// Values[i] ≤ t < Values[i+1]. From CDFAtLevels the points are a subset of
// those jumps; between two returned points F is only known to lie in
// [Counts[i]/N, Counts[i+1]/N).
type CDF struct {
	Values []float64 // strictly ascending
	Counts []int     // strictly ascending; the last is N (the maximum is always a point)
	N      int       // number of non-NaN durations
}

// Len is the number of points.
func (c CDF) Len() int { return len(c.Values) }

// Fraction is F(Values[i]) = Counts[i] / N.
func (c CDF) Fraction(i int) float64 { return float64(c.Counts[i]) / float64(c.N) }

// FullCDF returns every jump of the empirical CDF of durations (NaN skipped),
// by sorting a copy: O(n log n) time, O(n) memory. Meant for small inputs and
// as the reference the selection-based functions are tested against.
func FullCDF(durations []float64) (CDF, error) {
	s := make([]float64, 0, len(durations))
	for _, x := range durations {
		if x == x {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return CDF{}, ErrEmpty
	}
	slices.Sort(s)
	c := CDF{N: len(s)}
	for i, x := range s {
		if i+1 < len(s) && s[i+1] == x {
			continue
		}
		c.Values = append(c.Values, x)
		c.Counts = append(c.Counts, i+1)
	}
	return c, nil
}

// levelRanks appends the 0-based ranks that CDFAtLevels needs for n values
// and k levels: the minimum, and for each level i/k (i = 1..k) the rank of the
// smallest value v with F(v) ≥ i/k, which is ⌈i·n/k⌉ − 1.
func levelRanks(dst []int, n, k int) []int {
	dst = append(dst, 0)
	for i := 1; i <= k; i++ {
		dst = append(dst, int((int64(i)*int64(n)+int64(k)-1)/int64(k))-1)
	}
	return dst
}

// CDFAtLevels returns the exact CDF of durations at k evenly spaced levels:
// for each level p = i/k (i = 1..k) the point (v, F(v)) where v is the
// smallest duration with F(v) ≥ p, plus the minimum. Points that coincide
// (ties, or k > n) are merged, so there are at most k+1. It selects instead of
// sorting: O(n) time whatever k. Errors: ErrEmpty, or ErrInvalid if k < 1.
func CDFAtLevels(durations []float64, k int) (CDF, error) {
	var w Workspace
	return w.CDFAtLevels(durations, k)
}

// CDFAtLevels is the package-level CDFAtLevels using w's scratch memory.
func (w *Workspace) CDFAtLevels(durations []float64, k int) (CDF, error) {
	if k < 1 {
		return CDF{}, fmt.Errorf("%w: %d CDF levels", ErrInvalid, k)
	}
	r, err := w.Analyze(durations, nil, k)
	return r.CDF, err
}

// Exact is what the latency query needs from raw durations, computed by one
// selection.
type Exact struct {
	N         int       // non-NaN durations
	Min, Max  float64   // smallest and largest
	Quantiles []float64 // Quantiles[i] is quantile qs[i], as Quantiles returns it
	CDF       CDF       // as CDFAtLevels returns it; empty when no levels were asked for
}

// Analyze computes the quantiles qs and a CDF at k levels (k = 0: no CDF) of
// durations in one O(n) selection; the answers equal those of Quantiles and
// CDFAtLevels, which equal sorting. Errors: ErrEmpty, or ErrInvalid for a
// quantile outside [0, 1] or k < 0.
func Analyze(durations, qs []float64, k int) (Exact, error) {
	var w Workspace
	return w.Analyze(durations, qs, k)
}

// Analyze is the package-level Analyze using w's scratch memory.
func (w *Workspace) Analyze(durations, qs []float64, k int) (Exact, error) {
	if err := checkQuantiles(qs); err != nil {
		return Exact{}, err
	}
	if k < 0 {
		return Exact{}, fmt.Errorf("%w: %d CDF levels", ErrInvalid, k)
	}
	n, ranks, vals, le := w.selectRanks(durations, func(n int) []int {
		if n == 0 {
			return nil
		}
		r := append(w.uniq[:0], 0, n-1) // Min and Max
		if k > 0 {
			r = levelRanks(r, n, k)
		}
		return w.quantileRanks(r, n, qs)
	})
	if n == 0 {
		return Exact{}, ErrEmpty
	}
	res := Exact{N: n, Min: vals[0], Max: vals[len(vals)-1]}
	if qs != nil {
		res.Quantiles = make([]float64, len(qs))
		for i, q := range qs {
			res.Quantiles[i] = quantileFrom(n, q, ranks, vals)
		}
	}
	if k > 0 {
		res.CDF = cdfFromRanks(n, k, ranks, vals, le)
	}
	return res, nil
}

// cdfFromRanks picks the level points out of the selected ranks (which may
// hold extra ranks asked for by quantiles) and merges equal values.
func cdfFromRanks(n, k int, ranks []int, vals []float64, le []int) CDF {
	want := levelRanks(make([]int, 0, k+1), n, k)
	c := CDF{N: n, Values: make([]float64, 0, len(want)), Counts: make([]int, 0, len(want))}
	j := 0
	for _, r := range want {
		for ranks[j] < r {
			j++
		}
		v := vals[j]
		if len(c.Values) > 0 && c.Values[len(c.Values)-1] == v {
			continue
		}
		c.Values = append(c.Values, v)
		c.Counts = append(c.Counts, le[j])
	}
	return c
}

// CDFAt returns F(t) = #{durations ≤ t} / N exactly for each t in ts (NaN
// durations skipped), in the order of ts. One pass suffices for a single t;
// for several it bins like the selection engine: O(n) time. Errors:
// ErrEmpty, or ErrInvalid for a NaN t.
func CDFAt(durations, ts []float64) ([]float64, error) {
	var w Workspace
	return w.CDFAt(durations, ts)
}

// CDFAt is the package-level CDFAt using w's scratch memory.
func (w *Workspace) CDFAt(durations, ts []float64) ([]float64, error) {
	for _, t := range ts {
		if math.IsNaN(t) {
			return nil, fmt.Errorf("%w: CDF point NaN", ErrInvalid)
		}
	}
	sorted := slices.Clone(ts)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	counts := make([]int, len(sorted))
	n := w.countAtMost(durations, sorted, counts)
	if n == 0 {
		return nil, ErrEmpty
	}
	out := make([]float64, len(ts))
	for i, t := range ts {
		j, _ := slices.BinarySearch(sorted, t)
		out[i] = float64(counts[j]) / float64(n)
	}
	return out, nil
}
