package query

import (
	"context"
	"fmt"
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

func TestStatusAttribute(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{ span.status = "error" }`, "span.status"},
		{`{ resource.status != nil }`, "resource.status"},
		{`{.status="error"}`, ".status"},
		{`{ span."status" = "x" }`, `span."status"`},
		{`{ ."status" = "x" }`, `."status"`},
		{`{ parent.span.status = "x" }`, "parent.span.status"},
		{`{ event.status = "x" } | select(span.a)`, "event.status"},
		{`{ .a = 1 } | select(resource.status)`, "resource.status"},
		{`{ .a = "\"" && (span.status =~ "e.*") }`, "span.status"},
		// Not an attribute named status.
		{`{ status = error }`, ""},
		{`{ span:status = error } | select(status)`, ""},
		{`{ span.http.status_code = 500 && .status.code = 2 }`, ""},
		{`{ span.status_code = 500 && .statuses = 1 && span.Status = 1 }`, ""},
		{`{ .msg = "span.status" && .b = ` + "`resource.status`" + ` }`, ""},
		{`{ span."status code" = "x" }`, ""},
		{"{ .a = 1 // span.status\n}", ""},
		{`{ .a = "span.status }`, ""}, // the string does not end: Tempo refuses it
	}
	for _, tt := range tests {
		if got := statusAttribute(tt.in); got != tt.want {
			t.Errorf("statusAttribute(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A selection that filters on an attribute named status makes Tempo's search answer
// carry two "status" keys per span (that attribute, scope dropped, and the selected
// span status) that cannot be told apart: the error rate is left out, with a warning,
// and every other figure is kept.
func TestLatencyFromTempoSpansLeavesOutAnErrorRateItCannotRead(t *testing.T) {
	// The spans' own status; one in four failed.
	statuses := []string{"unset", "error", "ok", "unset"}
	tests := []struct {
		name      string
		mode      string
		expr      string // code mode's TraceQL, or the builder's span filter
		attrTwice bool   // the answer also carries the attribute, valued "error", first
		wantRef   string // the reference the notice quotes; "" when the rate is known
	}{
		{name: "builder filter on span.status", mode: ModeBuilder, expr: `span.status = "error"`, attrTwice: true, wantRef: "span.status"},
		{name: "builder filter on resource.status", mode: ModeBuilder, expr: `resource.status != nil`, attrTwice: true, wantRef: "resource.status"},
		{name: "code mode, unscoped .status", mode: ModeCode, expr: `{ resource.service.name = "api" && .status = "error" }`, attrTwice: true, wantRef: ".status"},
		{name: "code mode, quoted name", mode: ModeCode, expr: `{ span."status" = "error" }`, attrTwice: true, wantRef: `span."status"`},
		{name: "the status intrinsic", mode: ModeCode, expr: `{ resource.service.name = "api" && status != ok }`},
		{name: "builder filter on an attribute whose name only starts with status", mode: ModeBuilder, expr: `span.status_code >= 500`},
		{name: "status inside a string", mode: ModeCode, expr: `{ .note = "span.status" }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newStoreReplay(t, map[string]answer{
				"/api/search": func(*http.Request) (int, string, string) {
					spans := make([]string, len(statuses))
					for i, st := range statuses {
						attrs := `{"key":"status","value":{"stringValue":"` + st + `"}}`
						if tt.attrTwice {
							attrs = `{"key":"status","value":{"stringValue":"error"}},` + attrs
						}
						spans[i] = fmt.Sprintf(`{"spanID":"%016x","startTimeUnixNano":"%d","durationNanos":"%d","attributes":[%s]}`,
							i+1, int64(1700000010+i)*1e9, int64(100+100*i)*1e6, attrs)
					}
					set := `{"spans":[` + strings.Join(spans, ",") + `],"matched":4}`
					return 200, "application/json", `{"traces":[{"traceID":"2f3577b34da6a3ce929d0e0e4736","rootServiceName":"api",` +
						`"rootTraceName":"GET /","startTimeUnixNano":"1700000010000000000","durationMs":900,"spanSet":` + set +
						`,"spanSets":[` + set + `]}],"metrics":{"completedJobs":1,"totalJobs":1}}`
				},
				"/api/metrics/query_range": func(*http.Request) (int, string, string) { return 404, "text/plain", "404 page not found\n" },
			})
			q := &Query{Source: SourceSpans, EditorMode: tt.mode, Service: "api", Percentiles: []float64{0.5}}
			if tt.mode == ModeCode {
				q.Expr = tt.expr
			} else {
				q.SpanFilter = tt.expr
			}
			res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), latencyRequest(q))
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			count, mean := summaryOf(t, res.Frames)
			if count != 4 || mean != 250 {
				t.Errorf("summary count %v mean %v ms, want 4 and 250", count, mean)
			}
			sum := framesOfKind(res.Frames, frames.KindSummary)[0]
			er, _ := sum.FieldByName(frames.SummaryErrorRate)
			if er == nil {
				t.Fatal("no error-rate field")
			}
			v, known := er.ConcreteAt(0)
			note := noticeText(sum)
			if tt.wantRef == "" {
				if !known || v.(float64) != 0.25 {
					t.Errorf("error rate %v, want 0.25 (1 error in 4 spans)", v)
				}
				if strings.Contains(note, "error rate") {
					t.Errorf("unexpected notice %q", note)
				}
			} else {
				if known {
					t.Errorf("error rate %v, want none (null)", v)
				}
				want := "error rate left out: the selection filters on an attribute named status (" + tt.wantRef +
					"), which Tempo's search answer cannot tell from the span status"
				if !strings.Contains(note, want) {
					t.Errorf("summary notices %q, want %q", note, want)
				}
			}
			if len(framesOfKind(res.Frames, frames.KindCDF)) != 1 {
				t.Error("no CDF frame")
			}
			for _, f := range framesOfKind(res.Frames, frames.KindPercentile) {
				if f.Rows() == 0 {
					t.Errorf("percentile frame %s is empty", f.Name)
				}
			}
		})
	}
}

// Tempo answers a TraceQL metrics query with more series than its max_response_series
// with the first series only, `"status":"PARTIAL"` and a message; the percentile frames
// must say so (a group missing from them is not a group without spans). A complete
// answer carries no such notice.
func TestLatencyFromTempoMetricsPartialAnswer(t *testing.T) {
	const msg = "Response exceeds maximum series limit of 1, a partial response is returned. Warning: the accuracy of each individual value is not guaranteed."
	tests := []struct {
		name, status string
		wantNotice   bool
	}{
		{name: "partial", status: `,"status":"PARTIAL","message":"` + msg + `"`, wantNotice: true},
		{name: "complete, status omitted", status: ``},
		{name: "complete, status named", status: `,"status":"COMPLETE"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.TrimSuffix(tempoMetricsBody, "}") + tt.status + "}"
			tr := newStoreReplay(t, map[string]answer{"/api/metrics/query_range": jsonAnswer(body)})
			off := new(bool)
			q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "api", Percentiles: []float64{0.5},
				CDF: off, Summary: off, GroupBy: []string{"name"}}
			for _, fromAlert := range []bool{false, true} {
				r := latencyRequest(q)
				r.FromAlert = fromAlert
				res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), r)
				if res.Error != nil {
					t.Fatal(res.Error)
				}
				pct := framesOfKind(res.Frames, frames.KindPercentile)
				if len(pct) != 1 || pct[0].Rows() != 2 {
					t.Fatalf("%d percentile frames, want 1 with the 2 points Tempo returned", len(pct))
				}
				note := noticeText(pct[0])
				if got := strings.Contains(note, "tempo") && strings.Contains(note, msg); got != tt.wantNotice {
					t.Errorf("alert %v: notices %q; want Tempo's partial-answer message: %v", fromAlert, note, tt.wantNotice)
				}
			}
		})
	}
}

// A Tempo whose metrics-generator does not run the local-blocks processor for the
// tenant (it must be listed in the overrides) answers every TraceQL metrics query over
// recent data with 200 and no series at all, `{"series":[],…}`, as if no span matched.
// When the search finds spans, the percentiles come from them, with a notice saying why;
// when it finds none either, the percentile frames stay empty and nothing is said.
func TestLatencyFromTempoMetricsWithoutSeries(t *testing.T) {
	const noSeries = `{"series":[],"metrics":{"completedJobs":1}}`
	const emptySearch = `{"traces":[],"metrics":{"completedJobs":1,"totalJobs":1}}`
	off, on := new(bool), new(bool)
	*on = true
	tests := []struct {
		name         string
		search       string
		cdf          *bool
		fromAlert    bool
		wantPoints   int
		wantNotice   string
		wantSearches int
	}{
		{name: "percentiles only", search: tempoSearchBody(2, 100, 300), cdf: off, wantPoints: 1, wantSearches: 1,
			wantNotice: "TraceQL metrics found no spans where the search found 2"},
		{name: "alert request", search: tempoSearchBody(2, 100, 300), cdf: on, fromAlert: true, wantPoints: 1, wantSearches: 1,
			wantNotice: "TraceQL metrics found no spans where the search found 2"},
		{name: "with the CDF", search: tempoSearchBody(2, 100, 300), cdf: on, wantPoints: 1, wantSearches: 1,
			wantNotice: "TraceQL metrics found no spans where the search found 2"},
		{name: "no spans anywhere", search: emptySearch, cdf: off, wantPoints: 0, wantSearches: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newStoreReplay(t, map[string]answer{
				"/api/search":              jsonAnswer(tt.search),
				"/api/metrics/query_range": jsonAnswer(noSeries),
			})
			q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "api", Percentiles: []float64{0.5},
				CDF: tt.cdf, Summary: off}
			r := latencyRequest(q)
			r.FromAlert = tt.fromAlert
			res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), r)
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			if got := len(tr.params("/api/search", "q")); got != tt.wantSearches {
				t.Errorf("%d searches of raw spans, want %d", got, tt.wantSearches)
			}
			pct := framesOfKind(res.Frames, frames.KindPercentile)
			if len(pct) != 1 {
				t.Fatalf("%d percentile frames, want 1", len(pct))
			}
			if n := pct[0].Rows(); n != tt.wantPoints {
				t.Errorf("percentile frame has %d points, want %d", n, tt.wantPoints)
			}
			if tt.wantPoints > 0 && pct[0].Rows() > 0 {
				v, _ := pct[0].Fields[1].ConcreteAt(0)
				if v != 200.0 {
					t.Errorf("p50 of 100 ms and 300 ms = %v, want 200", v)
				}
			}
			note := noticeText(pct[0])
			if tt.wantNotice == "" && note != "" {
				t.Errorf("unexpected notices %q", note)
			}
			if tt.wantNotice != "" && !strings.Contains(note, tt.wantNotice) {
				t.Errorf("notices %q, want %q", note, tt.wantNotice)
			}
		})
	}
}

// The latency query adds quantile_over_time to the spans the code-mode TraceQL selects.
// TraceQL that already ends in a metrics function is refused before any store is
// called, naming the function: sent on, Tempo's parse error points past the end of what
// the user wrote (at the stage the query appended). Pipelines that still give spans,
// and the function names inside strings, are not refused.
func TestLatencyFromSpansRefusesAMetricsQuery(t *testing.T) {
	tests := []struct {
		expr, wantFn string
	}{
		{expr: `{ resource.service.name = "api" } | quantile_over_time(duration, 0.9)`, wantFn: "quantile_over_time"},
		{expr: `{} | rate() by (name)`, wantFn: "rate"},
		{expr: "{}|count_over_time()", wantFn: "count_over_time"},
		{expr: "{ .a = 1 } |\n  histogram_over_time (duration)", wantFn: "histogram_over_time"},
		{expr: `{} | avg_over_time(duration) | topk(3)`, wantFn: "avg_over_time"},
		{expr: `{ .note = "| rate()" } | select(span.a)`},
		{expr: `{ .a = 1 } || { .b = 2 } | count() > 2`},
		{expr: "{ .a = `x | rate()` } | by(name)"},
		{expr: "{ .a = 1 } // | rate()"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			tr := newStoreReplay(t, map[string]answer{
				"/api/search":              jsonAnswer(tempoSearchBody(2, 100, 300)),
				"/api/metrics/query_range": jsonAnswer(tempoMetricsBody),
			})
			off := new(bool)
			q := &Query{Source: SourceSpans, EditorMode: ModeCode, Expr: tt.expr, Percentiles: []float64{0.5}, CDF: off, Summary: off}
			res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), latencyRequest(q))
			calls := len(tr.params("/api/search", "q")) + len(tr.params("/api/metrics/query_range", "q"))
			if tt.wantFn == "" {
				if res.Error != nil || calls == 0 {
					t.Errorf("error %v after %d store calls; want the query sent", res.Error, calls)
				}
				return
			}
			if res.Error == nil || !strings.Contains(res.Error.Error(), tt.wantFn+"()") || res.Status != http.StatusBadRequest {
				t.Errorf("status %v error %v; want a bad request naming %s()", res.Status, res.Error, tt.wantFn)
			}
			if calls != 0 {
				t.Errorf("%d store calls; want none", calls)
			}
		})
	}
}
