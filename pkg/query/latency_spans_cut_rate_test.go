package query

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
)

// When the configured span limit cuts the spans of the range, the latest spans are kept
// (a dashboard's and an alert's last steps are the ones read) and the summary's rate is
// over the time they cover, after the latest span left out. Kept in the store's order
// and divided by the whole range, the TPS was the limit over the range whatever the
// traffic, and the mean, CDF and percentiles those of whichever spans the store listed
// first. Jaeger sends 19 one-span traces, one a second up to the range's end, span i
// seconds before the end lasting i+1 ms, oldest first; the limit is 5.
func TestLatencySummaryOfCutSpansIsOverTheTimeTheyCover(t *testing.T) {
	var ts []string
	for i := 18; i >= 0; i-- { // oldest first
		id := fmt.Sprintf("%032x", i+1)
		ts = append(ts, fmt.Sprintf(`{"traceID":%q,"spans":[{"traceID":%q,"spanID":"%016x","operationName":"GET /cart",
			"references":[],"startTime":%d,"duration":%d,"tags":[],"logs":[],"processID":"p1"}],
			"processes":{"p1":{"serviceName":"checkout","tags":[]}}}`, id, id, i+1, (replayTo.Unix()-int64(i))*1e6, (i+1)*1000))
	}
	js := newStoreReplay(t, map[string]answer{"/api/traces": jsonAnswer(`{"data":[` + strings.Join(ts, ",") + `],"errors":null}`)})
	q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", Percentiles: []float64{0.5}}
	res := Latency(context.Background(), replayEnv(t, nil, js, settings.TraceKindJaegerV1, `{"maxSpans":5}`), latencyRequest(q))
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	count, mean := summaryOf(t, res.Frames)
	if count != 5 || mean != 3 {
		t.Errorf("summary count %v mean %v ms, want the 5 latest spans (1…5 ms, mean 3 ms)", count, mean)
	}
	s := framesOfKind(res.Frames, frames.KindSummary)[0]
	tps, _ := s.FieldByName(frames.SummaryTPS)
	if got := tps.At(0).(float64); math.Abs(got-1) > 1e-9 {
		t.Errorf("TPS %v, want 1 (5 spans over the 5 s they cover)", got)
	}
	assertNotices(t, []*data.Frame{s}, []string{"the 5 kept cover the last 5s of the range; the rate is over that time",
		"spans truncated to the configured limit of 5"}, nil)
}
