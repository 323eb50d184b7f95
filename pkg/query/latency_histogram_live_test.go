package query

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/testenv"
)

// histogramPod is one pod's classic histogram series from start to end (Unix s): its
// _count grows linearly from c0 to c1, a sample every 15 s.
type histogramPod struct {
	name       string
	start, end int64
	c0, c1     float64
}

// Summary N under pod churn, against Debian's Prometheus with backfilled samples. Pod a
// lives through the range and before it (its _count grows 1000 → 1100 over two hours, so
// by 50 in the range). With it:
//   - pod b lives inside the range only (to-40m to to-20m, 0 → 500): no instant at either
//     end of the range sees it;
//   - pod c lives from before the range until to-30m (1970 → 2030 over its last hour, so
//     by 30 in the range's first half): missing at the range's end.
//
// Either way the growth between the range's ends misses the pod, and the summary must use
// Prometheus' increase().
func TestHistogramSummaryCountUnderChurnAgainstPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	to := histRequest(false, true).To.Unix()
	a := histogramPod{"a", to - 7200, to, 1000, 1100}
	for _, tc := range []struct {
		name string
		pods []histogramPod
		want float64
	}{
		{"a pod inside the range", []histogramPod{a, {"b", to - 2400, to - 1200, 0, 500}}, 550},
		{"a pod gone before the range's end", []histogramPod{a, {"c", to - 5400, to - 1800, 1970, 2030}}, 80},
	} {
		t.Run(tc.name, func(t *testing.T) { checkChurnSummary(t, tc.pods, tc.want) })
	}
}

func checkChurnSummary(t *testing.T, pods []histogramPod, want float64) {
	req := histRequest(false, true)
	var b strings.Builder
	b.WriteString("# TYPE http_duration_seconds histogram\n")
	for _, suffix := range []string{"_bucket", "_count", "_sum"} {
		for _, p := range pods {
			les := []string{""}
			if suffix == "_bucket" {
				les = []string{"0.1", "+Inf"}
			}
			for _, le := range les {
				n := (p.end - p.start) / 15
				for i := int64(0); i <= n; i++ {
					c := p.c0 + (p.c1-p.c0)*float64(i)/float64(n)
					if suffix == "_sum" {
						c *= 0.1
					}
					lab := fmt.Sprintf(`service="api",pod=%q`, p.name)
					if le != "" {
						lab += fmt.Sprintf(`,le=%q`, le)
					}
					fmt.Fprintf(&b, "http_duration_seconds%s{%s} %g %d\n", suffix, lab, c, p.start+i*15)
				}
			}
		}
	}
	b.WriteString("# EOF\n")
	srv := testenv.StartPrometheus(t, testenv.PrometheusOptions{Features: []string{}, Backfill: b.String()})
	env := histEnv(nil)
	env.Metrics = promClient(t, settings.Store{URL: srv.URL})
	ctx := context.Background()
	inc, err := env.Metrics.Query(ctx, `sum(increase(http_duration_seconds_count{service="api"}[3600s]))`, req.To)
	if err != nil || len(inc.Series) == 0 {
		t.Fatalf("store not loaded: %v %+v", err, inc)
	}
	resp := Latency(ctx, env, req)
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if got, inc := summaryCount(t, resp.Frames), inc.Series[0].Points[0].Value; got != inc {
		t.Errorf("summary N = %v, want Prometheus' increase() %v (about %v)", got, inc, want)
	}
	if got := summaryCount(t, resp.Frames); math.Abs(got-want) > 0.1*want {
		t.Errorf("summary N = %v, far from the %v requests of the range", got, want)
	}
}
