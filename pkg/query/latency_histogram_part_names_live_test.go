package query

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/testenv"
)

// A code-mode histogram latency query that names the histogram's _count or _sum series
// instead of the histogram (easy to paste from a rate panel) is refused with the
// histogram's name, against Debian's Prometheus: those are counters with no buckets, so
// the query would otherwise answer empty percentiles without saying why. The histogram's
// own name still works, and a name ending in _count that is no histogram's part is left
// to the store.
func TestHistogramLatencyNamingACountOrSumSeries(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	req := histRequest(false, false)
	to := req.To.Unix()
	var b strings.Builder
	b.WriteString("# TYPE http_duration_seconds histogram\n")
	for _, suffix := range []string{"_bucket", "_count", "_sum"} {
		les := []string{""}
		if suffix == "_bucket" {
			les = []string{"0.1", "+Inf"}
		}
		for _, le := range les {
			for ts := to - 7200; ts <= to; ts += 15 {
				c := float64(ts-(to-7200)) / 15
				if suffix == "_sum" {
					c *= 0.05
				}
				lab := `service="api"`
				if le != "" {
					lab += fmt.Sprintf(`,le=%q`, le)
				}
				fmt.Fprintf(&b, "http_duration_seconds%s{%s} %g %d\n", suffix, lab, c, ts)
			}
		}
	}
	b.WriteString("# TYPE retries counter\n")
	for ts := to - 7200; ts <= to; ts += 15 {
		fmt.Fprintf(&b, "retries_total{service=\"api\"} %d %d\n", (ts-(to-7200))/15, ts)
	}
	b.WriteString("# EOF\n")
	srv := testenv.StartPrometheus(t, testenv.PrometheusOptions{Features: []string{}, Backfill: b.String()})
	env := histEnv(nil)
	env.Metrics = promClient(t, settings.Store{URL: srv.URL})

	for _, tc := range []struct {
		expr, wantErr string
	}{
		{`http_duration_seconds_count{service="api"}`, `"http_duration_seconds_count" is the _count series of the histogram "http_duration_seconds"`},
		{`http_duration_seconds_sum`, `"http_duration_seconds_sum" is the _sum series of the histogram "http_duration_seconds"`},
		{`http_duration_seconds{service="api"}`, ""},
		{`http_duration_seconds_bucket{service="api"}`, ""},
		{`retries_count{service="api"}`, ""}, // no histogram "retries": the store's (empty) answer
	} {
		t.Run(tc.expr, func(t *testing.T) {
			r := req
			q := *r.Query
			q.EditorMode, q.Expr, q.HistogramMetric, q.Service = ModeCode, tc.expr, "", ""
			r.Query = &q
			resp := Latency(context.Background(), env, r)
			if tc.wantErr == "" {
				if resp.Error != nil {
					t.Fatalf("error %v", resp.Error)
				}
				return
			}
			if resp.Error == nil || !strings.Contains(resp.Error.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", resp.Error, tc.wantErr)
			}
		})
	}
}

// The same for a native histogram, scraped by Debian's Prometheus with native histograms
// on: its _count is named, which the store does not even hold (a native histogram is one
// series), and the refusal names the histogram.
func TestHistogramLatencyNamingANativeHistogramsCount(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	app := newRestartingNativeApp(t)
	prom := testenv.StartPrometheus(t, testenv.PrometheusOptions{
		Targets: []testenv.ScrapeTarget{{URL: app.srv.URL, Job: "native"}}, ScrapeInterval: time.Second,
	})
	app.observe(10, false)
	prom.WaitForQuery(t, `histogram_count(restarting_duration_seconds) == 10`, 30*time.Second)
	env := histEnv(nil)
	env.Metrics = promClient(t, settings.Store{URL: prom.URL})
	req := histRequest(false, false)
	req.From, req.To, req.Interval = time.Now().Add(-time.Minute), time.Now(), time.Second
	req.Query.EditorMode, req.Query.Expr = ModeCode, `restarting_duration_seconds_count{service="api"}`
	resp := Latency(context.Background(), env, req)
	want := `"restarting_duration_seconds_count" is the _count series of the histogram "restarting_duration_seconds"`
	if resp.Error == nil || !strings.Contains(resp.Error.Error(), want) {
		t.Fatalf("error %v, want one containing %q", resp.Error, want)
	}
	req.Query.Expr = `restarting_duration_seconds{service="api"}`
	if resp := Latency(context.Background(), env, req); resp.Error != nil {
		t.Fatalf("the histogram's own name: %v", resp.Error)
	}
}
