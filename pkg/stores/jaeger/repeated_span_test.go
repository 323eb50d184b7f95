package jaeger

import (
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/model"
)

// An exporter that retries sends a span again. Jaeger removes such copies itself, but its
// v2 memory store appends warnings to the stored copies on every read, so once their
// warnings differ both come back, through the v1 and the v3 API (seen with v1.76.0): the
// copy is left out, its warnings kept on the span, and the search hit counts the span
// once. A span that shares its ID without being a copy (Zipkin's shared client and
// server spans) is kept.
func TestRepeatedSpanCopiesLeftOut(t *testing.T) {
	const skew = "parent span ID=9999999999999999 is not in the trace; skipping clock skew adjustment"
	const dup = "duplicate span IDs; skipping clock skew adjustment"
	v1Span := func(op, warning string) string {
		return `{"traceID":"0000000000001234","spanID":"3333333333333333","operationName":"` + op + `",
			"references":[{"refType":"CHILD_OF","traceID":"0000000000001234","spanID":"9999999999999999"}],
			"startTime":1796675587584851,"duration":89000,"tags":[{"key":"error","type":"bool","value":true}],"logs":[],
			"processID":"p1","warnings":["` + warning + `"]}`
	}
	v1Child := `{"traceID":"0000000000001234","spanID":"4444444444444444","operationName":"child",
		"references":[{"refType":"CHILD_OF","traceID":"0000000000001234","spanID":"3333333333333333"}],
		"startTime":1796675587585851,"duration":1000,"tags":[],"logs":[],"processID":"p1","warnings":null}`
	v1 := func(second string) string {
		return `{"data":[{"traceID":"0000000000001234","spans":[` + v1Span("orphan op", skew) + `,` + v1Child + `,` + second + `],
			"processes":{"p1":{"serviceName":"shop","tags":[]}},"warnings":null}],"total":0,"limit":0,"offset":0,"errors":null}`
	}
	v3Span := func(op, warning string) string {
		return `{"traceId":"00000000000000000000000000001234","spanId":"3333333333333333","parentSpanId":"9999999999999999",
			"name":"` + op + `","kind":1,"startTimeUnixNano":"1796675587584851941","endTimeUnixNano":"1796675587673851941",
			"attributes":[{"key":"error","value":{"boolValue":true}},{"key":"@jaeger@warnings","value":{"arrayValue":{"values":[
			{"stringValue":"` + warning + `"}]}}}],"status":{}}`
	}
	v3Child := `{"traceId":"00000000000000000000000000001234","spanId":"4444444444444444","parentSpanId":"3333333333333333",
		"name":"child","kind":4,"startTimeUnixNano":"1796675587585851941","endTimeUnixNano":"1796675587586851941","status":{}}`
	v3 := func(second string) string {
		return `{"result":{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
			"scopeSpans":[{"scope":{"name":"lib"},"spans":[` + v3Span("orphan op", skew) + `,` + v3Child + `]}]},
			{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
			"scopeSpans":[{"scope":{"name":"lib"},"spans":[` + second + `]}]}]}}`
	}
	parseV1 := func(b string) ([]model.Trace, error) { ts, _, err := ParseV1Traces([]byte(b)); return ts, err }
	parseV3 := func(b string) ([]model.Trace, error) { ts, _, err := ParseV3Traces([]byte(b)); return ts, err }
	tests := []struct {
		name         string
		parse        func(string) ([]model.Trace, error)
		body         string
		wantOps      string
		wantWarnings []string
	}{
		{"v1 copy", parseV1, v1(v1Span("orphan op", dup)), "orphan op,child", []string{skew, dup}},
		{"v3 copy", parseV3, v3(v3Span("orphan op", dup)), "orphan op,child", []string{skew, dup}},
		{"v1 same ID, another span", parseV1, v1(v1Span("other op", dup)), "orphan op,child,other op", []string{skew}},
		{"v3 same ID, another span", parseV3, v3(v3Span("other op", dup)), "orphan op,child,other op", []string{skew}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := tt.parse(tt.body)
			if err != nil || len(ts) != 1 {
				t.Fatalf("%v %v", err, ts)
			}
			var ops []string
			for _, s := range ts[0].Spans {
				ops = append(ops, s.Operation)
			}
			if got := strings.Join(ops, ","); got != tt.wantOps {
				t.Errorf("spans %s, want %s", got, tt.wantOps)
			}
			if got := ts[0].Spans[0].Warnings; strings.Join(got, "\n") != strings.Join(tt.wantWarnings, "\n") {
				t.Errorf("warnings %q, want %q", got, tt.wantWarnings)
			}
			if n := Summarize(&ts[0]).SpanCount; n != len(ops) {
				t.Errorf("search hit counts %d spans, want %d", n, len(ops))
			}
		})
	}
}

// Jaeger v2's v1 API moves a span's @jaeger@warnings attribute into its warnings for one
// span per span ID; a span whose ID repeats keeps it as a string tag holding a JSON list.
// That tag is the span's warnings, not a tag, and a copy that carries it is still a copy.
func TestV1WarningsTagOfRepeatedSpanID(t *testing.T) {
	const skew = "parent span ID=9999999999999999 is not in the trace; skipping clock skew adjustment"
	span := func(op, tags, warnings string) string {
		return `{"traceID":"0000000000001234","spanID":"3333333333333333","operationName":"` + op + `","references":[],
			"startTime":1796675587584851,"duration":89000,"tags":[` + tags + `],"logs":[],"processID":"p1","warnings":` + warnings + `}`
	}
	tag := `{"key":"@jaeger@warnings","type":"string","value":"[\"` + skew + `\",\"` + skew + `\"]"},{"key":"error","type":"bool","value":true}`
	plain := `{"key":"error","type":"bool","value":true}`
	tests := []struct {
		name, second string
		wantOps      string
	}{
		{"copy", span("orphan op", tag, "null"), "orphan op"},
		{"shared ID", span("server op", tag, "null"), "orphan op,server op"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"data":[{"traceID":"0000000000001234","spans":[` + span("orphan op", plain, `["`+skew+`"]`) + `,` + tt.second + `],
				"processes":{"p1":{"serviceName":"shop","tags":[]}}}],"errors":null}`
			ts, _, err := ParseV1Traces([]byte(body))
			if err != nil || len(ts) != 1 {
				t.Fatalf("%v %v", err, ts)
			}
			var ops []string
			for _, s := range ts[0].Spans {
				ops = append(ops, s.Operation)
				for _, kv := range s.Tags {
					if kv.Key != "error" {
						t.Errorf("%s: tag %s = %v", s.Operation, kv.Key, kv.Value)
					}
				}
				if len(s.Warnings) != 1 || s.Warnings[0] != skew {
					t.Errorf("%s: warnings %q, want the clock-skew warning once", s.Operation, s.Warnings)
				}
			}
			if got := strings.Join(ops, ","); got != tt.wantOps {
				t.Errorf("spans %s, want %s", got, tt.wantOps)
			}
		})
	}
}
