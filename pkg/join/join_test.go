package join

import (
	"slices"
	"testing"

	"github.com/latencylens/lens/pkg/join/jointest"
	"github.com/latencylens/lens/pkg/model"
)

func span(trace, id string, start, end int64) model.Span {
	return model.Span{TraceID: trace, SpanID: id, StartUnixNano: start, DurationNano: end - start}
}

func line(trace, spanID string, t int64) model.LogLine {
	return model.LogLine{TraceID: trace, SpanID: spanID, TimeUnixNano: t}
}

func TestJoin(t *testing.T) {
	const A, B = "a", "b"
	spans := []model.Span{
		span(A, "root", 0, 100),
		span(A, "child", 10, 50),
		span(A, "grandchild", 20, 30),
		span(A, "late", 60, 90),
		span(B, "other", 0, 100),
	}
	tests := []struct {
		name string
		logs []model.LogLine
		want []int32 // span index per line
	}{
		{"by span ID", []model.LogLine{line(A, "child", 99)}, []int32{1}},
		{"a span ID the trace does not have joins none", []model.LogLine{line(B, "child", 25)}, []int32{-1}},
		{"innermost containing span", []model.LogLine{line(A, "", 25)}, []int32{2}},
		{"after a child ended, its parent", []model.LogLine{line(A, "", 40)}, []int32{1}},
		{"sibling window", []model.LogLine{line(A, "", 70)}, []int32{3}},
		{"gap between siblings goes to the root", []model.LogLine{line(A, "", 55)}, []int32{0}},
		{"outside every span", []model.LogLine{line(A, "", 150)}, []int32{-1}},
		{"unknown trace", []model.LogLine{line("c", "", 10)}, []int32{-1}},
		{"no trace ID with two traces", []model.LogLine{line("", "", 10)}, []int32{-1}},
		{"boundaries are inclusive", []model.LogLine{line(A, "", 30), line(A, "", 20)}, []int32{2, 2}},
		{"unsorted lines", []model.LogLine{line(A, "", 70), line(A, "", 25), line(A, "", 5)}, []int32{3, 2, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Join(spans, tc.logs)
			if !slices.Equal(r.LogSpan, tc.want) {
				t.Fatalf("LogSpan = %v, want %v", r.LogSpan, tc.want)
			}
			n := 0
			for i := range spans {
				for _, j := range r.LogsOf(i) {
					if r.LogSpan[j] != int32(i) {
						t.Errorf("span %d lists line %d which joined %d", i, j, r.LogSpan[j])
					}
					n++
				}
			}
			if n+r.Unmatched != len(tc.logs) || r.BySpanID+r.ByTime+r.Unmatched != len(tc.logs) {
				t.Errorf("counts: listed %d, unmatched %d, by ID %d, by time %d", n, r.Unmatched, r.BySpanID, r.ByTime)
			}
			unknown := 0
			for j, l := range tc.logs {
				if r.LogSpan[j] < 0 && l.SpanID != "" {
					unknown++
				}
			}
			if r.UnknownSpan != unknown {
				t.Errorf("UnknownSpan %d, want %d unmatched lines naming a span", r.UnknownSpan, unknown)
			}
		})
	}
}

func TestJoinSingleTraceLinesWithoutTraceID(t *testing.T) {
	r := Join([]model.Span{span("a", "s", 0, 10)}, []model.LogLine{line("", "", 5)})
	if r.LogSpan[0] != 0 {
		t.Fatalf("a line without trace ID joins the only trace by time: %v", r.LogSpan)
	}
}

// TestJoinMatchesBruteForce checks the sweep against the definition on generated data.
func TestJoinMatchesBruteForce(t *testing.T) {
	spans, logs := jointest.MakeData(7, 20, 30, 5, 0.5)
	r := Join(spans, logs)
	for j, l := range logs {
		want := int32(-1)
		if l.SpanID != "" {
			for i := range spans {
				if spans[i].TraceID == l.TraceID && spans[i].SpanID == l.SpanID {
					want = int32(i)
					break
				}
			}
		}
		if want < 0 {
			bestStart := int64(-1)
			for i := range spans {
				s := &spans[i]
				if s.TraceID == l.TraceID && s.StartUnixNano <= l.TimeUnixNano && l.TimeUnixNano <= s.EndUnixNano() && s.StartUnixNano > bestStart {
					want, bestStart = int32(i), s.StartUnixNano
				}
			}
		}
		if got := r.LogSpan[j]; got != want && !(got >= 0 && want >= 0 && spans[got].StartUnixNano == spans[want].StartUnixNano) {
			t.Fatalf("line %d: joined %d, want %d", j, got, want)
		}
	}
}

func FuzzJoin(f *testing.F) {
	f.Add([]byte{0, 10, 5, 1, 3, 7, 2, 2, 9})
	f.Fuzz(func(t *testing.T, b []byte) {
		var spans []model.Span
		var logs []model.LogLine
		for i := 0; i+2 < len(b); i += 3 {
			tr := string('a' + rune(b[i]%2))
			if b[i]%3 == 0 {
				logs = append(logs, line(tr, string('0'+rune(b[i+1]%4)), int64(b[i+2])))
			} else {
				spans = append(spans, span(tr, string('0'+rune(b[i+1]%4)), int64(b[i+2]), int64(b[i+2])+int64(b[i+1])))
			}
		}
		r := Join(spans, logs)
		for j, i := range r.LogSpan {
			if i >= 0 && spans[i].TraceID != logs[j].TraceID {
				t.Fatalf("line %d joined a span of another trace", j)
			}
		}
	})
}

// Spans that start at once (common with microsecond times, and OTLP exporters send a
// child before its parent): a line inside both joins the shorter, the inner one, in
// either order.
func TestJoinEqualStartsInnermost(t *testing.T) {
	tid := hexID(32, 5)
	child, parent := span(tid, hexID(16, 2), 0, 10), span(tid, hexID(16, 1), 0, 100)
	for _, order := range [][]model.Span{{child, parent}, {parent, child}} {
		r := Join(order, []model.LogLine{line(tid, "", 5), line(tid, "", 50)})
		inner, outer := int32(0), int32(1)
		if order[0].SpanID == parent.SpanID {
			inner, outer = 1, 0
		}
		if r.LogSpan[0] != inner || r.LogSpan[1] != outer {
			t.Errorf("child first=%v: lines joined %v, want [%d %d]", order[0].SpanID == child.SpanID, r.LogSpan, inner, outer)
		}
	}
}
