package latency

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// tunings force every path of the engine: the defaults, and settings that
// recurse deeply on small inputs (tiny sort threshold, few bins per level).
var tunings = []tuning{
	{"default", sortBelow, minLogBins, maxLogBins, sampleAbove, sampleSize},
	{"deep", 2, 1, 2, 1 << 40, sampleSize},
	{"shallow-bins", 8, 3, 4, 1 << 40, sampleSize},
	{"sampled", 8, 3, 6, 16, 40},
	{"sampled-deep", 2, 1, 2, 4, 20},
}

type tuning struct {
	name                      string
	sortBelow, minLog, maxLog int
	sampleAbove, sampleSize   int
}

func withTuning(t testing.TB, tu tuning) {
	old := tuning{"", sortBelow, minLogBins, maxLogBins, sampleAbove, sampleSize}
	set := func(tu tuning) {
		sortBelow, minLogBins, maxLogBins, sampleAbove, sampleSize = tu.sortBelow, tu.minLog, tu.maxLog, tu.sampleAbove, tu.sampleSize
	}
	set(tu)
	t.Cleanup(func() { set(old) })
}

var generators = []struct {
	name string
	gen  func(*rand.Rand, int) []float64
}{
	{"latencies", makeLatencies},
	{"millis", makeMillis},
	{"nasty", makeNasty},
	{"all-equal", func(_ *rand.Rand, n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = 0.25
		}
		return s
	}},
	{"one-outlier", func(r *rand.Rand, n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = 1
		}
		s[r.IntN(n)] = 1e9
		return s
	}},
	{"zeros-signed", func(r *rand.Rand, n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			if r.IntN(2) == 0 {
				s[i] = math.Copysign(0, -1)
			}
		}
		return s
	}},
}

// TestSelectRanksMatchesSort checks the engine against sorting: every
// order statistic it returns, and every "≤" count, equals the sorted answer.
func TestSelectRanksMatchesSort(t *testing.T) {
	sizes := []int{1, 2, 3, 10, 200, 1000, 5000, 70000}
	for _, tu := range tunings {
		for _, g := range generators {
			for _, n := range sizes {
				t.Run(fmt.Sprintf("%s/%s/n=%d", tu.name, g.name, n), func(t *testing.T) {
					withTuning(t, tu)
					seed := uint64(n)*7919 + uint64(len(g.name))
					r := newRand(seed)
					data := g.gen(r, n)
					orig := slices.Clone(data)
					ref := sortedNonNaN(data)
					var w Workspace
					n, ranks, vals, le := w.selectRanks(data, func(n int) []int {
						// all ranks when small, else a random set plus the ends
						var ranks []int
						if n <= 1000 {
							for i := range n {
								ranks = append(ranks, i)
							}
							return ranks
						}
						ranks = append(ranks, 0, n-1)
						for range 300 {
							ranks = append(ranks, r.IntN(n))
						}
						return sortedUnique(ranks)
					})
					if n != len(ref) {
						t.Fatalf("n = %d, want %d", n, len(ref))
					}
					for i, rk := range ranks {
						want := ref[rk]
						wantLE := upperBound(ref, rk, want)
						if vals[i] != want || le[i] != wantLE {
							t.Fatalf("seed %d rank %d: got (%v, %d), want (%v, %d)", seed, rk, vals[i], le[i], want, wantLE)
						}
					}
					if !slices.EqualFunc(data, orig, func(a, b float64) bool {
						return math.Float64bits(a) == math.Float64bits(b)
					}) {
						t.Fatal("input was modified")
					}
				})
			}
		}
	}
}

// TestWorkspaceReuse runs calls of very different sizes through one
// workspace: results must not depend on what the buffers held before.
func TestWorkspaceReuse(t *testing.T) {
	var w Workspace
	r := newRand(42)
	for _, n := range []int{50000, 10, 300000, 999, 2, 120000} {
		data := makeLatencies(r, n)
		if n%2 == 0 {
			data[r.IntN(n)] = math.NaN()
		}
		ref := sortedNonNaN(data)
		qs := []float64{0, 0.5, 0.9, 0.99, 0.999, 1}
		got, err := w.Quantiles(data, qs)
		if err != nil {
			t.Fatal(err)
		}
		for i, q := range qs {
			if want := QuantileSorted(ref, q); got[i] != want {
				t.Fatalf("n=%d q=%v: got %v, want %v", n, q, got[i], want)
			}
		}
	}
}

func TestOrderKey(t *testing.T) {
	vals := []float64{math.Inf(-1), -math.MaxFloat64, -1, -5e-324, 0, 5e-324, 1, math.MaxFloat64, math.Inf(1)}
	for i := 1; i < len(vals); i++ {
		if orderKey(vals[i-1]) >= orderKey(vals[i]) {
			t.Errorf("key(%v) >= key(%v)", vals[i-1], vals[i])
		}
	}
	if orderKey(math.Copysign(0, -1)) != orderKey(0) {
		t.Error("-0 and +0 must share a key")
	}
}
