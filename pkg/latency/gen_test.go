package latency

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Seeded generators for the tests and benchmarks. Every generator takes its
// own *rand.Rand so that a failing case can be replayed from its seed.

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x1a7e0c)) }

// makeLatencies draws n durations in seconds: a log-normal body (median
// 40 ms, σ = 0.6) and a 2 % slow tail (Pareto, α = 1.5, from 300 ms).
func makeLatencies(r *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		if r.Float64() < 0.02 {
			s[i] = 0.3 / math.Pow(1-r.Float64(), 1/1.5)
		} else {
			s[i] = 0.040 * math.Exp(0.6*r.NormFloat64())
		}
	}
	return s
}

// makeMillis draws n durations rounded to whole milliseconds: heavy ties.
func makeMillis(r *rand.Rand, n int) []float64 {
	s := makeLatencies(r, n)
	for i := range s {
		s[i] = math.Round(s[i] * 1000)
	}
	return s
}

// makeNasty mixes everything the engine must survive: NaN, ±0, ±Inf,
// negatives, subnormals, huge values and long runs of one value.
func makeNasty(r *rand.Rand, n int) []float64 {
	pool := []float64{math.NaN(), 0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1),
		-1, 1, 5e-324, -5e-324, math.MaxFloat64, -math.MaxFloat64, 1e-300, 1e300, 0.1, 0.1}
	s := make([]float64, n)
	for i := range s {
		switch r.IntN(4) {
		case 0:
			s[i] = pool[r.IntN(len(pool))]
		case 1:
			s[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
		case 2:
			s[i] = float64(r.IntN(8))
		default:
			s[i] = math.Float64frombits(r.Uint64())
		}
	}
	return s
}

// sortedFinite returns the non-NaN values of s, sorted, in a new slice.
func sortedNonNaN(s []float64) []float64 {
	out := make([]float64, 0, len(s))
	for _, x := range s {
		if !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}
