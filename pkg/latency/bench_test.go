package latency

import (
	"runtime"
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

func benchInputs(_ testing.TB) []struct {
	name string
	data []float64
} {
	lat, ms := benchData()
	return []struct {
		name string
		data []float64
	}{{"lognormal+tail", lat}, {"whole-ms", ms}}
}

// stopwatch measures wall time and, where available, the CPU time of the
// calling thread; callers lock their goroutine to its thread.
type stopwatch struct {
	wall, cpu time.Duration
	hasCPU    bool
}

func (s *stopwatch) time(f func()) {
	w0 := time.Now()
	c0, ok0 := threadCPU()
	f()
	c1, ok1 := threadCPU()
	s.wall += time.Since(w0)
	s.cpu += c1 - c0
	s.hasCPU = ok0 && ok1
}

// BenchmarkPercentiles10M times each method alone: select with a reused
// Workspace (steady state), select-fresh through the package-level Analyze
// (allocates its scratch memory each call), and sort.
func BenchmarkPercentiles10M(b *testing.B) {
	for _, in := range benchInputs(b) {
		methods := []struct {
			name string
			run  func(w *Workspace)
		}{
			{"select", func(w *Workspace) {
				if _, err := w.Analyze(in.data, benchQs, benchLevels); err != nil {
					b.Fatal(err)
				}
			}},
			{"select-fresh", func(*Workspace) {
				if _, err := Analyze(in.data, benchQs, benchLevels); err != nil {
					b.Fatal(err)
				}
			}},
			{"sort", func(*Workspace) { bySort(in.data, benchQs, benchLevels) }},
		}
		for _, m := range methods {
			b.Run(in.name+"/"+m.name, func(b *testing.B) {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				var w Workspace
				var sw stopwatch
				for b.Loop() {
					sw.time(func() { m.run(&w) })
				}
				n := float64(b.N)
				b.ReportMetric(float64(sw.wall.Nanoseconds())/n/benchN, "ns/value")
				if sw.hasCPU {
					b.ReportMetric(float64(sw.cpu.Microseconds())/1000/n, "cpu-ms/op")
				}
			})
		}
	}
}

// BenchmarkPercentilesRatio10M runs both methods alternately in each
// iteration, so that noise from other processes hits both alike, and
// reports selection / sort as wall-time and CPU-time ratios. Selection goes
// through the package-level Analyze, scratch allocation included. A GC
// before each timed call (untimed) keeps one method's garbage from being
// collected on the other's clock.
func BenchmarkPercentilesRatio10M(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var sel, srt stopwatch
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				b.StartTimer()
				sel.time(func() {
					if _, err := Analyze(in.data, benchQs, benchLevels); err != nil {
						b.Fatal(err)
					}
				})
				b.StopTimer()
				runtime.GC()
				b.StartTimer()
				srt.time(func() { bySort(in.data, benchQs, benchLevels) })
			}
			n := float64(b.N)
			b.ReportMetric(float64(sel.wall.Microseconds())/1000/n, "select-ms")
			b.ReportMetric(float64(srt.wall.Microseconds())/1000/n, "sort-ms")
			b.ReportMetric(float64(sel.wall)/float64(srt.wall), "ratio")
			if sel.hasCPU && srt.hasCPU {
				b.ReportMetric(float64(sel.cpu.Microseconds())/1000/n, "select-cpu-ms")
				b.ReportMetric(float64(srt.cpu.Microseconds())/1000/n, "sort-cpu-ms")
				b.ReportMetric(float64(sel.cpu)/float64(srt.cpu), "cpu-ratio")
			}
		})
	}
}

// TestBenchmarkAnswersMatchSort asserts what the benchmark only times: on
// the benchmark's own 10M-value inputs (200k with -short), Analyze returns
// exactly what sorting returns — quantiles, CDF points and counts, N, min
// and max.
func TestBenchmarkAnswersMatchSort(t *testing.T) {
	for _, in := range benchInputs(t) {
		data := in.data
		if testing.Short() {
			data = data[:200_000]
		}
		t.Run(in.name, func(t *testing.T) {
			got, err := Analyze(data, benchQs, benchLevels)
			if err != nil {
				t.Fatal(err)
			}
			want := bySort(data, benchQs, benchLevels)
			if got.N != want.N || got.Min != want.Min || got.Max != want.Max {
				t.Fatalf("N/Min/Max %d/%v/%v, sort %d/%v/%v", got.N, got.Min, got.Max, want.N, want.Min, want.Max)
			}
			if !slices.Equal(got.Quantiles, want.Quantiles) {
				t.Fatalf("quantiles %v, sort %v", got.Quantiles, want.Quantiles)
			}
			if !slices.Equal(got.CDF.Values, want.CDF.Values) || !slices.Equal(got.CDF.Counts, want.CDF.Counts) || got.CDF.N != want.CDF.N {
				t.Fatalf("CDF differs from the sorted one (%d vs %d points)", got.CDF.Len(), want.CDF.Len())
			}
			t.Logf("n=%d p50=%v p90=%v p99=%v, %d CDF points, identical to sorting", got.N, got.Quantiles[0], got.Quantiles[1], got.Quantiles[2], got.CDF.Len())
		})
	}
}
