package frames

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/join"
	"github.com/latencylens/lens/pkg/model"
)

// TestLogsFrame: each row is its line, with the span it joined (its own span ID, or the
// one it was placed in by time, and that span's trace when the line has none) and its
// stream's labels, over more streams than labelCache keeps at hand and a nil map.
func TestLogsFrame(t *testing.T) {
	tid := fmt.Sprintf("%032x", 1)
	spans := []model.Span{
		{TraceID: tid, SpanID: fmt.Sprintf("%016x", 1), StartUnixNano: 0, DurationNano: 1000},
		{TraceID: tid, SpanID: fmt.Sprintf("%016x", 2), StartUnixNano: 100, DurationNano: 100},
	}
	streams := []map[string]string{nil}
	for k := range 20 {
		streams = append(streams, map[string]string{"stream": fmt.Sprint(k), "app": "x"})
	}
	var logs []model.LogLine
	for i := range 2000 {
		l := model.LogLine{TimeUnixNano: int64(i / 2), Body: fmt.Sprint("line ", i), Level: "info", Labels: streams[(i*7)%len(streams)], TraceID: tid}
		switch i % 3 {
		case 0:
			l.SpanID = spans[1].SpanID
		case 1:
			l.TraceID = ""
		}
		logs = append(logs, l)
	}
	j := join.Join(spans, logs)
	f := Logs(logs, spans, j, Links{})
	if f.Rows() != len(logs) {
		t.Fatalf("%d rows", f.Rows())
	}
	for i, l := range logs {
		wantLabels, _ := json.Marshal(l.Labels)
		if l.Labels == nil {
			wantLabels = []byte(`{}`)
		}
		wantSpan, wantTrace := l.SpanID, l.TraceID
		if s := j.LogSpan[i]; s >= 0 {
			wantSpan, wantTrace = spans[s].SpanID, spans[s].TraceID
		}
		got := []any{f.Fields[0].At(i), f.Fields[1].At(i), f.Fields[2].At(i), string(f.Fields[3].At(i).(json.RawMessage)), f.Fields[4].At(i), f.Fields[5].At(i)}
		want := []any{time.Unix(0, l.TimeUnixNano).UTC(), l.Body, l.Level, string(wantLabels), wantTrace, wantSpan}
		for c := range want {
			if got[c] != want[c] {
				t.Fatalf("row %d %s = %v, want %v", i, f.Fields[c].Name, got[c], want[c])
			}
		}
	}
}

// A span's logs cell is in time order, as Spans promises, though OTLP does not order a
// span's events (one recorded with an explicit earlier timestamp comes after later
// ones); events at one time keep their order, and the span's events are left as given.
func TestSpanLogsInTimeOrderWithUnorderedEvents(t *testing.T) {
	const tid, sid = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	const ms = int64(1e6)
	ev := func(at int64, name string) model.SpanEvent { return model.SpanEvent{TimeUnixNano: at * ms, Name: name} }
	line := model.LogLine{TimeUnixNano: 1020 * ms, Body: "line", TraceID: tid, SpanID: sid}
	tests := []struct {
		name   string
		events []model.SpanEvent
		logs   []model.LogLine
		want   string // the cell's entries, by name or body
	}{
		{name: "a line between unordered events", events: []model.SpanEvent{ev(1030, "late"), ev(1010, "early")},
			logs: []model.LogLine{line}, want: "early line late"},
		{name: "unordered events alone", events: []model.SpanEvent{ev(1030, "late"), ev(1010, "early")},
			want: "early late"},
		{name: "events at one time keep their order", events: []model.SpanEvent{ev(1030, "a"), ev(1030, "b"), ev(1001, "first")},
			logs: []model.LogLine{line}, want: "first line a b"},
		{name: "ordered events", events: []model.SpanEvent{ev(1010, "early"), ev(1030, "late")},
			logs: []model.LogLine{line}, want: "early line late"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spans := []model.Span{{TraceID: tid, SpanID: sid, StartUnixNano: 1000 * ms, DurationNano: 100 * ms, Events: tc.events}}
			given := fmt.Sprint(tc.events)
			f := Spans(spans, tc.logs, join.Join(spans, tc.logs), Links{})
			if fmt.Sprint(spans[0].Events) != given {
				t.Errorf("events changed: %v, given %v", spans[0].Events, given)
			}
			fld, _ := f.FieldByName(SpanLogs)
			var cell []struct {
				Timestamp float64 `json:"timestamp"`
				Name      string  `json:"name"`
				Fields    []struct {
					Key   string `json:"key"`
					Value any    `json:"value"`
				} `json:"fields"`
			}
			if err := json.Unmarshal(fld.At(0).(json.RawMessage), &cell); err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, e := range cell {
				if i > 0 && e.Timestamp < cell[i-1].Timestamp {
					t.Errorf("out of time order: %s", fld.At(0))
				}
				name := e.Name
				if name == "log" {
					name = fmt.Sprint(e.Fields[0].Value)
				}
				got = append(got, name)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("logs cell %q, want %q", strings.Join(got, " "), tc.want)
			}
		})
	}
}
