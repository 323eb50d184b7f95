package query

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/loki"
)

// Lines that log the propagation header (W3C traceparent, B3) instead of bare IDs, or an
// ID followed by the prose's punctuation, are this trace's lines and join their span by
// its ID, without a warning about IDs that are not ones.
func TestTraceLinesWithHeaderValuesJoinBySpanID(t *testing.T) {
	const root, child = "53995c3f42cd8ad8", "00f067aa0ba902b7"
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{
		{TraceID: windowTraceID, SpanID: root, Operation: "GET /", Service: "checkout",
			StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Minute)},
		{TraceID: windowTraceID, SpanID: child, ParentSpanID: root, Operation: "SELECT", Service: "db",
			StartUnixNano: midnight.Add(10 * time.Second).UnixNano(), DurationNano: int64(time.Second)},
	}}
	line := func(at time.Duration, body string) loki.Entry {
		return loki.Entry{TimeUnixNano: midnight.Add(at).UnixNano(), Line: body}
	}
	lines := []loki.Entry{
		// Logged by the child's code at a time only the root holds.
		line(30*time.Second, "msg=traceparent traceparent=00-"+windowTraceID+"-"+child+"-01"),
		line(31*time.Second, "msg=b3 traceparent="+windowTraceID+"-"+child+"-1"),
		line(32*time.Second, "msg=comma traceparent=00-"+windowTraceID+"-"+child+"-01,"),
	}
	lf := traceLogsFrame(t, trace, lines, settings.Extraction{Mode: settings.ExtractLogfmt, TraceIDKey: "traceparent", SpanIDKey: "traceparent"})
	spans, traces := byBody(t, lf, frames.LogSpanID), byBody(t, lf, frames.LogTraceID)
	if len(spans) != len(lines) {
		t.Fatalf("lines %v, want all %d", spans, len(lines))
	}
	for body, sid := range spans {
		if sid != child || traces[body] != windowTraceID {
			t.Errorf("line %s: trace %q span %q, want %s and %s", body, traces[body], sid, windowTraceID, child)
		}
	}
	if w := warnings(lf); len(w) > 0 {
		t.Errorf("warnings %q", w)
	}
}

// traceLogsFrame runs the trace query for trace (around midnight) with lines in the log
// store, read with extraction, no metrics store, and returns its logs frame.
func traceLogsFrame(t *testing.T, trace *model.Trace, lines []loki.Entry, extraction settings.Extraction) *data.Frame {
	t.Helper()
	st := windowSettings(100, 100)
	st.Extraction = extraction
	env := &Env{Settings: st, Logs: &memLogs{lines: lines}, Traces: oneTrace{trace}, MetricsErr: errors.New("prometheus: not configured")}
	no := false
	res := Trace(context.Background(), env, Request{
		Query: &Query{QueryType: TypeTrace, TraceID: trace.TraceID, IncludeExemplars: &no},
		From:  midnight.Add(-time.Hour), To: midnight.Add(time.Hour),
	})
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	return kindFrame(t, res.Frames, frames.KindLogs)
}
