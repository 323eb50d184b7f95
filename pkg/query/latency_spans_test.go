package query

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
)

// tempoSearchBody is a /api/search answer in Tempo's JSON: one trace (leading zeros of
// its ID stripped, as Tempo does) whose span set matched `matched` spans and carries
// the given durations (ms), each span 1 s after the last from 1700000010 s.
func tempoSearchBody(matched int, durMs ...int) string {
	spans := make([]string, len(durMs))
	for i, d := range durMs {
		spans[i] = fmt.Sprintf(`{"spanID":"%016x","startTimeUnixNano":"%d","durationNanos":"%d"}`,
			i+1, int64(1700000010+i)*1e9, int64(d)*1e6)
	}
	set := `{"spans":[` + strings.Join(spans, ",") + `],"matched":` + strconv.Itoa(matched) + `}`
	return `{"traces":[{"traceID":"2f3577b34da6a3ce929d0e0e4736","rootServiceName":"api","rootTraceName":"GET /",
		"startTimeUnixNano":"1700000010000000000","durationMs":900,"spanSet":` + set + `,"spanSets":[` + set + `]}],
		"metrics":{"inspectedTraces":1,"inspectedBytes":"1000","completedJobs":1,"totalJobs":1}}`
}

// tempoSpansReplay serves /api/search with body; when maxSpss > 0 it refuses a larger
// spss as Tempo's query frontend does (400, plain text). TraceQL metrics are not
// available (404), so percentiles too come from the raw spans.
func tempoSpansReplay(t *testing.T, maxSpss int, body string) *storeReplay {
	return newStoreReplay(t, map[string]answer{
		"/api/search": func(r *http.Request) (int, string, string) {
			if n, _ := strconv.Atoi(r.URL.Query().Get("spss")); maxSpss > 0 && n > maxSpss {
				return 400, "text/plain; charset=utf-8", fmt.Sprintf("spans per span set exceeds %d. received %d", maxSpss, n)
			}
			return 200, "application/json", body
		},
		"/api/metrics/query_range": func(*http.Request) (int, string, string) { return 404, "text/plain", "404 page not found\n" },
	})
}

func TestLatencyFromTempoSpansAnnouncesSpansTempoDidNotReturn(t *testing.T) {
	tests := []struct {
		name      string
		maxSpss   int    // Tempo's max_spans_per_span_set (0: no maximum)
		limits    string // the data source's limits
		matched   int
		wantSpss  []string
		wantNote  string // "" when no notice is due
		wantCount float64
	}{
		{name: "stock Tempo refuses the limit, then caps the span set at 100", maxSpss: 100, matched: 150,
			wantSpss:  []string{strconv.Itoa(settings.DefaultMaxSpans), "100"},
			wantNote:  "spans truncated: the trace store matched 150 but returned 2 (at most 100 per trace); the statistics use the 2 kept",
			wantCount: 2},
		{name: "configured span limit within Tempo's maximum", limits: `{"maxSpans":500}`, maxSpss: 1000, matched: 700,
			wantSpss:  []string{"500"},
			wantNote:  "spans truncated: the trace store matched 700 but returned 2 (at most 500 per trace)",
			wantCount: 2},
		{name: "everything matched came back", maxSpss: 100, matched: 2,
			wantSpss: []string{strconv.Itoa(settings.DefaultMaxSpans), "100"}, wantCount: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := tempoSpansReplay(t, tt.maxSpss, tempoSearchBody(tt.matched, 100, 300))
			env := replayEnv(t, nil, tr, settings.TraceKindTempo, tt.limits)
			q := &Query{Source: SourceSpans, EditorMode: "builder", Service: "api", Percentiles: []float64{0.5}}
			res := Latency(context.Background(), env, latencyRequest(q))
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			if got := tr.params("/api/search", "spss"); strings.Join(got, ",") != strings.Join(tt.wantSpss, ",") {
				t.Errorf("spss sent %q, want %q", got, tt.wantSpss)
			}
			count, mean := summaryOf(t, res.Frames)
			if count != tt.wantCount || mean != 200 {
				t.Errorf("summary count %v mean %v ms, want %v and 200", count, mean, tt.wantCount)
			}
			parts := append(framesOfKind(res.Frames, frames.KindPercentile)[:1], framesOfKind(res.Frames, frames.KindCDF)...)
			parts = append(parts, framesOfKind(res.Frames, frames.KindSummary)...)
			for _, f := range parts {
				got := noticeText(f)
				if tt.wantNote == "" && strings.Contains(got, "truncated") {
					t.Errorf("%s frame: unexpected notice %q", f.Name, got)
				}
				if tt.wantNote != "" && !strings.Contains(got, tt.wantNote) {
					t.Errorf("%s frame notices %q, want %q", f.Name, got, tt.wantNote)
				}
			}
		})
	}
}

func TestLatencyFromTempoSpansKeepsOtherErrors(t *testing.T) {
	tr := newStoreReplay(t, map[string]answer{
		"/api/search": func(*http.Request) (int, string, string) {
			return 400, "text/plain; charset=utf-8", "invalid TraceQL query: parse error at line 1, col 3"
		},
		"/api/metrics/query_range": func(*http.Request) (int, string, string) { return 404, "text/plain", "404 page not found\n" },
	})
	q := &Query{Source: SourceSpans, EditorMode: ModeCode, Expr: "{ .a = }", Percentiles: []float64{0.5}}
	res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), latencyRequest(q))
	if res.Error == nil || !strings.Contains(res.Error.Error(), "tempo: HTTP 400: invalid TraceQL query") {
		t.Fatalf("error %v", res.Error)
	}
	if got := tr.params("/api/search", "spss"); len(got) != 1 {
		t.Errorf("a 400 that names no span maximum is not retried: %d searches", len(got))
	}
}

// Tempo's search answer carries a span's status only when the query selects it (a real
// Tempo 2.x answers `{ }` with bare spans and `{ } | select(status)` with a "status"
// attribute per span): the error rate of raw spans needs the select.
func TestLatencyFromTempoSpansErrorRateSelectsStatus(t *testing.T) {
	statuses := []string{"unset", "error", "ok", "unset"}
	tr := newStoreReplay(t, map[string]answer{
		"/api/search": func(r *http.Request) (int, string, string) {
			selected := strings.Contains(r.URL.Query().Get("q"), "select(status")
			spans := make([]string, len(statuses))
			for i, st := range statuses {
				attrs := ""
				if selected {
					attrs = `,"attributes":[{"key":"status","value":{"stringValue":"` + st + `"}}]`
				}
				spans[i] = fmt.Sprintf(`{"spanID":"%016x","startTimeUnixNano":"%d","durationNanos":"%d"%s}`,
					i+1, int64(1700000010+i)*1e9, int64(100+i)*1e6, attrs)
			}
			set := `{"spans":[` + strings.Join(spans, ",") + `],"matched":4}`
			return 200, "application/json", `{"traces":[{"traceID":"2f3577b34da6a3ce929d0e0e4736","rootServiceName":"api",` +
				`"rootTraceName":"GET /","startTimeUnixNano":"1700000010000000000","durationMs":900,"spanSet":` + set +
				`,"spanSets":[` + set + `]}],"metrics":{"completedJobs":1,"totalJobs":1}}`
		},
		"/api/metrics/query_range": func(*http.Request) (int, string, string) { return 404, "text/plain", "404 page not found\n" },
	})
	q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "api", Percentiles: []float64{0.5}}
	res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), latencyRequest(q))
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	s := framesOfKind(res.Frames, frames.KindSummary)
	if len(s) != 1 {
		t.Fatalf("%d summary frames", len(s))
	}
	er, _ := s[0].FieldByName(frames.SummaryErrorRate)
	if er == nil {
		t.Fatal("no error-rate field")
	}
	if v, ok := er.ConcreteAt(0); !ok || v.(float64) != 0.25 {
		t.Errorf("error rate %v, want 0.25 (1 error in 4 spans)", v)
	}
}

// Tempo's search takes whole seconds, so it is asked for the seconds covering the range
// (end rounded up) and may return spans up to a second outside it; latency from spans
// counts only those that start in the range, and announces no cut for the others.
func TestLatencyFromTempoSpansKeepsTheRequestRange(t *testing.T) {
	from, to := time.Unix(1700000000, 0), time.Unix(1700000020, 400_000_000)
	starts := []int64{
		1699999999_500_000_000, // before the range
		1700000010_000_000_000,
		1700000020_200_000_000, // in the range's last, partial second
		1700000020_700_000_000, // after the range, inside its last whole second
	}
	spans := make([]string, len(starts))
	for i, s := range starts {
		spans[i] = fmt.Sprintf(`{"spanID":"%016x","startTimeUnixNano":"%d","durationNanos":"%d"}`, i+1, s, int64(100*(i+1))*1e6)
	}
	set := `{"spans":[` + strings.Join(spans, ",") + `],"matched":4}`
	body := `{"traces":[{"traceID":"2f3577b34da6a3ce929d0e0e4736","rootServiceName":"api","rootTraceName":"GET /",
		"startTimeUnixNano":"1699999999500000000","durationMs":21500,"spanSet":` + set + `,"spanSets":[` + set + `]}]}`
	tr := tempoSpansReplay(t, 0, body)
	q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "api", Percentiles: []float64{0.5}}
	r := latencyRequest(q)
	r.From, r.To = from, to
	res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), r)
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	if got := tr.params("/api/search", "end"); len(got) != 1 || got[0] != "1700000021" {
		t.Errorf("searched with end %q, want 1700000021", got)
	}
	if count, mean := summaryOf(t, res.Frames); count != 2 || mean != 250 {
		t.Errorf("count %v mean %v ms, want the 2 spans in the range (200 and 300 ms)", count, mean)
	}
	for _, f := range res.Frames {
		if n := noticeText(f); strings.Contains(n, "truncated") || strings.Contains(n, "limit") || strings.Contains(n, "incomplete") {
			t.Errorf("%s frame: notice %q announces a cut", f.Name, n)
		}
	}
}
