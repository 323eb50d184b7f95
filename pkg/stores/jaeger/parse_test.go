package jaeger

import (
	"bytes"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/storetest"
)

// read loads a recorded store answer from testdata/.
var read = storetest.Testdata

func TestParseTraces(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		parse func([]byte) ([]model.Trace, error)
	}{
		{"v1 envelope, µs, processes", "trace_v1.json", func(b []byte) ([]model.Trace, error) {
			ts, warnings, err := ParseV1Traces(b)
			if len(warnings) > 0 {
				t.Errorf("warnings %q from an answer without errors", warnings)
			}
			return ts, err
		}},
		{"v3 OTLP hex IDs integer enums", "trace_v3.json", func(b []byte) ([]model.Trace, error) {
			ts, _, err := ParseV3Traces(b)
			return ts, err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := tc.parse(read(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 {
				t.Fatalf("%d traces", len(ts))
			}
			storetest.AssertCheckoutTrace(t, &ts[0], storetest.CheckoutSpans)
			s := Summarize(&ts[0])
			if s.RootService != "frontend" || s.RootName != "GET /checkout" || s.DurationMs != 120 || !s.HasError || s.SpanCount != 3 {
				t.Errorf("summary = %+v", s)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	// Recorded from Jaeger 2 (tests/stores/fixtures/jaeger_v*_not_found.json), which sends
	// these JSON bodies as text/plain.
	tests := []struct{ file, want string }{
		{"error_v1.json", "trace not found"},
		{"error_v3.json", "No traces found"},
	}
	for _, tc := range tests {
		if got := ErrorMessage(404, "text/plain; charset=utf-8", read(t, tc.file)); got != tc.want {
			t.Errorf("%s: message %q", tc.file, got)
		}
	}
	if _, _, err := ParseV1Traces(read(t, "error_v1.json")); err == nil || !strings.Contains(err.Error(), "trace not found") {
		t.Errorf("v1 error envelope: %v", err)
	}
	if _, _, err := ParseV3Traces(read(t, "error_v3.json")); err == nil || !strings.Contains(err.Error(), "No traces found") {
		t.Errorf("v3 error document: %v", err)
	}
}

func TestV3StreamedChunks(t *testing.T) {
	one := read(t, "trace_v3.json")
	// The second chunk holds other spans of the trace (renamed, so not copies of the first's).
	two := bytes.ReplaceAll(one, []byte(`"name": "`), []byte(`"name": "second `))
	ts, _, err := ParseV3Traces(append(append([]byte{}, one...), two...))
	if err != nil || len(ts) != 1 || len(ts[0].Spans) != 6 {
		t.Fatalf("two chunks: %d traces, err %v", len(ts), err)
	}
}

func TestParentOnlyFromSameTrace(t *testing.T) {
	body := `{"data":[{"traceID":"1","spans":[{"traceID":"1","spanID":"2","references":[
		{"refType":"CHILD_OF","traceID":"ff","spanID":"9"},{"refType":"FOLLOWS_FROM","traceID":"1","spanID":"3"}],
		"startTime":1,"duration":1,"processID":"p1"}],"processes":{"p1":{"serviceName":"a"}}}]}`
	ts, _, err := ParseV1Traces([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	s := ts[0].Spans[0]
	// The reference into another trace stays a reference; the one that became the parent
	// is not repeated (Grafana's trace view links parentSpanID itself).
	if s.ParentSpanID != "0000000000000003" || len(s.References) != 1 || s.References[0].SpanID != "0000000000000009" {
		t.Errorf("parent %q refs %+v", s.ParentSpanID, s.References)
	}
}

// A child's CHILD_OF parent and a FOLLOWS_FROM-only span's parent are each its
// parentSpanID alone; other references of the span stay.
func TestParentReferenceNotRepeated(t *testing.T) {
	body := `{"data":[{"traceID":"a","spans":[
		{"traceID":"a","spanID":"a1","references":[],"startTime":1,"duration":10,"processID":"p1"},
		{"traceID":"a","spanID":"b1","references":[{"refType":"CHILD_OF","traceID":"a","spanID":"a1"},
			{"refType":"FOLLOWS_FROM","traceID":"a","spanID":"c1"}],"startTime":2,"duration":1,"processID":"p1"},
		{"traceID":"a","spanID":"c1","references":[{"refType":"FOLLOWS_FROM","traceID":"a","spanID":"a1"}],"startTime":3,"duration":1,"processID":"p1"}],
		"processes":{"p1":{"serviceName":"svc"}}}]}`
	ts, _, err := ParseV1Traces([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ts[0].Spans[1:] {
		if s.ParentSpanID != "00000000000000a1" {
			t.Errorf("span %s parent %q", s.SpanID, s.ParentSpanID)
		}
		for _, r := range s.References {
			if r.SpanID == s.ParentSpanID {
				t.Errorf("span %s repeats its parent in references: %+v", s.SpanID, s.References)
			}
		}
	}
	if b := ts[0].Spans[1]; len(b.References) != 1 || b.References[0].RefType != "FOLLOWS_FROM" {
		t.Errorf("span b1 keeps its FOLLOWS_FROM c1: %+v", b.References)
	}
}

func FuzzParseV1Traces(f *testing.F) {
	f.Add(read(f, "trace_v1.json"))
	f.Add(read(f, "error_v1.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, warnings, err := ParseV1Traces(b)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			return
		}
		for i := range ts {
			_ = Summarize(&ts[i])
		}
		for _, w := range warnings {
			if !strings.HasPrefix(w, "jaeger: ") || len(w) == len("jaeger: ") {
				t.Fatalf("warning %q does not name the store and a problem", w)
			}
		}
	})
}

func FuzzParseV3Traces(f *testing.F) {
	f.Add(read(f, "trace_v3.json"))
	f.Add(read(f, "error_v3.json"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _, _ = ParseV3Traces(b) })
}

// TestRecordedAnswers parses what the real Jaeger answered (tests/stores/fixtures).
func TestRecordedAnswers(t *testing.T) {
	for _, tc := range []struct {
		file  string
		parse func([]byte) ([]model.Trace, error)
	}{
		{"jaeger_v1_trace.json", func(b []byte) ([]model.Trace, error) { ts, _, err := ParseV1Traces(b); return ts, err }},
		{"jaeger_v3_trace.json", func(b []byte) ([]model.Trace, error) { ts, _, err := ParseV3Traces(b); return ts, err }},
	} {
		t.Run(tc.file, func(t *testing.T) {
			ts, err := tc.parse(storetest.Recorded(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for i := range ts {
				if ts[i].TraceID == storetest.RecordedTraceID {
					found = true
					storetest.AssertRecordedTrace(t, &ts[i])
				}
			}
			if !found {
				t.Fatalf("trace %s not among %d", storetest.RecordedTraceID, len(ts))
			}
		})
	}
}

// Jaeger's v1 envelope can carry `errors` next to `data` (a search whose some traces could
// not be read): the traces stay and every error comes back as a warning naming the store.
func TestV1ErrorsWithData(t *testing.T) {
	const trace = `{"traceID":"1","spans":[{"traceID":"1","spanID":"2","startTime":1,"duration":1,"processID":"p1"}],"processes":{"p1":{"serviceName":"a"}}}`
	tests := []struct {
		name         string
		body         string
		wantTraces   int
		wantWarnings []string
		wantErr      string
	}{
		{name: "recorded partial answer", body: string(read(t, "traces_v1_partial.json")), wantTraces: 1,
			wantWarnings: []string{"jaeger: failed to read trace from storage: span with unreadable ID (code 500, trace a3ce929d0e0e47364bf92f3577b34da6)"}},
		{name: "two errors, one without trace ID", wantTraces: 1,
			body:         `{"data":[` + trace + `],"total":1,"limit":0,"offset":0,"errors":[{"code":500,"msg":"storage timeout"},{"code":404,"msg":"trace not found","traceID":"ff"}]}`,
			wantWarnings: []string{"jaeger: storage timeout (code 500)", "jaeger: trace not found (code 404, trace ff)"}},
		{name: "error without a message", wantTraces: 1,
			body:         `{"data":[` + trace + `],"errors":[{"code":503}]}`,
			wantWarnings: []string{"jaeger: an error without a message (code 503)"}},
		{name: "errors null", body: `{"data":[` + trace + `],"total":1,"limit":0,"offset":0,"errors":null}`, wantTraces: 1},
		{name: "errors and data null", body: `{"data":null,"errors":[{"code":500,"msg":"storage down"}]}`, wantErr: "storage down (code 500)"},
		{name: "errors and an empty data list", body: `{"data":[],"errors":[{"code":500,"msg":"storage down"},{"msg":"index missing"}]}`,
			wantErr: "storage down (code 500); index missing"},
		{name: "no errors, no data", body: `{"data":[],"total":0,"limit":0,"offset":0,"errors":null}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, warnings, err := ParseV1Traces([]byte(tc.body))
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != tc.wantTraces || strings.Join(warnings, "|") != strings.Join(tc.wantWarnings, "|") {
				t.Errorf("%d traces, warnings %q; want %d, %q", len(ts), warnings, tc.wantTraces, tc.wantWarnings)
			}
		})
	}
}

func TestParseLists(t *testing.T) {
	tests := []struct {
		name    string
		parse   func([]byte) ([]string, error)
		body    string
		want    string
		wantErr string
	}{
		{"v1 services, sorted", ParseV1Strings, string(read(t, "services_v1.json")), "checkout,frontend,payment", ""},
		{"v1 null data", ParseV1Strings, `{"data":null,"total":0,"limit":0,"offset":0,"errors":null}`, "", ""},
		{"v1 errors without data", ParseV1Strings, `{"data":null,"errors":[{"code":500,"msg":"storage down"}]}`, "", "storage down (code 500)"},
		{"v1 data not strings", ParseV1Strings, `{"data":[{"a":1}]}`, "", "data is not a list of strings"},
		{"v3 services, sorted", ParseV3Services, `{"services":["payment","checkout"]}`, "checkout,payment", ""},
		{"v3 services garbled", ParseV3Services, `{"services":"checkout"}`, "", "services (v3)"},
		{"v3 operations, unique and sorted", ParseV3Operations,
			`{"operations":[{"name":"POST /pay","spanKind":"server"},{"name":"GET /cart","spanKind":"server"},{"name":"POST /pay","spanKind":"client"}]}`, "GET /cart,POST /pay", ""},
		{"v3 operations garbled", ParseV3Operations, `{"operations":[1]}`, "", "operations (v3)"},
		{"v3 services error document", ParseV3Services, `{"error":{"httpCode":500,"message":"storage down"}}`, "", "storage down (code 500)"},
		{"v3 operations error document", ParseV3Operations, string(read(t, "error_v3.json")), "", "No traces found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.parse([]byte(tc.body))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || strings.Join(got, ",") != tc.want {
				t.Errorf("%q %v, want %s", got, err, tc.want)
			}
		})
	}
}

func TestErrorMessageBodies(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"v1 errors joined, empty messages skipped", `{"data":null,"errors":[{"code":500,"msg":" storage down "},{"code":500,"msg":""},{"msg":"index missing"}]}`, "storage down; index missing"},
		{"v1 errors without messages: the body", `{"data":null,"errors":[{"code":500}]}`, `{"data":null,"errors":[{"code":500}]}`},
		{"v3 error", `{"error":{"httpCode":500,"message":"storage down"}}`, "storage down"},
		{"proxy page, trimmed", "\n<html>bad gateway</html>\n", "<html>bad gateway</html>"},
		{"long body cut on a rune boundary", "x" + strings.Repeat("é", 400), "x" + strings.Repeat("é", 255) + "…"},
	}
	for _, tc := range tests {
		if got := ErrorMessage(502, "text/plain", []byte(tc.body)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// listSeeds are the package's recorded answers, for the list parsers' fuzz targets.
func listSeeds(f *testing.F) {
	for _, n := range []string{"services_v1.json", "error_v1.json", "error_v3.json", "traces_v1_partial.json"} {
		f.Add(read(f, n))
	}
	f.Add([]byte(`{"services":["payment","checkout"]}`))
	f.Add([]byte(`{"operations":[{"name":"POST /pay","spanKind":"server"},{"name":"POST /pay","spanKind":"client"}]}`))
}

// checkList is the property every list parser keeps: an error has a message; a list is sorted.
func checkList(t *testing.T, out []string, err error) {
	if err != nil {
		if err.Error() == "" {
			t.Fatal("error without a message")
		}
		return
	}
	if !sort.StringsAreSorted(out) {
		t.Fatalf("not sorted: %q", out)
	}
}

func FuzzParseV1Strings(f *testing.F) {
	listSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := ParseV1Strings(b)
		checkList(t, out, err)
	})
}

func FuzzParseV3Services(f *testing.F) {
	listSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := ParseV3Services(b)
		checkList(t, out, err)
	})
}

func FuzzParseV3Operations(f *testing.F) {
	listSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := ParseV3Operations(b)
		checkList(t, out, err)
		for i := 1; i < len(out); i++ {
			if out[i] == out[i-1] {
				t.Fatalf("repeated operation %q", out[i])
			}
		}
	})
}

func FuzzErrorMessage(f *testing.F) {
	listSeeds(f)
	f.Add(read(f, "trace_v1.json"))
	f.Add([]byte(strings.Repeat("é", 300)))
	f.Fuzz(func(t *testing.T, b []byte) {
		msg := ErrorMessage(500, "application/json", b)
		if utf8.Valid(b) && !utf8.ValidString(msg) {
			t.Fatalf("valid UTF-8 body gave invalid UTF-8 message %q", msg)
		}
		if msg != strings.TrimSpace(msg) && !strings.HasSuffix(msg, "…") {
			t.Fatalf("message %q has surrounding space", msg)
		}
		if msg == "" && strings.TrimSpace(string(b)) != "" {
			t.Fatalf("non-empty body %q gave an empty message", b)
		}
	})
}

// A v1 int64 tag beyond 2^53 keeps every digit (as a model.BigInt); smaller numbers read
// as before.
func TestV1BigIntTags(t *testing.T) {
	body := `{"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736",
		"spanID":"00f067aa0ba902b7","operationName":"op","startTime":1700000000000000,"duration":1000,"processID":"p1",
		"tags":[{"key":"big","type":"int64","value":9007199254740993},{"key":"neg","type":"int64","value":-9007199254740995},
		{"key":"small","type":"int64","value":42},{"key":"ratio","type":"float64","value":0.5}]}],
		"processes":{"p1":{"serviceName":"svc","tags":[]}}}],"total":1,"limit":0,"offset":0,"errors":null}`
	ts, _, err := ParseV1Traces([]byte(body))
	if err != nil || len(ts) != 1 || len(ts[0].Spans) != 1 {
		t.Fatalf("%v %d", err, len(ts))
	}
	got := map[string]any{}
	for _, kv := range ts[0].Spans[0].Tags {
		got[kv.Key] = kv.Value
	}
	want := map[string]any{"big": model.BigInt("9007199254740993"), "neg": model.BigInt("-9007199254740995"), "small": float64(42), "ratio": 0.5}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("tag %s = %#v, want %#v", k, got[k], w)
		}
	}
}

// Jaeger's v1 API writes an int64 tag beyond JavaScript's safe integers as a JSON string
// (uimodel converter, jsMaxSafeInteger): it is the same integer, kept as a model.BigInt,
// not text; a string tag holding digits stays a string.
func TestV1QuotedBigIntTags(t *testing.T) {
	body := `{"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736",
		"spanID":"00f067aa0ba902b7","operationName":"op","startTime":1700000000000000,"duration":1000,"processID":"p1",
		"tags":[{"key":"big","type":"int64","value":"9007199254740993"},{"key":"neg","type":"int64","value":"-9223372036854775808"},
		{"key":"digits","type":"string","value":"9007199254740993"}]}],
		"processes":{"p1":{"serviceName":"svc","tags":[{"key":"pbig","type":"int64","value":"9223372036854775807"}]}}}],"total":1,"limit":0,"offset":0,"errors":null}`
	ts, _, err := ParseV1Traces([]byte(body))
	if err != nil || len(ts) != 1 || len(ts[0].Spans) != 1 {
		t.Fatalf("%v %d", err, len(ts))
	}
	sp := ts[0].Spans[0]
	got := map[string]any{}
	for _, kv := range append(sp.Tags, sp.ServiceTags...) {
		got[kv.Key] = kv.Value
	}
	want := map[string]any{"big": model.BigInt("9007199254740993"), "neg": model.BigInt("-9223372036854775808"),
		"digits": "9007199254740993", "pbig": model.BigInt("9223372036854775807")}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("tag %s = %#v, want %#v", k, got[k], w)
		}
	}
}

// A v1 span's instrumentation scope comes from its otel.scope.* tags, or the older
// otel.library.* ones; otel.scope.* wins whichever comes first. The tags stay tags.
func TestV1ScopeFromTags(t *testing.T) {
	tests := []struct {
		name, tags     string
		scope, version string
	}{
		{name: "otel.scope", tags: `{"key":"otel.scope.name","type":"string","value":"lib"},{"key":"otel.scope.version","type":"string","value":"1.2"}`,
			scope: "lib", version: "1.2"},
		{name: "otel.library", tags: `{"key":"otel.library.name","type":"string","value":"old"},{"key":"otel.library.version","type":"string","value":"0.9"}`,
			scope: "old", version: "0.9"},
		{name: "both, scope first", tags: `{"key":"otel.scope.name","type":"string","value":"lib"},{"key":"otel.library.name","type":"string","value":"old"}`,
			scope: "lib"},
		{name: "both, library first", tags: `{"key":"otel.library.name","type":"string","value":"old"},{"key":"otel.scope.name","type":"string","value":"lib"}`,
			scope: "lib"},
		{name: "none", tags: `{"key":"span.kind","type":"string","value":"server"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736",
				"spanID":"00f067aa0ba902b7","operationName":"op","startTime":1700000000000000,"duration":1000,"processID":"p1",
				"tags":[` + tc.tags + `]}],"processes":{"p1":{"serviceName":"svc","tags":[]}}}]}`
			ts, _, err := ParseV1Traces([]byte(body))
			if err != nil || len(ts) != 1 || len(ts[0].Spans) != 1 {
				t.Fatalf("%v %d", err, len(ts))
			}
			s := ts[0].Spans[0]
			if s.ScopeName != tc.scope || s.ScopeVersion != tc.version {
				t.Errorf("scope %q %q, want %q %q", s.ScopeName, s.ScopeVersion, tc.scope, tc.version)
			}
			if want := strings.Count(tc.tags, `"key"`); len(s.Tags) != want {
				t.Errorf("%d tags, want all %d", len(s.Tags), want)
			}
		})
	}
}

// The root of a search hit is the earliest span without a parent, as Tempo's
// rootServiceName and Jaeger UI's trace name (fewest references first, start time only
// as a tie-break) pick it, even when an orphan (its parent never received: a lost span,
// clock skew) starts earlier. An orphan is the root only when no span lacks a parent.
func TestSummarizeRoot(t *testing.T) {
	const tid = "4bf92f3577b34da6a3ce929d0e0e4736"
	span := func(id, parent, op string, startMs int64) model.Span {
		return model.Span{TraceID: tid, SpanID: id, ParentSpanID: parent, Operation: op, Service: "svc-" + op,
			StartUnixNano: startMs * 1e6, DurationNano: 1e6}
	}
	tests := []struct {
		name  string
		spans []model.Span
		want  string
	}{
		{"parentless span over an earlier orphan", []model.Span{
			span("00000000000000a1", "", "checkout", 10),
			span("00000000000000a2", "00000000000000a1", "charge", 12),
			span("00000000000000b1", "00000000000000ff", "select", 5),
		}, "checkout"},
		{"earliest of two parentless spans", []model.Span{
			span("00000000000000a1", "", "late", 20),
			span("00000000000000a2", "", "early", 10),
			span("00000000000000b1", "00000000000000ff", "orphan", 5),
		}, "early"},
		{"earliest orphan when no span lacks a parent", []model.Span{
			span("00000000000000a2", "00000000000000a1", "late-orphan", 12),
			span("00000000000000b1", "00000000000000ff", "early-orphan", 5),
			span("00000000000000b2", "00000000000000b1", "child", 6),
		}, "early-orphan"},
		{"first span when every parent is in the trace", []model.Span{
			span("00000000000000a1", "00000000000000a2", "first", 10),
			span("00000000000000a2", "00000000000000a1", "second", 5),
		}, "first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(&model.Trace{TraceID: tid, Spans: tt.spans})
			if s.RootName != tt.want || s.RootService != "svc-"+tt.want {
				t.Errorf("root %s / %s, want svc-%s / %s", s.RootService, s.RootName, tt.want, tt.want)
			}
		})
	}
}

// Jaeger v2 keeps a span's warnings (its adjusters' and sanitizers') in the attribute
// @jaeger@warnings, a list of strings (jptrace.WarningsAttribute): through the v3 API
// they are the span's warnings, as the v1 API gives them, not a tag.
func TestV3WarningsAttribute(t *testing.T) {
	body := `{"result":{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"backend"}}]},
		"scopeSpans":[{"scope":{"name":"b.lib"},"spans":[{"traceId":"00000000000000000123456789abcdef","spanId":"3333333333333333",
		"parentSpanId":"9999999999999999","name":"orphan","kind":1,"startTimeUnixNano":"1796661361198426272","endTimeUnixNano":"1796661361200426272",
		"attributes":[{"key":"http.route","value":{"stringValue":"/a"}},{"key":"@jaeger@warnings","value":{"arrayValue":{"values":[
		{"stringValue":"parent span ID=9999999999999999 is not in the trace; skipping clock skew adjustment"}]}}}],"status":{}}]}]}]}}`
	ts, _, err := ParseV3Traces([]byte(body))
	if err != nil || len(ts) != 1 || len(ts[0].Spans) != 1 {
		t.Fatalf("%v %v", err, ts)
	}
	sp := ts[0].Spans[0]
	want := []string{"parent span ID=9999999999999999 is not in the trace; skipping clock skew adjustment"}
	if strings.Join(sp.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings = %q, want %q", sp.Warnings, want)
	}
	if len(sp.Tags) != 1 || sp.Tags[0].Key != "http.route" {
		t.Errorf("tags = %v, want only http.route", sp.Tags)
	}
}

// Jaeger v2's memory store adds its adjusters' warnings to the stored span on every read,
// so one warning comes back once more each time the trace is read: a span shows each
// distinct warning once, in first-seen order, through both APIs.
func TestRepeatedSpanWarningsShownOnce(t *testing.T) {
	const skew = "parent span ID=9999999999999999 is not in the trace; skipping clock skew adjustment"
	const other = "invalid parent span IDs=9999999999999999; skipping clock skew adjustment"
	want := []string{skew, other}
	v1 := `{"data":[{"traceID":"0123456789abcdef","spans":[{"traceID":"0123456789abcdef","spanID":"3333333333333333",
		"operationName":"orphan","references":[{"refType":"CHILD_OF","traceID":"0123456789abcdef","spanID":"9999999999999999"}],
		"startTime":1796661361198426,"duration":2000,"tags":[],"logs":[],"processID":"p1",
		"warnings":["` + skew + `","` + skew + `","` + other + `","` + skew + `"]}],
		"processes":{"p1":{"serviceName":"backend","tags":[]}},"warnings":null}],"total":0,"limit":0,"offset":0,"errors":null}`
	v3 := `{"result":{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"backend"}}]},
		"scopeSpans":[{"scope":{},"spans":[{"traceId":"00000000000000000123456789abcdef","spanId":"3333333333333333",
		"parentSpanId":"9999999999999999","name":"orphan","kind":1,"startTimeUnixNano":"1796661361198426272","endTimeUnixNano":"1796661361200426272",
		"attributes":[{"key":"@jaeger@warnings","value":{"arrayValue":{"values":[{"stringValue":"` + skew + `"},{"stringValue":"` + skew + `"},
		{"stringValue":"` + other + `"},{"stringValue":"` + skew + `"}]}}}],"status":{}}]}]}]}}`
	tests := []struct {
		name  string
		parse func() ([]model.Trace, error)
	}{
		{"v1", func() ([]model.Trace, error) { ts, _, err := ParseV1Traces([]byte(v1)); return ts, err }},
		{"v3", func() ([]model.Trace, error) { ts, _, err := ParseV3Traces([]byte(v3)); return ts, err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := tc.parse()
			if err != nil || len(ts) != 1 || len(ts[0].Spans) != 1 {
				t.Fatalf("%v %v", err, ts)
			}
			if got := ts[0].Spans[0].Warnings; strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("warnings = %q, want %q", got, want)
			}
		})
	}
}
