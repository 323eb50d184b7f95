package settings

import (
	"errors"
	"strings"
	"testing"
)

// JSON extraction paths are read as pkg/stores/loki reads them: padding and a leading
// `$` are fine, a path that names no field is a problem of the logs store.
func TestJSONExtractionPaths(t *testing.T) {
	tests := []struct {
		name, traceIDPath, spanIDPath string
		wantSpan                      string
		wantErr                       string // "" for none
	}{
		{name: "$. path", traceIDPath: "$.trace_id", spanIDPath: "$.span_id", wantSpan: "$.span_id"},
		{name: "padded path", traceIDPath: " trace_id\t", spanIDPath: "ctx.spans[0]", wantSpan: "ctx.spans[0]"},
		{name: "blank span path is no span path", traceIDPath: "trace_id", spanIDPath: " \t"},
		{name: "$ alone", traceIDPath: "$", wantErr: `logs.extraction.traceIdPath "$" names no field`},
		{name: "$. alone", traceIDPath: " $. ", wantErr: `logs.extraction.traceIdPath " $. " names no field`},
		{name: "brackets only", traceIDPath: "[]", wantErr: "names no field"},
		{name: "blank trace path", traceIDPath: "  ", wantErr: "names no field"},
		{name: "span path names nothing", traceIDPath: "t", spanIDPath: "$.", wantErr: `logs.extraction.spanIdPath "$." names no field`},
		{name: "bracket-quoted keys with dots", traceIDPath: `attributes["trace.id"]`, spanIDPath: `attributes.['span.id']`, wantSpan: `attributes.['span.id']`},
		{name: "unterminated bracket-quoted key", traceIDPath: `attributes["trace.id"`,
			wantErr: `logs.extraction.traceIdPath "attributes[\"trace.id\"": the key in brackets at ["trace.id" is not closed (write ["key"] or ['key'])`},
		{name: "bracket-quoted key with text after its quote", traceIDPath: "t", spanIDPath: `attributes['span.id'x]`,
			wantErr: `logs.extraction.spanIdPath "attributes['span.id'x]": the key in brackets at ['span.id'x] is not closed (write ["key"] or ['key'])`},
		{name: "bracket-quoted key with an invalid escape", traceIDPath: `a["b\q"]`,
			wantErr: `logs.extraction.traceIdPath "a[\"b\\q\"]": the key in brackets ["b\q"] is not a JSON string`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			js := `{"logs":{"url":"http://loki:3100","extraction":{"mode":"json","traceIdPath":` + quote(tc.traceIDPath) +
				`,"spanIdPath":` + quote(tc.spanIDPath) + `}}}`
			s, err := Parse([]byte(js), nil)
			if tc.wantErr != "" {
				var p *Problem
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &p) || p.Store != StoreLogs {
					t.Fatalf("err = %v, want a logs problem saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Extraction.TraceIDKey != tc.traceIDPath || s.Extraction.SpanIDKey != tc.wantSpan {
				t.Errorf("paths %q %q", s.Extraction.TraceIDKey, s.Extraction.SpanIDKey)
			}
		})
	}
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\t", `\t`).Replace(s) + `"`
}
