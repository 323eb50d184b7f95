package e2e

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/stores/prometheus"
	"github.com/latencylens/lens/pkg/testenv"
)

// metricsEnv is the web app scraped by a real Prometheus, after one load run.
type metricsEnv struct {
	prom *testenv.Prometheus
	seed *Seed
	gt   *GroundTruth
	// les are the histogram's finite upper bounds, ascending, in seconds.
	les []float64
	// settled is a time after the last scrape that saw every request.
	settled time.Time
}

// startMetricsEnv starts the seed services (exporting to the given OTLP endpoints),
// Prometheus scraping the web app, waits for a zero scrape, runs the load and waits
// until Prometheus has seen every request.
func startMetricsEnv(t *testing.T, seedOpts SeedOptions, load LoadOptions) *metricsEnv {
	t.Helper()
	seed := StartSeed(t, seedOpts)
	prom := testenv.StartPrometheus(t, testenv.PrometheusOptions{
		Targets: []testenv.ScrapeTarget{{URL: seed.WebApp.Metrics, Job: "shop-web"}},
	})
	// The series exist at zero before the first request, so the first scrape is the baseline.
	prom.WaitForQuery(t, `sum(`+histogramMetric+`_count{job="shop-web"}) == 0`, 60*time.Second)
	gt := seed.RunLoad(t, load)
	if gt.TransportErrors != 0 || gt.StatusMismatches != 0 {
		t.Fatalf("load driver: %d transport errors, %d status mismatches", gt.TransportErrors, gt.StatusMismatches)
	}
	prom.WaitForQuery(t, fmt.Sprintf(`sum(%s_count{job="shop-web"}) == %d`, histogramMetric, len(gt.Requests)), 60*time.Second)
	env := &metricsEnv{prom: prom, seed: seed, gt: gt, settled: time.Now()}

	labels, _, err := promVector(context.Background(), prom.URL,
		`sum by (le) (`+histogramMetric+`_bucket{job="shop-web"})`, env.settled)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labels {
		le, err := strconv.ParseFloat(l["le"], 64)
		if err != nil {
			t.Fatalf("le %q: %v", l["le"], err)
		}
		if !math.IsInf(le, 1) {
			env.les = append(env.les, le)
		}
	}
	sort.Float64s(env.les)
	if len(env.les) < 5 {
		t.Fatalf("histogram has %d finite buckets", len(env.les))
	}
	return env
}

// TestSeedMetrics checks the web app's histogram and exemplars against the load
// driver's ground truth in a real Prometheus, then the backend's `latency` and
// `metrics` queries against the same data.
func TestSeedMetrics(t *testing.T) {
	requireE2E(t)
	env := startMetricsEnv(t, SeedOptions{Messages: 1}, DefaultLoad())
	checkHistogramFaithful(t, env)
	checkExemplars(t, env)
	checkLatencyQuery(t, env)
	checkMetricsQueryExemplars(t, env)
}

// checkHistogramFaithful: every cumulative bucket count equals the number of requests
// the server observed at or below its bound, and Prometheus' own p99 lies in the
// bucket of the ground-truth p99.
func checkHistogramFaithful(t *testing.T, env *metricsEnv) {
	t.Run("histogram matches ground truth", func(t *testing.T) {
		obs := observedSeconds(t, env.gt)
		labels, vals, err := promVector(context.Background(), env.prom.URL,
			`sum by (le) (`+histogramMetric+`_bucket{job="shop-web"})`, env.settled)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range labels {
			le, _ := strconv.ParseFloat(l["le"], 64)
			// Server-Timing carries the observation to the microsecond.
			lo, hi := 0, 0
			for _, v := range obs {
				if v <= le-1e-6 {
					lo++
				}
				if v <= le+1e-6 {
					hi++
				}
			}
			if got := int(vals[i]); got < lo || got > hi {
				t.Errorf("bucket le=%s: Prometheus has %d, ground truth %d..%d", l["le"], got, lo, hi)
			}
		}
		_, ps, err := promVector(context.Background(), env.prom.URL,
			`histogram_quantile(0.99, sum by (le) (`+histogramMetric+`_bucket{job="shop-web"}))`, env.settled)
		if err != nil || len(ps) != 1 {
			t.Fatalf("histogram_quantile: %v (%d values)", err, len(ps))
		}
		lo, hi := quantileBucketRange(obs, 0.99, env.les)
		want := env.gt.Summary.All.ObservedMs.P99 / 1000
		if ps[0] < lo || ps[0] > hi {
			t.Errorf("Prometheus p99 %.4fs outside the bucket range (%.3f, %.3f] of the true p99 %.4fs", ps[0], lo, hi, want)
		}
		t.Logf("p99: ground truth %.4fs (injected %.4fs), Prometheus %.4fs, bucket range (%.3f, %.3f]",
			want, env.gt.Summary.All.InjectedMs.P99/1000, ps[0], lo, hi)
	})
}

// checkExemplars: Prometheus stored exemplars, each pointing at a trace the load
// driver saw, with that request's latency as its value.
func checkExemplars(t *testing.T, env *metricsEnv) {
	t.Run("exemplars point at load-driver traces", func(t *testing.T) {
		byTrace := map[string]LoadRequest{}
		for _, r := range env.gt.Requests {
			byTrace[r.TraceID] = r
		}
		v := url.Values{
			"query": {histogramMetric + `_bucket{job="shop-web"}`},
			"start": {strconv.FormatInt(env.gt.Start().Add(-time.Minute).Unix(), 10)},
			"end":   {strconv.FormatInt(env.settled.Add(time.Minute).Unix(), 10)},
		}
		var resp struct {
			Data []struct {
				SeriesLabels map[string]string `json:"seriesLabels"`
				Exemplars    []struct {
					Labels map[string]string `json:"labels"`
					Value  string            `json:"value"`
				} `json:"exemplars"`
			} `json:"data"`
		}
		if err := getJSON(context.Background(), env.prom.URL+"/api/v1/query_exemplars?"+v.Encode(), &resp); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, s := range resp.Data {
			le, _ := strconv.ParseFloat(s.SeriesLabels["le"], 64)
			for _, e := range s.Exemplars {
				n++
				r, ok := byTrace[e.Labels["trace_id"]]
				if !ok {
					t.Errorf("exemplar trace_id %q is not a load-driver request", e.Labels["trace_id"])
					continue
				}
				if e.Labels["span_id"] != r.SpanID {
					t.Errorf("exemplar of %s: span_id %q, want the server span %q", r.ID, e.Labels["span_id"], r.SpanID)
				}
				val, _ := strconv.ParseFloat(e.Value, 64)
				if math.Abs(val-*r.ObservedMs/1000) > 2e-6 {
					t.Errorf("exemplar of %s: value %v, server observed %vms", r.ID, val, *r.ObservedMs)
				}
				if val > le {
					t.Errorf("exemplar value %v above its bucket le=%v", val, le)
				}
				if s.SeriesLabels["route"] != r.Route || s.SeriesLabels["status"] != strconv.Itoa(r.Status) {
					t.Errorf("exemplar of %s (%s %d) on series %v", r.ID, r.Route, r.Status, s.SeriesLabels)
				}
			}
		}
		// One exemplar per bucket per series survives each scrape; a 20 s run leaves dozens.
		if n < 20 {
			t.Errorf("only %d exemplars stored", n)
		}
	})
}

// latencyQuery is the `latency` query of the web app's histogram.
func latencyQuery() map[string]any {
	return map[string]any{
		"queryType": "latency", "source": "histogram", "editorMode": "builder",
		"service": "shop-web", "histogramMetric": histogramMetric,
		"percentiles": []float64{0.5, 0.9, 0.95, 0.99}, "cdf": true, "summary": true,
	}
}

// metricsSettings is the data source configuration for the web app's metrics.
func metricsSettings(promURL string) map[string]any {
	return map[string]any{
		"metrics": map[string]any{"url": promURL, "timeout": "20s"},
		"latency": map[string]any{
			"histogramMetrics": []string{histogramMetric},
			"serviceLabel":     "service",
			"operationLabel":   "route",
		},
	}
}

// checkLatencyQuery: the backend's p99 over the load run lies in the bucket range of
// the ground-truth p99, and its CDF matches the ground truth at every bucket bound.
func checkLatencyQuery(t *testing.T, env *metricsEnv) {
	t.Run("latency query p99 and CDF agree with ground truth", func(t *testing.T) {
		ds := newDatasource(t, metricsSettings(env.prom.URL))
		// One step whose window holds the whole run. The range query's points sit on
		// multiples of its step, each covering the step before it, so the step is one for
		// which the run lies between two such multiples, and the range is that step.
		from, to := runWindow(env.gt, env.settled)
		step := to.Sub(from).Truncate(time.Second) + time.Second
		for prometheus.AlignToStep(from, step) != prometheus.AlignToStep(to, step) {
			step += time.Second
		}
		from = prometheus.AlignToStep(from, step)
		res := queryData(t, ds, from, from.Add(step), step, 1, latencyQuery())
		obs := observedSeconds(t, env.gt)

		var p99 []float64
		var unit string
		for _, f := range framesOfKind(res.Frames, frames.KindPercentile) {
			fld, _ := f.FieldByName(frames.PercentileValue)
			if fld == nil || fld.Labels[frames.QuantileLabel] != "0.99" {
				continue
			}
			if fld.Config != nil {
				unit = fld.Config.Unit
			}
			p99 = append(p99, floats(f, frames.PercentileValue)...)
		}
		last := math.NaN()
		for _, v := range p99 {
			if !math.IsNaN(v) {
				last = v
			}
		}
		if math.IsNaN(last) {
			t.Fatalf("no p99 value among %d frames", len(res.Frames))
		}
		scale := 1.0 // to seconds
		switch unit {
		case "s", "":
		case "ms":
			scale = 1e-3
		default:
			t.Fatalf("p99 unit %q", unit)
		}
		lo, hi := quantileBucketRange(obs, 0.99, env.les)
		if got := last * scale; got < lo || got > hi {
			t.Errorf("latency p99 = %v %s, want within (%v, %v] s (true p99 %.4fs)", last, unit, lo, hi,
				env.gt.Summary.All.ObservedMs.P99/1000)
		}

		cdfs := framesOfKind(res.Frames, frames.KindCDF)
		if len(cdfs) != 1 {
			t.Fatalf("want one CDF frame, got %d", len(cdfs))
		}
		upper := floats(cdfs[0], frames.CDFUpperMs)
		frac := floats(cdfs[0], frames.CDFFraction)
		if len(upper) == 0 || len(frac) != len(upper) {
			t.Fatalf("CDF frame lacks %s/%s", frames.CDFUpperMs, frames.CDFFraction)
		}
		for i, u := range upper {
			if math.IsInf(u, 1) || math.IsNaN(u) {
				continue
			}
			below := 0
			for _, v := range obs {
				if v*1000 <= u+1e-3 {
					below++
				}
			}
			want := float64(below) / float64(len(obs))
			if math.Abs(frac[i]-want) > 1.5/float64(len(obs)) {
				t.Errorf("CDF at %vms = %.4f, ground truth %.4f", u, frac[i], want)
			}
		}

		sums := framesOfKind(res.Frames, frames.KindSummary)
		if len(sums) != 1 {
			t.Fatalf("want one summary frame, got %d", len(sums))
		}
		count := floats(sums[0], frames.SummaryCount)
		mean := floats(sums[0], frames.SummaryMeanMs)
		n := float64(len(obs))
		if len(count) != 1 || math.Abs(count[0]-n) > 0.05*n {
			t.Errorf("summary count %v, ground truth %v", count, n)
		}
		if want := env.gt.Summary.All.ObservedMs.Mean; len(mean) != 1 || math.Abs(mean[0]-want) > 0.05*want {
			t.Errorf("summary meanMs %v, ground truth %.3f", mean, want)
		}
	})
}

// checkMetricsQueryExemplars: a `metrics` query on the histogram returns exemplars
// that link to traces of the load run.
func checkMetricsQueryExemplars(t *testing.T, env *metricsEnv) {
	t.Run("metrics query exemplars link to load-driver traces", func(t *testing.T) {
		ds := newDatasource(t, metricsSettings(env.prom.URL))
		res := queryData(t, ds, env.gt.Start().Add(-5*time.Second), env.settled, time.Second, 500, map[string]any{
			"queryType": "metrics", "expr": `sum by (le) (rate(` + histogramMetric + `_bucket{job="shop-web"}[5s]))`,
		})
		known := map[string]bool{}
		for _, r := range env.gt.Requests {
			known[r.TraceID] = true
		}
		ex := framesOfKind(res.Frames, frames.KindExemplars)
		if len(ex) == 0 {
			t.Fatal("no exemplars frame")
		}
		n := 0
		for _, f := range ex {
			for _, tid := range column(f, frames.ExemplarTraceID) {
				n++
				if !known[tid] {
					t.Errorf("exemplar trace %q is not a load-driver request", tid)
				}
			}
		}
		if n == 0 {
			t.Error("exemplars frame is empty")
		}
	})
}
