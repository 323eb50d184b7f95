package query

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/testenv"
	"github.com/latencylens/lens/pkg/traceid"
)

// spelled is one way a line writes a trace ID: what it is, and the text.
type spelled struct{ what, text string }

// spellingsTrace is a trace ID with every spelling the normaliser reads back to it, and
// decoys: other trace IDs that look like it.
type spellingsTrace struct {
	name, id string
	ours     []spelled
	// decoys are other trace IDs; none may be returned as this trace's line.
	decoys []spelled
	// labelDecoys hold our ID inside a longer value that is no trace ID: the label
	// filter must not match them. (In a line, such a value is kept as the trace's line
	// with a warning, by design: see TestTraceQueryAnnouncesMalformedIDs.)
	labelDecoys []spelled
	// inText are tokens the line modes write beside a decoy's carrier (the line holds
	// our ID only inside a longer token, while its own trace ID is another one).
	inText []spelled
}

// 4be92f3577b3fda6a3ce929d0e0e4736 is S+kvNXez/aajzpKdDg5HNg== in base64 (both '+'
// and '/', so the standard and URL-safe forms differ); a3ee92fd0e0e4736 is a 64-bit ID,
// o+6S/Q4ORzY= in base64 of its 8 bytes. Each decoy's base64 differs from ours only in
// letter case (it decodes to another ID).
var spellingsTraces = []spellingsTrace{
	{
		name: "128-bit", id: "4be92f3577b3fda6a3ce929d0e0e4736",
		ours: []spelled{
			{"lower hex", "4be92f3577b3fda6a3ce929d0e0e4736"},
			{"upper hex", "4BE92F3577B3FDA6A3CE929D0E0E4736"},
			{"uuid", "4be92f35-77b3-fda6-a3ce-929d0e0e4736"},
			{"upper uuid", "4BE92F35-77B3-FDA6-A3CE-929D0E0E4736"},
			{"base64 std", "S+kvNXez/aajzpKdDg5HNg=="},
			{"base64 std raw", "S+kvNXez/aajzpKdDg5HNg"},
			{"base64 url", "S-kvNXez_aajzpKdDg5HNg=="},
			{"base64 url raw", "S-kvNXez_aajzpKdDg5HNg"},
			{"traceparent", "00-4be92f3577b3fda6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
			{"b3 single header", "4be92f3577b3fda6a3ce929d0e0e4736-00f067aa0ba902b7-1"},
		},
		decoys: []spelled{
			{"other hex", "0af7651916cd43dd8448eb211c80319c"},
			{"other trace's traceparent", "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"},
			{"base64 case-swapped", "s+KVnxEZ/AAJZPkDdG5hnG=="},
			{"base64 url case-swapped raw", "s-KVnxEZ_AAJZPkDdG5hnG"},
		},
		labelDecoys: []spelled{
			{"longer token", "0x4be92f3577b3fda6a3ce929d0e0e4736"},
		},
		inText: []spelled{
			{"hex inside a token", "zz4be92f3577b3fda6a3ce929d0e0e4736zz"},
			{"base64 inside a token", "xS+kvNXez/aajzpKdDg5HNg==x"},
		},
	},
	{
		name: "64-bit", id: "0000000000000000a3ee92fd0e0e4736",
		ours: []spelled{
			{"16 digits", "a3ee92fd0e0e4736"},
			{"16 digits upper", "A3EE92FD0E0E4736"},
			{"32 digits", "0000000000000000a3ee92fd0e0e4736"},
			{"32 digits upper", "0000000000000000A3EE92FD0E0E4736"},
			{"20 digits", "0000a3ee92fd0e0e4736"},
			{"uuid", "00000000-0000-0000-a3ee-92fd0e0e4736"},
			{"upper uuid", "00000000-0000-0000-A3EE-92FD0E0E4736"},
			{"base64 8 bytes std", "o+6S/Q4ORzY="},
			{"base64 8 bytes std raw", "o+6S/Q4ORzY"},
			{"base64 8 bytes url", "o-6S_Q4ORzY="},
			{"base64 8 bytes url raw", "o-6S_Q4ORzY"},
			{"base64 16 bytes std", "AAAAAAAAAACj7pL9Dg5HNg=="},
			{"base64 16 bytes std raw", "AAAAAAAAAACj7pL9Dg5HNg"},
			{"b3 single header, 64-bit", "a3ee92fd0e0e4736-00f067aa0ba902b7-1"},
		},
		decoys: []spelled{
			{"other hex", "00000000000000000af7651916cd43dd"},
			{"base64 case-swapped", "O+6s/q4orZy="},
			{"base64 16 bytes case-swapped", "aaaaaaaaaacJ7Pl9dG5hnG=="},
			{"one more digit", "a3ee92fd0e0e47361"},
			{"one digit before", "1a3ee92fd0e0e4736"},
			{"128-bit ending in ours", "1111111111111111a3ee92fd0e0e4736"},
		},
	},
}

// spellingsMode is one extraction mode with how a line carries a trace ID in it.
type spellingsMode struct {
	name string
	ex   settings.Extraction
	// line writes a line whose trace ID is id, with tag and the extra text; labels and
	// metadata are its stream labels and structured metadata.
	line func(tag, id, extra string) (body string, labels, metadata map[string]string)
}

func spellingsModes() []spellingsMode {
	return []spellingsMode{
		{name: "label", ex: settings.Extraction{Mode: settings.ExtractLabel, TraceIDKey: "trace_id"},
			line: func(tag, id, extra string) (string, map[string]string, map[string]string) {
				return tag + " " + extra, map[string]string{"trace_id": id}, nil
			}},
		{name: "structuredMetadata", ex: settings.Extraction{Mode: settings.ExtractStructuredMetadata, TraceIDKey: "trace_id"},
			line: func(tag, id, extra string) (string, map[string]string, map[string]string) {
				return tag + " " + extra, nil, map[string]string{"trace_id": id}
			}},
		{name: "json", ex: settings.Extraction{Mode: settings.ExtractJSON, TraceIDKey: "ctx.trace_id"},
			line: func(tag, id, extra string) (string, map[string]string, map[string]string) {
				b, _ := json.Marshal(map[string]any{"msg": tag, "ref": extra, "ctx": map[string]string{"trace_id": id}})
				return string(b), nil, nil
			}},
		{name: "logfmt", ex: settings.Extraction{Mode: settings.ExtractLogfmt, TraceIDKey: "trace_id"},
			line: func(tag, id, extra string) (string, map[string]string, map[string]string) {
				return fmt.Sprintf("level=info msg=%q ref=%q trace_id=%s", tag, extra, id), nil, nil
			}},
		{name: "regex", ex: settings.Extraction{Mode: settings.ExtractRegex, TraceIDRegex: regexp.MustCompile(`trace=([0-9A-Za-z+/_=-]+)`)},
			line: func(tag, id, extra string) (string, map[string]string, map[string]string) {
				return fmt.Sprintf("%s: order shipped trace=%s ref %s", tag, id, extra), nil, nil
			}},
	}
}

// pushedLine is one line pushed to Loki.
type pushedLine struct {
	ns       int64
	body     string
	labels   map[string]string
	metadata map[string]string
}

// For each extraction mode, Loki holds one line per spelling of the trace's ID and decoy
// lines of other trace IDs (one whose base64 differs from ours only in letter case, ones
// holding our ID only inside a longer token). The trace query must return every spelling,
// each with the trace's ID and joined to its span, and no decoy; the expression the
// backend sends must run as is in a real Loki, and Loki must not find a decoy that the
// filter's pattern itself leaves out (its case-sensitive base64, its anchoring on label
// values).
func TestTraceLinesFindEverySpellingInLoki(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Loki")
	}
	lk := testenv.StartLoki(t, testenv.LokiOptions{})
	base := time.Now().Add(-2 * time.Minute).Truncate(time.Millisecond)

	// tags[mode][body] = "trace/ours|decoy|json-escaped/what"
	tags := map[string]map[string]string{}
	var lines []pushedLine
	n := int64(0)
	add := func(mode spellingsMode, tag, id, extra string) {
		body, labels, md := mode.line(tag, id, extra)
		if labels == nil {
			labels = map[string]string{}
		}
		labels["mode"] = mode.name
		n++
		lines = append(lines, pushedLine{ns: base.UnixNano() + n*int64(time.Millisecond), body: body, labels: labels, metadata: md})
		if tags[mode.name] == nil {
			tags[mode.name] = map[string]string{}
		}
		if _, dup := tags[mode.name][body]; dup {
			t.Fatalf("two lines %q", body)
		}
		tags[mode.name][body] = tag
	}
	for _, mode := range spellingsModes() {
		for _, tr := range spellingsTraces {
			for _, s := range tr.ours {
				add(mode, tr.name+"/ours/"+s.what, s.text, "")
			}
			for _, s := range tr.decoys {
				add(mode, tr.name+"/decoy/"+s.what, s.text, "")
			}
			if mode.ex.Mode == settings.ExtractLabel || mode.ex.Mode == settings.ExtractStructuredMetadata {
				for _, s := range tr.labelDecoys {
					add(mode, tr.name+"/decoy/"+s.what, s.text, "")
				}
			}
			for _, s := range tr.inText {
				add(mode, tr.name+"/decoy/other ID, "+s.what, tr.decoys[0].text, s.text)
			}
		}
	}
	pushLoki(t, lk.URL, lines)

	client := liveLokiClient(t, lk.URL)
	ctx := context.Background()
	from, to := base.Add(-time.Minute), base.Add(time.Minute)
	waitLines(t, client, `{mode=~".+"}`, from, to, len(lines))

	longest, longestWhat := 0, ""
	for _, mode := range spellingsModes() {
		for _, tr := range spellingsTraces {
			t.Run(mode.name+"/"+tr.name, func(t *testing.T) {
				selector := `{mode="` + mode.name + `"}`
				expr := loki.TraceLines(selector, mode.ex, tr.id)
				if len(expr) > longest {
					longest, longestWhat = len(expr), mode.name+" "+tr.name
				}
				t.Logf("expression (%d bytes): %s", len(expr), expr)

				// What Loki itself finds with the expression.
				res, err := client.QueryRange(ctx, loki.RangeRequest{Expr: expr, Start: from, End: to, Limit: 1000, Direction: "forward"})
				if err != nil {
					t.Fatalf("Loki refused the trace's expression: %v", err)
				}
				found := map[string]bool{}
				for _, s := range res.Streams {
					for _, e := range s.Entries {
						found[tags[mode.name][e.Line]] = true
					}
				}
				anchored := mode.ex.Mode == settings.ExtractLabel || mode.ex.Mode == settings.ExtractStructuredMetadata
				for _, tag := range sortedTags(tags[mode.name], tr.name) {
					switch ours := strings.HasPrefix(tag, tr.name+"/ours/"); {
					case ours && !found[tag]:
						t.Errorf("Loki misses %s", tag)
					case !ours && found[tag] && (anchored || strings.Contains(tag, "case-swapped")):
						t.Errorf("Loki finds decoy %s", tag)
					}
				}

				// What the trace query answers.
				spanID := "00f067aa0ba902b7"
				trace := &model.Trace{TraceID: tr.id, Spans: []model.Span{{TraceID: tr.id, SpanID: spanID, Operation: "ship", Service: "shop",
					StartUnixNano: base.Add(-time.Second).UnixNano(), DurationNano: int64(time.Minute)}}}
				env := &Env{
					Settings: &settings.Settings{TraceLogSelector: selector, Extraction: mode.ex, MaxSpans: 100, MaxLogLines: 1000, LogWindowPadding: time.Minute},
					Logs:     client, Traces: oneTrace{trace}, MetricsErr: errors.New("prometheus: not configured"),
				}
				no, yes := false, true
				resp := Trace(ctx, env, Request{
					Query: &Query{QueryType: TypeTrace, TraceID: strings.ToUpper(tr.id), IncludeExemplars: &no, LinesInSpanLogs: &yes},
					From:  from, To: to,
				})
				if resp.Error != nil {
					t.Fatal(resp.Error)
				}
				lf := kindFrame(t, resp.Frames, frames.KindLogs)
				if w := warnings(lf); len(w) > 0 {
					t.Errorf("logs frame warnings: %q", w)
				}
				bodies, tids, sids := fieldValues(t, lf, frames.LogBody), fieldValues(t, lf, frames.LogTraceID), fieldValues(t, lf, frames.LogSpanID)
				got := map[string]bool{}
				for i, b := range bodies {
					tag := tags[mode.name][b]
					got[tag] = true
					if !strings.HasPrefix(tag, tr.name+"/ours/") {
						t.Errorf("trace query returns %s (%s) as the trace's line", tag, b)
						continue
					}
					if tids[i] != tr.id || sids[i] != spanID {
						t.Errorf("%s: trace ID %q span ID %q, want %q joined to %q", tag, tids[i], sids[i], tr.id, spanID)
					}
				}
				for _, tag := range sortedTags(tags[mode.name], tr.name+"/ours/") {
					if !got[tag] {
						t.Errorf("trace query misses %s", tag)
					}
				}
			})
		}
	}
	t.Logf("longest trace expression: %d bytes (%s)", longest, longestWhat)
}

func sortedTags(m map[string]string, prefix string) []string {
	var out []string
	for _, tag := range m {
		if strings.HasPrefix(tag, prefix) {
			out = append(out, tag)
		}
	}
	sort.Strings(out)
	return out
}

// pushLoki pushes lines with /loki/api/v1/push (JSON, structured metadata as each
// value's third element).
func pushLoki(t *testing.T, base string, lines []pushedLine) {
	t.Helper()
	type stream struct {
		Stream map[string]string `json:"stream"`
		Values [][]any           `json:"values"`
	}
	var streams []stream
	for _, l := range lines {
		v := []any{fmt.Sprint(l.ns), l.body}
		if len(l.metadata) > 0 {
			v = append(v, l.metadata)
		}
		streams = append(streams, stream{Stream: l.labels, Values: [][]any{v}})
	}
	body, _ := json.Marshal(map[string]any{"streams": streams})
	resp, err := http.Post(base+"/loki/api/v1/push", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("push: HTTP %d: %s", resp.StatusCode, b)
	}
}

// liveLokiClient is a client of the test Loki at url, with a timeout for slow machines.
func liveLokiClient(t *testing.T, url string) *loki.Client {
	t.Helper()
	h, err := httpx.New(loki.StoreName, settings.Store{URL: url, Timeout: 20 * time.Second}, loki.Options())
	if err != nil {
		t.Fatal(err)
	}
	return loki.NewClient(h)
}

// waitLines waits until expr finds want lines in [from, to).
func waitLines(t *testing.T, c *loki.Client, expr string, from, to time.Time, want int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := c.QueryRange(context.Background(), loki.RangeRequest{Expr: expr, Start: from, End: to, Limit: 5000, Direction: "forward"})
		if err == nil && res.Lines == want {
			return
		}
		if time.Now().After(deadline) {
			got := -1
			if res != nil {
				got = res.Lines
			}
			t.Fatalf("Loki holds %d of the %d pushed lines (%v)", got, want, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// A JSON line's field is its value once unescaped: a base64 trace ID written with "\/"
// for '/' (PHP's json_encode by default) or "\u002B" for '+' (.NET's System.Text.Json by
// default) is the trace's ID, which the json extraction reads (and the logs query links
// to the trace), so the trace query must find it too.
func TestTraceLinesFindJSONEscapedBase64InLoki(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Loki")
	}
	lk := testenv.StartLoki(t, testenv.LokiOptions{})
	base := time.Now().Add(-2 * time.Minute).Truncate(time.Millisecond)
	ex := settings.Extraction{Mode: settings.ExtractJSON, TraceIDKey: "ctx.trace_id"}
	var lines []pushedLine
	for i, tc := range []struct{ id, escaped string }{
		{"4be92f3577b3fda6a3ce929d0e0e4736", `S+kvNXez\/aajzpKdDg5HNg==`},
		{"4be92f3577b3fda6a3ce929d0e0e4736", `S\u002BkvNXez/aajzpKdDg5HNg==`},
		{"4be92f3577b3fda6a3ce929d0e0e4736", `S\u002bkvNXez\u002faajzpKdDg5HNg`},
		{"0000000000000000a3ee92fd0e0e4736", `o\u002B6S\/Q4ORzY=`},
	} {
		body := fmt.Sprintf(`{"msg":"escaped %d","ctx":{"trace_id":"%s"}}`, i, tc.escaped)
		if n, err := traceid.Normalize(loki.JSONPath(body, ex.TraceIDKey)); err != nil || n != tc.id {
			t.Fatalf("%s: the json extraction reads %q (%v), not %s", body, n, err, tc.id)
		}
		lines = append(lines, pushedLine{ns: base.UnixNano() + int64(i+1)*int64(time.Millisecond), body: body, labels: map[string]string{"mode": "json"}})
	}
	pushLoki(t, lk.URL, lines)
	client := liveLokiClient(t, lk.URL)
	from, to := base.Add(-time.Minute), base.Add(time.Minute)
	waitLines(t, client, `{mode="json"}`, from, to, len(lines))
	for _, l := range lines {
		id, _ := traceid.Normalize(loki.JSONPath(l.body, ex.TraceIDKey))
		expr := loki.TraceLines(`{mode="json"}`, ex, id)
		res, err := client.QueryRange(context.Background(), loki.RangeRequest{Expr: expr, Start: from, End: to, Limit: 100, Direction: "forward"})
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		found := false
		for _, s := range res.Streams {
			for _, e := range s.Entries {
				found = found || e.Line == l.body
			}
		}
		if !found {
			t.Errorf("Loki does not return %s for %s", l.body, expr)
		}
	}
}
