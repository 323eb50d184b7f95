package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/testenv"
)

// instrumentedApp is a small process of the test suite that records generated request
// latencies in histograms, the way a real service instrumented with the official
// client library does.
type instrumentedApp struct {
	// classic: fixed buckets, a trace-ID exemplar on each observation, exposed as
	// OpenMetrics (exemplars need it).
	classic *promclient.HistogramVec
	// native: a native (exponential) histogram, scraped as protobuf.
	native   *promclient.HistogramVec
	latency  []float64 // seconds, in observation order
	traceIDs map[string]bool
	srv      *httptest.Server
	// scrapes is held for reading by each scrape and for writing by observe, so a scrape
	// sees all of a batch of observations or none of it (a scrape in the middle of a batch
	// would store counts no query of the finished batch can be checked against).
	scrapes sync.RWMutex
}

// classicBuckets are the classic histogram's upper bounds in seconds.
var classicBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

func newInstrumentedApp(t *testing.T) *instrumentedApp {
	t.Helper()
	app := &instrumentedApp{traceIDs: map[string]bool{}}
	classicReg := promclient.NewRegistry()
	app.classic = promclient.NewHistogramVec(promclient.HistogramOpts{
		Name:    "lens_test_request_duration_seconds",
		Help:    "Request latency of the instrumented test app.",
		Buckets: classicBuckets,
	}, []string{"service", "operation"})
	classicReg.MustRegister(app.classic)
	nativeReg := promclient.NewRegistry()
	app.native = promclient.NewHistogramVec(promclient.HistogramOpts{
		Name:                        "lens_test_native_request_duration_seconds",
		Help:                        "Request latency of the instrumented test app (native histogram).",
		NativeHistogramBucketFactor: 1.1,
	}, []string{"service", "operation"})
	nativeReg.MustRegister(app.native)

	om := promhttp.HandlerFor(classicReg, promhttp.HandlerOpts{EnableOpenMetrics: true})
	pb := promhttp.HandlerFor(nativeReg, promhttp.HandlerOpts{EnableOpenMetrics: true})
	mux := http.NewServeMux()
	mux.HandleFunc("/classic", func(w http.ResponseWriter, r *http.Request) {
		app.scrapes.RLock()
		defer app.scrapes.RUnlock()
		// Prometheus with native histograms on asks for protobuf first; this target
		// speaks OpenMetrics, the text format that carries exemplars.
		r.Header.Set("Accept", "application/openmetrics-text;version=1.0.0")
		om.ServeHTTP(w, r)
	})
	mux.HandleFunc("/native", func(w http.ResponseWriter, r *http.Request) {
		app.scrapes.RLock()
		defer app.scrapes.RUnlock()
		pb.ServeHTTP(w, r)
	})
	app.srv = httptest.NewServer(mux)
	t.Cleanup(app.srv.Close)
	return app
}

// observe records n seeded log-normal latencies (median ~80ms), each with a trace ID.
func (a *instrumentedApp) observe(seed uint64, n int) {
	a.scrapes.Lock()
	defer a.scrapes.Unlock()
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := 0; i < n; i++ {
		v := math.Exp(math.Log(0.08) + 0.9*rng.NormFloat64())
		tid := fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64())
		a.traceIDs[tid] = true
		a.latency = append(a.latency, v)
		a.classic.WithLabelValues("checkout", "POST /pay").(promclient.ExemplarObserver).
			ObserveWithExemplar(v, promclient.Labels{"trace_id": tid})
		a.native.WithLabelValues("checkout", "POST /pay").Observe(v)
	}
}

// exactQuantile is the lower empirical quantile by sorting (the test oracle).
func exactQuantile(sorted []float64, q float64) float64 {
	k := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(k, 0)]
}

// bucketOf returns the classic bucket (lower, upper] holding v.
func bucketOf(v float64) (float64, float64) {
	lo := 0.0
	for _, le := range classicBuckets {
		if v <= le {
			return lo, le
		}
		lo = le
	}
	return lo, math.Inf(1)
}

// startPromWithApp starts the real Prometheus scraping the app and waits for a first,
// empty scrape of both targets.
func startPromWithApp(t *testing.T) (*testenv.Prometheus, *instrumentedApp) {
	app := newInstrumentedApp(t)
	// Children must exist before the first scrape so the baseline is zero.
	app.classic.WithLabelValues("checkout", "POST /pay")
	app.native.WithLabelValues("checkout", "POST /pay")
	prom := testenv.StartPrometheus(t, testenv.PrometheusOptions{
		Targets: []testenv.ScrapeTarget{
			{URL: app.srv.URL + "/classic", Job: "app-classic"},
			{URL: app.srv.URL + "/native", Job: "app-native"},
		},
	})
	prom.WaitForQuery(t, `lens_test_request_duration_seconds_count{job="app-classic"} == 0`, 30*time.Second)
	prom.WaitForQuery(t, `histogram_count(lens_test_native_request_duration_seconds{job="app-native"}) == 0`, 30*time.Second)
	return prom, app
}

// storedUntil waits for a scrape of both app jobs that starts more than a second after now
// and returns the time of the older job's latest sample. Every sample up to that time is
// stored, and later scrapes carry later timestamps, so a range ending there answers the
// same on every query (dashboard or alert) while Prometheus keeps scraping. The second
// is the tests' query step: the last step of a range ending there falls after every
// scrape that came before now, whatever the range's start.
func storedUntil(t *testing.T, prom *testenv.Prometheus) time.Time {
	t.Helper()
	now := float64(time.Now().Add(time.Second).UnixMilli()) / 1000
	d := prom.WaitForQuery(t, fmt.Sprintf(`min(timestamp(up{job=~"app-.+"})) > %.3f`, now), 30*time.Second)
	if len(d.Series) != 1 || len(d.Series[0].Points) != 1 {
		t.Fatalf("latest scrape time: unexpected answer %+v", d)
	}
	// The query's value is the sample time; its evaluation time is later.
	sec, v := float64(d.Series[0].Points[0].TimeMs)/1000, d.Series[0].Points[0].Value
	if v > sec {
		t.Fatalf("latest scrape time: %v (evaluated at %v)", v, sec)
	}
	return time.UnixMilli(int64(math.Round(v * 1000)))
}

func newTestDatasource(t testing.TB, jsonData string) *Datasource {
	t.Helper()
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
		UID: "lens-uid", Name: "Lens", JSONData: []byte(jsonData),
	})
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*Datasource)
	if ds.configErr != nil {
		t.Fatal(ds.configErr)
	}
	return ds
}

func queryOne(t testing.TB, ds *Datasource, headers map[string]string, from, to time.Time, q map[string]any) backend.DataResponse {
	t.Helper()
	raw, _ := json.Marshal(q)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{
		Headers: headers,
		Queries: []backend.DataQuery{{
			RefID: "A", QueryType: q["queryType"].(string), JSON: raw,
			TimeRange: backend.TimeRange{From: from, To: to}, Interval: time.Second, MaxDataPoints: 1000,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Responses["A"]
}

// lastValue returns the last non-NaN value of a time series frame.
func lastValue(t testing.TB, f *data.Frame) float64 {
	t.Helper()
	for i := f.Rows() - 1; i >= 0; i-- {
		v, ok := f.Fields[1].ConcreteAt(i)
		if ok && !math.IsNaN(v.(float64)) {
			return v.(float64)
		}
	}
	t.Fatalf("frame %q has no numeric value", f.Name)
	return 0
}

// TestPrometheusMetricsQueryAgainstRealPrometheus is the foundation's acceptance test:
// Debian's Prometheus scrapes an instrumented process; a `metrics` query goes through
// QueryData in-process; percentiles and exemplars match the generated latencies.
func TestPrometheusMetricsQueryAgainstRealPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real Prometheus")
	}
	prom, app := startPromWithApp(t)
	start := time.Now()
	app.observe(20261101, 5000)
	prom.WaitForQuery(t, `lens_test_request_duration_seconds_count{job="app-classic"} == 5000`, 30*time.Second)
	prom.WaitForQuery(t, `histogram_count(lens_test_native_request_duration_seconds{job="app-native"}) == 5000`, 30*time.Second)

	ds := newTestDatasource(t, fmt.Sprintf(`{"metrics":{"url":%q,"timeout":"10s"}}`, prom.URL))
	sorted := slices.Clone(app.latency)
	slices.Sort(sorted)
	from, to := start.Add(-time.Minute), storedUntil(t, prom)

	for _, q := range []float64{0.5, 0.9, 0.99} {
		qs := strconv.FormatFloat(q, 'g', -1, 64)
		exact := exactQuantile(sorted, q)
		t.Run("classic p"+qs, func(t *testing.T) {
			res := queryOne(t, ds, nil, from, to, map[string]any{
				"queryType": "metrics", "version": 1, "legendFormat": "p" + qs,
				"expr": `histogram_quantile(` + qs + `, sum by (le) (lens_test_request_duration_seconds_bucket{job="app-classic"}))`,
			})
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			series := framesOfKind(res.Frames, frames.KindMetrics)
			if len(series) != 1 {
				t.Fatalf("got %d series frames, want 1", len(series))
			}
			got := lastValue(t, series[0])
			lo, hi := bucketOf(exact)
			// histogram_quantile interpolates inside the bucket holding the true quantile.
			if got < lo || got > hi {
				t.Errorf("p%s = %v, exact %v: want within its bucket (%v, %v]", qs, got, exact, lo, hi)
			}
			if series[0].Name != "p"+qs {
				t.Errorf("legend = %q", series[0].Name)
			}
		})
		t.Run("native p"+qs, func(t *testing.T) {
			res := queryOne(t, ds, nil, from, to, map[string]any{
				"queryType": "metrics", "version": 1, "exemplars": false,
				"expr": `histogram_quantile(` + qs + `, sum(lens_test_native_request_duration_seconds{job="app-native"}))`,
			})
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			got := lastValue(t, res.Frames[0])
			// Bucket factor 1.1: the answer is inside the exponential bucket of the true value.
			if rel := math.Abs(got-exact) / exact; rel > 0.1 {
				t.Errorf("native p%s = %v, exact %v (rel err %.3f > 0.1)", qs, got, exact, rel)
			}
		})
	}

	t.Run("exemplars link to generated traces", func(t *testing.T) {
		res := queryOne(t, ds, nil, from, to, map[string]any{
			"queryType": "metrics", "version": 1,
			"expr": `lens_test_request_duration_seconds_bucket{job="app-classic"}`,
		})
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		ex := framesOfKind(res.Frames, frames.KindExemplars)
		if len(ex) != 1 || ex[0].Rows() == 0 {
			t.Fatalf("want one non-empty exemplars frame, got %d frames", len(ex))
		}
		f := ex[0]
		tidField, _ := f.FieldByName(frames.ExemplarTraceID)
		valField, _ := f.FieldByName(frames.ExemplarValue)
		for i := 0; i < f.Rows(); i++ {
			tid := tidField.At(i).(string)
			if !app.traceIDs[tid] {
				t.Errorf("exemplar trace ID %q was never generated", tid)
			}
			if v := valField.At(i).(float64); !slices.Contains(app.latency, v) {
				t.Errorf("exemplar value %v is not a generated latency", v)
			}
		}
		links := tidField.Config.Links
		if len(links) != 1 || links[0].Internal == nil || links[0].Internal.DatasourceUID != "lens-uid" {
			t.Fatalf("trace ID field links = %+v", links)
		}
	})

	// A selector of a multi-value variable with hundreds of values: too long for a URL
	// behind most proxies, so the client posts it as a form (and the exemplars call too).
	// The real Prometheus must answer it as it answers the short selector.
	t.Run("query too long for a URL", func(t *testing.T) {
		others := make([]string, 600)
		for i := range others {
			others[i] = fmt.Sprintf("app-other-%03d", i)
		}
		short := `sum by (le) (lens_test_request_duration_seconds_bucket{job="app-classic"})`
		long := `sum by (le) (lens_test_request_duration_seconds_bucket{job=~"` + strings.Join(others, "|") + `|app-classic"})`
		var answers [2]backend.DataResponse
		for i, expr := range []string{short, long} {
			answers[i] = queryOne(t, ds, nil, from, to, map[string]any{"queryType": "metrics", "version": 1, "expr": expr, "legendFormat": "{{le}}"})
			if answers[i].Error != nil {
				t.Fatalf("%d-byte query: %v", len(expr), answers[i].Error)
			}
			// Each answer names its own query as executed; the rest must be the same.
			for _, f := range answers[i].Frames {
				if f.Meta == nil || f.Meta.ExecutedQueryString != expr {
					t.Fatalf("%d-byte query: a frame's executed query is not the query", len(expr))
				}
				f.Meta.ExecutedQueryString = ""
			}
		}
		for _, kind := range []string{frames.KindMetrics, frames.KindExemplars} {
			a, b := framesOfKind(answers[0].Frames, kind), framesOfKind(answers[1].Frames, kind)
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if len(a) == 0 || string(ja) != string(jb) {
				t.Errorf("%s frames: %d for the short query, %d for the long one, or they differ", kind, len(a), len(b))
			}
		}
	})

	// Every frame of the two answers is compared (schema, meta, values): the alert answer
	// is the dashboard's without its exemplars frame (checkAlertAnswer says why).
	t.Run("alert request gets the same frames", func(t *testing.T) {
		q := map[string]any{
			"queryType": "metrics", "version": 1,
			"expr": `histogram_quantile(0.99, sum by (le) (lens_test_request_duration_seconds_bucket{job="app-classic"}))`,
		}
		dash := queryOne(t, ds, nil, from, to, q)
		alert := queryOne(t, ds, map[string]string{"FromAlert": "true"}, from, to, q)
		checkAlertAnswer(t, dash, alert, -1)
		b := framesOfKind(alert.Frames, frames.KindMetrics)
		if len(b) != 1 || len(b[0].Fields) != 2 {
			t.Fatalf("alert answer: %d series frames, want one of one time + one float field", len(b))
		}
	})

	for _, tc := range []struct {
		name, metric string
		native       bool
	}{
		{"latency classic histogram", "lens_test_request_duration_seconds", false},
		{"latency native histogram", "lens_test_native_request_duration_seconds", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := map[string]any{
				"queryType": "latency", "version": 1, "source": "histogram", "editorMode": "builder",
				"histogramMetric": tc.metric, "service": "checkout", "operation": "POST /pay",
				"percentiles": []float64{0.5, 0.9, 0.99},
			}
			res := queryOne(t, ds, nil, from, to, q)
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			pcts := framesOfKind(res.Frames, frames.KindPercentile)
			if len(pcts) != 3 {
				t.Fatalf("%d percentile frames, want 3", len(pcts))
			}
			for _, f := range pcts {
				if len(f.Fields) != 2 || f.Fields[1].Config.Unit != "ms" {
					t.Fatalf("frame %s is not time + one float field in ms", f.Name)
				}
				qv, _ := strconv.ParseFloat(f.Fields[1].Labels[frames.QuantileLabel], 64)
				exact := exactQuantile(sorted, qv)
				got := lastValue(t, f) / 1000
				if tc.native {
					if rel := math.Abs(got-exact) / exact; rel > 0.1 {
						t.Errorf("p%v = %vs, exact %vs (rel err %.3f)", qv, got, exact, rel)
					}
				} else if lo, hi := bucketOf(exact); got < lo || got > hi {
					t.Errorf("p%v = %vs, exact %vs: want within (%v, %v]", qv, got, exact, lo, hi)
				}
			}
			cdf := framesOfKind(res.Frames, frames.KindCDF)
			if len(cdf) != 1 || cdf[0].Rows() == 0 {
				t.Fatalf("want one non-empty CDF frame, got %d", len(cdf))
			}
			f := cdf[0]
			upper, _ := f.FieldByName(frames.CDFUpperMs)
			lower, _ := f.FieldByName(frames.CDFLowerMs)
			frac, _ := f.FieldByName(frames.CDFFraction)
			for i := 0; i < f.Rows(); i++ {
				u, l, fr := upper.At(i).(float64)/1000, lower.At(i).(float64)/1000, frac.At(i).(float64)
				// The fraction of generated latencies at or below the bucket's upper bound.
				below := sort.SearchFloat64s(sorted, math.Nextafter(u, math.Inf(1)))
				if math.IsInf(u, 1) {
					below = len(sorted)
				}
				want := float64(below) / float64(len(sorted))
				if tc.native {
					// Native buckets are exact counts too, but the bound can sit within a ulp of a value.
					if math.Abs(fr-want) > 2.0/float64(len(sorted)) {
						t.Errorf("CDF at %vs = %v, generated %v", u, fr, want)
					}
				} else if math.Abs(fr-want) > 1e-9 {
					t.Errorf("CDF at le=%vs = %v, generated %v", u, fr, want)
				}
				if l > u {
					t.Errorf("row %d: lower %v above upper %v", i, l, u)
				}
			}
			sum := framesOfKind(res.Frames, frames.KindSummary)
			if len(sum) != 1 {
				t.Fatalf("want one summary frame, got %d", len(sum))
			}
			count, _ := sum[0].FieldByName(frames.SummaryCount)
			mean, _ := sum[0].FieldByName(frames.SummaryMeanMs)
			var total float64
			for _, v := range app.latency {
				total += v
			}
			if c := count.At(0).(float64); math.Abs(c-float64(len(sorted))) > 0.5 {
				t.Errorf("summary count %v, generated %d", c, len(sorted))
			}
			if m, want := mean.At(0).(float64), total/float64(len(sorted))*1000; math.Abs(m-want) > 1e-6*want {
				t.Errorf("summary meanMs %v, generated %v", m, want)
			}

			alert := queryOne(t, ds, map[string]string{"FromAlert": "true"}, from, to, q)
			if alert.Error != nil {
				t.Fatal(alert.Error)
			}
			ap := framesOfKind(alert.Frames, frames.KindPercentile)
			if len(ap) != len(pcts) {
				t.Fatalf("alert: %d percentile frames, dashboard %d", len(ap), len(pcts))
			}
			for i := range ap {
				if lastValue(t, ap[i]) != lastValue(t, pcts[i]) {
					t.Errorf("alert answer for %s differs", ap[i].Name)
				}
			}
		})
	}

	t.Run("editor look-ups on the histogram series", func(t *testing.T) {
		cfg := fmt.Sprintf(`{"metrics":{"url":%q,"timeout":"10s"},"latency":{"histogramMetrics":["lens_test_request_duration_seconds"]}}`, prom.URL)
		for _, tc := range []struct {
			ds         *Datasource
			path, want string
		}{
			{ds, "services?source=metrics", `{"values":["checkout"]}`},
			{ds, "operations?source=metrics&service=checkout", `{"values":["POST /pay"]}`},
			{ds, "operations?source=metrics&service=" + url.QueryEscape(`checkout"} or {service=~".+`), `{"values":[]}`},
			{newTestDatasource(t, cfg), "services?source=metrics", `{"values":["checkout"]}`},
			{ds, "prometheus/label-values?label=job&match=" + url.QueryEscape(`lens_test_native_request_duration_seconds`), `{"values":["app-native"]}`},
			{ds, "prometheus/label-values?label=operation", `{"values":["POST /pay"]}`},
			// The label picker of a "Metric label values" variable: the label names of
			// the series selector, over the dashboard's range.
			{ds, "prometheus/labels?match=" + url.QueryEscape(`lens_test_native_request_duration_seconds{job="app-native"}`), `{"values":["__name__","instance","job","operation","service"]}`},
			{ds, fmt.Sprintf("prometheus/labels?start=%d&end=%d", from.Add(-2*time.Hour).UnixMilli(), from.Add(-time.Hour).UnixMilli()), `{"values":[]}`},
			// The native histogram has no `_bucket` series: only the metadata API lists it.
			{ds, "prometheus/histograms", `{"values":["lens_test_native_request_duration_seconds","lens_test_request_duration_seconds"]}`},
			{newTestDatasource(t, cfg), "prometheus/histograms", `{"values":["lens_test_request_duration_seconds","lens_test_native_request_duration_seconds"]}`},
		} {
			status, body := callResource(t, tc.ds, tc.path)
			if status != 200 || body != tc.want {
				t.Errorf("%s: %d %s, want %s", tc.path, status, body, tc.want)
			}
		}
		if status, body := callResource(t, ds, "prometheus/labels?match="+url.QueryEscape(`up{`)); status != 400 || !strings.Contains(body, `match \"up{\": prometheus: HTTP 400: bad_data: 1:4: parse error`) {
			t.Errorf("label names of a broken selector: %d %s, want 400 with Prometheus' message", status, body)
		}
	})

	t.Run("store error names the store and its message", func(t *testing.T) {
		res := queryOne(t, ds, nil, from, to, map[string]any{"queryType": "metrics", "version": 1, "expr": `sum(`})
		if res.Error == nil {
			t.Fatal("want an error for bad PromQL")
		}
		msg := res.Error.Error()
		for _, want := range []string{"prometheus", "HTTP 400", "bad_data"} {
			if !containsFold(msg, want) {
				t.Errorf("error %q lacks %q", msg, want)
			}
		}
	})
}

func framesOfKind(fs data.Frames, kind string) data.Frames {
	var out data.Frames
	for _, f := range fs {
		if f.Meta != nil && f.Meta.Custom != nil {
			if m, ok := f.Meta.Custom.(map[string]any); ok && m[frames.LensKindKey] == kind {
				out = append(out, f)
			}
		}
	}
	return out
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
