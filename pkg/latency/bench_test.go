package latency

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// The percentile benchmark of issue 3: exact p50/p90/p99 and a 1024-level CDF
// of 10M durations, against what the same answers cost by sorting a copy.
// Identity of the answers is asserted by TestBenchmarkAnswersMatchSort, not here.

const (
	benchN      = 10_000_000
	benchLevels = 1024
)

var benchQs = []float64{0.5, 0.9, 0.99}

var benchData = sync.OnceValues(func() ([]float64, []float64) {
	r := newRand(2026)
	return makeLatencies(r, benchN), makeMillis(r, benchN)
})

// bySort computes the benchmark's answers the way one would without this
// package: copy, slices.Sort, read off.
func bySort(data []float64, qs []float64, k int) Exact {
	s := slices.Clone(data)
	slices.Sort(s)
	res := Exact{N: len(s), Min: s[0], Max: s[len(s)-1], Quantiles: make([]float64, len(qs))}
	for i, q := range qs {
		res.Quantiles[i] = QuantileSorted(s, q)
	}
	res.CDF = CDF{N: len(s)}
	for _, r := range levelRanks(nil, len(s), k) {
		v := s[r]
		if n := len(res.CDF.Values); n > 0 && res.CDF.Values[n-1] == v {
			continue
		}
		res.CDF.Values = append(res.CDF.Values, v)
		res.CDF.Counts = append(res.CDF.Counts, upperBound(s, r, v))
	}
	return res
}

func benchInputs(b *testing.B) []struct {
	name string
	data []float64
} {
	lat, ms := benchData()
	return []struct {
		name string
		data []float64
	}{{"lognormal+tail", lat}, {"whole-ms", ms}}
}

// BenchmarkPercentiles10M times each method alone.
func BenchmarkPercentiles10M(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.name+"/select", func(b *testing.B) {
			var w Workspace
			for b.Loop() {
				if _, err := w.Analyze(in.data, benchQs, benchLevels); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchN, "ns/value")
		})
		b.Run(in.name+"/sort", func(b *testing.B) {
			for b.Loop() {
				bySort(in.data, benchQs, benchLevels)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchN, "ns/value")
		})
	}
}

// BenchmarkPercentilesRatio10M runs both methods alternately in each
// iteration, so that noise from other processes hits both alike, and reports
// selection time / sort time.
func BenchmarkPercentilesRatio10M(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			var w Workspace
			var sel, srt time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := w.Analyze(in.data, benchQs, benchLevels); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				bySort(in.data, benchQs, benchLevels)
				t2 := time.Now()
				sel += t1.Sub(t0)
				srt += t2.Sub(t1)
			}
			n := float64(b.N)
			b.ReportMetric(float64(sel.Milliseconds())/n, "select-ms")
			b.ReportMetric(float64(srt.Milliseconds())/n, "sort-ms")
			b.ReportMetric(float64(sel)/float64(srt), "ratio")
		})
	}
}
