package loki

import (
	"testing"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/traceid"
)

// A JSON line (or a quoted logfmt value, which is unescaped as a JSON string) may escape
// base64's '/' as "\/" (PHP's json_encode by default) or '+' as "\u002B" (.NET's
// System.Text.Json by default): extraction reads the ID, so the trace's filter must let
// the line through. The live counterpart is TestTraceLinesFindJSONEscapedBase64InLoki.
func TestTraceLinesFindEscapedBase64(t *testing.T) {
	const sel = `{service_name=~".+"}`
	tests := []struct {
		name string
		ex   settings.Extraction
		id   string
		line string
	}{
		{"json \\/", settings.Extraction{Mode: settings.ExtractJSON, TraceIDKey: "trace_id"},
			"4be92f3577b3fda6a3ce929d0e0e4736", `{"trace_id":"S+kvNXez\/aajzpKdDg5HNg=="}`},
		{"json \\u002B", settings.Extraction{Mode: settings.ExtractJSON, TraceIDKey: "trace_id"},
			"4be92f3577b3fda6a3ce929d0e0e4736", `{"trace_id":"S\u002BkvNXez/aajzpKdDg5HNg=="}`},
		{"json 64-bit \\u002b \\u002f", settings.Extraction{Mode: settings.ExtractJSON, TraceIDKey: "trace_id"},
			"0000000000000000a3ee92fd0e0e4736", `{"trace_id":"o\u002b6S\u002fQ4ORzY="}`},
		{"logfmt quoted \\/", settings.Extraction{Mode: settings.ExtractLogfmt, TraceIDKey: "trace_id"},
			"4be92f3577b3fda6a3ce929d0e0e4736", `level=info trace_id="S+kvNXez\/aajzpKdDg5HNg=="`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var lb Entry
			lb.Line = tc.line
			raw, _ := Extract(tc.ex, nil, &lb)
			if n, err := traceid.Normalize(raw); err != nil || n != tc.id {
				t.Fatalf("extraction reads %q as %q (%v), not %s", raw, n, err, tc.id)
			}
			expr := TraceLines(sel, tc.ex, tc.id)
			if !lokiKeeps(t, expr, sel, tc.ex, tc.line, "") {
				t.Errorf("Loki drops %s: %s", tc.line, expr)
			}
		})
	}
}
