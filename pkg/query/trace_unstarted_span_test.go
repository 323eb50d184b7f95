package query

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/loki"
)

// A span without a start time (0: a span ended without being started, or a store that
// dropped the field) does not stretch the trace's log window back to 1970: the window is
// the spans' with a start, plus padding, and the lines of the request's range are cut to
// it without asking the log store for 56 years, which it refuses.
func TestTraceWindowLeavesOutSpansWithoutStart(t *testing.T) {
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{
		{TraceID: windowTraceID, SpanID: "53995c3f42cd8ad8", Operation: "GET /", Service: "checkout",
			StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Minute)},
		{TraceID: windowTraceID, SpanID: "00f067aa0ba902b7", ParentSpanID: "53995c3f42cd8ad8", Operation: "SELECT", Service: "db",
			StartUnixNano: 0, DurationNano: midnight.Add(30 * time.Second).UnixNano()},
	}}
	lines := []loki.Entry{
		traceLine(-30*time.Minute, "long before the trace"),
		traceLine(10*time.Second, "during the trace"),
	}
	logs := &memLogs{lines: lines}
	env := &Env{Settings: windowSettings(100, 100), Logs: logs, Traces: oneTrace{trace}, MetricsErr: errors.New("prometheus: not configured")}
	no := false
	res := Trace(context.Background(), env, Request{
		Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeExemplars: &no},
		From:  midnight.Add(-time.Hour), To: midnight.Add(time.Hour),
	})
	lf := kindFrame(t, res.Frames, frames.KindLogs)
	if got := fieldValues(t, lf, frames.LogBody); strings.Join(got, "|") != "during the trace" {
		t.Errorf("lines %q, want only the one during the trace", got)
	}
	if len(logs.reqs) != 1 {
		t.Errorf("%d log requests (last from %s), want the request's range only", len(logs.reqs), logs.reqs[len(logs.reqs)-1].Start)
	}
	if n := notices(lf); n != "" {
		t.Errorf("notices %q", n)
	}
}

// The spans frame keeps a span without a start time and says that Grafana's trace view
// leaves it out (it drops spans whose startTime is 0), so that the waterfall's missing
// span is accounted for.
func TestTraceSpansWithoutStartAreAnnounced(t *testing.T) {
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{
		{TraceID: windowTraceID, SpanID: "53995c3f42cd8ad8", Operation: "GET /", Service: "checkout",
			StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Minute)},
		{TraceID: windowTraceID, SpanID: "00f067aa0ba902b7", ParentSpanID: "53995c3f42cd8ad8", Operation: "SELECT", Service: "db"},
	}}
	env := &Env{Settings: windowSettings(100, 100), Traces: oneTrace{trace},
		LogsErr: errors.New("loki: not configured"), MetricsErr: errors.New("prometheus: not configured")}
	no := false
	res := Trace(context.Background(), env, Request{
		Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeExemplars: &no, IncludeLogs: &no},
		From:  midnight.Add(-time.Hour), To: midnight.Add(time.Hour),
	})
	sf := kindFrame(t, res.Frames, frames.KindSpans)
	if got := notices(sf); sf.Rows() != 2 || !strings.Contains(got, "1 span has no start time (00f067aa0ba902b7)") {
		t.Errorf("%d rows, notices %q", sf.Rows(), got)
	}
}
