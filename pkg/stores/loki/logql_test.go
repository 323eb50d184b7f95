package loki

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/traceid"
)

var hostileValues = []string{
	`a"b`, `a\b`, `\`, `"}`, `"} |= "x`, `"} or {a=~".+`, `x", b="y`, "new\nline", "\x00\x7f",
	`ü 日本`, "\xff", "`raw`", `| json | line_format "{{.x}}"`,
}

// FuzzStreamSelector: whatever the service, the selector is `{service_name="…"}` with
// exactly that value and nothing after it.
func FuzzStreamSelector(f *testing.F) {
	for _, v := range hostileValues {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		sel, err := StreamSelector("service_name", v)
		if err != nil {
			t.Fatal(err)
		}
		body, ok := strings.CutPrefix(sel, "{service_name=")
		if !ok {
			t.Fatalf("%q", sel)
		}
		lit, err := strconv.QuotedPrefix(body)
		if err != nil {
			t.Fatalf("%q: %v", sel, err)
		}
		if got, _ := strconv.Unquote(lit); got != v || body[len(lit):] != "}" {
			t.Fatalf("%q reads as %q followed by %q", sel, got, body[len(lit):])
		}
	})
}

func TestStreamSelectorRefusesBadLabel(t *testing.T) {
	for _, l := range []string{"", "a b", `a="x"} or {b`, "service.name"} {
		if sel, err := StreamSelector(l, "x"); err == nil {
			t.Errorf("label %q accepted: %s", l, sel)
		}
	}
}

// TestQueryRangeFollowsTheStoreLineLimit: a limit above the store's
// max_entries_limit_per_query is refused with Loki's plain-text 400; the client pages
// with the store's limit until the range is exhausted (paging_test.go has the rest).
func TestQueryRangeFollowsTheStoreLineLimit(t *testing.T) {
	var limits []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limits = append(limits, r.URL.Query().Get("limit"))
		if n, _ := strconv.Atoi(r.URL.Query().Get("limit")); n > 2 {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(400)
			fmt.Fprintf(w, "max entries limit per query exceeded, limit > max_entries_limit_per_query (%d > 2)\n", n)
			return
		}
		if end, _ := strconv.ParseInt(r.URL.Query().Get("end"), 10, 64); end <= 2 { // end is exclusive
			_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"streams","result":[{"stream":{"a":"b"},"values":[["1","x"]]}]}}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"streams","result":[{"stream":{"a":"b"},"values":[["2","y"],["1","x"]]}]}}`))
	}))
	defer srv.Close()
	h, err := httpx.New(StoreName, settings.Store{URL: srv.URL, Timeout: time.Second}, Options())
	if err != nil {
		t.Fatal(err)
	}
	res, err := NewClient(h).QueryRange(context.Background(), RangeRequest{Expr: `{a="b"}`, Limit: ProbeLimit(4), End: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(limits, ",") != "5,2,2" || res.Limit != 5 || res.StoreMax != 2 || res.Lines != 2 || res.Full() {
		t.Errorf("limits asked %v; result limit %d store max %d lines %d full %t", limits, res.Limit, res.StoreMax, res.Lines, res.Full())
	}
	if ProbeLimit(10) != 11 || ProbeLimit(5000) != DefaultMaxEntries+1 {
		t.Errorf("ProbeLimit(10) = %d, ProbeLimit(5000) = %d", ProbeLimit(10), ProbeLimit(5000))
	}
}

// lokiKeeps applies the pipeline stage TraceLines appended after the selector as Loki
// does (see stageKeeps).
func lokiKeeps(t *testing.T, expr, selector string, ex settings.Extraction, line, label string) bool {
	t.Helper()
	return stageKeeps(t, strings.TrimPrefix(strings.TrimPrefix(expr, selector), " "), ex.TraceIDKey, line, label)
}

// stageKeeps applies a filter stage as Loki does: `|~ "re"` is an unanchored RE2 match on
// the line, `| key=~"re"` a fully anchored match on the label (stream label or structured
// metadata).
func stageKeeps(t *testing.T, stage, key, line, label string) bool {
	t.Helper()
	var lit, subject string
	var anchored bool
	switch {
	case strings.HasPrefix(stage, "|~ "):
		lit, subject = strings.TrimPrefix(stage, "|~ "), line
	case key != "" && strings.HasPrefix(stage, "| "+key+"=~"):
		lit, subject, anchored = strings.TrimPrefix(stage, "| "+key+"=~"), label, true
	default:
		t.Fatalf("unexpected stage %q", stage)
	}
	re, err := strconv.Unquote(lit)
	if err != nil {
		t.Fatalf("%q: %v", lit, err)
	}
	if anchored {
		re = "^(?:" + re + ")$"
	}
	return regexp.MustCompile(re).MatchString(subject)
}

// A line whose span ID normalises to the asked one is the span's, however it spells the
// ID (hex in any case, without leading zeros, with dashes, base64 standard or URL-safe,
// padded or not, inside a traceparent or B3 header, between punctuation): Loki must return
// it in every extraction mode. Another span's spellings, and our digits inside a longer
// hex run, are not asked for.
func TestSpanFilterFindsEverySpellingTheNormaliserAccepts(t *testing.T) {
	modes := []settings.Extraction{
		{Mode: settings.ExtractLogfmt, TraceIDKey: "trace_id", SpanIDKey: "span_id"},
		{Mode: settings.ExtractJSON, TraceIDKey: "trace_id", SpanIDKey: "span_id"},
		{Mode: settings.ExtractRegex, TraceIDRegex: regexp.MustCompile(`trace_id=(\S+)`), SpanIDRegex: regexp.MustCompile(`span_id=(\S+)`)},
		{Mode: settings.ExtractStructuredMetadata, TraceIDKey: "trace_id", SpanIDKey: "span_id"},
		{Mode: settings.ExtractLabel, TraceIDKey: "trace_id", SpanIDKey: "span_id"},
	}
	tests := []struct {
		name, id  string
		spellings []string
		others    []string // spellings of other IDs
		// labelOthers are other IDs that hold our digits, for the label modes.
		labelOthers []string
	}{
		{name: "leading zero byte", id: "00f067aa0ba902b7",
			spellings: []string{
				"00f067aa0ba902b7", "00F067AA0BA902B7", "f067aa0ba902b7", "F067AA0BA902B7",
				"00f067aa-0ba902b7", "00F0-67AA-0BA9-02B7",
				"APBnqgupArc=", "APBnqgupArc",
				"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
				"4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-1", "a3ce929d0e0e4736-00f067aa0ba902b7",
				`"00f067aa0ba902b7",`, "[f067aa0ba902b7]",
			},
			others: []string{"00f067aa0ba902b8", "apbNQGUPaRC=", "00f067aa0ba902b7ff", "1f067aa0ba902b7"},
			// Our digits as the trace ID of a B3 header, or as its parent span: a label
			// value holding them is another span's; a line filter finds the digits anywhere
			// (the line is kept, by design, as a line filter keeps the trace's).
			labelOthers: []string{"00f067aa0ba902b7-a3ce929d0e0e4736-1", "4bf92f3577b34da6a3ce929d0e0e4736-a3ce929d0e0e4736-1-00f067aa0ba902b7"}},
		{name: "base64 with + and /", id: "fbff67aa0ba9fe3f",
			spellings: []string{"FBFF67AA0BA9FE3F", "fbff-67aa-0ba9-fe3f", "+/9nqgup/j8=", "+/9nqgup/j8", "-_9nqgup_j8=", "-_9nqgup_j8"},
			others:    []string{"+/9NQGUP/J8=", "fbff67aa0ba9fe3e"}},
	}
	for _, tc := range tests {
		for _, ex := range modes {
			stage, err := SpanFilter(ex, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			for _, sp := range tc.spellings {
				if n, err := traceid.NormalizeSpan(sp); err != nil || n != tc.id {
					t.Fatalf("%s: the normaliser reads %q as %q, %v", tc.name, sp, n, err)
				}
				if !stageKeeps(t, stage, ex.SpanIDKey, "level=info span_id="+sp+" msg=hello", sp) {
					t.Errorf("%s, mode %s: Loki drops the line with %q: %s", tc.name, ex.Mode, sp, stage)
				}
			}
			others := tc.others
			if ex.Mode == settings.ExtractLabel || ex.Mode == settings.ExtractStructuredMetadata {
				others = append(others, tc.labelOthers...)
			}
			for _, o := range others {
				if n, err := traceid.NormalizeSpan(o); err == nil && n == tc.id {
					t.Fatalf("%s: %q is this span's ID", tc.name, o)
				}
				if stageKeeps(t, stage, ex.SpanIDKey, "level=info span_id="+o+" msg=hello", o) {
					t.Errorf("%s, mode %s: Loki keeps the line with %q: %s", tc.name, ex.Mode, o, stage)
				}
			}
		}
	}
	if _, err := SpanFilter(modes[0], "4bf92f3577b34da6a3ce929d0e0e4736"); err == nil || !strings.Contains(err.Error(), "span ID") {
		t.Errorf("a trace-sized span ID: %v, want the normaliser's error", err)
	}
}

// A line whose trace ID normalises to the asked one belongs to the trace, however it
// spells the ID (hex in any case, without leading zeros, UUID style, base64 standard or
// URL-safe, padded or not, of 16 or, for a 64-bit ID, 8 bytes): Loki must return it in
// every extraction mode. Another trace's spellings are not asked for.
func TestTraceLinesFindEverySpellingTheNormaliserAccepts(t *testing.T) {
	const sel = `{service_name=~".+"}`
	modes := []settings.Extraction{
		{Mode: settings.ExtractLogfmt, TraceIDKey: "trace_id"},
		{Mode: settings.ExtractJSON, TraceIDKey: "trace_id"},
		{Mode: settings.ExtractRegex, TraceIDRegex: regexp.MustCompile(`trace_id=(\S+)`)},
		{Mode: settings.ExtractStructuredMetadata, TraceIDKey: "trace_id"},
		{Mode: settings.ExtractLabel, TraceIDKey: "trace_id"},
	}
	tests := []struct {
		name, id  string
		spellings []string
		others    []string // spellings of other IDs
	}{
		{name: "128-bit", id: "4bf92f3577b34da6a3ce929d0e0e4736",
			spellings: []string{
				"4bf92f3577b34da6a3ce929d0e0e4736", "4BF92F3577B34DA6A3CE929D0E0E4736",
				"4bf92f35-77b3-4da6-a3ce-929d0e0e4736", "4BF92F35-77B3-4DA6-A3CE-929D0E0E4736",
				"S/kvNXezTaajzpKdDg5HNg==", "S/kvNXezTaajzpKdDg5HNg", "S_kvNXezTaajzpKdDg5HNg==", "S_kvNXezTaajzpKdDg5HNg",
				// As propagated (W3C traceparent, B3 single header), and between punctuation.
				"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
				"[4bf92f3577b34da6a3ce929d0e0e4736],", `["4BF92F3577B34DA6A3CE929D0E0E4736"]`,
				`"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";`,
			},
			others: []string{"0af7651916cd43dd8448eb211c80319c", "CvdlGRbNQ92ESOshHIAxnA==", "s/kvnxeztaajzpkddg5hng==",
				"00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"}},
		{name: "64-bit", id: "0000000000000000a3ce929d0e0e4736",
			spellings: []string{
				"a3ce929d0e0e4736", "A3CE929D0E0E4736", "0000000000000000A3CE929D0E0E4736",
				"00000000-0000-0000-a3ce-929d0e0e4736", "00000000-0000-0000-A3CE-929D0E0E4736",
				"AAAAAAAAAACjzpKdDg5HNg==", "AAAAAAAAAACjzpKdDg5HNg", "o86SnQ4ORzY=", "o86SnQ4ORzY",
				"a3ce929d0e0e4736-00f067aa0ba902b7-1", "a3ce929d0e0e4736-00f067aa0ba902b7",
			},
			// A hex digit beside ours spells another ID.
			others: []string{"b3ce929d0e0e4736", "AAAAAAAAAACzzpKdDg5HNg==", "O86SNQ4ORZY=", "1a3ce929d0e0e4736", "a3ce929d0e0e47361"}},
		{name: "128-bit with leading zero bytes", id: "00002f3577b34da6a3ce929d0e0e4736",
			spellings: []string{"2f3577b34da6a3ce929d0e0e4736", "00002F35-77B3-4DA6-A3CE-929D0E0E4736", "AAAvNXezTaajzpKdDg5HNg==", "AAAvNXezTaajzpKdDg5HNg"},
			others:    []string{"AAAvNXezTaajzpKdDg5HNw=="}},
	}
	for _, tc := range tests {
		for _, ex := range modes {
			expr := TraceLines(sel, ex, tc.id)
			for _, sp := range tc.spellings {
				if n, err := traceid.Normalize(sp); err != nil || n != tc.id {
					t.Fatalf("%s: the normaliser reads %q as %q, %v", tc.name, sp, n, err)
				}
				if !lokiKeeps(t, expr, sel, ex, "level=info trace_id="+sp+" msg=hello", sp) {
					t.Errorf("%s, mode %s: Loki drops the line with %q: %s", tc.name, ex.Mode, sp, expr)
				}
			}
			for _, o := range tc.others {
				if n, err := traceid.Normalize(o); err == nil && n == tc.id {
					t.Fatalf("%s: %q is this trace's ID", tc.name, o)
				}
				if lokiKeeps(t, expr, sel, ex, "level=info trace_id="+o+" msg=hello", o) {
					t.Errorf("%s, mode %s: Loki keeps the line with %q: %s", tc.name, ex.Mode, o, expr)
				}
			}
		}
	}
}

// A Loki 3 replayed as the real one (3.7.8) answers a log query whose line filter does not
// compile: asked with categorize-labels, an empty success; without the header, a plain
// text 400 naming the stage. QueryRange returns that refusal, and an empty answer of a
// query that builds stays an empty answer.
func TestQueryRangeReturnsTheRefusalAnEmptyCategorisedAnswerHides(t *testing.T) {
	const refusal = "parse error : stage '|~ \"(\"' : error parsing regexp: missing closing ): `(`"
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		categorize := r.Header.Get(EncodingFlagsHeader) == "categorize-labels"
		asked = append(asked, fmt.Sprintf("categorize=%t start=%s end=%s", categorize, q.Get("start"), q.Get("end")))
		switch {
		case !strings.Contains(q.Get("query"), `|~ "("`):
			_, _ = w.Write([]byte(`{"status":"success","data":{"encodingFlags":["categorize-labels"],"resultType":"streams","result":[]}}`))
		case categorize:
			_, _ = w.Write([]byte(`{"status":"success","data":{"encodingFlags":["categorize-labels"],"result":[],"resultType":"streams"}}`))
		default:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintln(w, refusal)
		}
	}))
	defer srv.Close()
	h, err := httpx.New(StoreName, settings.Store{URL: srv.URL, Timeout: time.Second}, Options())
	if err != nil {
		t.Fatal(err)
	}
	from := time.Unix(1700000000, 0)
	res, err := NewClient(h).QueryRange(context.Background(), RangeRequest{Expr: `{a="b"} |~ "("`, Start: from, End: from.Add(time.Hour), Limit: 100})
	var se *httpx.StoreError
	if !errors.As(err, &se) || se.Status != http.StatusBadRequest || !strings.Contains(err.Error(), refusal) {
		t.Fatalf("QueryRange = %v, %v; want the store's 400: %s", res, err, refusal)
	}
	// The second call asks without the header, over the range's first nanosecond only.
	if want := fmt.Sprintf("categorize=false start=%d end=%d", from.UnixNano(), from.UnixNano()+1); len(asked) != 2 || asked[1] != want {
		t.Errorf("calls %q, want a second one %q", asked, want)
	}
	asked = nil
	res, err = NewClient(h).QueryRange(context.Background(), RangeRequest{Expr: `{a="b"} |= "nowhere"`, Start: from, End: from.Add(time.Hour), Limit: 100})
	if err != nil || res.Lines != 0 || res.ResultType != ResultStreams {
		t.Errorf("a query that builds and finds nothing: %+v, %v", res, err)
	}
}

func TestStreamPart(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"selector alone", ` {app="api"} `, `{app="api"}`},
		{"with a pipeline", `{app="api"} | json | level="error"`, `{app="api"}`},
		{"brace inside a value", `{app="a}b", env=~"p.*"} |= "x"`, `{app="a}b", env=~"p.*"}`},
		{"escaped quote before a brace", `{app="a\"}b"} | logfmt`, `{app="a\"}b"}`},
		{"raw string with a brace and a backslash", "{app=~`a\\}b`} | json", "{app=~`a\\}b`}"},
		{"unterminated string", `{app=~".+}`, `{app=~".+}`},
		{"no closing brace", `{app="api"`, `{app="api"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := StreamPart(tc.in); got != tc.want {
				t.Errorf("StreamPart(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
