package latency

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestQuantiles(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		in   []float64
		qs   []float64
		want []float64
	}{
		{"single value", []float64{7}, []float64{0, 0.5, 1}, []float64{7, 7, 7}},
		// n = 2: h = q, so Q(q) = x0 + (x1−x0)·q.
		{"two values", []float64{30, 10}, []float64{0, 0.25, 0.5, 1}, []float64{10, 15, 20, 30}},
		// numpy.quantile([1,2,3,4,5,6,7,8,9,10], [.5,.9,.99]) = 5.5, 9.1, 9.91
		{"numpy reference", []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, []float64{0.5, 0.9, 0.99},
			[]float64{5.5, 1 + 9*0.9, 1 + 9*0.99}},
		{"ties", []float64{1, 1, 1, 5}, []float64{0.5, 1}, []float64{1, 5}},
		{"all equal", []float64{2, 2, 2}, []float64{0, 0.3, 1}, []float64{2, 2, 2}},
		{"NaN skipped", []float64{nan, 4, nan, 2}, []float64{0.5}, []float64{3}},
		{"order of qs kept", []float64{1, 2, 3, 4, 5}, []float64{1, 0, 0.5}, []float64{5, 1, 3}},
		{"infinite neighbour", []float64{1, inf}, []float64{0, 0.5, 1}, []float64{1, inf, inf}},
		{"no quantiles", []float64{1}, nil, []float64{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Quantiles(tc.in, tc.qs)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, tc.want, sameFloat) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestQuantilesErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		qs   []float64
		want error
	}{
		{"empty", nil, []float64{0.5}, ErrEmpty},
		{"only NaN", []float64{math.NaN()}, []float64{0.5}, ErrEmpty},
		{"q above 1", []float64{1}, []float64{1.5}, ErrInvalid},
		{"q below 0", []float64{1}, []float64{-0.1}, ErrInvalid},
		{"q NaN", []float64{1}, []float64{math.NaN()}, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Quantiles(tc.in, tc.qs); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if _, err := Analyze(tc.in, tc.qs, 8); !errors.Is(err, tc.want) {
				t.Fatalf("Analyze: err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := Analyze([]float64{1}, nil, -1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative levels: err = %v", err)
	}
}

func TestInterpolate(t *testing.T) {
	tests := []struct {
		name    string
		a, b, w float64
		want    float64
	}{
		{"middle", 1, 3, 0.5, 2},
		{"weight 0", 1, 3, 0, 1},
		{"equal ends", 2, 2, 0.7, 2},
		{"overflowing difference", -math.MaxFloat64, math.MaxFloat64, 0.5, 0},
		{"lower −Inf", math.Inf(-1), 1, 0.5, math.Inf(-1)},
		{"upper +Inf", 1, inf, 0.5, inf},
		{"both infinite", math.Inf(-1), inf, 0.5, math.Inf(-1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := interpolate(tc.a, tc.b, tc.w); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestQuantilesMatchSort is the property test: on seeded data of every shape
// (log-normal body with a slow tail, whole-ms ties, NaN/±0/±Inf mixes, one
// value, all equal, n = 1, 2, …), Quantiles and Analyze equal
// QuantileSorted on the sorted values, bit for bit up to the sign of zero.
func TestQuantilesMatchSort(t *testing.T) {
	qs := []float64{0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1, 1.0 / 3}
	for _, tu := range tunings {
		for _, g := range generators {
			for _, n := range []int{1, 2, 3, 5, 100, 1001, 40000} {
				t.Run(fmt.Sprintf("%s/%s/n=%d", tu.name, g.name, n), func(t *testing.T) {
					withTuning(t, tu)
					seed := uint64(n) ^ 0x9e3779b97f4a7c15
					data := g.gen(newRand(seed), n)
					sorted := sortedNonNaN(data)
					got, err := Quantiles(data, qs)
					if len(sorted) == 0 {
						if !errors.Is(err, ErrEmpty) {
							t.Fatalf("err = %v, want ErrEmpty", err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					ex, err := Analyze(data, qs, 100)
					if err != nil {
						t.Fatal(err)
					}
					for i, q := range qs {
						want := QuantileSorted(sorted, q)
						if got[i] != want || ex.Quantiles[i] != want {
							t.Fatalf("seed %#x q=%v: Quantiles %v, Analyze %v, sort %v", seed, q, got[i], ex.Quantiles[i], want)
						}
					}
					if ex.N != len(sorted) || ex.Min != sorted[0] || ex.Max != sorted[len(sorted)-1] {
						t.Fatalf("N/Min/Max = %d/%v/%v, want %d/%v/%v", ex.N, ex.Min, ex.Max, len(sorted), sorted[0], sorted[len(sorted)-1])
					}
				})
			}
		}
	}
}
