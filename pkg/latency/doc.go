// Package latency is the latency maths behind the `latency` query: exact
// quantiles and CDFs of raw durations, Prometheus-compatible estimates from
// histogram buckets, and the request summary (count, mean, TPS, error rate, ρ).
//
// Everything here is pure: no I/O, no SDK, no goroutines, no globals that
// change. Inputs are never modified; functions that need scratch memory take
// it from a Workspace. The package-level functions use a fresh one per call
// and are safe for concurrent use; a Workspace serves one goroutine at a
// time and saves the allocations when called once per time window.
//
// # Raw durations
//
// Durations are float64 in whatever unit the caller uses; the results carry
// the same unit. NaN values are skipped (a NaN is "no measurement") and do not
// count towards N; ±Inf and negative values are ordinary values. An input with
// no non-NaN value is ErrEmpty.
//
// The quantile definition is the linear interpolation between order
// statistics that R calls type 7 and numpy calls "linear" (its default), the
// definition Prometheus' quantile and quantile_over_time use too: for the
// sorted values x[0] ≤ … ≤ x[n-1] and q in [0, 1],
//
//	h = (n-1)·q,  i = ⌊h⌋,  w = h − i
//	Q(q) = x[i]                      if w = 0
//	Q(q) = x[i] + (x[i+1] − x[i])·w  otherwise
//
// evaluated in float64 in that order (Prometheus evaluates x[i]·(1−w) +
// x[i+1]·w, which can differ in the last bit), clamped to [x[i], x[i+1]] so
// that rounding never breaks monotonicity in q. When x[i+1] − x[i]
// overflows, the same formula is evaluated on halves; an infinite neighbour
// gives that infinity (−Inf if x[i] is −Inf). QuantileSorted is this
// definition on sorted data; Quantiles finds the x[i] it needs by selection
// instead of sorting and returns bit for bit what QuantileSorted returns on
// the sorted values (up to the sign of a zero).
//
// The CDF is the empirical step function F(t) = #{values ≤ t} / N.
//
// # Histograms
//
// BucketQuantile and NativeQuantile reproduce histogram_quantile of
// Prometheus 2.42 for classic (`le`) and native histograms, and add the bounds
// of the bucket the quantile falls in: interpolation is a guess, the bucket is
// a fact.
package latency
