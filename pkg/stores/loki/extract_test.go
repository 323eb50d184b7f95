package loki

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/settings"
)

// extractionCases is testdata/extraction_cases.json, which the config editor's preview
// tests (src/datasource/extraction.test.ts) run too, so both read lines alike.
type extractionCases struct {
	JSON []struct {
		Name, Line, Path string
		Want             *string
	}
	Logfmt []struct {
		Name, Line, Key string
		Want            *string
	}
	Regex []struct {
		Name, Line, Regex string
		Want              *string
	}
}

func TestSharedExtractionCases(t *testing.T) {
	var cs extractionCases
	if err := json.Unmarshal(read(t, "extraction_cases.json"), &cs); err != nil {
		t.Fatal(err)
	}
	if len(cs.JSON) == 0 || len(cs.Logfmt) == 0 || len(cs.Regex) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cs.JSON {
		t.Run("json/"+c.Name, func(t *testing.T) {
			want := ""
			if c.Want != nil {
				want = *c.Want
			}
			if got := JSONPath(c.Line, c.Path); got != want {
				t.Errorf("JSONPath(%q, %q) = %q, want %q", c.Line, c.Path, got, want)
			}
		})
	}
	for _, c := range cs.Logfmt {
		t.Run("logfmt/"+c.Name, func(t *testing.T) {
			got, found := logfmtFind(c.Line, c.Key)
			switch {
			case c.Want == nil && found:
				t.Errorf("logfmt %q key %q: found %q, want none", c.Line, c.Key, got)
			case c.Want != nil && (!found || got != *c.Want):
				t.Errorf("logfmt %q key %q: got %q (found %t), want %q", c.Line, c.Key, got, found, *c.Want)
			}
		})
	}
	for _, c := range cs.Regex {
		t.Run("regex/"+c.Name, func(t *testing.T) {
			want := ""
			if c.Want != nil {
				want = *c.Want
			}
			ex := settings.Extraction{Mode: settings.ExtractRegex, TraceIDRegex: regexp.MustCompile(c.Regex)}
			if got, _ := Extract(ex, nil, &Entry{Line: c.Line}); got != want {
				t.Errorf("regex %q on %q = %q, want %q", c.Regex, c.Line, got, want)
			}
		})
	}
}

const (
	goodTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	goodSpan  = "00f067aa0ba902b7"
)

func streamOf(lines ...string) *Result {
	s := Stream{Labels: map[string]string{"app": "checkout"}}
	for i, l := range lines {
		s.Entries = append(s.Entries, Entry{TimeUnixNano: int64(i + 1), Line: l})
	}
	return &Result{ResultType: ResultStreams, Streams: []Stream{s}, Lines: len(lines)}
}

// A found ID that is not one leaves the line's ID empty, keeps the line and its other
// ID, and is counted with the first as written; blank and all-zero IDs are no ID.
func TestLinesMalformedIDs(t *testing.T) {
	long := strings.Repeat("z", 100)
	ex := settings.Extraction{Mode: settings.ExtractLogfmt, TraceIDKey: "trace_id", SpanIDKey: "span_id"}
	r := streamOf(
		"msg=ok trace_id="+goodTrace+" span_id="+goodSpan,
		"msg=bad-trace trace_id=xyz span_id="+goodSpan,
		"msg=bad-span trace_id="+goodTrace+" span_id=nope",
		"msg=long trace_id="+long,
		"msg=zeros trace_id=00000000000000000000000000000000 span_id=0000000000000000",
		`msg=blank trace_id="" span_id=`,
		"msg=none",
	)
	lines, total := Lines(r, ex, 0)
	if total != 7 || len(lines) != 7 {
		t.Fatalf("%d lines of %d, want all 7", len(lines), total)
	}
	type want struct{ trace, span, badTrace, badSpan string }
	wants := []want{
		{goodTrace, goodSpan, "", ""},
		{"", goodSpan, "xyz", ""},
		{goodTrace, "", "", "nope"},
		{"", "", long, ""},
		{"", "", "", ""},
		{"", "", "", ""},
		{"", "", "", ""},
	}
	for i, w := range wants {
		l := lines[i]
		if l.TraceID != w.trace || l.SpanID != w.span || l.BadTraceID != w.badTrace || l.BadSpanID != w.badSpan {
			t.Errorf("line %q: trace %q span %q bad %q/%q, want %+v", l.Body, l.TraceID, l.SpanID, l.BadTraceID, l.BadSpanID, w)
		}
	}
	plain, f := Plain(lines)
	if len(plain) != 7 || plain[1].Body != "msg=bad-trace trace_id=xyz span_id="+goodSpan || plain[1].SpanID != goodSpan {
		t.Errorf("plain lines lost something: %+v", plain)
	}
	if f.Trace != 2 || f.FirstTrace != "xyz" || f.Span != 1 || f.FirstSpan != "nope" {
		t.Errorf("faults %+v", f)
	}
	if f.FirstTraceErr == nil || !strings.Contains(f.FirstTraceErr.Error(), `"xyz"`) ||
		f.FirstSpanErr == nil || !strings.Contains(f.FirstSpanErr.Error(), `"nope"`) {
		t.Errorf("errors %v / %v do not quote the IDs", f.FirstTraceErr, f.FirstSpanErr)
	}
}

// The JSON rule reads `$.`-prefixed and padded paths, and logfmt splits on tabs, for
// every line Lines reads.
func TestLinesPathAndSeparatorSpellings(t *testing.T) {
	tests := []struct {
		name string
		ex   settings.Extraction
		line string
	}{
		{"json $. path", settings.Extraction{Mode: settings.ExtractJSON, TraceIDKey: "$.trace_id", SpanIDKey: " $.ctx.span "},
			`{"trace_id":"` + goodTrace + `","ctx":{"span":"` + goodSpan + `"}}`},
		{"logfmt tabs", settings.Extraction{Mode: settings.ExtractLogfmt, TraceIDKey: "trace_id", SpanIDKey: "span_id"},
			"level=info\ttrace_id=" + goodTrace + "\tspan_id=" + goodSpan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines, _ := Lines(streamOf(tc.line), tc.ex, 0)
			if len(lines) != 1 || lines[0].TraceID != goodTrace || lines[0].SpanID != goodSpan {
				t.Errorf("got %+v", lines)
			}
		})
	}
}

// A line's labels are its stream's plus, when Loki categorised them, its structured
// metadata and parsed labels (as Loki merges them without categorize-labels); a name
// taken with another value gets "_extracted".
func TestLinesLabelsIncludeMetadataAndParsed(t *testing.T) {
	stream := map[string]string{"service_name": "api", "status": "200"}
	r := &Result{ResultType: ResultStreams, Categorized: true, Lines: 2, Streams: []Stream{{Labels: stream, Entries: []Entry{
		{TimeUnixNano: 1, Line: "plain"},
		{TimeUnixNano: 2, Line: `{"status":"503"}`,
			StructuredMetadata: map[string]string{"trace_id": goodTrace, "pod": "api-7d9"},
			Parsed:             map[string]string{"status": "503", "route": "/pay", "service_name": "api"}},
	}}}}
	lines, _ := Lines(r, settings.Extraction{Mode: settings.ExtractStructuredMetadata, TraceIDKey: "trace_id"}, 0)
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	if got := lines[0].Labels; len(got) != 2 || got["service_name"] != "api" {
		t.Errorf("plain line labels %v, want the stream's", got)
	}
	want := map[string]string{"service_name": "api", "status": "200", "trace_id": goodTrace, "pod": "api-7d9",
		"status_extracted": "503", "route": "/pay"}
	got := lines[1].Labels
	if len(got) != len(want) {
		t.Errorf("labels %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("label %s = %q, want %q (labels %v)", k, got[k], v, got)
		}
	}
	if len(stream) != 2 {
		t.Errorf("the stream's own labels changed: %v", stream)
	}
	if lines[1].TraceID != goodTrace {
		t.Errorf("trace ID %q", lines[1].TraceID)
	}
}

// The label mode reads its key from the stream labels, then the structured metadata (Loki
// merges it into the labels without categorize-labels, and the trace query's label filter
// matches it), then the parsed labels; the config editor's preview reads the first two
// alike (src/datasource/extraction.test.ts).
func TestExtractLabelModeReadsStructuredMetadata(t *testing.T) {
	const trace, other, span = "4bf92f3577b34da6a3ce929d0e0e4736", "0af7651916cd43dd8448eb211c80319c", "00f067aa0ba902b7"
	ex := settings.Extraction{Mode: settings.ExtractLabel, TraceIDKey: "t", SpanIDKey: "s"}
	tid, sid := Extract(ex, map[string]string{"app": "a"}, &Entry{StructuredMetadata: map[string]string{"t": trace, "s": span}})
	if tid != trace || sid != span {
		t.Errorf("metadata only: %q %q", tid, sid)
	}
	tid, _ = Extract(ex, map[string]string{"t": trace}, &Entry{StructuredMetadata: map[string]string{"t": other}})
	if tid != trace {
		t.Errorf("stream label and metadata: %q, want the stream label's", tid)
	}
}
