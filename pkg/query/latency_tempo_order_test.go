package query

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
)

// The percentile frames come in the same order whichever way they were computed:
// ascending percentile, then the groups in the order of their labels, as histogram and
// log queries and the percentiles computed here from raw spans give them. Grafana lists
// the series and hands out their colours in frame order, so p10 listed before p5 (as the
// names sort) swapped the colours of the two lines when the source changed.
func TestTempoPercentileFramesInPercentileOrder(t *testing.T) {
	var series []string
	for _, p := range []string{"0.05", "0.1", "0.5", "0.99"} {
		for _, route := range []string{"/b", "/a"} {
			series = append(series, fmt.Sprintf(`{"labels":[{"key":"span.http.route","value":{"stringValue":%q}},{"key":"p","value":{"doubleValue":%s}}],
				"samples":[{"timestampMs":"%d","value":0.1}]}`, route, p, replayFrom.Add(60e9).UnixMilli()))
		}
	}
	tr := newStoreReplay(t, map[string]answer{
		"/api/metrics/query_range": jsonAnswer(`{"series":[` + strings.Join(series, ",") + `]}`),
	})
	off := false
	q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "api", Percentiles: []float64{0.99, 0.5, 0.1, 0.05},
		GroupBy: []string{"span.http.route"}, CDF: &off, Summary: &off}
	res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), latencyRequest(q))
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	var got []string
	for _, f := range framesOfKind(res.Frames, frames.KindPercentile) {
		got = append(got, f.Name+" "+f.Fields[1].Labels["span.http.route"])
	}
	want := "p5 /a, p5 /b, p10 /a, p10 /b, p50 /a, p50 /b, p99 /a, p99 /b"
	if strings.Join(got, ", ") != want {
		t.Errorf("frames %q, want %q", strings.Join(got, ", "), want)
	}
}
