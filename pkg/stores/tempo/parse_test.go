package tempo

import (
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/storetest"
)

// read loads a recorded store answer from testdata/.
var read = storetest.Testdata

func TestParseTrace(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		parse   func([]byte) (*model.Trace, error)
		spans   int
		partial bool
	}{
		{"v2 scopeSpans base64 enum names", "trace_v2.json", ParseTraceV2, 3, false},
		{"v1 batches instrumentationLibrarySpans", "trace_v1.json", ParseTraceV1, 3, false},
		{"v2 partial", "trace_v2_partial.json", ParseTraceV2, 2, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := tc.parse(read(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if tr.Partial != tc.partial {
				t.Errorf("partial = %t", tr.Partial)
			}
			if tc.partial {
				if len(tr.Spans) != tc.spans || len(tr.Warnings) == 0 || !strings.Contains(tr.Warnings[0], "larger than max size") {
					t.Errorf("partial trace: %d spans, warnings %q", len(tr.Spans), tr.Warnings)
				}
				return
			}
			storetest.AssertCheckoutTrace(t, tr, storetest.CheckoutSpans)
			for _, s := range tr.Spans {
				if s.SpanID == storetest.PaySpanID {
					if len(s.Tags) != 1 || s.Tags[0].Value != int64(500) {
						t.Errorf("quoted int64 attribute = %#v", s.Tags)
					}
				}
			}
		})
	}
}

func TestParseTraceErrors(t *testing.T) {
	for _, in := range []string{``, `{}`, `{"batches":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"x"}]}]}]}`, `[]`} {
		if _, err := ParseTraceV1([]byte(in)); err == nil {
			t.Errorf("ParseTraceV1(%q): want error", in)
		}
	}
	if _, err := ParseTraceV2([]byte(`{"status":"COMPLETE"}`)); err == nil {
		t.Error("v2 without trace: want error")
	}
}

func TestParseSearch(t *testing.T) {
	hits, dropped, err := ParseSearch(read(t, "search.json"))
	if err != nil || dropped != 0 || len(hits) != 2 {
		t.Fatalf("hits %d dropped %d err %v", len(hits), dropped, err)
	}
	h := hits[0]
	if h.TraceID != storetest.CheckoutTraceID || h.RootService != "frontend" || h.SpanCount != 3 || !h.HasError || h.DurationMs != 120 || h.StartUnixNano != storetest.BaseUnixNano {
		t.Errorf("hit 0 = %+v", h)
	}
	// Leading zeros stripped by Tempo come back.
	if hits[1].TraceID != "00002f3577b34da6a3ce929d0e0e4736" || hits[1].SpanCount != 2 || hits[1].HasError {
		t.Errorf("hit 1 = %+v", hits[1])
	}
	// matched counts the spans the search found, also those a span set leaves out.
	if hits[0].MatchedSpans != 1 || hits[1].MatchedSpans != 2 {
		t.Errorf("matched %d and %d, want 1 and 2", hits[0].MatchedSpans, hits[1].MatchedSpans)
	}
}

func TestParseMetrics(t *testing.T) {
	m, err := ParseMetrics(read(t, "metrics.json"))
	if err != nil || len(m.Series) != 2 {
		t.Fatalf("%+v, %v", m, err)
	}
	if m.Partial {
		t.Errorf("an answer without status read as partial")
	}
	series := m.Series
	if series[0].Labels["p"] != "0.99" || series[0].Samples[0].TimeMs != 1700000000000 || series[0].Samples[1].Value != 0.25 {
		t.Errorf("series 0 = %+v (want sorted by time)", series[0])
	}
	if series[1].Samples[0].Value != 0 {
		t.Errorf("omitted value must read as 0: %+v", series[1])
	}
}

// Tempo's PartialStatus comes as its jsonpb name, or as its number from a writer that
// emits enums as integers; COMPLETE (0) is omitted.
func TestParseMetricsStatus(t *testing.T) {
	const series = `"series":[{"labels":[{"key":"p","value":{"doubleValue":0.9}}],"samples":[{"timestampMs":"1700000000000","value":0.1}]}]`
	tests := []struct {
		name, body  string
		partial     bool
		wantMessage string
	}{
		{"omitted", `{` + series + `}`, false, ""},
		{"COMPLETE", `{` + series + `,"status":"COMPLETE"}`, false, ""},
		{"PARTIAL with message", `{` + series + `,"status":"PARTIAL","message":"Response exceeds maximum series limit of 1"}`, true, "Response exceeds maximum series limit of 1"},
		{"PARTIAL without message", `{` + series + `,"status":"PARTIAL"}`, true, ""},
		{"1", `{` + series + `,"status":1,"message":"m"}`, true, "m"},
		{"0", `{` + series + `,"status":0}`, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMetrics([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if m.Partial != tt.partial || m.Message != tt.wantMessage || len(m.Series) != 1 {
				t.Errorf("partial %v message %q, %d series; want %v %q, 1", m.Partial, m.Message, len(m.Series), tt.partial, tt.wantMessage)
			}
		})
	}
}

func TestTraceQLBuilders(t *testing.T) {
	sel := func(s string, err error) string {
		if err != nil {
			return "error: " + err.Error()
		}
		return s
	}
	tests := []struct{ name, got, want string }{
		{"selector", sel(SpanSelector("api", `GET "x"`, map[string]string{"http.status_code": "500", "peer": "db"}, 100*time.Millisecond, 0, "span.retry = true")),
			`{ resource.service.name = "api" && name = "GET \"x\"" && (.http.status_code = 500 || .http.status_code = "500") && .peer = "db" && duration >= 100ms && (span.retry = true) }`},
		// A tag's value is text: an attribute holding it as a number, a boolean or a string
		// is found (Tempo matches `= 42` only an int, `= "42"` only a string).
		{"typed tag values match their text too", sel(SpanSelector("", "", map[string]string{"user.id": "42", "cached": "true", "ratio": "0.5", "zip": "08540", "big": "99999999999999999999"}, 0, 0, "")),
			`{ .big = "99999999999999999999" && (.cached = true || .cached = "true") && (.ratio = 0.5 || .ratio = "0.5") && (.user.id = 42 || .user.id = "42") && .zip = "08540" }`},
		{"empty", sel(SpanSelector("", "", nil, 0, 0, "")), "{}"},
		{"quantiles", QuantileOverTime(`{ name = "a" }`, []float64{0.5, 0.99}, []string{"resource.service.name"}),
			`{ name = "a" } | quantile_over_time(duration, 0.5, 0.99) by (resource.service.name)`},
		{"bad tag name", sel(SpanSelector("", "", map[string]string{`a = 1 } | { b`: "x"}, 0, 0, "")),
			`error: tag "a = 1 } | { b" is not a TraceQL attribute name`},
		{"filter leaves its parentheses", sel(SpanSelector("api", "", nil, 0, 0, `true) || (true`)),
			"error: span filter \"true) || (true\": `)` without `(`"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, tc.got, tc.want)
		}
	}
}

// token is one TraceQL token as far as structure goes: a string literal (with its
// value), a bracket, a pipe, or any other run of text between them.
type token struct {
	kind  byte // 's' string, or the bracket/pipe character, or 'w' other text
	value string
}

func scanTraceQL(t testing.TB, s string) []token {
	t.Helper()
	var out []token
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ':
			i++
		case c == '"':
			lit, err := strconv.QuotedPrefix(s[i:])
			if err != nil {
				t.Fatalf("%q: string at %d: %v", s, i, err)
			}
			v, _ := strconv.Unquote(lit)
			out = append(out, token{'s', v})
			i += len(lit)
		case c == '`':
			j := strings.IndexByte(s[i+1:], '`')
			if j < 0 {
				t.Fatalf("%q: raw string at %d", s, i)
			}
			out = append(out, token{'s', s[i+1 : i+1+j]})
			i += j + 2
		case strings.HasPrefix(s[i:], "||"):
			out = append(out, token{'w', "||"})
			i += 2
		case strings.IndexByte("{}()|", c) >= 0:
			out = append(out, token{c, string(c)})
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \"`{}()|", s[j]) < 0 {
				j++
			}
			out = append(out, token{'w', s[i:j]})
			i = j
		}
	}
	return out
}

var hostileValues = []string{
	`a"b`, `a\b`, `\`, `" }`, `" } | { true`, `x" || true || name = "`, `x") || (true`,
	"new\nline", "\x00\x7f", `ü 日本`, "\xff", "`raw`", `" } >> { "`,
}

// FuzzSpanSelector: whatever the service, operation and filter, an accepted selector is
// one `{ … }` whose first conditions are exactly the service and the operation as
// string literals, and whose filter stays inside its own parentheses.
func FuzzSpanSelector(f *testing.F) {
	for _, v := range hostileValues {
		f.Add(v, v+"x", "span.a = "+strconv.Quote(v))
		f.Add(v, "", v)
	}
	f.Fuzz(func(t *testing.T, service, operation, filter string) {
		if service == "" || operation == "" {
			return
		}
		sel, err := SpanSelector(service, operation, nil, 0, 0, filter)
		if err != nil {
			return // refused filter: nothing is sent
		}
		toks := scanTraceQL(t, sel)
		want := []token{{'{', "{"}, {'w', "resource.service.name"}, {'w', "="}, {'s', service}, {'w', "&&"}, {'w', "name"}, {'w', "="}, {'s', operation}}
		if len(toks) < len(want)+1 {
			t.Fatalf("%q: %d tokens", sel, len(toks))
		}
		for i, w := range want {
			if toks[i] != w {
				t.Fatalf("%q: token %d = %+v, want %+v", sel, i, toks[i], w)
			}
		}
		rest := toks[len(want):]
		if rest[len(rest)-1].kind != '}' {
			t.Fatalf("%q does not end with }", sel)
		}
		rest = rest[:len(rest)-1]
		if strings.TrimSpace(filter) == "" {
			if len(rest) != 0 {
				t.Fatalf("%q: extra tokens %+v", sel, rest)
			}
			return
		}
		if len(rest) < 3 || rest[0] != (token{'w', "&&"}) || rest[1].kind != '(' || rest[len(rest)-1].kind != ')' {
			t.Fatalf("%q: filter part %+v", sel, rest)
		}
		depth := 0
		for i, tk := range rest[1:] {
			switch tk.kind {
			case '(':
				depth++
			case ')':
				depth--
			case '{', '}', '|':
				t.Fatalf("%q: %c inside the filter", sel, tk.kind)
			}
			if depth == 0 && i != len(rest)-2 {
				t.Fatalf("%q: the filter's parenthesis closes early", sel)
			}
		}
	})
}

func FuzzParseTraceV2(f *testing.F) {
	f.Add(read(f, "trace_v2.json"))
	f.Add(read(f, "trace_v2_partial.json"))
	f.Add([]byte(`{"trace":{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"AA==","kind":7,"status":{"code":"X"}}]}]}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := ParseTraceV2(b)
		if err == nil {
			for _, s := range tr.Spans {
				if len(s.TraceID) != 32 || len(s.SpanID) != 16 || s.DurationNano < 0 {
					t.Fatalf("bad span %+v", s)
				}
			}
		}
	})
}

func FuzzParseTraceV1(f *testing.F) {
	f.Add(read(f, "trace_v1.json"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseTraceV1(b) })
}

func FuzzParseSearch(f *testing.F) {
	f.Add(read(f, "search.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		hits, _, err := ParseSearch(b)
		if err == nil {
			for _, h := range hits {
				if len(h.TraceID) != 32 {
					t.Fatalf("bad trace ID %q", h.TraceID)
				}
			}
		}
	})
}

func FuzzParseMetrics(f *testing.F) {
	f.Add(read(f, "metrics.json"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseMetrics(b) })
}

// TestRecordedAnswers parses what the real Tempo answered (tests/stores/fixtures).
func TestRecordedAnswers(t *testing.T) {
	for _, tc := range []struct {
		file  string
		parse func([]byte) (*model.Trace, error)
	}{{"tempo_v2_trace.json", ParseTraceV2}, {"tempo_v1_trace.json", ParseTraceV1}} {
		t.Run(tc.file, func(t *testing.T) {
			tr, err := tc.parse(storetest.Recorded(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			storetest.AssertRecordedTrace(t, tr)
		})
	}
	t.Run("search", func(t *testing.T) {
		hits, spans, dropped, err := ParseSearchSpans(storetest.Recorded(t, "tempo_search.json"))
		if err != nil || len(dropped) != 0 {
			t.Fatalf("%v, %q dropped", err, dropped)
		}
		ids := map[string]bool{}
		for _, h := range hits {
			ids[h.TraceID] = true
		}
		// Tempo strips leading zeros from search trace IDs; both come back whole.
		if len(hits) != 2 || !ids[storetest.RecordedTraceID] || !ids[storetest.RecordedShortTraceID] || len(spans) == 0 {
			t.Errorf("hits %+v, %d spans", hits, len(spans))
		}
		// The query's condition on resource.service.name comes back as the attribute
		// service.name (Tempo drops the scope); it is kept for grouping.
		for _, s := range spans {
			if len(s.Tags) != 1 || s.Tags[0].Key != "service.name" || s.Tags[0].Value != "testenv-checkout" {
				t.Errorf("span %s tags %v", s.SpanID, s.Tags)
			}
		}
	})
	t.Run("metrics", func(t *testing.T) {
		m, err := ParseMetrics(storetest.Recorded(t, "tempo_metrics_query_range.json"))
		if err != nil || len(m.Series) == 0 || m.Partial {
			t.Fatalf("%+v, %v", m, err)
		}
		for _, s := range m.Series {
			if s.Labels["p"] == "" || s.Labels["name"] == "" {
				t.Errorf("labels %v", s.Labels)
			}
			for i := 1; i < len(s.Samples); i++ {
				if s.Samples[i].TimeMs <= s.Samples[i-1].TimeMs {
					t.Fatalf("samples not in time order")
				}
			}
		}
	})
}

// testdataSeeds adds every JSON answer under testdata/ to a fuzz target's corpus.
func testdataSeeds(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			f.Add(read(f, e.Name()))
		}
	}
}

func FuzzParseTagNames(f *testing.F) {
	testdataSeeds(f)
	f.Add([]byte(`{"tagNames":["service.name","http.method"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		names, err := ParseTagNames(b)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			return
		}
		if !sort.StringsAreSorted(names) {
			t.Fatalf("not sorted: %q", names)
		}
		// Nothing is lost: one name per tag of every scope and of the v1 list.
		var doc struct {
			Scopes []struct {
				Tags []string `json:"tags"`
			} `json:"scopes"`
			TagNames []string `json:"tagNames"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("parsed what is not JSON of the tags answer: %v", err)
		}
		want := len(doc.TagNames)
		for _, s := range doc.Scopes {
			want += len(s.Tags)
		}
		if len(names) != want {
			t.Fatalf("%d names from %d tags", len(names), want)
		}
	})
}

func FuzzParseTagValues(f *testing.F) {
	testdataSeeds(f)
	f.Add([]byte(`{"tagValues":["frontend","checkout"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		values, err := ParseTagValues(b)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			return
		}
		if !sort.StringsAreSorted(values) {
			t.Fatalf("not sorted: %q", values)
		}
		var doc struct {
			TagValues []json.RawMessage `json:"tagValues"`
		}
		if err := json.Unmarshal(b, &doc); err != nil || len(values) != len(doc.TagValues) {
			t.Fatalf("%d values from %d entries (%v)", len(values), len(doc.TagValues), err)
		}
	})
}

// TestParseSearchSpansKeepsSelectedFields: what a `| select(…)` brings back (the name,
// intrinsics and attributes, typed) is on the spans.
func TestParseSearchSpansKeepsSelectedFields(t *testing.T) {
	body := `{"traces":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanSets":[{"matched":1,"spans":[
		{"spanID":"00f067aa0ba902b7","name":"SELECT orders","startTimeUnixNano":"1700000000000000000","durationNanos":"120000000",
		 "attributes":[{"key":"status","value":{"stringValue":"error"}},{"key":"kind","value":{"stringValue":"client"}},
		 {"key":"statusMessage","value":{"stringValue":"deadlock"}},{"key":"db.rows","value":{"intValue":"42"}},
		 {"key":"service.name","value":{"stringValue":"checkout"}}]}]}]}]}`
	_, spans, _, err := ParseSearchSpans([]byte(body))
	if err != nil || len(spans) != 1 {
		t.Fatalf("%d spans, %v", len(spans), err)
	}
	s := spans[0]
	if s.Operation != "SELECT orders" || s.StatusCode != model.StatusError || s.Kind != "client" || s.StatusMessage != "deadlock" {
		t.Errorf("span %+v", s)
	}
	want := map[string]any{"status": "error", "kind": "client", "statusMessage": "deadlock", "db.rows": int64(42), "service.name": "checkout"}
	if len(s.Tags) != len(want) {
		t.Fatalf("tags %v", s.Tags)
	}
	for _, kv := range s.Tags {
		if want[kv.Key] != kv.Value {
			t.Errorf("tag %s = %#v, want %#v", kv.Key, kv.Value, want[kv.Key])
		}
	}
}

// TestParseSearchSpansReadsARepeatedKeyOnce: Tempo's search answer names attributes
// without their scope, so a span whose query used an attribute called status (or kind,
// statusMessage) carries that key twice. The first is read into the span's field; a
// later one does not overwrite it, and Tags keep both.
func TestParseSearchSpansReadsARepeatedKeyOnce(t *testing.T) {
	tests := []struct {
		name        string
		attrs       string
		wantStatus  int64
		wantHasErr  bool
		wantKind    string
		wantMessage string
	}{
		{name: "status then an attribute valued error",
			attrs:      `{"key":"status","value":{"stringValue":"unset"}},{"key":"status","value":{"stringValue":"error"}}`,
			wantStatus: model.StatusUnset},
		{name: "status error then an attribute valued ok",
			attrs:      `{"key":"status","value":{"stringValue":"error"}},{"key":"status","value":{"stringValue":"ok"}}`,
			wantStatus: model.StatusError, wantHasErr: true},
		{name: "kind and statusMessage twice",
			attrs: `{"key":"kind","value":{"stringValue":"server"}},{"key":"kind","value":{"stringValue":"client"}},` +
				`{"key":"statusMessage","value":{"stringValue":"timeout"}},{"key":"statusMessage","value":{"stringValue":"other"}}`,
			wantKind: "server", wantMessage: "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"traces":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanSets":[{"matched":1,"spans":[
				{"spanID":"00f067aa0ba902b7","startTimeUnixNano":"1700000000000000000","durationNanos":"120000000",
				 "attributes":[` + tt.attrs + `]}]}]}]}`
			hits, spans, _, err := ParseSearchSpans([]byte(body))
			if err != nil || len(spans) != 1 || len(hits) != 1 {
				t.Fatalf("%d hits, %d spans, %v", len(hits), len(spans), err)
			}
			s := spans[0]
			if s.StatusCode != tt.wantStatus || hits[0].HasError != tt.wantHasErr || s.Kind != tt.wantKind || s.StatusMessage != tt.wantMessage {
				t.Errorf("status %v, trace has error %v, kind %q, message %q; want %v, %v, %q, %q",
					s.StatusCode, hits[0].HasError, s.Kind, s.StatusMessage, tt.wantStatus, tt.wantHasErr, tt.wantKind, tt.wantMessage)
			}
			if len(s.Tags) != strings.Count(tt.attrs, `"key"`) {
				t.Errorf("tags %v: every attribute of the answer is kept", s.Tags)
			}
		})
	}
}
