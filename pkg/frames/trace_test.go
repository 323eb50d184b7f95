package frames

import (
	"encoding/json"
	"fmt"
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
