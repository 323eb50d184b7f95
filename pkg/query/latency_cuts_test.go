package query

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
)

// rawFrames are the frames a latency query built from raw spans or values: the exact
// percentiles (when they are exact), the CDF and the summary.
func rawFrames(fs data.Frames, withPercentiles bool) []*data.Frame {
	var out []*data.Frame
	if withPercentiles {
		out = append(out, framesOfKind(fs, frames.KindPercentile)...)
	}
	out = append(out, framesOfKind(fs, frames.KindCDF)...)
	return append(out, framesOfKind(fs, frames.KindSummary)...)
}

// assertNotices checks every frame's notices hold each of want and none of refuse.
func assertNotices(t *testing.T, fs []*data.Frame, want, refuse []string) {
	t.Helper()
	if len(fs) == 0 {
		t.Fatal("no frames")
	}
	for _, f := range fs {
		n := noticeText(f)
		for _, w := range want {
			if !strings.Contains(n, w) {
				t.Errorf("%s frame: notices %q lack %q", f.Name, n, w)
			}
		}
		for _, r := range refuse {
			if strings.Contains(n, r) {
				t.Errorf("%s frame: notices %q hold %q", f.Name, n, r)
			}
		}
	}
}

func TestLatencyFromJaegerSpansAnnouncesCutsWithTrueFigures(t *testing.T) {
	oneSpanTraces := func(n int) string {
		var ts []string
		for i := range n {
			id := fmt.Sprintf("%032x", i+1)
			ts = append(ts, fmt.Sprintf(`{"traceID":%q,"spans":[{"traceID":%q,"spanID":"%016x","operationName":"GET /cart",
				"references":[],"startTime":%d,"duration":100000,"tags":[],"logs":[],"processID":"p1"}],
				"processes":{"p1":{"serviceName":"checkout","tags":[]}}}`, id, id, i+1, (replayFrom.Unix()+int64(i))*1e6))
		}
		return `{"data":[` + strings.Join(ts, ",") + `],"errors":null}`
	}
	tests := []struct {
		name      string
		body      string
		limits    string
		wantLimit string // the trace limit sent
		wantCount float64
		want      []string
		refuse    []string
	}{
		{name: "the span limit cuts the spans", body: groupedJaegerV1(groupedSpans, "null"), limits: `{"maxSpans":3}`,
			wantLimit: "20", wantCount: 3,
			want:   []string{"spans truncated to the configured limit of 3: 3 shown; the store holds more in the time range"},
			refuse: []string{"returned 5", "returned 4", "maximum of"}},
		{name: "the search returns its maximum of traces", body: oneSpanTraces(20), limits: `{"maxSpans":100}`,
			wantLimit: "20", wantCount: 20,
			want:   []string{"spans: the search returned its maximum of 20 traces (set from the configured span limit), so the store may hold more in the time range; 20 shown"},
			refuse: []string{"truncated"}},
		{name: "fewer traces than the search's maximum", body: oneSpanTraces(19), limits: `{"maxSpans":100}`,
			wantLimit: "20", wantCount: 19, refuse: []string{"truncated", "maximum of", "may hold more"}},
		{name: "everything fits", body: groupedJaegerV1(groupedSpans, "null"), wantLimit: "5000", wantCount: 5,
			refuse: []string{"truncated", "maximum of", "may hold more"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js := newStoreReplay(t, map[string]answer{"/api/traces": jsonAnswer(tt.body)})
			q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", Percentiles: []float64{0.5}}
			res := Latency(context.Background(), replayEnv(t, nil, js, settings.TraceKindJaegerV1, tt.limits), latencyRequest(q))
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			if got := js.params("/api/traces", "limit"); len(got) != 1 || got[0] != tt.wantLimit {
				t.Errorf("trace limit sent %q, want %s", got, tt.wantLimit)
			}
			if count, _ := summaryOf(t, res.Frames); count != tt.wantCount {
				t.Errorf("summary count %v, want %v", count, tt.wantCount)
			}
			assertNotices(t, rawFrames(res.Frames, true), tt.want, tt.refuse)
		})
	}
}

// TestLatencyFromJaegerSpansCarriesItsWarnings: `errors` next to `data` in Jaeger's
// answer reach every frame built from its spans.
func TestLatencyFromJaegerSpansCarriesItsWarnings(t *testing.T) {
	body := groupedJaegerV1(groupedSpans, `[{"code":500,"msg":"failed to read trace from storage","traceID":"a3ce929d0e0e47364bf92f3577b34da6"}]`)
	js := newStoreReplay(t, map[string]answer{"/api/traces": jsonAnswer(body)})
	for _, groupBy := range [][]string{nil, {"name"}} {
		q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", Percentiles: []float64{0.5, 0.9}, GroupBy: groupBy}
		res := Latency(context.Background(), replayEnv(t, nil, js, settings.TraceKindJaegerV1, ""), latencyRequest(q))
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		if count, _ := summaryOf(t, res.Frames); count != 5 {
			t.Errorf("summary count %v, want the 5 spans that came back", count)
		}
		fs := rawFrames(res.Frames, true)
		if len(fs) != 2*max(1, len(groupBy)*2)+2 {
			t.Errorf("group by %q: %d frames", groupBy, len(fs))
		}
		assertNotices(t, fs, []string{"jaeger: failed to read trace from storage (code 500, trace a3ce929d0e0e47364bf92f3577b34da6)"}, nil)
		for _, f := range fs {
			if f.Meta == nil || len(f.Meta.Notices) == 0 || f.Meta.Notices[0].Severity != data.NoticeSeverityWarning {
				t.Errorf("%s: the first notice is not a warning: %+v", f.Name, f.Meta)
			}
		}
	}
}

// lokiValuesReplay answers quantile_over_time with one series and log queries with
// logs(limit), whose status, content type and body it returns.
func lokiValuesReplay(t *testing.T, logs func(limit string) (int, string, string)) *storeReplay {
	return newStoreReplay(t, map[string]answer{
		"/loki/api/v1/query_range": func(r *http.Request) (int, string, string) {
			if strings.HasPrefix(r.URL.Query().Get("query"), "quantile_over_time(") {
				return 200, "application/json", `{"status":"success","data":{"resultType":"matrix","result":[
					{"metric":{},"values":[[1700000060,"0.5"]]}]}}`
			}
			return logs(r.URL.Query().Get("limit"))
		},
	})
}

// lokiStreams is a streams answer; each stream is a list of (seconds after replayFrom,
// dur in ms) in time order, as Loki sends a forward query.
func lokiStreams(streams ...[][2]int) string {
	var rs []string
	for i, s := range streams {
		var vs []string
		for _, e := range s {
			// The pipeline's logfmt stage parsed the value out of the line.
			vs = append(vs, fmt.Sprintf(`["%d","dur=%d",{"parsed":{"dur":"%d"}}]`, (replayFrom.Unix()+int64(e[0]))*1e9, e[1], e[1]))
		}
		rs = append(rs, fmt.Sprintf(`{"stream":{"app":"x","pod":"%d"},"values":[%s]}`, i, strings.Join(vs, ",")))
	}
	return `{"status":"success","data":{"resultType":"streams","encodingFlags":["categorize-labels"],"result":[` + strings.Join(rs, ",") + `]}}`
}

func TestLatencyFromLogValuesAnnouncesCutsWithTrueFigures(t *testing.T) {
	q := func() *Query {
		return &Query{Source: SourceLogs, EditorMode: ModeCode, Expr: `{app="x"} | logfmt | unwrap dur`, Percentiles: []float64{0.5}}
	}
	t.Run("the line limit cuts the latest lines", func(t *testing.T) {
		// Three lines in two streams; two may be read: the earliest two (10 and 20 ms).
		lk := lokiValuesReplay(t, func(string) (int, string, string) {
			return 200, "application/json", lokiStreams([][2]int{{10, 10}, {40, 40}}, [][2]int{{20, 20}})
		})
		res := Latency(context.Background(), replayEnv(t, lk, nil, "", `{"maxLogLines":2}`), latencyRequest(q()))
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		if got := lk.params("/loki/api/v1/query_range", "limit"); !strings.Contains(strings.Join(got, ","), "3") {
			t.Errorf("limits sent %q, want one line more than the 2 kept", got)
		}
		if count, mean := summaryOf(t, res.Frames); count != 2 || math.Abs(mean-15) > 1e-9 {
			t.Errorf("summary count %v mean %v ms, want the earliest two lines: 2 and 15", count, mean)
		}
		assertNotices(t, rawFrames(res.Frames, false),
			[]string{"log lines truncated to the configured limit of 2: 2 shown; the store holds more in the time range"},
			[]string{"returned 3", "incomplete"})
	})
	t.Run("reading stops early", func(t *testing.T) {
		// The store's per-query maximum is 3, so 7 lines take pages; the second fails.
		var logCalls atomic.Int32
		lk := lokiValuesReplay(t, func(limit string) (int, string, string) {
			if limit != "3" {
				return 400, "text/plain; charset=utf-8", fmt.Sprintf("max entries limit per query exceeded, limit > max_entries_limit (%s > 3)", limit)
			}
			if logCalls.Add(1) > 1 {
				return 500, "text/plain; charset=utf-8", "rpc error: code = Unavailable"
			}
			return 200, "application/json", lokiStreams([][2]int{{10, 10}, {20, 20}, {30, 30}})
		})
		res := Latency(context.Background(), replayEnv(t, lk, nil, "", `{"maxLogLines":7}`), latencyRequest(q()))
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		if count, _ := summaryOf(t, res.Frames); count != 3 {
			t.Errorf("summary count %v, want the 3 lines read", count)
		}
		assertNotices(t, rawFrames(res.Frames, false),
			[]string{"log lines incomplete: 3 shown of up to 7; page 2 failed", "rpc error: code = Unavailable"},
			[]string{"truncated", "configured limit"})
	})
	t.Run("everything fits", func(t *testing.T) {
		lk := lokiValuesReplay(t, func(string) (int, string, string) {
			return 200, "application/json", lokiStreams([][2]int{{10, 10}, {20, 20}})
		})
		res := Latency(context.Background(), replayEnv(t, lk, nil, "", `{"maxLogLines":2}`), latencyRequest(q()))
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		assertNotices(t, rawFrames(res.Frames, false), nil, []string{"truncated", "incomplete"})
	})
}
