package latency

import (
	"cmp"
	"math"
	"slices"
)

// Quantile estimates from histogram buckets, compatible with histogram_quantile
// of Prometheus 2.42 (the Prometheus this project tests against), plus the
// bounds of the bucket the quantile falls in.
//
// Interpolation inside a bucket is linear, as in Prometheus 2.42 for both
// kinds of histogram. Later Prometheus releases differ in ways documented on
// each function; the bucket bounds are the same under every method.

// Estimate is a quantile estimated from histogram buckets. Value is the
// Prometheus-compatible point estimate; the true quantile of the observations
// lies in [Lower, Upper], the bucket where the cumulative count reaches the
// quantile's rank. Value is NaN or ±Inf exactly where Prometheus answers so.
// When the histogram is unusable or q is NaN, all three are NaN; for q
// outside [0, 1] all three are the same infinity.
type Estimate struct {
	Value        float64
	Lower, Upper float64
}

// Step is one step of a CDF read from histogram buckets: F(Upper) =
// Fraction (or F just below Upper, when UpperIncluded is false), and the
// observations this step adds lie somewhere in [Lower, Upper].
type Step struct {
	Lower, Upper  float64
	Count         float64 // observations up to Upper (cumulative)
	Fraction      float64 // Count / total observations in buckets
	UpperIncluded bool    // whether observations equal to Upper are counted
}

func nanEstimate() Estimate { return Estimate{math.NaN(), math.NaN(), math.NaN()} }

// outOfRange handles q outside [0, 1] as Prometheus does: −Inf below, +Inf
// above (and the bounds with it), NaN for NaN.
func outOfRange(q float64) (Estimate, bool) {
	switch {
	case q != q:
		return nanEstimate(), true
	case q < 0:
		v := math.Inf(-1)
		return Estimate{v, v, v}, true
	case q > 1:
		v := math.Inf(1)
		return Estimate{v, v, v}, true
	}
	return Estimate{}, false
}

// within clamps an interpolated v into its bucket [lo, hi]: float rounding
// can step an ulp outside, which would break monotonicity in q. NaN stays.
func within(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// Bucket is one bucket of a classic histogram: the `le` series.
type Bucket struct {
	UpperBound float64 // the `le` label; the highest bucket must be +Inf
	Count      float64 // observations ≤ UpperBound (cumulative; a rate or an increase is fine)
}

// Classic is a classic histogram prepared the way histogram_quantile
// prepares it: buckets sorted by upper bound, buckets with equal bounds
// merged (counts added), and cumulative counts made monotone by raising each
// count to the largest count below it (the "envelope"; decreases come from
// non-atomic scrapes or rates of separately reset series). Prepare once,
// then ask for any number of quantiles and the CDF.
type Classic struct {
	buckets []Bucket
	// Forced reports that counts had to be raised to be monotone; Prometheus
	// 2.42 does so silently, later releases add an info annotation.
	Forced bool
	// Invalid reports that every quantile is NaN: no buckets, a highest
	// bucket that is not +Inf, fewer than two distinct bounds, or no observations.
	Invalid bool
}

// NewClassic prepares buckets (which are not modified) for estimates.
func NewClassic(buckets []Bucket) Classic {
	if len(buckets) == 0 {
		return Classic{Invalid: true}
	}
	b := slices.Clone(buckets)
	slices.SortStableFunc(b, func(x, y Bucket) int { return cmp.Compare(x.UpperBound, y.UpperBound) })
	if !math.IsInf(b[len(b)-1].UpperBound, 1) {
		return Classic{Invalid: true}
	}
	// merge equal upper bounds
	out := b[:1]
	for _, x := range b[1:] {
		if last := &out[len(out)-1]; x.UpperBound == last.UpperBound {
			last.Count += x.Count
		} else {
			out = append(out, x)
		}
	}
	c := Classic{buckets: out}
	// the envelope
	top := out[0].Count
	for i := 1; i < len(out); i++ {
		switch {
		case out[i].Count > top:
			top = out[i].Count
		case out[i].Count < top:
			out[i].Count = top
			c.Forced = true
		}
	}
	if len(out) < 2 || out[len(out)-1].Count == 0 {
		c.Invalid = true
	}
	return c
}

// Buckets returns the prepared buckets (sorted, merged, monotone).
func (c Classic) Buckets() []Bucket { return slices.Clone(c.buckets) }

// Total is the number of observations (the +Inf bucket's count).
func (c Classic) Total() float64 {
	if len(c.buckets) == 0 {
		return 0
	}
	return c.buckets[len(c.buckets)-1].Count
}

// BucketQuantile is NewClassic(buckets).Quantile(q).
func BucketQuantile(q float64, buckets []Bucket) Estimate {
	return NewClassic(buckets).Quantile(q)
}

// Quantile estimates quantile q as histogram_quantile(q, …) does.
//
// With N observations, the rank is q·N, and the bucket is the first whose
// cumulative count reaches the rank:
//   - inside a bucket (lower, upper], Value interpolates linearly between
//     lower and upper by the rank's position among the bucket's count;
//   - the lowest bucket's lower bound is 0 if its upper bound is positive
//     (durations are not negative); if its upper bound is ≤ 0, Value is
//     that upper bound and Lower is −Inf;
//   - in the +Inf bucket, Value is the highest finite upper bound and
//     Upper is +Inf;
//   - NaN for NaN q and a histogram that is Invalid; also for q = 0 when the
//     lowest bucket is empty (0/0, as in Prometheus; Lower and Upper are
//     still that bucket's); −Inf for q < 0, +Inf for q > 1.
//
// Value is clamped into [Lower, Upper], which changes a result only where
// float rounding puts Prometheus' answer an ulp outside its own bucket.
// Prometheus releases after 2.42 also treat relative count differences below
// 1e-12 as equal before the envelope (prometheus/prometheus#13153), which can
// move an estimate whose rank sits exactly on such a boundary.
func (c Classic) Quantile(q float64) Estimate {
	if e, ok := outOfRange(q); ok {
		return e
	}
	if c.Invalid {
		return nanEstimate()
	}
	bs := c.buckets
	n := len(bs)
	rank := q * bs[n-1].Count
	b, _ := slices.BinarySearchFunc(bs[:n-1], rank, func(x Bucket, r float64) int {
		if x.Count >= r {
			return 1
		}
		return -1
	})
	if b == n-1 {
		lo := bs[n-2].UpperBound
		return Estimate{lo, lo, math.Inf(1)}
	}
	end := bs[b].UpperBound
	if b == 0 && end <= 0 {
		return Estimate{end, math.Inf(-1), end}
	}
	start, count := 0.0, bs[b].Count
	if b > 0 {
		start = bs[b-1].UpperBound
		count -= bs[b-1].Count
		rank -= bs[b-1].Count
	}
	v := start + (end-start)*(rank/count)
	return Estimate{within(v, start, end), start, end}
}

// CDF returns one step per bucket, ascending, ending with the +Inf bucket
// at Fraction 1: F(UpperBound) = Count/Total exactly (`le` counts are
// cumulative), and the observations of a step lie in (Lower, Upper]; the
// lowest bucket's Lower is 0 if its upper bound is positive, else −Inf, as
// for Quantile. Nil when the histogram is Invalid.
func (c Classic) CDF() []Step {
	if c.Invalid {
		return nil
	}
	total := c.Total()
	steps := make([]Step, len(c.buckets))
	for i, b := range c.buckets {
		lo := math.Inf(-1)
		switch {
		case i > 0:
			lo = c.buckets[i-1].UpperBound
		case b.UpperBound > 0:
			lo = 0
		}
		steps[i] = Step{Lower: lo, Upper: b.UpperBound, Count: b.Count, Fraction: b.Count / total, UpperIncluded: true}
	}
	return steps
}

// BoundaryRule says which ends of a native histogram bucket are inclusive,
// numbered as in the Prometheus HTTP API.
type BoundaryRule uint8

const (
	OpenLeft   BoundaryRule = 0 // (lower, upper]: positive buckets
	OpenRight  BoundaryRule = 1 // [lower, upper): negative buckets
	OpenBoth   BoundaryRule = 2 // (lower, upper)
	ClosedBoth BoundaryRule = 3 // [lower, upper]: the zero bucket
)

// NativeBucket is one bucket of a native (sparse) histogram as the HTTP API
// lists it: [rule, lower, upper, count].
type NativeBucket struct {
	Rule         BoundaryRule
	Lower, Upper float64
	Count        float64 // observations in this bucket (not cumulative)
}

// NativeHistogram is one native histogram sample: Count includes NaN
// observations, which are in no bucket. The HTTP API lists only buckets with
// observations, in ascending order.
type NativeHistogram struct {
	Count   float64
	Sum     float64
	Buckets []NativeBucket
}

// sortedBuckets returns the buckets in ascending order (a copy, sorted by
// lower then upper bound, in case they did not come that way) and whether
// there are negative and positive buckets besides a zero bucket.
func (h NativeHistogram) sortedBuckets() (bs []NativeBucket, neg, pos bool) {
	bs = slices.Clone(h.Buckets)
	slices.SortStableFunc(bs, func(x, y NativeBucket) int {
		return cmp.Or(cmp.Compare(x.Lower, y.Lower), cmp.Compare(x.Upper, y.Upper))
	})
	for _, b := range bs {
		switch {
		case b.Lower < 0 && b.Upper > 0: // the zero bucket
		case b.Upper <= 0:
			neg = true
		case b.Lower >= 0:
			pos = true
		}
	}
	return bs, neg, pos
}

// zeroBucketBounds narrows the zero bucket as Prometheus does: to [0, upper]
// when there are only positive buckets, to [lower, 0] when only negative.
func zeroBucketBounds(b NativeBucket, neg, pos bool) NativeBucket {
	if b.Lower < 0 && b.Upper > 0 {
		switch {
		case !neg && pos:
			b.Lower = 0
		case !pos && neg:
			b.Upper = 0
		}
	}
	return b
}

// NativeQuantile estimates quantile q of a native histogram as
// histogram_quantile of Prometheus 2.42 does: rank = q·Count; walk the
// buckets upwards until the cumulative count reaches the rank; interpolate
// linearly inside that bucket. Edge rules:
//   - the zero bucket counts from 0 when there are only positive buckets
//     (and up to 0 when only negative ones);
//   - if the buckets never reach the rank (NaN observations are in Count
//     but in no bucket), Value is the highest bucket's upper bound, and the
//     bounds are [that, +Inf];
//   - NaN for NaN q and for Count = 0; −Inf for q < 0, +Inf for q > 1.
//
// Buckets are taken as listed (the API omits empty ones); "only positive
// buckets" is judged from the listed ones. Value is clamped into its bucket
// like Classic.Quantile's. Releases after 2.42 walk downwards for q ≥ 0.5
// (prometheus/prometheus#12525; this can pick the neighbouring bucket when
// the rank falls exactly on a bucket edge) and interpolate exponentially
// inside exponential buckets (#14677); the bounds returned here hold under
// every method.
func NativeQuantile(q float64, h NativeHistogram) Estimate {
	if q < 0 || q > 1 {
		e, _ := outOfRange(q)
		return e
	}
	if h.Count == 0 || q != q {
		return nanEstimate()
	}
	bs, neg, pos := h.sortedBuckets()
	var (
		b     NativeBucket
		count float64
		rank  = q * h.Count
	)
	for _, x := range bs {
		b = x
		count += b.Count
		if count >= rank {
			break
		}
	}
	b = zeroBucketBounds(b, neg, pos)
	count = min(count, h.Count)
	if count < rank {
		return Estimate{b.Upper, b.Upper, math.Inf(1)}
	}
	rank -= count - b.Count
	v := b.Lower + (b.Upper-b.Lower)*(rank/b.Count)
	return Estimate{within(v, b.Lower, b.Upper), b.Lower, b.Upper}
}

// NativeCDF returns one step per bucket, ascending: Count sums the buckets
// up to this one and Fraction divides it by the sum over all buckets (NaN
// observations, in Count but in no bucket, are left out, so the last step is
// 1). A step's F is reached at Upper when the bucket includes its upper
// bound (rules 0 and 3), else just below it. The zero bucket is narrowed as
// for NativeQuantile. Nil when the buckets hold no observations.
func NativeCDF(h NativeHistogram) []Step {
	bs, neg, pos := h.sortedBuckets()
	total := 0.0
	for _, b := range bs {
		total += b.Count
	}
	if !(total > 0) {
		return nil
	}
	steps := make([]Step, len(bs))
	cum := 0.0
	for i, b := range bs {
		b = zeroBucketBounds(b, neg, pos)
		cum += b.Count
		steps[i] = Step{
			Lower: b.Lower, Upper: b.Upper, Count: cum, Fraction: cum / total,
			UpperIncluded: b.Rule == OpenLeft || b.Rule == ClosedBoth,
		}
	}
	return steps
}
