package latency

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

var (
	// ErrEmpty: the input holds no non-NaN value, so there is nothing to rank.
	ErrEmpty = errors.New("latency: no values (empty input or only NaN)")
	// ErrInvalid wraps every rejected argument; the message names the argument.
	ErrInvalid = errors.New("latency: invalid argument")
)

// rankOf places quantile q among n sorted values: the lower order statistic i
// and the weight w of the next one. Shared by every exact quantile function so
// that they agree bit for bit.
func rankOf(n int, q float64) (i int, w float64) {
	h := float64(n-1) * q
	f := math.Floor(h)
	i = int(f)
	if i >= n-1 { // q = 1, or rounding at the top
		return n - 1, 0
	}
	return i, h - f
}

// interpolate returns a + (b − a)·w for a ≤ b and w in [0, 1), clamped to
// [a, b] so that the result never leaves the bracket through rounding (this
// keeps quantiles monotone in q). When b − a overflows it is computed on
// halves. Infinite neighbours: −Inf wins if a is −Inf, else +Inf if b is +Inf
// (a weighted mean with an infinite end is that infinity).
func interpolate(a, b, w float64) float64 {
	if w == 0 || a == b {
		return a
	}
	if math.IsInf(a, -1) {
		return a
	}
	if math.IsInf(b, 1) {
		return b
	}
	var v float64
	if d := b - a; !math.IsInf(d, 0) {
		v = a + d*w
	} else {
		v = 2 * (a/2 + (b/2-a/2)*w)
	}
	return min(max(v, a), b)
}

// checkQuantiles rejects quantiles outside [0, 1] and NaN.
func checkQuantiles(qs []float64) error {
	for _, q := range qs {
		if !(q >= 0 && q <= 1) {
			return fmt.Errorf("%w: quantile %v is not in [0, 1]", ErrInvalid, q)
		}
	}
	return nil
}

// QuantileSorted is the reference definition (type 7, see the package doc) on
// values already sorted ascending, without NaN. It panics on an empty slice
// and does not check q; use it for data you sorted yourself.
func QuantileSorted(sorted []float64, q float64) float64 {
	i, w := rankOf(len(sorted), q)
	if w == 0 {
		return sorted[i]
	}
	return interpolate(sorted[i], sorted[i+1], w)
}

// Quantiles returns the exact type-7 quantiles qs of durations, in the order
// of qs. It selects the order statistics it needs in O(n) instead of sorting,
// leaves durations untouched, skips NaN, and equals QuantileSorted on the
// sorted non-NaN values. Errors: ErrEmpty, or ErrInvalid for a quantile
// outside [0, 1].
func Quantiles(durations, qs []float64) ([]float64, error) {
	var w Workspace
	return w.Quantiles(durations, qs)
}

// Quantiles is the package-level Quantiles using w's scratch memory.
func (w *Workspace) Quantiles(durations, qs []float64) ([]float64, error) {
	if err := checkQuantiles(qs); err != nil {
		return nil, err
	}
	n, ranks, vals, _ := w.selectRanks(durations, func(n int) []int {
		return w.quantileRanks(w.uniq[:0], n, qs)
	})
	if n == 0 {
		return nil, ErrEmpty
	}
	out := make([]float64, len(qs))
	for k, q := range qs {
		out[k] = quantileFrom(n, q, ranks, vals)
	}
	return out, nil
}

// quantileRanks appends the order statistics the quantiles qs of n values
// need, sorted and unique, and keeps the slice for reuse.
func (w *Workspace) quantileRanks(dst []int, n int, qs []float64) []int {
	if n == 0 {
		return dst
	}
	for _, q := range qs {
		i, wt := rankOf(n, q)
		dst = append(dst, i)
		if wt > 0 {
			dst = append(dst, i+1)
		}
	}
	dst = sortedUnique(dst)
	w.uniq = dst
	return dst
}

// quantileFrom evaluates the definition from selected order statistics.
func quantileFrom(n int, q float64, ranks []int, vals []float64) float64 {
	i, wt := rankOf(n, q)
	j, _ := slices.BinarySearch(ranks, i)
	if wt == 0 {
		return vals[j]
	}
	return interpolate(vals[j], vals[j+1], wt)
}

func sortedUnique(s []int) []int {
	slices.Sort(s)
	return slices.Compact(s)
}
