package query

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/testenv"
)

// One observation of NaN (a duration computed as 0/0) makes a histogram's _sum NaN
// from then on, while its count and buckets stay right. Against Debian's Prometheus
// with such a histogram (10 requests a second, half of them failed, the sum NaN since
// before the range): the summary still gives the count, the rate and the error rate,
// and says the mean is unknown and why. It was one error notice with every value lost.
func TestHistogramSummaryWithNaNSumKeepsCountAndRateAgainstPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	req := histRequest(false, true)
	to := req.To.Unix()
	var b strings.Builder
	b.WriteString("# TYPE http_duration_seconds histogram\n")
	for _, suffix := range []string{"_bucket", "_count", "_sum"} {
		for _, status := range []string{"200", "500"} {
			les := []string{""}
			if suffix == "_bucket" {
				les = []string{"0.1", "+Inf"}
			}
			for _, le := range les {
				for ts := to - 7200; ts <= to; ts += 15 {
					v := fmt.Sprintf("%g", 5*float64(ts-(to-7200)))
					if suffix == "_sum" {
						v = "NaN"
					}
					lab := fmt.Sprintf(`service="api",status=%q`, status)
					if le != "" {
						lab += fmt.Sprintf(`,le=%q`, le)
					}
					fmt.Fprintf(&b, "http_duration_seconds%s{%s} %s %d\n", suffix, lab, v, ts)
				}
			}
		}
	}
	b.WriteString("# EOF\n")
	srv := testenv.StartPrometheus(t, testenv.PrometheusOptions{Features: []string{}, Backfill: b.String()})
	env := histEnv(nil)
	env.Settings.ErrorLabel, env.Settings.ErrorValues = "status", settings.DefaultErrorValues
	env.Metrics = promClient(t, settings.Store{URL: srv.URL})
	resp := Latency(context.Background(), env, req)
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	f := summaryFrame(t, resp.Frames)
	if n := summaryCount(t, resp.Frames); !(math.Abs(n-36000) <= 1) {
		t.Errorf("summary N = %v, want 36000 (10 a second for an hour); notices %q", n, noticeText(f))
	}
	tps, _ := f.FieldByName(frames.SummaryTPS)
	if v := tps.At(0).(float64); !(math.Abs(v-10) <= 1e-6) {
		t.Errorf("TPS %v, want 10", v)
	}
	er, _ := f.FieldByName(frames.SummaryErrorRate)
	if v := er.At(0).(*float64); v == nil || math.Abs(*v-0.5) > 1e-6 {
		t.Errorf("error rate %v, want 0.5", v)
	}
	mean, _ := f.FieldByName(frames.SummaryMeanMs)
	if v := mean.At(0).(float64); !math.IsNaN(v) {
		t.Errorf("mean %v ms, want unknown (NaN)", v)
	}
	if !strings.Contains(noticeText(f), "mean unknown") || !strings.Contains(noticeText(f), "NaN") {
		t.Errorf("notices %q do not say why the mean is unknown", noticeText(f))
	}
}
