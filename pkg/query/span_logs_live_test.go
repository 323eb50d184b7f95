package query

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/testenv"
)

// spanLinkMode is one extraction mode with how a line carries a trace and a span ID.
type spanLinkMode struct {
	name string
	ex   settings.Extraction
	line func(tag, traceID, spanID string) (body string, labels, metadata map[string]string)
}

func spanLinkModes() []spanLinkMode {
	return []spanLinkMode{
		{name: "label", ex: settings.Extraction{Mode: settings.ExtractLabel, TraceIDKey: "trace_id", SpanIDKey: "span_id"},
			line: func(tag, tid, sid string) (string, map[string]string, map[string]string) {
				return tag, map[string]string{"trace_id": tid, "span_id": sid}, nil
			}},
		{name: "structuredMetadata", ex: settings.Extraction{Mode: settings.ExtractStructuredMetadata, TraceIDKey: "trace_id", SpanIDKey: "span_id"},
			line: func(tag, tid, sid string) (string, map[string]string, map[string]string) {
				return tag, nil, map[string]string{"trace_id": tid, "span_id": sid}
			}},
		{name: "json", ex: settings.Extraction{Mode: settings.ExtractJSON, TraceIDKey: "ctx.trace_id", SpanIDKey: "ctx.span_id"},
			line: func(tag, tid, sid string) (string, map[string]string, map[string]string) {
				b, _ := json.Marshal(map[string]any{"msg": tag, "ctx": map[string]string{"trace_id": tid, "span_id": sid}})
				return string(b), nil, nil
			}},
		{name: "logfmt", ex: settings.Extraction{Mode: settings.ExtractLogfmt, TraceIDKey: "trace_id", SpanIDKey: "span_id"},
			line: func(tag, tid, sid string) (string, map[string]string, map[string]string) {
				return fmt.Sprintf("level=info msg=%q trace_id=%s span_id=%s", tag, tid, sid), nil, nil
			}},
		{name: "regex", ex: settings.Extraction{Mode: settings.ExtractRegex,
			TraceIDRegex: regexp.MustCompile(`trace=([0-9A-Za-z+/_=-]+)`), SpanIDRegex: regexp.MustCompile(`span=([0-9A-Za-z+/_=-]+)`)},
			line: func(tag, tid, sid string) (string, map[string]string, map[string]string) {
				return fmt.Sprintf("%s: order shipped trace=%s span=%s", tag, tid, sid), nil, nil
			}},
	}
}

// The "Logs for this span" link of a trace's span (src/datasource/links.ts) opens a logs
// query `<trace log selector> $__traceFilter(<trace ID>) $__spanFilter(<span ID>)`. For
// each extraction mode, Loki holds the span's lines with its span ID (and its trace's ID)
// in every spelling the normaliser reads, lines of the trace's other spans, and a line of
// another trace with the same span ID. The logs query must return every line of the span
// and none of the others: what the trace query joins to that span.
func TestSpanLogsLinkFindsEverySpellingInLoki(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Loki")
	}
	const (
		traceID = "4be92f3577b3fda6a3ce929d0e0e4736"
		spanID  = "00f067aa0ba902b7"
	)
	// 00f067aa0ba902b7 is APBnqgupArc= in base64 (the same in both alphabets).
	spanSpellings := []spelled{
		{"lower hex", "00f067aa0ba902b7"},
		{"upper hex", "00F067AA0BA902B7"},
		{"leading zeros stripped", "f067aa0ba902b7"},
		{"upper, leading zeros stripped", "F067AA0BA902B7"},
		{"dashes", "00f067aa-0ba902b7"},
		{"upper with dashes", "00F0-67AA-0BA9-02B7"},
		{"base64", "APBnqgupArc="},
		{"base64 raw", "APBnqgupArc"},
		{"traceparent", "00-4be92f3577b3fda6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
		{"b3 single header", "4be92f3577b3fda6a3ce929d0e0e4736-00F067AA0BA902B7-1"},
	}
	// The trace's ID in the span's lines, taken in turn.
	traceSpellings := []string{"4be92f3577b3fda6a3ce929d0e0e4736", "4BE92F3577B3FDA6A3CE929D0E0E4736", "S+kvNXez/aajzpKdDg5HNg==", "S-kvNXez_aajzpKdDg5HNg"}
	decoys := []struct{ what, traceID, spanID string }{
		{"another span of the trace", traceID, "a3ce929d0e0e4736"},
		{"another span of the trace, whose ID ends in ours", traceID, "1f067aa0ba902b7"},
		{"another span of the trace, base64 case-swapped", traceID, "apbNQGUPaRC="},
		{"our span ID in another trace", "0af7651916cd43dd8448eb211c80319c", spanID},
	}

	lk := testenv.StartLoki(t, testenv.LokiOptions{})
	base := time.Now().Add(-2 * time.Minute).Truncate(time.Millisecond)
	tags := map[string]map[string]string{} // mode → body → tag
	var lines []pushedLine
	n := int64(0)
	add := func(mode spanLinkMode, tag, tid, sid string) {
		body, labels, md := mode.line(tag, tid, sid)
		if labels == nil {
			labels = map[string]string{}
		}
		labels["mode"] = mode.name
		n++
		lines = append(lines, pushedLine{ns: base.UnixNano() + n*int64(time.Millisecond), body: body, labels: labels, metadata: md})
		if tags[mode.name] == nil {
			tags[mode.name] = map[string]string{}
		}
		tags[mode.name][body] = tag
	}
	for _, mode := range spanLinkModes() {
		for i, s := range spanSpellings {
			add(mode, "ours/"+s.what, traceSpellings[i%len(traceSpellings)], s.text)
		}
		for _, d := range decoys {
			add(mode, "decoy/"+d.what, d.traceID, d.spanID)
		}
	}
	pushLoki(t, lk.URL, lines)
	client := liveLokiClient(t, lk.URL)
	from, to := base.Add(-time.Minute), base.Add(time.Minute)
	waitLines(t, client, `{mode=~".+"}`, from, to, len(lines))

	for _, mode := range spanLinkModes() {
		t.Run(mode.name, func(t *testing.T) {
			selector := `{mode="` + mode.name + `"}`
			// The link's query once Grafana has filled in ${__data.fields.traceID} and
			// ${__value.raw} from the spans frame (normalised IDs).
			expr := selector + " $__traceFilter(" + traceID + ") $__spanFilter(" + spanID + ")"
			env := &Env{Settings: &settings.Settings{TraceLogSelector: selector, Extraction: mode.ex, MaxLogLines: 1000, MaxSpans: 100}, Logs: client}
			resp := Logs(context.Background(), env, Request{Query: &Query{QueryType: TypeLogs, Version: 1, Expr: expr},
				From: from, To: to, Interval: time.Second, MaxDataPoints: 1000})
			if resp.Error != nil {
				t.Fatalf("%s: %v", expr, resp.Error)
			}
			got := map[string]bool{}
			for _, b := range fieldValues(t, resp.Frames[0], frames.LogBody) {
				tag := tags[mode.name][b]
				got[tag] = true
				if !strings.HasPrefix(tag, "ours/") {
					t.Errorf("the span's logs hold %s: %s", tag, b)
				}
			}
			var want []string
			for _, tag := range tags[mode.name] {
				if strings.HasPrefix(tag, "ours/") {
					want = append(want, tag)
				}
			}
			sort.Strings(want)
			for _, tag := range want {
				if !got[tag] {
					t.Errorf("the span's logs miss %s", tag)
				}
			}
			// Each line the link finds is joined to the span by the backend's extraction.
			for _, sid := range fieldValues(t, resp.Frames[0], frames.LogSpanID) {
				if sid != spanID {
					t.Errorf("a line of the span's logs has span ID %q", sid)
				}
			}
		})
	}
}

// Without a span ID key, the span link falls back to the trace's lines: a 64-bit trace ID
// (the spans frame writes it padded to 32 digits) is found in a label written with 16.
func TestSpanLogsLinkFallsBackToTheTraceInLoki(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Loki")
	}
	lk := testenv.StartLoki(t, testenv.LokiOptions{})
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	pushLoki(t, lk.URL, []pushedLine{
		{ns: at.UnixNano(), body: "ours", labels: map[string]string{"app": "fallback", "trace_id": "a3ce929d0e0e4736"}},
		{ns: at.UnixNano() + 1, body: "other trace", labels: map[string]string{"app": "fallback", "trace_id": "b3ce929d0e0e4736"}},
	})
	client := liveLokiClient(t, lk.URL)
	from, to := at.Add(-time.Minute), at.Add(time.Minute)
	waitLines(t, client, `{app="fallback"}`, from, to, 2)
	ex := settings.Extraction{Mode: settings.ExtractLabel, TraceIDKey: "trace_id"}
	env := &Env{Settings: &settings.Settings{Extraction: ex, MaxLogLines: 1000, MaxSpans: 100}, Logs: client}
	resp := Logs(context.Background(), env, Request{Query: &Query{QueryType: TypeLogs, Version: 1,
		Expr: `{app="fallback"} $__traceFilter(0000000000000000a3ce929d0e0e4736)`}, From: from, To: to, Interval: time.Second, MaxDataPoints: 1000})
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if got := fieldValues(t, resp.Frames[0], frames.LogBody); strings.Join(got, ",") != "ours" {
		t.Errorf("lines %q, want the trace's one", got)
	}
}
