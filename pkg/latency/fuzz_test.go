package latency

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

// Fuzz targets. Short runs: go test -run=^$ -fuzz=FuzzQuantiles -fuzztime=30s ./pkg/latency/
// (likewise FuzzHistogramQuantile); longer runs are described in docs/performance.md.

// floatsFrom decodes fuzz bytes into durations. The first byte picks a
// mode: raw float64 bits (every NaN, infinity and subnormal), or small
// integers (many ties, which is where selection bugs hide).
func floatsFrom(b []byte) []float64 {
	if len(b) == 0 {
		return nil
	}
	mode, b := b[0], b[1:]
	var out []float64
	if mode%2 == 0 {
		for ; len(b) >= 8; b = b[8:] {
			out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		}
		return out
	}
	for _, c := range b {
		out = append(out, float64(c%16)*0.5)
	}
	return out
}

func FuzzQuantiles(f *testing.F) {
	f.Add([]byte{1, 3, 1, 4, 1, 5, 9, 2, 6}, 0.5, 0.99, uint8(0))
	f.Add([]byte{1, 7, 7, 7, 7}, 0.0, 1.0, uint8(1))
	f.Add(append([]byte{0}, make([]byte, 64)...), 0.25, 0.75, uint8(2))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 1, 0, 0, 0, 0, 0, 0xf0, 0x3f}, 0.3, 0.6, uint8(3))
	f.Fuzz(func(t *testing.T, raw []byte, q1, q2 float64, tune uint8) {
		withTuning(t, tunings[int(tune)%len(tunings)])
		data := floatsFrom(raw)
		orig := slices.Clone(data)
		qs := []float64{q1, q2, 0, 0.5, 1}
		got, err := Quantiles(data, qs)
		sorted := sortedNonNaN(data)
		switch {
		case checkQuantiles(qs) != nil:
			if err == nil {
				t.Fatalf("q %v, %v accepted", q1, q2)
			}
			return
		case len(sorted) == 0:
			if err == nil {
				t.Fatal("no error for no values")
			}
			return
		case err != nil:
			t.Fatal(err)
		}
		lo, hi := sorted[0], sorted[len(sorted)-1]
		for i, q := range qs {
			if want := QuantileSorted(sorted, q); got[i] != want {
				t.Fatalf("q=%v: %v, sorting gives %v", q, got[i], want)
			}
			if !(lo <= got[i] && got[i] <= hi) {
				t.Fatalf("q=%v: %v outside [%v, %v]", q, got[i], lo, hi)
			}
		}
		if (q1 <= q2) != (got[0] <= got[1]) && got[0] != got[1] {
			t.Fatalf("not monotone: Q(%v)=%v, Q(%v)=%v", q1, got[0], q2, got[1])
		}
		if !slices.EqualFunc(data, orig, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
			t.Fatal("input modified")
		}
		full, _ := FullCDF(data)
		levels, err := CDFAtLevels(data, 1+int(tune)%40)
		if err != nil {
			t.Fatal(err)
		}
		checkCDFLevels(t, full, levels, 1+int(tune)%40)
	})
}

// bucketsFrom decodes fuzz bytes into classic buckets: in one mode raw
// float64 pairs (anything at all), in the other small ascending bounds with
// counts that may decrease (to exercise the monotonicity fix-up) and an
// optional +Inf bucket.
func bucketsFrom(b []byte) (bs []Bucket, valid bool) {
	if len(b) == 0 {
		return nil, false
	}
	mode, b := b[0], b[1:]
	if mode%2 == 0 {
		for ; len(b) >= 16; b = b[16:] {
			bs = append(bs, Bucket{
				UpperBound: math.Float64frombits(binary.LittleEndian.Uint64(b)),
				Count:      math.Float64frombits(binary.LittleEndian.Uint64(b[8:])),
			})
		}
		valid = true
		for _, x := range bs {
			if math.IsNaN(x.UpperBound) || !(x.Count >= 0) || math.IsInf(x.Count, 0) || math.IsInf(x.UpperBound, -1) {
				valid = false
			}
		}
		return bs, valid
	}
	le := -1.0
	for ; len(b) >= 2; b = b[2:] {
		le += float64(b[0]%8) * 0.25
		if b[0] == 255 {
			le = math.Inf(1)
		}
		bs = append(bs, Bucket{UpperBound: le, Count: float64(b[1])})
	}
	if mode%4 == 1 {
		bs = append(bs, Bucket{UpperBound: math.Inf(1), Count: 300})
	}
	return bs, true
}

// nativeFrom decodes fuzz bytes into a native histogram with ascending,
// non-overlapping buckets around an optional zero bucket.
func nativeFrom(b []byte) NativeHistogram {
	var h NativeHistogram
	x := -4.0
	for ; len(b) >= 3; b = b[3:] {
		lo := x + float64(b[0]%4)*0.5
		hi := lo + 0.25 + float64(b[1]%8)*0.25
		rule := BoundaryRule(b[2] % 4)
		if lo < 0 && hi > 0 {
			rule = ClosedBoth
		}
		h.Buckets = append(h.Buckets, NativeBucket{rule, lo, hi, float64(b[2] / 4)})
		h.Count += float64(b[2] / 4)
		x = hi
	}
	if len(b) > 0 {
		h.Count += float64(b[0] % 3) // NaN observations
	}
	return h
}

func FuzzHistogramQuantile(f *testing.F) {
	f.Add([]byte{1, 0, 6, 2, 11, 2, 14, 255, 19}, 0.5, 0.9)
	f.Add([]byte{3, 4, 10, 4, 5, 4, 15}, 0.6, 0.2)
	f.Add([]byte{0}, 0.5, 0.5)
	f.Add([]byte{1, 8, 8, 2, 0, 4, 255, 255}, 0.0, 1.0)
	f.Fuzz(func(t *testing.T, raw []byte, q1, q2 float64) {
		if q1 > q2 {
			q1, q2 = q2, q1
		}
		bs, valid := bucketsFrom(raw)
		c := NewClassic(bs)
		e1, e2 := c.Quantile(q1), c.Quantile(q2)
		steps := c.CDF()
		if valid {
			checkEstimates(t, "classic", q1, q2, e1, e2)
			checkSteps(t, "classic", steps)
		}
		h := nativeFrom(raw)
		n1, n2 := NativeQuantile(q1, h), NativeQuantile(q2, h)
		checkEstimates(t, "native", q1, q2, n1, n2)
		checkSteps(t, "native", NativeCDF(h))
	})
}

// checkEstimates: each estimate lies in its bounds, and estimates do not
// decrease with q (NaN results are exempt: Prometheus answers NaN for q = 0
// on an empty lowest bucket, for instance).
func checkEstimates(t *testing.T, kind string, q1, q2 float64, e1, e2 Estimate) {
	t.Helper()
	for _, e := range []Estimate{e1, e2} {
		if !math.IsNaN(e.Value) && !(e.Lower <= e.Value && e.Value <= e.Upper) {
			t.Fatalf("%s: estimate %+v outside its bounds", kind, e)
		}
	}
	if q1 <= q2 && !math.IsNaN(e1.Value) && !math.IsNaN(e2.Value) && e1.Value > e2.Value {
		t.Fatalf("%s: not monotone: q=%v → %v, q=%v → %v", kind, q1, e1.Value, q2, e2.Value)
	}
}

func checkSteps(t *testing.T, kind string, steps []Step) {
	t.Helper()
	for i, s := range steps {
		if !(s.Fraction >= 0 && s.Fraction <= 1) {
			t.Fatalf("%s: step %d fraction %v", kind, i, s.Fraction)
		}
		if i > 0 && s.Fraction < steps[i-1].Fraction {
			t.Fatalf("%s: fractions decrease at step %d", kind, i)
		}
		if !(s.Lower <= s.Upper) {
			t.Fatalf("%s: step %d bounds [%v, %v]", kind, i, s.Lower, s.Upper)
		}
	}
	if n := len(steps); n > 0 && steps[n-1].Fraction != 1 {
		t.Fatalf("%s: last fraction %v", kind, steps[n-1].Fraction)
	}
}
