package loki

import (
	"encoding/json"
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
}

func TestSharedExtractionCases(t *testing.T) {
	var cs extractionCases
	if err := json.Unmarshal(read(t, "extraction_cases.json"), &cs); err != nil {
		t.Fatal(err)
	}
	if len(cs.JSON) == 0 || len(cs.Logfmt) == 0 {
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
