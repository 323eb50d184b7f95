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

// The error rate of the summary against Debian's Prometheus, with the data source's error
// label `status`: a histogram whose series carry it gives the failed share (0 when none
// failed), and one whose series do not carry it at all (a histogram instrumented without a
// status) cannot tell, so its error rate is unknown, not 0.
func TestHistogramSummaryErrorRateAgainstPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	to := histRequest(false, true).To.Unix()
	type series struct {
		metric, labels string
		perSecond      float64
	}
	all := []series{
		{"http_duration_seconds", `service="api",status="200"`, 10},
		{"http_duration_seconds", `service="api",status="503"`, 1},
		{"http_duration_seconds", `service="ok",status="200"`, 2},
		{"db_duration_seconds", `service="api"`, 5},
	}
	var b strings.Builder
	for _, m := range []string{"http_duration_seconds", "db_duration_seconds"} {
		fmt.Fprintf(&b, "# TYPE %s histogram\n", m)
		for _, suffix := range []string{"_bucket", "_count", "_sum"} {
			for _, s := range all {
				if s.metric != m {
					continue
				}
				les := []string{""}
				if suffix == "_bucket" {
					les = []string{"0.1", "+Inf"}
				}
				for _, le := range les {
					for ts := to - 7200; ts <= to; ts += 15 {
						c := s.perSecond * float64(ts-(to-7200))
						if suffix == "_sum" || le == "0.1" {
							c *= 0.5
						}
						lab := s.labels
						if le != "" {
							lab += fmt.Sprintf(`,le=%q`, le)
						}
						fmt.Fprintf(&b, "%s%s{%s} %g %d\n", m, suffix, lab, c, ts)
					}
				}
			}
		}
	}
	b.WriteString("# EOF\n")
	srv := testenv.StartPrometheus(t, testenv.PrometheusOptions{Features: []string{}, Backfill: b.String()})
	for _, tc := range []struct {
		metric, service string
		want            float64 // NaN: unknown
	}{
		{"http_duration_seconds", "api", 1.0 / 11},
		{"http_duration_seconds", "ok", 0},
		{"db_duration_seconds", "api", math.NaN()},
	} {
		t.Run(tc.metric+" "+tc.service, func(t *testing.T) {
			env := histEnv(nil)
			env.Settings.ErrorLabel, env.Settings.ErrorValues = "status", settings.DefaultErrorValues
			env.Metrics = promClient(t, settings.Store{URL: srv.URL})
			req := histRequest(false, true)
			req.Query.HistogramMetric, req.Query.Service = tc.metric, tc.service
			resp := Latency(context.Background(), env, req)
			if resp.Error != nil {
				t.Fatal(resp.Error)
			}
			f := summaryFrame(t, resp.Frames)
			if n := summaryCount(t, resp.Frames); !(n > 0) {
				t.Fatalf("summary N = %v: store not loaded", n)
			}
			fld, _ := f.FieldByName(frames.SummaryErrorRate)
			got := fld.At(0).(*float64)
			switch {
			case math.IsNaN(tc.want) && got != nil:
				t.Errorf("error rate %v, want unknown (null): the histogram has no %q label", *got, "status")
			case !math.IsNaN(tc.want) && (got == nil || math.Abs(*got-tc.want) > 1e-6):
				t.Errorf("error rate %v, want %v", got, tc.want)
			}
			if math.IsNaN(tc.want) {
				said := false
				for _, n := range f.Meta.Notices {
					said = said || strings.Contains(n.Text, `"status"`)
				}
				if !said {
					t.Errorf("no notice names the missing error label: %+v", f.Meta.Notices)
				}
			}
		})
	}
}
