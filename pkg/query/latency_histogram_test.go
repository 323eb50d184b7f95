package query

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// fakeProm answers by expression; anything unknown is an empty vector/matrix.
type fakeProm struct {
	mu      sync.Mutex
	instant map[string]*prometheus.Data
	instFn  func(expr string) *prometheus.Data
	ranged  func(expr string) *prometheus.Data
	seen    []string
}

func (f *fakeProm) Query(_ context.Context, expr string, _ time.Time) (*prometheus.Data, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen = append(f.seen, "instant "+expr)
	if d, ok := f.instant[expr]; ok {
		return d, nil
	}
	if f.instFn != nil {
		if d := f.instFn(expr); d != nil {
			return d, nil
		}
	}
	return &prometheus.Data{ResultType: prometheus.ResultVector}, nil
}

func (f *fakeProm) QueryRange(_ context.Context, expr string, _, _ time.Time, _ time.Duration) (*prometheus.Data, error) {
	f.mu.Lock()
	f.seen = append(f.seen, "range "+expr)
	f.mu.Unlock()
	if f.ranged != nil {
		if d := f.ranged(expr); d != nil {
			return d, nil
		}
	}
	return &prometheus.Data{ResultType: prometheus.ResultMatrix}, nil
}

func (f *fakeProm) Exemplars(context.Context, string, time.Time, time.Time) (*prometheus.ExemplarSet, error) {
	return &prometheus.ExemplarSet{}, nil
}
func (f *fakeProm) LabelValues(context.Context, string, []string, time.Time, time.Time) ([]string, error) {
	return nil, nil
}
func (f *fakeProm) MetricNamesOfType(context.Context, string) ([]string, error) { return nil, nil }

func vec(v float64) *prometheus.Data {
	return &prometheus.Data{ResultType: prometheus.ResultVector, Series: []prometheus.Series{{Labels: map[string]string{}, Points: []prometheus.Point{{Value: v}}}}}
}

func histEnv(p *fakeProm) *Env {
	return &Env{Settings: &settings.Settings{
		ServiceLabel: "service", OperationLabel: "operation", Percentiles: []float64{0.5},
		MaxSpans: 1000, MaxLogLines: 1000,
	}, Metrics: p}
}

func histRequest(cdf, summary bool) Request {
	to := time.Unix(1_700_000_000, 0)
	return Request{
		Query: &Query{QueryType: TypeLatency, Version: 1, Source: SourceHistogram, EditorMode: ModeBuilder,
			HistogramMetric: "http_duration_seconds", Service: "api", Percentiles: []float64{0.5}, CDF: &cdf, Summary: &summary},
		From: to.Add(-time.Hour), To: to, Interval: time.Minute, MaxDataPoints: 1000,
	}
}

// A classic histogram whose series stopped before the range's end (the service was
// stopped or renamed half way through the range) has no `_bucket` sample at `to`, only
// earlier in the range: it is still classic, and its percentiles come from the
// `_bucket` series, not from a native histogram of that name that does not exist.
func TestHistogramLatencyClassicSeriesEndedBeforeRangeEnd(t *testing.T) {
	p := &fakeProm{
		instant: map[string]*prometheus.Data{
			// No sample at `to`, samples earlier in the range.
			`count(http_duration_seconds_bucket{service="api"})`:                        vec(0),
			`count(last_over_time(http_duration_seconds_bucket{service="api"}[3600s]))`: vec(12),
		},
		ranged: func(expr string) *prometheus.Data {
			if !strings.Contains(expr, "http_duration_seconds_bucket") {
				return nil // the native form: no such series
			}
			return &prometheus.Data{ResultType: prometheus.ResultMatrix, Series: []prometheus.Series{{
				Labels: map[string]string{}, Points: []prometheus.Point{{TimeMs: 1_699_997_000_000, Value: 0.25}},
			}}}
		},
	}
	resp := Latency(context.Background(), histEnv(p), histRequest(false, false))
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	var n int
	for _, f := range resp.Frames {
		if len(f.Fields) == 2 {
			n += f.Fields[1].Len()
		}
	}
	if n != 1 {
		t.Errorf("percentile points = %d, want 1 (the store has the classic histogram's data in the range); queries sent: %q", n, p.seen)
	}
}

// Prometheus' warnings on the percentile query (e.g. 3.x "bucket label le is missing or
// has a malformed value", or 2.42's warnings from remote read) reach the frames as
// notices: the numbers may be wrong.
func TestHistogramLatencyKeepsStoreWarnings(t *testing.T) {
	p := &fakeProm{
		instant: map[string]*prometheus.Data{`count(last_over_time(http_duration_seconds_bucket{service="api"}[3600s]))`: vec(3)},
		ranged: func(expr string) *prometheus.Data {
			return &prometheus.Data{ResultType: prometheus.ResultMatrix, Warnings: []string{"PromQL warning: bucket label \"le\" is missing or has a malformed value"},
				Series: []prometheus.Series{{Labels: map[string]string{}, Points: []prometheus.Point{{TimeMs: 1_699_997_000_000, Value: 0.25}}}}}
		},
	}
	resp := Latency(context.Background(), histEnv(p), histRequest(false, false))
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	found := false
	for _, f := range resp.Frames {
		if f.Meta != nil {
			for _, n := range f.Meta.Notices {
				if strings.Contains(n.Text, "malformed") {
					found = true
				}
			}
		}
	}
	if !found {
		t.Errorf("the store's warning is on no frame")
	}
}

func summaryFrame(t *testing.T, fs data.Frames) *data.Frame {
	t.Helper()
	for _, f := range fs {
		if f.Name == "Summary" {
			return f
		}
	}
	t.Fatal("no summary frame")
	return nil
}

func summaryCount(t *testing.T, fs data.Frames) float64 {
	t.Helper()
	f := summaryFrame(t, fs)
	v, ok := f.Fields[0].At(0).(float64)
	if !ok {
		t.Fatalf("count field is %T", f.Fields[0].At(0))
	}
	return v
}

// histSummaryStore answers the summary's instant queries of a classic or native
// histogram: the exact growth between the range's ends (delta), Prometheus' extrapolated
// increase (inc), the counter resets and the series that went away in the range.
func histSummaryStore(native bool, deltaN, incN, resets, vanished float64) *fakeProm {
	isCount := func(e string) bool {
		return strings.Contains(e, "_count") || strings.Contains(e, "histogram_count(")
	}
	return &fakeProm{instFn: func(e string) *prometheus.Data {
		switch {
		case strings.Contains(e, "last_over_time(") && strings.Contains(e, "_bucket"):
			if native {
				return nil
			}
			return vec(12)
		case strings.Contains(e, " unless "):
			return vec(vanished)
		case strings.Contains(e, "resets("):
			return vec(resets)
		case strings.Contains(e, "increase("):
			if isCount(e) {
				return vec(incN)
			}
			return vec(incN / 10) // 100 ms mean
		case strings.Contains(e, " offset "):
			if isCount(e) {
				return vec(deltaN)
			}
			return vec(deltaN / 10)
		}
		return nil
	}}
}

// Summary N: the exact growth of the counters between the range's ends when it is
// knowable, Prometheus' increase() when a counter reset in the range or a series went
// away in it (pod churn: the old pod's series counted 1000 at the start and 1100 when it
// went; the new pod's counts 1500 at the end; the growth over the ends is 1500, the true
// N 1600, which increase() estimates). Native histograms alike, their resets sampled.
func TestHistogramSummaryCountChoosesExactOrIncrease(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		native                   bool
		delta, inc, resets, gone float64
		want                     float64
	}{
		{"classic, steady", false, 1000, 1003.7, 0, 0, 1000},
		{"classic, a series went away", false, 1500, 1600, 0, 1, 1600},
		{"classic, counter reset", false, 50, 250, 1, 0, 250},
		{"native, steady", true, 1000, 1003.7, 0, 0, 1000},
		{"native, counter reset", true, 50, 250, 1, 0, 250},
		{"native, a series went away", true, 1500, 1600, 0, 2, 1600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := histSummaryStore(tc.native, tc.delta, tc.inc, tc.resets, tc.gone)
			resp := Latency(context.Background(), histEnv(p), histRequest(false, true))
			if resp.Error != nil {
				t.Fatal(resp.Error)
			}
			if got := summaryCount(t, resp.Frames); got != tc.want {
				t.Errorf("summary count = %v, want %v; queries: %q", got, tc.want, p.seen)
			}
			sentResets := false
			for _, q := range p.seen {
				sentResets = sentResets || strings.Contains(q, "resets(")
			}
			if !sentResets {
				t.Errorf("no resets query sent: %q", p.seen)
			}
		})
	}
}

// Exact per-step percentiles of raw durations, by hand: R type 7 (the definition
// pkg/latency documents). Step (T0, T0+1m]: {1, 2, 3, 4}: p50 = x[1.5] = 2.5, p90 =
// x[2.7] = 3 + 0.7·1 = 3.7. Step (T0+2m, T0+3m]: {10}. The empty step is absent. T0 is
// a multiple of the step, where the steps start.
func TestStepQuantilesByHand(t *testing.T) {
	t0 := time.Unix(1_699_999_980, 0)
	p := latencyPlan{qs: []float64{0.5, 0.9}, from: t0, to: t0.Add(3 * time.Minute), rng: 3 * time.Minute, step: time.Minute}
	s := func(d time.Duration) int64 { return t0.Add(d).UnixNano() }
	times, vals := stepQuantiles([]float64{4, 1, 3, 2, 10}, []int64{s(10 * time.Second), s(20 * time.Second), s(60 * time.Second), s(59 * time.Second), s(150 * time.Second)}, p)
	wantT := []int64{t0.Add(time.Minute).UnixMilli(), t0.Add(3 * time.Minute).UnixMilli()}
	if len(times) != 2 || times[0] != wantT[0] || times[1] != wantT[1] {
		t.Fatalf("times %v, want %v", times, wantT)
	}
	if vals[0][0] != 2.5 || math.Abs(vals[1][0]-3.7) > 1e-12 || vals[0][1] != 10 || vals[1][1] != 10 {
		t.Errorf("values %v", vals)
	}
}

// Classic CDF by hand: le 0.1:20, 0.25:50, 0.5:80, 1:95, +Inf:100 (seconds) give
// F(100ms)=0.2 on (0,100], F(250)=0.5, F(500)=0.8, F(1000)=0.95, F(+Inf)=1.
func TestClassicHistogramCDFByHand(t *testing.T) {
	b := func(le string, c float64) prometheus.Series {
		return prometheus.Series{Labels: map[string]string{"le": le}, Points: []prometheus.Point{{Value: c}}}
	}
	p := &fakeProm{
		instant: map[string]*prometheus.Data{
			`count(last_over_time(http_duration_seconds_bucket{service="api"}[3600s]))`: vec(5),
			`sum by (le) (increase(http_duration_seconds_bucket{service="api"}[3600s]))`: {ResultType: "vector",
				Series: []prometheus.Series{b("+Inf", 100), b("0.5", 80), b("0.1", 20), b("1", 95), b("0.25", 50)}},
		},
	}
	resp := Latency(context.Background(), histEnv(p), histRequest(true, false))
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	cdf := framesOfKind(resp.Frames, frames.KindCDF)
	if len(cdf) != 1 {
		t.Fatalf("%d cdf frames", len(cdf))
	}
	f := cdf[0]
	want := [][3]float64{{0, 100, 0.2}, {100, 250, 0.5}, {250, 500, 0.8}, {500, 1000, 0.95}, {1000, math.Inf(1), 1}}
	lo, _ := f.FieldByName(frames.CDFLowerMs)
	hi, _ := f.FieldByName(frames.CDFUpperMs)
	fr, _ := f.FieldByName(frames.CDFFraction)
	if fr.Len() != len(want) {
		t.Fatalf("%d rows", fr.Len())
	}
	for i, w := range want {
		if lo.At(i).(float64) != w[0] || hi.At(i).(float64) != w[1] || math.Abs(fr.At(i).(float64)-w[2]) > 1e-12 {
			t.Errorf("row %d: (%v, %v, %v), want %v", i, lo.At(i), hi.At(i), fr.At(i), w)
		}
	}
}

// A range query (Prometheus, Loki, Tempo's TraceQL metrics) never stamps a point after
// the range's end: its points are at from + k·step ≤ to, each for the window that ends
// there. The exact per-step percentiles computed from raw spans must keep to the range
// too, whether or not the range is a whole number of steps.
func TestStepQuantilesStayInsideTheRange(t *testing.T) {
	from := time.Unix(1700000000, 0)
	tests := []struct {
		name   string
		to     time.Time
		starts []time.Duration // span starts after from (all inside [from, to])
	}{
		{name: "range a whole number of steps, a span at to", to: from.Add(60 * time.Second),
			starts: []time.Duration{5 * time.Second, 60 * time.Second}},
		{name: "range not a whole number of steps, a span in the last partial step", to: from.Add(65 * time.Second),
			starts: []time.Duration{5 * time.Second, 62 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := latencyPlan{qs: []float64{0.5}, from: from, to: tt.to, rng: tt.to.Sub(from), step: 10 * time.Second}
			dur := make([]float64, len(tt.starts))
			start := make([]int64, len(tt.starts))
			for i, s := range tt.starts {
				dur[i], start[i] = float64(100*(i+1)), from.Add(s).UnixNano()
			}
			times, vals := stepQuantiles(dur, start, p)
			if len(times) != len(tt.starts) || len(vals[0]) != len(tt.starts) {
				t.Fatalf("%d points, want one per span's step (%d)", len(times), len(tt.starts))
			}
			for i, ms := range times {
				if ms > tt.to.UnixMilli() {
					t.Errorf("point %d (%v ms) is stamped %v after the range's end %v",
						i, vals[0][i], time.UnixMilli(ms).Sub(tt.to), tt.to.UTC())
				}
			}
		})
	}
}

// Percentiles asked out of order or twice give one frame each, in ascending order:
// two frames with the same labels are duplicate results to Grafana's alerting.
func TestLatencyPercentilesOnceEachInOrder(t *testing.T) {
	p := &fakeProm{instant: map[string]*prometheus.Data{
		`count(last_over_time(http_duration_seconds_bucket{service="api"}[3600s]))`: vec(3),
	}}
	r := histRequest(false, false)
	r.Query.Percentiles = []float64{0.99, 0.5, 0.99}
	resp := Latency(context.Background(), histEnv(p), r)
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	var names []string
	for _, f := range framesOfKind(resp.Frames, frames.KindPercentile) {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "p50,p99" {
		t.Errorf("percentile frames %v, want p50,p99", names)
	}
}

// A histogram's unit is in its name (Prometheus' naming rules; OpenTelemetry's older
// exporters write http_server_duration_milliseconds). Without a unit on the query, the
// name decides, and seconds only when it says nothing: a 250 ms p50 of a milliseconds
// histogram is 250 ms, not 250 s.
func TestHistogramLatencyUnitFromTheMetricName(t *testing.T) {
	for _, tc := range []struct {
		metric, unit string
		wantMs       float64
	}{
		{"http_duration_seconds", "", 250_000},
		{"http_server_duration_milliseconds", "", 250},
		{"rpc_latency_ms", "", 250},
		{"queue_wait_microseconds", "", 0.25},
		{"gc_pause_nanoseconds", "", 0.00025},
		{"request_latency", "", 250_000},
		{"http_server_duration_milliseconds", "s", 250_000},
	} {
		t.Run(tc.metric+" "+tc.unit, func(t *testing.T) {
			p := &fakeProm{
				instant: map[string]*prometheus.Data{`count(last_over_time(` + tc.metric + `_bucket{service="api"}[3600s]))`: vec(3)},
				ranged: func(expr string) *prometheus.Data {
					return &prometheus.Data{ResultType: prometheus.ResultMatrix,
						Series: []prometheus.Series{{Labels: map[string]string{}, Points: []prometheus.Point{{TimeMs: 1_699_997_000_000, Value: 250}}}}}
				},
			}
			r := histRequest(false, false)
			r.Query.HistogramMetric, r.Query.ValueUnit = tc.metric, tc.unit
			resp := Latency(context.Background(), histEnv(p), r)
			if resp.Error != nil {
				t.Fatal(resp.Error)
			}
			v, _ := resp.Frames[0].FieldByName(frames.PercentileValue)
			if v == nil || v.Len() != 1 || math.Abs(v.At(0).(float64)-tc.wantMs) > 1e-9*tc.wantMs {
				t.Fatalf("p50 = %v ms, want %v", v, tc.wantMs)
			}
		})
	}
}
