package latency

import (
	"math"
	"testing"
)

var inf = math.Inf(1)

// sameFloat treats NaN as equal to NaN and compares others within 1e-12
// relative, since expected values below are worked out by hand.
func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

func sameEstimate(a, b Estimate) bool {
	return sameFloat(a.Value, b.Value) && sameFloat(a.Lower, b.Lower) && sameFloat(a.Upper, b.Upper)
}

func classic(pairs ...float64) []Bucket {
	var b []Bucket
	for i := 0; i+1 < len(pairs); i += 2 {
		b = append(b, Bucket{UpperBound: pairs[i], Count: pairs[i+1]})
	}
	return b
}

// The expected values follow histogram_quantile's algorithm step by step
// (rank = q·N; first bucket whose count reaches it; linear interpolation);
// each case notes the arithmetic.
func TestBucketQuantile(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name    string
		buckets []Bucket
		q       float64
		want    Estimate
	}{
		// le=0:6, 0.5:11, 1:14, +Inf:19 (the example ClickHouse documents as
		// matching PromQL): rank 9.5 is in (0, 0.5]: 0 + 0.5·(3.5/5).
		{"interpolated", classic(0, 6, 0.5, 11, 1, 14, inf, 19), 0.5, Estimate{0.35, 0, 0.5}},
		{"interpolated higher", classic(0, 6, 0.5, 11, 1, 14, inf, 19), 0.7, Estimate{0.5 + 0.5*(2.3/3), 0.5, 1}},
		// rank 3.8 in the lowest bucket, whose bound is ≤ 0: that bound.
		{"lowest bucket non-positive", classic(0, 6, 0.5, 11, 1, 14, inf, 19), 0.2, Estimate{0, math.Inf(-1), 0}},
		// rank 17.1 only in +Inf: the highest finite bound.
		{"in the +Inf bucket", classic(0, 6, 0.5, 11, 1, 14, inf, 19), 0.9, Estimate{1, 1, inf}},
		{"lowest bucket from 0", classic(0.1, 50, 0.2, 70, inf, 100), 0.5, Estimate{0.1, 0, 0.1}},
		{"second bucket", classic(0.1, 50, 0.2, 70, inf, 100), 0.6, Estimate{0.15, 0.1, 0.2}},
		{"q = 0", classic(0.1, 50, 0.2, 70, inf, 100), 0, Estimate{0, 0, 0.1}},
		{"q = 1", classic(0.1, 50, 0.2, 70, inf, 100), 1, Estimate{0.2, 0.2, inf}},
		// empty lowest bucket and q = 0: 0/0, NaN as in Prometheus.
		{"q = 0, empty lowest bucket", classic(1, 0, 2, 5, inf, 5), 0, Estimate{nan, 0, 1}},
		{"unsorted input", classic(inf, 20, 1, 10), 0.5, Estimate{1, 0, 1}},
		// equal bounds are merged: le=1 holds 4+6 = 10; rank 5: 1·(5/10).
		{"duplicate bounds merged", classic(1, 4, 1, 6, inf, 20), 0.25, Estimate{0.5, 0, 1}},
		// 1:2, 2:1, +Inf:3 is raised to 2, 2, 3; rank 1.5: 1·(1.5/2).
		{"non-monotonic fixed up", classic(1, 2, 2, 1, inf, 3), 0.5, Estimate{0.75, 0, 1}},
		// 1:10, 2:5, 3:15, +Inf:20 → 10, 10, 15, 20; rank 12 in (2, 3]: 2 + 1·(2/5).
		{"non-monotonic, later bucket", classic(1, 10, 2, 5, 3, 15, inf, 20), 0.6, Estimate{2.4, 2, 3}},
		{"negative lowest bound", classic(-1, 5, 1, 10, inf, 10), 0.4, Estimate{-1, math.Inf(-1), -1}},
		{"fractional counts (rates)", classic(0.25, 0.5, 1, 1.5, inf, 2), 0.5, Estimate{0.25 + 0.75*(0.5/1), 0.25, 1}},
		{"no +Inf bucket", classic(1, 5, 2, 10), 0.5, Estimate{nan, nan, nan}},
		{"only +Inf", classic(inf, 10), 0.5, Estimate{nan, nan, nan}},
		{"no observations", classic(1, 0, inf, 0), 0.5, Estimate{nan, nan, nan}},
		{"no buckets", nil, 0.5, Estimate{nan, nan, nan}},
		{"q < 0", classic(1, 5, inf, 10), -0.1, Estimate{math.Inf(-1), math.Inf(-1), math.Inf(-1)}},
		{"q > 1", classic(1, 5, inf, 10), 1.1, Estimate{inf, inf, inf}},
		{"q NaN", classic(1, 5, inf, 10), nan, Estimate{nan, nan, nan}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]Bucket(nil), tc.buckets...)
			got := BucketQuantile(tc.q, tc.buckets)
			if !sameEstimate(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range in {
				if in[i] != tc.buckets[i] {
					t.Fatal("input modified")
				}
			}
		})
	}
}

func TestClassicForcedAndCDF(t *testing.T) {
	c := NewClassic(classic(1, 10, 2, 5, 3, 15, inf, 20))
	if !c.Forced {
		t.Error("Forced = false for decreasing counts")
	}
	if NewClassic(classic(1, 10, inf, 20)).Forced {
		t.Error("Forced = true for monotone counts")
	}
	tests := []struct {
		name    string
		buckets []Bucket
		want    []Step
	}{
		{"positive bounds", classic(0.1, 50, 0.2, 70, inf, 100), []Step{
			{0, 0.1, 50, 0.5, true}, {0.1, 0.2, 70, 0.7, true}, {0.2, inf, 100, 1, true},
		}},
		{"fixed up", classic(1, 10, 2, 5, inf, 20), []Step{
			{0, 1, 10, 0.5, true}, {1, 2, 10, 0.5, true}, {2, inf, 20, 1, true},
		}},
		{"non-positive lowest bound", classic(0, 5, inf, 10), []Step{
			{math.Inf(-1), 0, 5, 0.5, true}, {0, inf, 10, 1, true},
		}},
		{"invalid", classic(1, 5), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := NewClassic(tc.buckets).CDF()
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("step %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func native(count float64, bs ...NativeBucket) NativeHistogram {
	return NativeHistogram{Count: count, Buckets: bs}
}

func TestNativeQuantile(t *testing.T) {
	nan := math.NaN()
	zero := NativeBucket{ClosedBoth, -0.001, 0.001, 2}
	b12 := NativeBucket{OpenLeft, 1, 2, 4}
	b24 := NativeBucket{OpenLeft, 2, 4, 4}
	tests := []struct {
		name string
		h    NativeHistogram
		q    float64
		want Estimate
	}{
		// cumulative 2, 6, 10; rank 5 is in (1, 2]: 1 + 1·((5−2)/4).
		{"interpolated", native(10, zero, b12, b24), 0.5, Estimate{1.75, 1, 2}},
		// rank 1 in the zero bucket; only positive buckets, so it starts at 0: 0.001·(1/2).
		{"zero bucket from 0", native(10, zero, b12, b24), 0.1, Estimate{0.0005, 0, 0.001}},
		{"q = 1", native(10, zero, b12, b24), 1, Estimate{4, 2, 4}},
		{"unsorted input", native(10, b24, zero, b12), 0.5, Estimate{1.75, 1, 2}},
		// 2 NaN observations: Count 12, buckets 10; rank 11.4 is never reached.
		{"NaN observations", native(12, zero, b12, b24), 0.95, Estimate{4, 4, inf}},
		// only negative buckets: the zero bucket ends at 0; rank 5 = all: −0.001 + 0.001·(1/1).
		{"zero bucket up to 0", native(5,
			NativeBucket{OpenRight, -4, -2, 3}, NativeBucket{OpenRight, -2, -1, 1},
			NativeBucket{ClosedBoth, -0.001, 0.001, 1}), 1, Estimate{0, -0.001, 0}},
		// negative and positive buckets: the zero bucket keeps both bounds.
		{"zero bucket both sides", native(4,
			NativeBucket{OpenRight, -2, -1, 1}, NativeBucket{ClosedBoth, -0.5, 0.5, 2},
			NativeBucket{OpenLeft, 1, 2, 1}), 0.5, Estimate{0, -0.5, 0.5}},
		{"no observations", native(0, zero), 0.5, Estimate{nan, nan, nan}},
		{"q < 0", native(10, zero, b12), -1, Estimate{math.Inf(-1), math.Inf(-1), math.Inf(-1)}},
		{"q > 1", native(10, zero, b12), 2, Estimate{inf, inf, inf}},
		{"q NaN", native(10, zero, b12), nan, Estimate{nan, nan, nan}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NativeQuantile(tc.q, tc.h); !sameEstimate(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestNativeCDF(t *testing.T) {
	tests := []struct {
		name string
		h    NativeHistogram
		want []Step
	}{
		{"positive", native(10,
			NativeBucket{ClosedBoth, -0.001, 0.001, 2}, NativeBucket{OpenLeft, 1, 2, 4}, NativeBucket{OpenLeft, 2, 4, 4}),
			[]Step{{0, 0.001, 2, 0.2, true}, {1, 2, 6, 0.6, true}, {2, 4, 10, 1, true}}},
		// NaN observations are in Count but in no bucket: fractions are of the buckets' 4.
		{"right-open buckets, NaN observations", native(6,
			NativeBucket{OpenRight, 1, 2, 1}, NativeBucket{OpenBoth, 2, 3, 3}),
			[]Step{{1, 2, 1, 0.25, false}, {2, 3, 4, 1, false}}},
		{"empty", native(3), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := NativeCDF(tc.h)
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("step %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestBucketQuantileAgainstRawData builds le buckets from seeded latencies
// and checks that the exact quantile lies inside the returned bucket bounds.
func TestBucketQuantileAgainstRawData(t *testing.T) {
	bounds := []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, inf}
	r := newRand(7)
	data := makeLatencies(r, 100000)
	buckets := make([]Bucket, len(bounds))
	for i, le := range bounds {
		buckets[i].UpperBound = le
		for _, x := range data {
			if x <= le {
				buckets[i].Count++
			}
		}
	}
	c := NewClassic(buckets)
	for _, q := range []float64{0.01, 0.5, 0.9, 0.95, 0.99, 0.999} {
		// the observation of rank ⌈qN⌉ is the one the bucket search finds
		exact, err := Quantiles(data, []float64{q})
		if err != nil {
			t.Fatal(err)
		}
		sorted := sortedNonNaN(data)
		obs := sorted[int(math.Ceil(q*float64(len(sorted))))-1]
		e := c.Quantile(q)
		if !(e.Lower <= obs && obs <= e.Upper) {
			t.Errorf("q=%v: observation %v not in [%v, %v]", q, obs, e.Lower, e.Upper)
		}
		if !(e.Lower <= e.Value && e.Value <= e.Upper) {
			t.Errorf("q=%v: estimate %v not in its bounds", q, e.Value)
		}
		t.Logf("q=%v exact(type 7) %.4f estimate %.4f in [%v, %v]", q, exact[0], e.Value, e.Lower, e.Upper)
	}
}
