package latency

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestFullCDF(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		in   []float64
		want CDF
	}{
		{"single", []float64{3}, CDF{Values: []float64{3}, Counts: []int{1}, N: 1}},
		{"ties", []float64{2, 1, 2, 2, 5}, CDF{Values: []float64{1, 2, 5}, Counts: []int{1, 4, 5}, N: 5}},
		{"nan skipped", []float64{nan, 1, nan, 3}, CDF{Values: []float64{1, 3}, Counts: []int{1, 2}, N: 2}},
		{"signed zeros are one value", []float64{0, math.Copysign(0, -1)}, CDF{Values: []float64{0}, Counts: []int{2}, N: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FullCDF(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Values, tc.want.Values) || !slices.Equal(got.Counts, tc.want.Counts) || got.N != tc.want.N {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, err := FullCDF([]float64{nan}); !errors.Is(err, ErrEmpty) {
		t.Fatalf("only NaN: err = %v, want ErrEmpty", err)
	}
}

func TestCDFAtLevels(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		k    int
		want CDF
	}{
		// n = 4, k = 4: levels 1/4..4/4 hit ranks 0,1,2,3 — the full CDF.
		{"k equals n", []float64{40, 10, 30, 20}, 4,
			CDF{Values: []float64{10, 20, 30, 40}, Counts: []int{1, 2, 3, 4}, N: 4}},
		// n = 10, k = 2: the minimum, the median crossing (rank ⌈5⌉−1 = 4) and the maximum.
		{"two levels", []float64{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 2,
			CDF{Values: []float64{0, 4, 9}, Counts: []int{1, 5, 10}, N: 10}},
		// ties merge points and report the true count ≤ value.
		{"ties", []float64{1, 1, 1, 1, 2}, 4,
			CDF{Values: []float64{1, 2}, Counts: []int{4, 5}, N: 5}},
		{"more levels than values", []float64{2, 1}, 100,
			CDF{Values: []float64{1, 2}, Counts: []int{1, 2}, N: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CDFAtLevels(tc.in, tc.k)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Values, tc.want.Values) || !slices.Equal(got.Counts, tc.want.Counts) || got.N != tc.want.N {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, k := range []int{0, -1} {
		if _, err := CDFAtLevels([]float64{1}, k); !errors.Is(err, ErrInvalid) {
			t.Errorf("k=%d: err = %v, want ErrInvalid", k, err)
		}
	}
}

// TestCDFMatchesSort: every point CDFAtLevels returns is a jump of the full
// CDF with the same count, and every level's crossing is among them; CDFAt
// equals counting on the sorted values.
func TestCDFMatchesSort(t *testing.T) {
	for _, tu := range tunings {
		for _, g := range generators {
			for _, n := range []int{1, 2, 7, 300, 4000, 60000} {
				for _, k := range []int{1, 3, 64, 1024} {
					t.Run(fmt.Sprintf("%s/%s/n=%d/k=%d", tu.name, g.name, n, k), func(t *testing.T) {
						withTuning(t, tu)
						seed := uint64(n*31 + k)
						r := newRand(seed)
						data := g.gen(r, n)
						full, err := FullCDF(data)
						if errors.Is(err, ErrEmpty) {
							return
						}
						got, err := CDFAtLevels(data, k)
						if err != nil {
							t.Fatal(err)
						}
						checkCDFLevels(t, full, got, k)

						// CDFAt at the data, between data and outside it.
						ts := []float64{math.Inf(-1), math.Inf(1), -1e308, 1e308}
						for range 20 {
							ts = append(ts, full.Values[r.IntN(full.Len())])
							ts = append(ts, full.Values[r.IntN(full.Len())]*1.0001)
						}
						fr, err := CDFAt(data, ts)
						if err != nil {
							t.Fatal(err)
						}
						sorted := sortedNonNaN(data)
						for i, x := range ts {
							want := float64(upperBound(sorted, 0, x)) / float64(len(sorted))
							if fr[i] != want {
								t.Fatalf("seed %d: F(%v) = %v, want %v", seed, x, fr[i], want)
							}
						}
					})
				}
			}
		}
	}
}

// checkCDFLevels verifies a CDFAtLevels answer against the full CDF.
func checkCDFLevels(t *testing.T, full, got CDF, k int) {
	t.Helper()
	if got.N != full.N {
		t.Fatalf("N = %d, want %d", got.N, full.N)
	}
	at := make(map[float64]int, full.Len())
	for i, v := range full.Values {
		at[v] = full.Counts[i]
	}
	for i, v := range got.Values {
		if c, ok := at[v]; !ok || c != got.Counts[i] {
			t.Fatalf("point (%v, %d) is not a jump of the full CDF (count there %d, %v)", v, got.Counts[i], c, ok)
		}
		if i > 0 && !(got.Values[i-1] < v) {
			t.Fatalf("values not strictly ascending at %d", i)
		}
	}
	if got.Values[0] != full.Values[0] || got.Values[got.Len()-1] != full.Values[full.Len()-1] {
		t.Fatal("minimum or maximum missing")
	}
	for i := 1; i <= k; i++ {
		p := float64(i) / float64(k)
		// smallest full-CDF value with count ≥ p·N (integers: count·k ≥ i·N)
		j := slices.IndexFunc(full.Counts, func(c int) bool { return int64(c)*int64(k) >= int64(i)*int64(full.N) })
		if !slices.Contains(got.Values, full.Values[j]) {
			t.Fatalf("level %v: crossing value %v missing", p, full.Values[j])
		}
	}
}

func TestCDFAtRejects(t *testing.T) {
	if _, err := CDFAt([]float64{1}, []float64{math.NaN()}); !errors.Is(err, ErrInvalid) {
		t.Errorf("NaN point: err = %v", err)
	}
	if _, err := CDFAt(nil, []float64{1}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: err = %v", err)
	}
}
