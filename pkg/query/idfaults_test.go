package query

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/loki"
)

const faultSpanID = "00f067aa0ba902b7"

// faultLines are logfmt lines of windowTraceID's trace, oldest first: good ones, ones
// whose trace or span ID is not one, and ones without IDs.
func faultLines() []loki.Entry {
	long := "0x" + windowTraceID + strings.Repeat("-suffix", 10)
	bodies := []string{
		"msg=good\ttrace_id=" + windowTraceID + "\tspan_id=" + faultSpanID,
		"msg=bad-trace trace_id=x" + windowTraceID + " span_id=" + faultSpanID,
		"msg=long-trace trace_id=" + long,
		"msg=bad-span trace_id=" + windowTraceID + " span_id=span-" + faultSpanID,
		"msg=no-ids",
		"msg=zero-trace trace_id=00000000000000000000000000000000",
	}
	out := make([]loki.Entry, len(bodies))
	for i, b := range bodies {
		out[i] = loki.Entry{TimeUnixNano: midnight.Add(time.Duration(i+1) * time.Second).UnixNano(), Line: b}
	}
	return out
}

func faultSettings() *settings.Settings {
	st := windowSettings(100, 100)
	st.Extraction = settings.Extraction{Mode: settings.ExtractLogfmt, TraceIDKey: "trace_id", SpanIDKey: "span_id"}
	return st
}

func byBody(t *testing.T, f *data.Frame, field string) map[string]string {
	t.Helper()
	bodies, vals := fieldValues(t, f, frames.LogBody), fieldValues(t, f, field)
	out := map[string]string{}
	for i, b := range bodies {
		out[strings.Fields(b)[0]] = vals[i]
	}
	return out
}

func warnings(f *data.Frame) []string {
	var out []string
	if f.Meta != nil {
		for _, n := range f.Meta.Notices {
			if n.Severity == data.NoticeSeverityWarning {
				out = append(out, n.Text)
			}
		}
	}
	return out
}

// The logs query keeps every line; those whose trace or span ID is not one show it
// empty, and the frame says how many there are, quoting the first (cut when long).
func TestLogsQueryAnnouncesMalformedIDs(t *testing.T) {
	env := &Env{Settings: faultSettings(), Logs: &memLogs{lines: faultLines()}}
	res := Logs(context.Background(), env, Request{
		Query: &Query{QueryType: TypeLogs, Expr: `{service_name="checkout"}`},
		From:  midnight, To: midnight.Add(time.Hour), MaxDataPoints: 100, Interval: time.Minute,
	})
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	lf := kindFrame(t, res.Frames, frames.KindLogs)
	if lf.Rows() != 6 {
		t.Fatalf("%d lines, want all 6", lf.Rows())
	}
	traces, spans := byBody(t, lf, frames.LogTraceID), byBody(t, lf, frames.LogSpanID)
	if traces["msg=good"] != windowTraceID || spans["msg=good"] != faultSpanID {
		t.Errorf("tab-separated line: trace %q span %q", traces["msg=good"], spans["msg=good"])
	}
	if traces["msg=bad-trace"] != "" || spans["msg=bad-trace"] != faultSpanID {
		t.Errorf("bad trace ID line: trace %q span %q, want \"\" and its span", traces["msg=bad-trace"], spans["msg=bad-trace"])
	}
	if traces["msg=bad-span"] != windowTraceID || spans["msg=bad-span"] != "" {
		t.Errorf("bad span ID line: trace %q span %q", traces["msg=bad-span"], spans["msg=bad-span"])
	}
	want := []string{
		`2 log lines carry a trace ID that is not one (first: trace ID "0x4bf92f3577b34da6a3ce929d0e0e4736-suffi…" is neither hex of up to 32 digits nor base64 of 16 bytes): shown without a trace link`,
		`1 log line carries a span ID that is not one (first: span ID "span-00f067aa0ba902b7" is neither hex of up to 16 digits nor base64 of 8 bytes): shown without a span ID`,
	}
	if got := warnings(lf); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The trace query keeps the lines the store found the trace's ID in even when their own
// trace ID is not one (as it keeps those without one: they get the trace's ID), joins
// lines with a malformed span ID by time, and says so on its logs frame.
func TestTraceQueryAnnouncesMalformedIDs(t *testing.T) {
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{
		{TraceID: windowTraceID, SpanID: faultSpanID, Operation: "checkout", Service: "checkout",
			StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Minute)},
	}}
	env := &Env{Settings: faultSettings(), Logs: &memLogs{lines: faultLines()}, Traces: oneTrace{trace},
		MetricsErr: errors.New("prometheus: not configured")}
	no := false
	res := Trace(context.Background(), env, Request{
		Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeExemplars: &no},
		From:  midnight, To: midnight.Add(time.Hour),
	})
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	lf := kindFrame(t, res.Frames, frames.KindLogs)
	traces := byBody(t, lf, frames.LogTraceID)
	if len(traces) != 6 {
		t.Fatalf("lines %v, want all 6", traces)
	}
	for body, tid := range traces {
		if tid != windowTraceID {
			t.Errorf("line %s: trace ID %q", body, tid)
		}
	}
	if spans := byBody(t, lf, frames.LogSpanID); spans["msg=bad-span"] != faultSpanID {
		t.Errorf("the line with a malformed span ID is not joined to the span by time: %q", spans["msg=bad-span"])
	}
	got := strings.Join(warnings(lf), "\n")
	for _, w := range []string{
		`2 log lines carry a trace ID that is not one (first: trace ID "x4bf92f3577b34da6a3ce929d0e0e4736" is neither hex of up to 32 digits nor base64 of 16 bytes): kept as this trace's lines, since the log store found its ID in them`,
		`1 log line carries a span ID that is not one (first: span ID "span-00f067aa0ba902b7" is neither hex of up to 16 digits nor base64 of 8 bytes): joined to spans by time, not by span ID`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("warnings:\n%s\nlack:\n%s", got, w)
		}
	}
}

func TestQuoteFault(t *testing.T) {
	long := strings.Repeat("é", 50)
	tests := []struct {
		name, raw string
		err       error
		want      string
	}{
		{"short, with the normaliser's error", "xyz", errors.New(`trace ID "xyz" is bad`), `trace ID "xyz" is bad`},
		{"long is cut on a character boundary", long, errors.New(`trace ID "` + long + `" is bad`),
			`trace ID "` + strings.Repeat("é", maxQuotedID) + `…" is bad`},
		{"an error that does not quote it", "xyz", errors.New("bad"), `"xyz"`},
		{"no error", "a\tb", nil, `"a\tb"`},
	}
	for _, tc := range tests {
		if got := quoteFault(tc.raw, tc.err); got != tc.want {
			t.Errorf("%s: got %s want %s", tc.name, got, tc.want)
		}
	}
}
