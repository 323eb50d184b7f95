package traceid

import "testing"

// IDs as log lines and exemplars write them besides the bare ID: inside the W3C
// traceparent or Zipkin's B3 single header they were propagated in, and with the prose's
// punctuation or the logger's quotes and brackets around them. Each reads as the ID it
// carries; what is not an ID stays refused.
func TestNormalizeIDsInContext(t *testing.T) {
	const (
		tid   = "4bf92f3577b34da6a3ce929d0e0e4736"
		sid   = "00f067aa0ba902b7"
		tid64 = "a3ce929d0e0e4736"
	)
	tests := []struct {
		name, in        string
		trace, span     string // "" = refused
		traceOK, spanOK bool
	}{
		{name: "traceparent", in: "00-" + tid + "-" + sid + "-01", trace: tid, span: sid, traceOK: true, spanOK: true},
		{name: "traceparent upper case", in: "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", trace: tid, span: sid, traceOK: true, spanOK: true},
		{name: "traceparent of a later version with more fields", in: "01-" + tid + "-" + sid + "-00-extra", trace: tid, span: sid, traceOK: true, spanOK: true},
		{name: "traceparent version 00 with more fields", in: "00-" + tid + "-" + sid + "-01-extra"},
		{name: "traceparent version ff", in: "ff-" + tid + "-" + sid + "-01"},
		{name: "traceparent with a zero trace ID", in: "00-00000000000000000000000000000000-" + sid + "-01"},
		{name: "b3 128-bit", in: tid + "-" + sid + "-1", trace: tid, span: sid, traceOK: true, spanOK: true},
		{name: "b3 64-bit with parent", in: tid64 + "-" + sid + "-d-a2fb4a1d1a96d312", trace: "0000000000000000" + tid64, span: sid, traceOK: true, spanOK: true},
		{name: "b3 64-bit without sampling", in: tid64 + "-" + sid, trace: "0000000000000000" + tid64, span: sid, traceOK: true, spanOK: true},
		{name: "b3 bad sampling state", in: tid64 + "-" + sid + "-x"},
		{name: "trailing comma", in: tid + ",", trace: tid, traceOK: true},
		{name: "sentence end", in: sid + ".", trace: "0000000000000000" + sid, span: sid, traceOK: true, spanOK: true},
		{name: "brackets", in: "[" + tid + "]", trace: tid, traceOK: true},
		{name: "quotes", in: `"` + sid + `"`, trace: "0000000000000000" + sid, span: sid, traceOK: true, spanOK: true},
		{name: "single quotes and semicolon", in: "'" + tid + "';", trace: tid, traceOK: true},
		{name: "parenthesised base64", in: "(S/kvNXezTaajzpKdDg5HNg==)", trace: tid, traceOK: true},
		{name: "punctuation only", in: "[],"},
		{name: "prefix is no punctuation", in: "0x" + tid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.in)
			if (err == nil) != tc.traceOK || got != tc.trace {
				t.Errorf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.trace)
			}
			got, err = NormalizeSpan(tc.in)
			if (err == nil) != tc.spanOK || got != tc.span {
				t.Errorf("NormalizeSpan(%q) = %q, %v; want %q", tc.in, got, err, tc.span)
			}
		})
	}
}
