package loki

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/storetest"
)

// read loads a recorded store answer from testdata/.
var read = storetest.Testdata

func TestParseStreams(t *testing.T) {
	tests := []struct {
		name        string
		file        string
		ex          settings.Extraction
		categorized bool
	}{
		{"categorize-labels triples, structured metadata", "streams_categorized.json",
			settings.Extraction{Mode: settings.ExtractStructuredMetadata, TraceIDKey: "trace_id", SpanIDKey: "span_id"}, true},
		{"categorize-labels triples, logfmt", "streams_categorized.json",
			settings.Extraction{Mode: settings.ExtractLogfmt, TraceIDKey: "trace_id", SpanIDKey: "span_id"}, true},
		{"regex", "streams_categorized.json",
			settings.Extraction{Mode: settings.ExtractRegex, TraceIDRegex: regexp.MustCompile(`trace_id=(\w+)`), SpanIDRegex: regexp.MustCompile(`span_id=(\w+)`)}, true},
		{"plain, metadata merged into labels", "streams_plain.json",
			settings.Extraction{Mode: settings.ExtractStructuredMetadata, TraceIDKey: "trace_id", SpanIDKey: "span_id"}, false},
		{"plain, label", "streams_plain.json",
			settings.Extraction{Mode: settings.ExtractLabel, TraceIDKey: "trace_id", SpanIDKey: "span_id"}, false},
		{"plain, JSON path upper-case ID", "streams_plain.json",
			settings.Extraction{Mode: settings.ExtractJSON, TraceIDKey: "ctx.traceId", SpanIDKey: "ctx.spanId"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseQueryRange(read(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if r.Categorized != tc.categorized || r.Lines != 5 {
				t.Fatalf("categorized %t lines %d", r.Categorized, r.Lines)
			}
			lines, total := Lines(r, tc.ex, 0)
			if total != 5 {
				t.Fatalf("total %d", total)
			}
			withSpan := 0
			for _, l := range lines {
				if l.TraceID != storetest.CheckoutTraceID {
					t.Errorf("line %q: trace ID %q", l.Body, l.TraceID)
				}
				if l.SpanID != "" {
					withSpan++
				}
			}
			if withSpan != 3 {
				t.Errorf("%d lines with a span ID, want 3", withSpan)
			}
			if capped, _ := Lines(r, tc.ex, 2); len(capped) != 2 {
				t.Errorf("limit 2 gave %d lines", len(capped))
			}
		})
	}
}

func TestParseMatrix(t *testing.T) {
	r, err := ParseQueryRange(read(t, "matrix.json"))
	if err != nil || r.ResultType != ResultMatrix || len(r.Series) != 1 || len(r.Series[0].Points) != 2 {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{`parse error at line 1, col 5: syntax error`, `{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[["x","y"]]}]}}`,
		`{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[["1"]]}]}}`} {
		if _, err := ParseQueryRange([]byte(in)); err == nil {
			t.Errorf("ParseQueryRange(%q): want error", in)
		}
	}
}

func TestExtractHelpers(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"logfmt quoted", LogfmtValue(`a=1 msg="x y" tid="ab\"c"`, "tid"), `ab"c`},
		{"logfmt missing", LogfmtValue(`a=1 b`, "c"), ""},
		{"logfmt bare key then pair", LogfmtValue(`flag tid=7`, "tid"), "7"},
		{"json nested", JSONPath(`{"a":{"b":[{"c":"v"}]}}`, "a.b[0].c"), "v"},
		{"json dotted key", JSONPath(`{"trace.id":"t"}`, "trace.id"), "t"},
		{"json number", JSONPath(`{"n":12345678901234567890}`, "n"), "12345678901234567890"},
		{"json not json", JSONPath(`level=info`, "a"), ""},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestLogQLBuilders(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"trace lines metadata", TraceLines(`{a="b"}`, settings.Extraction{Mode: settings.ExtractStructuredMetadata, TraceIDKey: "trace_id"}, "0000000000000000a3ce929d0e0e4736"),
			`{a="b"} | trace_id=~"[\"'` + "`" + `(\\[{<]*(?:(?i:0*a3ce929d0e0e4736|00000000-0000-0000-a3ce-929d0e0e4736)|AAAAAAAAAACjzpKdDg5HNg(?:==)?|o86SnQ4ORzY=?` +
				`|[0-9a-fA-F]{2}-(?i:0000000000000000a3ce929d0e0e4736)-[0-9a-fA-F]{16}-[0-9a-fA-F]{2}(?:-.*)?` +
				`|(?i:0000000000000000a3ce929d0e0e4736|a3ce929d0e0e4736)-[0-9a-fA-F]{16}(?:-[01d](?:-[0-9a-fA-F]{16})?)?)[\"'` + "`" + `)\\]}>.,;:]*"`},
		{"trace lines json", TraceLines(`{a="b"}`, settings.Extraction{Mode: settings.ExtractJSON, TraceIDKey: "t"}, "4bf92f3577b34da6a3ce929d0e0e4736"),
			`{a="b"} |~ "(?:^|[^0-9a-fA-F])(?i:0*4bf92f3577b34da6a3ce929d0e0e4736|4bf92f35-77b3-4da6-a3ce-929d0e0e4736)(?:[^0-9a-fA-F]|$)` +
				`|S(?:/|\\\\/|\\\\u002[fF])kvNXezTaajzpKdDg5HNg|S_kvNXezTaajzpKdDg5HNg"`},
		{"span filter metadata", mustFilter(SpanFilter(settings.Extraction{Mode: settings.ExtractStructuredMetadata, TraceIDKey: "trace_id", SpanIDKey: "span_id"}, "00F067AA0BA902B7")),
			`| span_id=~"[\"'` + "`" + `(\\[{<]*(?:(?i:0*f067aa0ba902b7|0-?0-?f-?0-?6-?7-?a-?a-?0-?b-?a-?9-?0-?2-?b-?7)|APBnqgupArc=?` +
				`|[0-9a-fA-F]{2}-[0-9a-fA-F]{32}-(?i:00f067aa0ba902b7)-[0-9a-fA-F]{2}(?:-.*)?` +
				`|[0-9a-fA-F]{16}(?:[0-9a-fA-F]{16})?-(?i:00f067aa0ba902b7)(?:-[01d](?:-[0-9a-fA-F]{16})?)?)[\"'` + "`" + `)\\]}>.,;:]*"`},
		{"span filter logfmt", mustFilter(SpanFilter(settings.Extraction{Mode: settings.ExtractLogfmt, TraceIDKey: "trace_id", SpanIDKey: "span_id"}, "fbff67aa0ba9fe3f")),
			`|~ "(?:^|[^0-9a-fA-F])(?i:0*fbff67aa0ba9fe3f|f-?b-?f-?f-?6-?7-?a-?a-?0-?b-?a-?9-?f-?e-?3-?f)(?:[^0-9a-fA-F]|$)` +
				`|(?:\\+|\\\\u002[bB])(?:/|\\\\/|\\\\u002[fF])9nqgup(?:/|\\\\/|\\\\u002[fF])j8|-_9nqgup_j8"`},
		{"span filter without a span key in a label mode", mustFilter(SpanFilter(settings.Extraction{Mode: settings.ExtractLabel, TraceIDKey: "trace_id"}, "00f067aa0ba902b7")),
			`|~ "(?:^|[^0-9a-fA-F])(?i:0*f067aa0ba902b7|0-?0-?f-?0-?6-?7-?a-?a-?0-?b-?a-?9-?0-?2-?b-?7)(?:[^0-9a-fA-F]|$)|APBnqgupArc"`},
		{"quantile", QuantileOverTime(0.99, `{a="b"} | json`, "dur", 60e9, nil), `quantile_over_time(0.99, {a="b"} | json | unwrap dur [60s]) by ()`},
		{"count", CountOverTime(`{a="b"} | json | unwrap dur`, 60e9), `sum(count_over_time({a="b"} | json [60s]))`},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, tc.got, tc.want)
		}
	}
}

func FuzzParseQueryRange(f *testing.F) {
	f.Add(read(f, "streams_categorized.json"))
	f.Add(read(f, "streams_plain.json"))
	f.Add(read(f, "matrix.json"))
	ex := settings.Extraction{Mode: settings.ExtractJSON, TraceIDKey: "ctx.traceId", SpanIDKey: "ctx.spanId"}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseQueryRange(b)
		if err == nil {
			lines, _ := Lines(r, ex, 3)
			if len(lines) > 3 {
				t.Fatal("limit ignored")
			}
		}
	})
}

func FuzzExtract(f *testing.F) {
	f.Add(`level=info trace_id=4bf92f3577b34da6a3ce929d0e0e4736 msg="a b"`, "trace_id")
	f.Add(`{"ctx":{"traceId":"x"},"a":[1,2]}`, "ctx.traceId")
	f.Fuzz(func(t *testing.T, line, key string) {
		_ = LogfmtValue(line, key)
		_ = JSONPath(line, key)
	})
}

func FuzzParseLabels(f *testing.F) {
	for _, n := range []string{"labels.json", "streams_categorized.json", "streams_plain.json", "matrix.json"} {
		f.Add(read(f, n))
	}
	f.Add([]byte(`{"status":"error","error":"rpc error"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		labels, err := ParseLabels(b)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			return
		}
		// Only an answer with status success is read.
		var env struct {
			Status string   `json:"status"`
			Data   []string `json:"data"`
		}
		if json.Unmarshal(b, &env) != nil || env.Status != "success" || len(env.Data) != len(labels) {
			t.Fatalf("read %q from an answer with status %q", labels, env.Status)
		}
	})
}

func mustFilter(f string, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return f
}
