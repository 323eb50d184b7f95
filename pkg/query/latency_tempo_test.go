package query

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
)

// tempoMetricsBody is a /api/metrics/query_range answer in Tempo's JSON: p50 of 0.1 s and
// 0.2 s at two steps of the replay hour.
const tempoMetricsBody = `{"series":[{"labels":[{"key":"p","value":{"doubleValue":0.5}}],"promLabels":"{p=\"0.5\"}",
	"samples":[{"timestampMs":"1700000060000","value":0.1},{"timestampMs":"1700000120000","value":0.2}]}],
	"metrics":{"inspectedBytes":"1000","completedJobs":1,"totalJobs":1}}`

// When only the percentiles are wanted and Tempo's TraceQL metrics answer, no raw span
// is searched; the search runs only when the metrics fail, or when a CDF or summary
// (which need the raw spans) is wanted.
func TestLatencyFromTempoSpansSearchesOnlyWhenNeeded(t *testing.T) {
	off, on := new(bool), new(bool)
	*on = true
	tests := []struct {
		name         string
		metricsFail  bool
		cdf, summary *bool
		fromAlert    bool
		wantSearches int
		wantNotice   string // on the percentile frame; "" when none is due
	}{
		{name: "metrics answer, no CDF or summary", cdf: off, summary: off, wantSearches: 0},
		{name: "alert request (it drops the CDF and summary)", cdf: on, summary: on, fromAlert: true, wantSearches: 0},
		{name: "metrics fail, no CDF or summary", metricsFail: true, cdf: off, summary: off, wantSearches: 1,
			wantNotice: "TraceQL metrics unavailable (tempo: HTTP 404"},
		{name: "alert request, metrics fail", metricsFail: true, cdf: on, summary: on, fromAlert: true, wantSearches: 1,
			wantNotice: "TraceQL metrics unavailable (tempo: HTTP 404"},
		{name: "metrics answer, CDF wanted", cdf: on, summary: off, wantSearches: 1},
		{name: "metrics answer, summary wanted", cdf: off, summary: on, wantSearches: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newStoreReplay(t, map[string]answer{
				"/api/search": jsonAnswer(tempoSearchBody(2, 100, 300)),
				"/api/metrics/query_range": func(*http.Request) (int, string, string) {
					if tt.metricsFail {
						return 404, "text/plain", "404 page not found\n"
					}
					return 200, "application/json", tempoMetricsBody
				},
			})
			q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "api", Percentiles: []float64{0.5},
				CDF: tt.cdf, Summary: tt.summary}
			r := latencyRequest(q)
			r.FromAlert = tt.fromAlert
			res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), r)
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			if got := len(tr.params("/api/search", "q")); got != tt.wantSearches {
				t.Errorf("%d searches of raw spans, want %d", got, tt.wantSearches)
			}
			if got := len(tr.params("/api/metrics/query_range", "q")); got != 1 {
				t.Errorf("%d TraceQL metrics queries, want 1", got)
			}
			pct := framesOfKind(res.Frames, frames.KindPercentile)
			if len(pct) != 1 {
				t.Fatalf("%d percentile frames, want 1", len(pct))
			}
			// The metrics give two steps; the two replayed spans start in one step.
			if n, want := pct[0].Rows(), map[bool]int{false: 2, true: 1}[tt.metricsFail]; n != want {
				t.Errorf("percentile frame has %d points, want %d", n, want)
			}
			note := noticeText(pct[0])
			if tt.wantNotice == "" && note != "" {
				t.Errorf("unexpected notices %q", note)
			}
			if tt.wantNotice != "" && !strings.Contains(note, tt.wantNotice) {
				t.Errorf("notices %q, want %q", note, tt.wantNotice)
			}
			wantCDF, wantSummary := 0, 0
			if !tt.fromAlert && tt.cdf == on {
				wantCDF = 1
			}
			if !tt.fromAlert && tt.summary == on {
				wantSummary = 1
			}
			if n, m := len(framesOfKind(res.Frames, frames.KindCDF)), len(framesOfKind(res.Frames, frames.KindSummary)); n != wantCDF || m != wantSummary {
				t.Errorf("%d CDF and %d summary frames, want %d and %d", n, m, wantCDF, wantSummary)
			}
		})
	}
}
