package query

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/testenv"
)

// restartingNativeApp serves a native histogram that can be restarted: a restart starts
// a new histogram from zero, as a restarted process does.
type restartingNativeApp struct {
	mu      sync.Mutex
	h       promclient.Histogram
	handler http.Handler
	srv     *httptest.Server
}

func newRestartingNativeApp(t *testing.T) *restartingNativeApp {
	a := &restartingNativeApp{}
	a.restart()
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.handler.ServeHTTP(w, r)
	}))
	t.Cleanup(a.srv.Close)
	return a
}

// restart replaces the histogram; the caller holds mu, or no scrape runs yet.
func (a *restartingNativeApp) restart() {
	reg := promclient.NewRegistry()
	a.h = promclient.NewHistogram(promclient.HistogramOpts{
		Name: "restarting_duration_seconds", ConstLabels: promclient.Labels{"service": "api"},
		NativeHistogramBucketFactor: 1.1,
	})
	reg.MustRegister(a.h)
	a.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// observe records n observations of 50 ms, after a restart when restart is set, with no
// scrape in between.
func (a *restartingNativeApp) observe(n int, restart bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if restart {
		a.restart()
	}
	for range n {
		a.h.Observe(0.05)
	}
}

// A native histogram whose process restarted in the range, against Debian's Prometheus
// scraping every second (and the data source told so). The first life counts 100 requests
// a second for 10 s (up to 1000), the second 200 a second for 10 s (up to 2000): 3000 in
// the range. The counts fall from about 1000 to 200 across the restart, a reset the
// summary must see to take Prometheus' increase(); the growth between the range's ends
// would say 2000. Sampled every 15 s instead of every scrape, the fall is never seen:
// no sample 15 s apart pairs a count of the first life with a lower one of the second.
func TestHistogramSummaryCountAcrossANativeHistogramResetAgainstPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	app := newRestartingNativeApp(t)
	prom := testenv.StartPrometheus(t, testenv.PrometheusOptions{
		Targets: []testenv.ScrapeTarget{{URL: app.srv.URL, Job: "restarting"}}, ScrapeInterval: time.Second,
	})
	prom.WaitForQuery(t, `histogram_count(restarting_duration_seconds) == 0`, 30*time.Second)
	from := time.Now().Add(-2 * time.Second)
	for i := range 20 {
		if i < 10 {
			app.observe(100, false)
		} else {
			app.observe(200, i == 10)
		}
		time.Sleep(time.Second)
	}
	time.Sleep(3 * time.Second)
	prom.WaitForQuery(t, `histogram_count(restarting_duration_seconds) == 2000`, 30*time.Second)

	env := histEnv(nil)
	env.Metrics = promClient(t, settings.Store{URL: prom.URL})
	env.Settings.Metrics.ScrapeInterval = time.Second
	req := histRequest(false, true)
	req.Query.HistogramMetric = "restarting_duration_seconds"
	req.From, req.To, req.Interval = from, time.Now(), time.Second
	resp := Latency(context.Background(), env, req)
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if n := summaryCount(t, resp.Frames); math.Abs(n-3000) > 300 {
		t.Errorf("summary N = %v, want about 3000 (1000 before the restart, 2000 after)", n)
	}
}
