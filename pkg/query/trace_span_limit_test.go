package query

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
)

// TestTraceSpanLimitKeepsTheTraceStart: a trace store lists spans by resource (Tempo by
// service batch), so the first spans of its answer are not the top of the trace. Cut to
// the span limit, the spans frame keeps the earliest-starting spans (the root and the
// spans around it, whose parents are kept too), in the store's order; a span without a
// start time, which Grafana's trace view drops, is kept last.
func TestTraceSpanLimitKeepsTheTraceStart(t *testing.T) {
	at := func(id, parent, svc string, start time.Duration) model.Span {
		s := model.Span{TraceID: windowTraceID, SpanID: id, ParentSpanID: parent, Operation: "op", Service: svc,
			DurationNano: int64(time.Millisecond)}
		if start >= 0 {
			s.StartUnixNano = midnight.Add(start).UnixNano()
		}
		return s
	}
	// Store order: the database's batch, then the API's, then the frontend's with the root.
	spans := []model.Span{
		at("00000000000000d1", "00000000000000b1", "db", 30*time.Millisecond),
		at("00000000000000d2", "00000000000000b1", "db", 40*time.Millisecond),
		at("00000000000000d3", "", "db", -1), // no start time
		at("00000000000000b1", "00000000000000a1", "api", 20*time.Millisecond),
		at("00000000000000b2", "00000000000000a1", "api", 40*time.Millisecond), // ties with d2: d2 came first
		at("00000000000000a1", "", "frontend", 0),
		at("00000000000000a2", "00000000000000a1", "frontend", 10*time.Millisecond),
	}
	tests := []struct {
		limit int
		want  []string
	}{
		{1, []string{"00000000000000a1"}},
		{3, []string{"00000000000000b1", "00000000000000a1", "00000000000000a2"}},
		{5, []string{"00000000000000d1", "00000000000000d2", "00000000000000b1", "00000000000000a1", "00000000000000a2"}},
		{6, []string{"00000000000000d1", "00000000000000d2", "00000000000000b1", "00000000000000b2", "00000000000000a1", "00000000000000a2"}},
		{7, []string{"00000000000000d1", "00000000000000d2", "00000000000000d3", "00000000000000b1", "00000000000000b2", "00000000000000a1", "00000000000000a2"}},
	}
	for _, tc := range tests {
		in := append([]model.Span(nil), spans...)
		env := &Env{Settings: windowSettings(tc.limit, 100), Traces: oneTrace{&model.Trace{TraceID: windowTraceID, Spans: in}},
			LogsErr: errors.New("loki: not configured"), MetricsErr: errors.New("prometheus: not configured")}
		no := false
		res := Trace(context.Background(), env, Request{
			Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeExemplars: &no, IncludeLogs: &no},
			From:  midnight.Add(-time.Hour), To: midnight.Add(time.Hour),
		})
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		sf := kindFrame(t, res.Frames, frames.KindSpans)
		got := fieldValues(t, sf, frames.SpanSpanID)
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("limit %d: spans %v, want %v", tc.limit, got, tc.want)
		}
		if tc.limit < len(spans) && !strings.Contains(notices(sf), fmt.Sprintf("spans truncated to the configured limit of %d (the store returned %d): the %d that start first are shown", tc.limit, len(spans), tc.limit)) {
			t.Errorf("limit %d: notices %q", tc.limit, notices(sf))
		}
		for i := range in {
			if in[i].SpanID != spans[i].SpanID {
				t.Fatalf("limit %d: the store's trace was reordered", tc.limit)
			}
		}
	}
}
