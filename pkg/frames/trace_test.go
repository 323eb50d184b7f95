package frames

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/join"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/jaeger"
	"github.com/latencylens/lens/pkg/stores/tempo"
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
		got := []any{f.Fields[0].At(i), f.Fields[1].At(i), f.Fields[2].At(i), string(*f.Fields[3].At(i).(*json.RawMessage)), nullable(f.Fields[4].At(i)), nullable(f.Fields[5].At(i))}
		want := []any{time.Unix(0, l.TimeUnixNano).UTC(), l.Body, l.Level, string(wantLabels), wantTrace, wantSpan}
		for c := range want {
			if got[c] != want[c] {
				t.Fatalf("row %d %s = %v, want %v", i, f.Fields[c].Name, got[c], want[c])
			}
		}
	}
}

// nullable reads a nullable string cell, null as "".
func nullable(v any) string {
	if p, _ := v.(*string); p != nil {
		return *p
	}
	return ""
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

func recordedFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "tests", "stores", "fixtures", name))
	if err != nil {
		t.Skipf("recorded answer %s: %v", name, err)
	}
	return b
}

// stringCell is row's value in the string column col ("" when the frame has no such
// column).
func stringCell(f *data.Frame, row int, col string) string {
	if fld, _ := f.FieldByName(col); fld != nil {
		s, _ := fld.At(row).(string)
		return s
	}
	return ""
}

// spanTag is row's value of the tag key in the tags column ("" when the span has none).
func spanTag(t *testing.T, f *data.Frame, row int, key string) string {
	t.Helper()
	tf, _ := f.FieldByName(SpanTags)
	if tf == nil {
		t.Fatalf("no tags field")
	}
	var tags []model.KeyValue
	if err := json.Unmarshal(tf.At(row).(json.RawMessage), &tags); err != nil {
		t.Fatalf("tags of row %d: %v", row, err)
	}
	for _, kv := range tags {
		if kv.Key == key {
			s, _ := kv.Value.(string)
			return s
		}
	}
	return ""
}

// The recorded Tempo v1/v2 and Jaeger v1/v3 answers (tests/stores/fixtures) carry the
// scope {name: latencylens.testenv, version: 1} for every span: OTLP's scope in Tempo
// and Jaeger v3, the tags otel.scope.name/version in Jaeger v1. The spans frame puts it
// in instrumentationLibraryName/Version, the columns Grafana's Tempo data source
// (pkg/tsdb/tempo/trace_transform.go) fills and its trace view shows as "Library Name"
// and "Library Version"; Jaeger v1's tags stay among the span's tags as well.
func TestSpansFrameKeepsInstrumentationScope(t *testing.T) {
	tests := []struct {
		fixture string
		parse   func([]byte) ([]model.Span, error)
		tags    bool
	}{
		{fixture: "tempo_v1_trace.json", parse: func(b []byte) ([]model.Span, error) {
			tr, err := tempo.ParseTraceV1(b)
			if err != nil {
				return nil, err
			}
			return tr.Spans, nil
		}},
		{fixture: "tempo_v2_trace.json", parse: func(b []byte) ([]model.Span, error) {
			tr, err := tempo.ParseTraceV2(b)
			if err != nil {
				return nil, err
			}
			return tr.Spans, nil
		}},
		{fixture: "jaeger_v3_trace.json", parse: func(b []byte) ([]model.Span, error) {
			trs, _, err := jaeger.ParseV3Traces(b)
			if err != nil || len(trs) == 0 {
				return nil, err
			}
			return trs[0].Spans, nil
		}},
		{fixture: "jaeger_v1_trace.json", tags: true, parse: func(b []byte) ([]model.Span, error) {
			trs, _, err := jaeger.ParseV1Traces(b)
			if err != nil || len(trs) == 0 {
				return nil, err
			}
			return trs[0].Spans, nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			spans, err := tc.parse(recordedFixture(t, tc.fixture))
			if err != nil || len(spans) != 2 {
				t.Fatalf("parse: %d spans, %v", len(spans), err)
			}
			f := Spans(spans, nil, nil, Links{})
			for row := range f.Rows() {
				name, version := stringCell(f, row, SpanLibraryName), stringCell(f, row, SpanLibraryVersion)
				if name != "latencylens.testenv" || version != "1" {
					t.Errorf("span %d: library name %q version %q, want %q %q",
						row, name, version, "latencylens.testenv", "1")
				}
				if tc.tags && (spanTag(t, f, row, "otel.scope.name") != "latencylens.testenv" || spanTag(t, f, row, "otel.scope.version") != "1") {
					t.Errorf("span %d: otel.scope.* tags left out", row)
				}
			}
		})
	}
}

// traceStateV2 is a Tempo /api/v2/traces answer (gogo jsonpb) whose span carries a W3C
// tracestate (OTLP Span.trace_state, JSON "traceState").
const traceStateV2 = `{"trace":{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
"scopeSpans":[{"scope":{"name":"io.opentelemetry.http","version":"2.3.0"},"spans":[{
"traceId":"CvdlGRbNQ92ESOshHIAxnA==","spanId":"t61rcWkgMzE=","traceState":"rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
"name":"GET /","kind":"SPAN_KIND_SERVER","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000","status":{}}]}]}]},
"status":"COMPLETE"}`

// A span's trace state goes into the traceState column, which Grafana's Tempo data
// source fills from the span's trace_state and its trace view shows as "Trace State".
func TestSpansFrameKeepsTraceState(t *testing.T) {
	tr, err := tempo.ParseTraceV2([]byte(traceStateV2))
	if err != nil || len(tr.Spans) != 1 {
		t.Fatalf("parse: %+v, %v", tr, err)
	}
	f := Spans(tr.Spans, nil, nil, Links{})
	if got := stringCell(f, 0, SpanTraceState); got != "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE" {
		t.Errorf("trace state %q, want the span's traceState", got)
	}
	if got, v := stringCell(f, 0, SpanLibraryName), stringCell(f, 0, SpanLibraryVersion); got != "io.opentelemetry.http" || v != "2.3.0" {
		t.Errorf("library %q %q, want io.opentelemetry.http 2.3.0", got, v)
	}
}

// Spans without an instrumentation scope or a trace state give a frame without those
// columns, rather than three columns of empty strings.
func TestSpansFrameLeavesOutEmptyOptionalColumns(t *testing.T) {
	spans := []model.Span{{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7", Operation: "GET /"}}
	f := Spans(spans, nil, nil, Links{})
	for _, name := range []string{SpanLibraryName, SpanLibraryVersion, SpanTraceState} {
		if fld, _ := f.FieldByName(name); fld != nil {
			t.Errorf("frame has an empty %s column", name)
		}
	}
	spans[0].ScopeName = "io.opentelemetry.http"
	f = Spans(spans, nil, nil, Links{})
	if got := stringCell(f, 0, SpanLibraryName); got != "io.opentelemetry.http" {
		t.Errorf("library name %q", got)
	}
	if fld, _ := f.FieldByName(SpanTraceState); fld != nil {
		t.Errorf("frame has an empty %s column", SpanTraceState)
	}
}

// TestLogsFrameLeavesMissingIDsNull: a line without a trace (span) ID has null in that
// column, not "": Grafana's logs panel leaves null fields out of a line's details, but
// shows an empty string with the field's "Open trace" link, which opens a trace query
// for the ID "" and fails.
func TestLogsFrameLeavesMissingIDsNull(t *testing.T) {
	tid := fmt.Sprintf("%032x", 7)
	span := model.Span{TraceID: tid, SpanID: fmt.Sprintf("%016x", 9), StartUnixNano: 100, DurationNano: 100}
	str := func(s string) *string { return &s }
	tests := []struct {
		name                string
		line                model.LogLine
		join                bool
		wantTrace, wantSpan *string
	}{
		{name: "both IDs", line: model.LogLine{TimeUnixNano: 150, TraceID: tid, SpanID: span.SpanID}, wantTrace: str(tid), wantSpan: str(span.SpanID)},
		{name: "no IDs, logs query", line: model.LogLine{TimeUnixNano: 150}},
		{name: "trace ID only, logs query", line: model.LogLine{TimeUnixNano: 150, TraceID: tid}, wantTrace: str(tid)},
		{name: "no span ID, placed by time", line: model.LogLine{TimeUnixNano: 150, TraceID: tid}, join: true, wantTrace: str(tid), wantSpan: str(span.SpanID)},
		{name: "no span ID, outside every span", line: model.LogLine{TimeUnixNano: 500, TraceID: tid}, join: true, wantTrace: str(tid)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := []model.LogLine{tc.line}
			var j *join.Result
			spans := []model.Span{span}
			if tc.join {
				j = join.Join(spans, logs)
			} else {
				spans = nil
			}
			f := Logs(logs, spans, j, Links{DatasourceUID: "lens"})
			for _, c := range []struct {
				name string
				want *string
			}{{LogTraceID, tc.wantTrace}, {LogSpanID, tc.wantSpan}} {
				fd, _ := f.FieldByName(c.name)
				if fd == nil {
					t.Fatalf("no %s field", c.name)
				}
				if !fd.Nullable() {
					t.Fatalf("%s is %s, want a nullable string", c.name, fd.Type())
				}
				got := fd.At(0).(*string)
				switch {
				case c.want == nil && got != nil:
					t.Errorf("%s = %q, want null", c.name, *got)
				case c.want != nil && (got == nil || *got != *c.want):
					t.Errorf("%s = %v, want %q", c.name, got, *c.want)
				}
			}
		})
	}
}

// Grafana's logs panel and Explore tell lines apart by the frame's `id` field: without
// one they key a line by its row number (a permalink then points at whatever line holds
// that row when reopened, and pinning needs an ID) or, when merging results, by time and
// body, folding distinct lines that share both (two pods logging the same line in the
// same nanosecond, or one pod logging it twice). Each line needs an ID of its own that
// stays the same when the frame is built again, in a string field after the body (the
// panel takes the first string field as the body).
func TestLogsFrameLineIDs(t *testing.T) {
	podA, podB := map[string]string{"pod": "a"}, map[string]string{"pod": "b"}
	logs := []model.LogLine{
		{TimeUnixNano: 1_700_000_000_123_456_789, Body: "GET /health 200", Labels: podA},
		{TimeUnixNano: 1_700_000_000_123_456_789, Body: "GET /health 200", Labels: podB},
		{TimeUnixNano: 1_700_000_000_123_456_789, Body: "GET /health 200", Labels: podA},
		{TimeUnixNano: 1_700_000_000_123_456_789, Body: "GET /ready 200", Labels: podA},
		{TimeUnixNano: 1_700_000_000_123_456_790, Body: "GET /health 200", Labels: podA},
		{TimeUnixNano: 1_700_000_000_123_456_790, Body: "GET /health 200"},
	}
	f := LogLines(logs, Links{})
	idF, at := f.FieldByName(LogID)
	if idF == nil {
		t.Fatalf("no %q field in %v", LogID, fieldNames(f))
	}
	if idF.Type() != data.FieldTypeString {
		t.Fatalf("id field is %s, want string", idF.Type())
	}
	if _, body := f.FieldByName(LogBody); at < body {
		t.Fatalf("id field at %d comes before the body at %d", at, body)
	}
	again, _ := LogLines(logs, Links{}).FieldByName(LogID)
	seen := map[string]int{}
	for i := range logs {
		id := idF.At(i).(string)
		if id == "" {
			t.Fatalf("row %d has no id", i)
		}
		if j, dup := seen[id]; dup {
			t.Errorf("rows %d and %d share the id %q", j, i, id)
		}
		seen[id] = i
		if other := again.At(i).(string); other != id {
			t.Errorf("row %d: id %q, then %q when built again", i, id, other)
		}
	}
}
