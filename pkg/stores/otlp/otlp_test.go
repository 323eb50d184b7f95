package otlp

import (
	"encoding/json"
	"testing"

	"github.com/latencylens/lens/pkg/model"
)

func TestAnyValueAndEnums(t *testing.T) {
	var kv []KeyValue
	in := `[{"key":"s","value":{"stringValue":"x"}},{"key":"i","value":{"intValue":"9007199254740993"}},
		{"key":"d","value":{"doubleValue":"Infinity"}},{"key":"a","value":{"arrayValue":{"values":[{"intValue":1},{"boolValue":true}]}}},
		{"key":"m","value":{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}}]}}}]`
	if err := json.Unmarshal([]byte(in), &kv); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal([]any{kv[0].Value.Go(), kv[1].Value.Go(), kv[2].Value.Go(), kv[3].Value.Go(), kv[4].Value.Go()})
	if string(b) != `["x","9007199254740993","+Inf",[1,true],{"k":"v"}]` {
		t.Errorf("values %s", b)
	}
	// The big integer keeps its digits and stays an integer; a string of digits stays a string.
	if v, ok := kv[1].Value.Go().(model.BigInt); !ok || v != "9007199254740993" {
		t.Errorf("intValue beyond 2^53: %#v", kv[1].Value.Go())
	}
	if _, ok := kv[0].Value.Go().(string); !ok {
		t.Errorf("stringValue: %#v", kv[0].Value.Go())
	}
	tests := []struct {
		in         string
		kind       string
		statusCode int64
	}{
		{`{"kind":"SPAN_KIND_CONSUMER","status":{"code":"STATUS_CODE_OK"}}`, "consumer", 1},
		{`{"kind":3,"status":{"code":2}}`, "client", 2},
		{`{"kind":99,"status":{}}`, "", 0},
	}
	for _, tc := range tests {
		var s Span
		if err := json.Unmarshal([]byte(tc.in), &s); err != nil {
			t.Fatal(err)
		}
		if s.Kind.kind() != tc.kind || s.Status.Code.status() != tc.statusCode {
			t.Errorf("%s: kind %q status %d", tc.in, s.Kind.kind(), s.Status.Code.status())
		}
	}
}

// Each span carries its scope (library) and trace state, from `scope` in `scopeSpans` or
// `instrumentationLibrary` in the older `instrumentationLibrarySpans`.
func TestSpansKeepScopeAndTraceState(t *testing.T) {
	const span = `{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","traceState":"rojo=1"}`
	tests := []struct {
		name, in                        string
		scopeName, scopeVersion, tstate string
	}{
		{name: "scopeSpans", in: `{"scopeSpans":[{"scope":{"name":"lib","version":"1.2"},"spans":[` + span + `]}]}`,
			scopeName: "lib", scopeVersion: "1.2", tstate: "rojo=1"},
		{name: "instrumentationLibrarySpans", in: `{"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old","version":"0.9"},"spans":[` + span + `]}]}`,
			scopeName: "old", scopeVersion: "0.9", tstate: "rojo=1"},
		{name: "no scope", in: `{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7"}]}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rs ResourceSpans
			if err := json.Unmarshal([]byte(tc.in), &rs); err != nil {
				t.Fatal(err)
			}
			res := Spans([]ResourceSpans{rs})
			if len(res.Spans) != 1 {
				t.Fatalf("%d spans", len(res.Spans))
			}
			s := res.Spans[0]
			if s.ScopeName != tc.scopeName || s.ScopeVersion != tc.scopeVersion || s.TraceState != tc.tstate {
				t.Errorf("scope %q %q, trace state %q; want %q %q, %q", s.ScopeName, s.ScopeVersion, s.TraceState, tc.scopeName, tc.scopeVersion, tc.tstate)
			}
		})
	}
}

func FuzzSpans(f *testing.F) {
	f.Add([]byte(`[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"a"}}]},"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","startTimeUnixNano":"1","endTimeUnixNano":"0"}]}]}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var rss []ResourceSpans
		if json.Unmarshal(b, &rss) != nil {
			return
		}
		for _, s := range Spans(rss).Spans {
			if s.DurationNano < 0 || len(s.TraceID) != 32 {
				t.Fatalf("bad span %+v", s)
			}
		}
	})
}
