package query

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
)

// TestTraceRepeatedSpanIDsAreAnnounced: a span ID sent twice in one trace (Zipkin's shared
// client and server spans, stored as sent by Tempo) keeps both spans in the frame, and the
// spans frame says so: Grafana's trace view gives the repeat the service of the first span
// with that ID and hangs the children under the first.
func TestTraceRepeatedSpanIDsAreAnnounced(t *testing.T) {
	span := func(id, parent, svc string) model.Span {
		return model.Span{TraceID: windowTraceID, SpanID: id, ParentSpanID: parent, Operation: "op", Service: svc,
			StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Second)}
	}
	run := func(spans ...model.Span) (int, string) {
		env := &Env{Settings: windowSettings(100, 100), Traces: oneTrace{&model.Trace{TraceID: windowTraceID, Spans: spans}},
			LogsErr: errors.New("loki: not configured"), MetricsErr: errors.New("prometheus: not configured")}
		no := false
		res := Trace(context.Background(), env, Request{
			Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeExemplars: &no, IncludeLogs: &no},
			From:  midnight.Add(-time.Hour), To: midnight.Add(time.Hour),
		})
		sf := kindFrame(t, res.Frames, frames.KindSpans)
		return sf.Rows(), notices(sf)
	}
	rows, got := run(span("00000000000000a1", "", "web"), span("00000000000000b2", "00000000000000a1", "web"),
		span("00000000000000b2", "00000000000000a1", "api"), span("00000000000000c3", "00000000000000b2", "api"))
	if rows != 4 || !strings.Contains(got, "1 span ID occurs more than once (00000000000000b2)") {
		t.Errorf("%d rows, notices %q", rows, got)
	}
	if _, got := run(span("00000000000000a1", "", "web"), span("00000000000000b2", "00000000000000a1", "web")); strings.Contains(got, "more than once") {
		t.Errorf("distinct IDs announced as repeated: %q", got)
	}
}
