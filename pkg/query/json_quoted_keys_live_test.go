package query

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/testenv"
)

// A JSON line may keep its IDs under keys with dots nested in an object, as OpenTelemetry
// log records write them (`{"attributes":{"trace.id":…,"span.id":…}}`); the data source's
// JSON paths name them with quoted keys in brackets, which settings accept. Against a real
// Loki, the trace query must find those lines and join each to its span, and the span
// link's logs query must find the span's line: the expressions the backend sends for such
// paths are ones Loki runs.
func TestTraceQueryReadsQuotedJSONKeysInLoki(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Loki")
	}
	const (
		traceID = "4be92f3577b3fda6a3ce929d0e0e4736"
		spanA   = "00f067aa0ba902b7"
		spanB   = "a3ce929d0e0e4736"
	)
	s, err := settings.Parse([]byte(`{"logs":{"url":"http://loki","traceLogSelector":"{app=\"otel\"}",`+
		`"extraction":{"mode":"json","traceIdPath":"attributes[\"trace.id\"]","spanIdPath":"attributes.['span.id']"}}}`), nil)
	if err != nil {
		t.Fatalf("settings refuse the paths: %v", err)
	}
	lk := testenv.StartLoki(t, testenv.LokiOptions{})
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	record := func(body, tid, sid string) string {
		b, _ := json.Marshal(map[string]any{"body": body, "attributes": map[string]string{"trace.id": tid, "span.id": sid}})
		return string(b)
	}
	lines := []pushedLine{
		{ns: at.UnixNano(), body: record("charged", traceID, spanA), labels: map[string]string{"app": "otel"}},
		{ns: at.UnixNano() + 1, body: record("shipped", strings.ToUpper(traceID), strings.ToUpper(spanB)), labels: map[string]string{"app": "otel"}},
		{ns: at.UnixNano() + 2, body: record("other trace", "0af7651916cd43dd8448eb211c80319c", spanA), labels: map[string]string{"app": "otel"}},
	}
	pushLoki(t, lk.URL, lines)
	client := liveLokiClient(t, lk.URL)
	from, to := at.Add(-time.Minute), at.Add(time.Minute)
	waitLines(t, client, `{app="otel"}`, from, to, len(lines))

	st := &settings.Settings{TraceLogSelector: s.TraceLogSelector, Extraction: s.Extraction, MaxSpans: 100, MaxLogLines: 1000, LogWindowPadding: time.Minute}
	span := func(id string) model.Span {
		return model.Span{TraceID: traceID, SpanID: id, Operation: "pay", Service: "shop", StartUnixNano: at.Add(-time.Second).UnixNano(), DurationNano: int64(time.Minute)}
	}
	env := &Env{Settings: st, Logs: client, Traces: oneTrace{&model.Trace{TraceID: traceID, Spans: []model.Span{span(spanA), span(spanB)}}},
		MetricsErr: errors.New("prometheus: not configured")}
	no := false
	resp := Trace(context.Background(), env, Request{Query: &Query{QueryType: TypeTrace, TraceID: traceID, IncludeExemplars: &no}, From: from, To: to})
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	lf := kindFrame(t, resp.Frames, frames.KindLogs)
	bodies, tids, sids := fieldValues(t, lf, frames.LogBody), fieldValues(t, lf, frames.LogTraceID), fieldValues(t, lf, frames.LogSpanID)
	joined := map[string]string{}
	for i, b := range bodies {
		if tids[i] != traceID {
			t.Errorf("line %s: trace ID %q", b, tids[i])
		}
		joined[b] = sids[i]
	}
	if len(bodies) != 2 || joined[lines[0].body] != spanA || joined[lines[1].body] != spanB {
		t.Errorf("trace query lines → span IDs %q, want the trace's two lines joined to %s and %s", joined, spanA, spanB)
	}

	// The span link of span B.
	logs := Logs(context.Background(), env, Request{Query: &Query{QueryType: TypeLogs, Version: 1,
		Expr: s.TraceLogSelector + " $__traceFilter(" + traceID + ") $__spanFilter(" + spanB + ")"}, From: from, To: to, Interval: time.Second, MaxDataPoints: 1000})
	if logs.Error != nil {
		t.Fatal(logs.Error)
	}
	if got := fieldValues(t, logs.Frames[0], frames.LogBody); len(got) != 1 || got[0] != lines[1].body {
		t.Errorf("span link lines %q, want %s", got, lines[1].body)
	}
}
