package plugin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/storetest"
)

// lokiLine is one line a paging Loki replay holds.
type lokiLine struct {
	labels map[string]string
	ts     int64
	line   string
	meta   map[string]string // structured metadata
}

// pagingLokiReplay answers query_range like Loki 3 over lines: [start, end) in ns, limit
// and direction honoured, categorize-labels triples, and a max_entries_limit_per_query
// of max refused with Loki's plain-text 400. Metric queries (quantile_over_time)
// answer an empty matrix. queries counts the query_range calls the store accepted.
func pagingLokiReplay(t testing.TB, max int, lines []lokiLine) (*replay, *atomic.Int64) {
	var accepted atomic.Int64
	key := func(m map[string]string) string {
		b, _ := json.Marshal(m) // sorted keys
		return string(b)
	}
	rp := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/loki/api/v1/query_range": func(r *http.Request) (int, string, []byte) {
			q := r.URL.Query()
			if strings.HasPrefix(q.Get("query"), "quantile_over_time") {
				return 200, jsonCT, []byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`)
			}
			limit := 100
			if v := q.Get("limit"); v != "" {
				limit, _ = strconv.Atoi(v)
			}
			if limit > max {
				return 400, plainCT, []byte(fmt.Sprintf("max entries limit per query exceeded, limit > max_entries_limit (%d > %d)\n", limit, max))
			}
			accepted.Add(1)
			start, _ := strconv.ParseInt(q.Get("start"), 10, 64)
			end, _ := strconv.ParseInt(q.Get("end"), 10, 64)
			var in []lokiLine
			for _, l := range lines {
				if l.ts >= start && l.ts < end {
					in = append(in, l)
				}
			}
			sort.SliceStable(in, func(i, j int) bool {
				if in[i].ts != in[j].ts {
					return in[i].ts < in[j].ts
				}
				return key(in[i].labels)+in[i].line < key(in[j].labels)+in[j].line
			})
			if q.Get("direction") != "forward" {
				for i, j := 0, len(in)-1; i < j; i, j = i+1, j-1 {
					in[i], in[j] = in[j], in[i]
				}
			}
			if len(in) > limit {
				in = in[:limit]
			}
			type stream struct {
				Stream map[string]string `json:"stream"`
				Values [][]any           `json:"values"`
			}
			var out []*stream
			byKey := map[string]*stream{}
			for _, l := range in {
				s := byKey[key(l.labels)]
				if s == nil {
					s = &stream{Stream: l.labels, Values: [][]any{}}
					byKey[key(l.labels)] = s
					out = append(out, s)
				}
				meta := map[string]any{}
				if len(l.meta) > 0 {
					meta["structuredMetadata"] = l.meta
				}
				s.Values = append(s.Values, []any{strconv.FormatInt(l.ts, 10), l.line, meta})
			}
			body, _ := json.Marshal(map[string]any{"status": "success", "data": map[string]any{
				"resultType": "streams", "result": out, "encodingFlags": []string{"categorize-labels"},
			}})
			return 200, jsonCT, body
		},
	})
	return rp, &accepted
}

// pagedLines makes one payment line per offset (ms after the fixtures' base), in two
// streams; lines on one offset get distinct bodies.
func pagedLines(offsetsMs ...int) []lokiLine {
	out := make([]lokiLine, len(offsetsMs))
	for i, ms := range offsetsMs {
		out[i] = lokiLine{
			labels: map[string]string{"service_name": "payment", "pod": []string{"a", "b"}[i%2]},
			ts:     storetest.BaseUnixNano + int64(ms)*int64(time.Millisecond),
			line:   fmt.Sprintf("level=info msg=\"line %04d\" dur=%d trace_id=%s", i, 10+i, storetest.CheckoutTraceID),
			meta:   map[string]string{"trace_id": storetest.CheckoutTraceID, "dur": strconv.Itoa(10 + i)},
		}
	}
	return out
}

func offsets(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// logRows returns the logs frame's lines (bodies) and its notices, failing on a line
// shown twice.
func logRows(t *testing.T, f *data.Frame) ([]string, string) {
	t.Helper()
	rows := fieldStrings(t, f, frames.LogBody)
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r] {
			t.Errorf("line %q shown twice", r)
		}
		seen[r] = true
	}
	return rows, noticeTexts(f)
}

// newestBodies returns the bodies of the n newest lines, newest first.
func newestBodies(ls []lokiLine, n int) []string {
	s := append([]lokiLine(nil), ls...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].ts > s[j].ts })
	out := make([]string, 0, n)
	for _, l := range s[:min(n, len(s))] {
		out = append(out, l.line)
	}
	sort.Strings(out)
	return out
}

// TestLogsQueryHonoursMaxLogLinesAboveTheStoreMaximum: a maxLogLines above Loki's
// max_entries_limit_per_query is honoured by paging, the newest lines are shown, and a
// cut is announced with the real figures only when more lines exist.
func TestLogsQueryHonoursMaxLogLinesAboveTheStoreMaximum(t *testing.T) {
	// Three lines share 30 ms, where the first page of 4 ends.
	shared := pagedLines(0, 10, 20, 30, 30, 30, 40, 50, 60)
	// Six lines on 20 ms, more than the store returns per query.
	crowded := pagedLines(0, 10, 20, 20, 20, 20, 20, 20, 30)
	tests := []struct {
		name        string
		storeMax    int
		maxLogLines int
		lines       []lokiLine
		wantRows    []string // sorted bodies; nil: the newest maxLogLines
		wantNotice  string   // "" when none is expected
	}{
		{name: "more lines than the limit", storeMax: 4, maxLogLines: 6, lines: shared,
			wantNotice: "log lines truncated to the configured limit of 6: 6 shown; the store holds more"},
		{name: "exactly the limit", storeMax: 4, maxLogLines: 6, lines: shared[3:]},
		{name: "fewer lines than the limit", storeMax: 3, maxLogLines: 5, lines: shared[:4]},
		{name: "store max 3, maxLogLines 5", storeMax: 3, maxLogLines: 5, lines: pagedLines(offsets(8)...),
			wantNotice: "log lines truncated to the configured limit of 5: 5 shown; the store holds more"},
		{name: "more lines on one timestamp than a page", storeMax: 3, maxLogLines: 20, lines: crowded,
			wantRows: sortedBodies(crowded, 0, 1, 3, 5, 7, 8),
			wantNotice: "log lines incomplete: 6 shown of up to 20; at least 3 lines share the timestamp " +
				time.Unix(0, storetest.BaseUnixNano+20*int64(time.Millisecond)).UTC().Format(time.RFC3339Nano)},
		{name: "maxLogLines above Loki's default maximum", storeMax: loki.DefaultMaxEntries, maxLogLines: 5500, lines: pagedLines(offsets(6000)...),
			wantNotice: "log lines truncated to the configured limit of 5500: 5500 shown; the store holds more"},
		{name: "maxLogLines above Loki's default maximum, fewer lines", storeMax: loki.DefaultMaxEntries, maxLogLines: 5500, lines: pagedLines(offsets(5400)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lk, _ := pagingLokiReplay(t, tc.storeMax, tc.lines)
			ds := newTestDatasource(t, settingsJSON("", "tempo", lk.srv.URL, "", fmt.Sprintf(`"limits":{"maxLogLines":%d}`, tc.maxLogLines)))
			res := mustQuery(t, ds, map[string]any{"queryType": "logs", "version": 1, "expr": `{service_name="payment"}`})
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			rows, notices := logRows(t, framesOfKind(res.Frames, frames.KindLogs)[0])
			want := tc.wantRows
			if want == nil {
				want = newestBodies(tc.lines, tc.maxLogLines)
			}
			got := append([]string(nil), rows...)
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%d rows, want %d (first rows %q)", len(got), len(want), rows[:min(3, len(rows))])
			}
			if tc.wantNotice == "" && notices != "" || !strings.Contains(notices, tc.wantNotice) {
				t.Errorf("notices %q, want %q", notices, tc.wantNotice)
			}
		})
	}
}

func sortedBodies(ls []lokiLine, idx ...int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, ls[i].line)
	}
	sort.Strings(out)
	return out
}

// fixtureLines reads the Loki fixture the replays serve into lines.
func fixtureLines(t *testing.T) []lokiLine {
	t.Helper()
	res, err := loki.ParseQueryRange(fixture(t, "loki", "streams_categorized.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []lokiLine
	for _, s := range res.Streams {
		for _, e := range s.Entries {
			out = append(out, lokiLine{labels: s.Labels, ts: e.TimeUnixNano, line: e.Line, meta: e.StructuredMetadata})
		}
	}
	return out
}

// TestTraceQueryLinesPagePastTheStoreMaximum: the trace query's lines go through the
// same paging: all of them with a store that returns 2 per query, and a cut announced
// with the real figures when maxLogLines is below them.
func TestTraceQueryLinesPagePastTheStoreMaximum(t *testing.T) {
	lines := fixtureLines(t)
	for _, tc := range []struct {
		maxLogLines int
		notice      string
	}{
		{len(lines), ""},
		{len(lines) - 1, fmt.Sprintf("log lines truncated to the configured limit of %d: %d shown", len(lines)-1, len(lines)-1)},
	} {
		t.Run(fmt.Sprintf("maxLogLines %d", tc.maxLogLines), func(t *testing.T) {
			tr, pr := tempoReplay(t, false), promReplay(t)
			lk, _ := pagingLokiReplay(t, 2, lines)
			ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, pr.srv.URL, fmt.Sprintf(`"limits":{"maxLogLines":%d}`, tc.maxLogLines)))
			res := mustQuery(t, ds, traceQuery(storetest.CheckoutTraceID))
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			rows, notices := logRows(t, framesOfKind(res.Frames, frames.KindLogs)[0])
			if len(rows) != tc.maxLogLines {
				t.Errorf("%d rows, want %d; notices %q", len(rows), tc.maxLogLines, notices)
			}
			if tc.notice == "" && notices != "" || !strings.Contains(notices, tc.notice) {
				t.Errorf("notices %q, want %q", notices, tc.notice)
			}
		})
	}
}

// TestLatencyFromLogValuesPagesPastTheStoreMaximum: the raw values of a latency query
// from logs are read through the same paging, up to maxLogLines.
func TestLatencyFromLogValuesPagesPastTheStoreMaximum(t *testing.T) {
	lines := pagedLines(offsets(9)...)
	lk, accepted := pagingLokiReplay(t, 3, lines)
	ds := newTestDatasource(t, settingsJSON("", "tempo", lk.srv.URL, "", `"limits":{"maxLogLines":7}`))
	res := mustQuery(t, ds, map[string]any{"queryType": "latency", "version": 1, "source": "logs", "editorMode": "builder",
		"logSelector": `{service_name="payment"}`, "logField": "dur", "valueUnit": "ms", "percentiles": []float64{0.5}})
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	s := framesOfKind(res.Frames, frames.KindSummary)[0]
	count, _ := s.FieldByName(frames.SummaryCount)
	if got := count.At(0).(float64); got != 7 {
		t.Errorf("summary count %v, want maxLogLines 7 of the 9 lines; notices %q", got, noticeTexts(s))
	}
	if !strings.Contains(noticeTexts(s), "truncated") {
		t.Errorf("summary notices %q", noticeTexts(s))
	}
	if accepted.Load() < 3 {
		t.Errorf("%d query_range calls accepted; 7 lines from a store that returns 3 need pages", accepted.Load())
	}
}
