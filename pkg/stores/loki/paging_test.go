package loki

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
)

// storedLine is one line a replayed Loki holds.
type storedLine struct {
	stream map[string]string
	ts     int64
	line   string
}

// pagingLoki replays Loki's query_range over a fixed set of lines: [start, end) in ns,
// limit and direction honoured, answers in Loki 3's categorize-labels format, and a
// max_entries_limit_per_query of max refused with Loki's plain-text 400 (worded by
// refusal, which gets the asked limit and max).
type pagingLoki struct {
	srv     *httptest.Server
	lines   []storedLine
	max     int
	refusal string
	delay   time.Duration
	// slack widens the range served on both sides, as a store that returns lines just
	// outside the asked range does.
	slack time.Duration
	// fail, when set, answers the nth call (1-based) with its status and body.
	fail func(n int) (int, string)

	mu     sync.Mutex
	calls  int
	limits []string
}

const refusalPerQuery = "max entries limit per query exceeded, limit > max_entries_limit_per_query (%d > %d)"
const refusalQuerier = "max entries limit per query exceeded, limit > max_entries_limit (%d > %d)"

func newPagingLoki(t *testing.T, max int, lines []storedLine) *pagingLoki {
	t.Helper()
	p := &pagingLoki{lines: lines, max: max, refusal: refusalQuerier}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pagingLoki) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.calls++
	n := p.calls
	q := r.URL.Query()
	p.limits = append(p.limits, q.Get("limit"))
	p.mu.Unlock()
	if p.delay > 0 {
		select {
		case <-time.After(p.delay):
		case <-r.Context().Done():
			return
		}
	}
	plain := func(status int, body string) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = fmt.Fprintln(w, body)
	}
	if p.fail != nil {
		if status, body := p.fail(n); status != 0 {
			plain(status, body)
			return
		}
	}
	limit, start, end := 100, int64(0), time.Now().UnixNano()
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	if v := q.Get("start"); v != "" {
		start, _ = strconv.ParseInt(v, 10, 64)
	}
	if v := q.Get("end"); v != "" {
		end, _ = strconv.ParseInt(v, 10, 64)
	}
	if strings.HasPrefix(q.Get("query"), "count_over_time") {
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"3"]]}]}}`))
		return
	}
	if p.max > 0 && limit > p.max {
		plain(http.StatusBadRequest, fmt.Sprintf(p.refusal, limit, p.max))
		return
	}
	var in []storedLine
	for _, l := range p.lines {
		if l.ts >= start-int64(p.slack) && l.ts < end+int64(p.slack) {
			in = append(in, l)
		}
	}
	// A fixed order among lines on one timestamp (by stream, then line), reversed with
	// the direction, as the store's merge of streams gives.
	sort.SliceStable(in, func(i, j int) bool {
		a, b := in[i], in[j]
		if a.ts != b.ts {
			return a.ts < b.ts
		}
		if ka, kb := streamKey(a.stream), streamKey(b.stream); ka != kb {
			return ka < kb
		}
		return a.line < b.line
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
		k := streamKey(l.stream)
		s := byKey[k]
		if s == nil {
			s = &stream{Stream: l.stream}
			byKey[k] = s
			out = append(out, s)
		}
		s.Values = append(s.Values, []any{strconv.FormatInt(l.ts, 10), l.line, map[string]any{}})
	}
	body, _ := json.Marshal(map[string]any{"status": "success", "data": map[string]any{
		"resultType": "streams", "result": out, "encodingFlags": []string{"categorize-labels"},
		"stats": map[string]any{"summary": map[string]any{"totalEntriesReturned": len(in)}},
	}})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}

func (p *pagingLoki) client(t *testing.T, timeout time.Duration) *Client {
	t.Helper()
	h, err := httpx.New(StoreName, settings.Store{URL: p.srv.URL, Timeout: timeout}, Options())
	if err != nil {
		t.Fatal(err)
	}
	return NewClient(h)
}

func (p *pagingLoki) asked() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.limits, ",")
}

// base is where the paging tests' lines start.
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// linesAt makes one line per offset (ms after base), alternating between two streams;
// lines on one offset get distinct bodies.
func linesAt(offsetsMs ...int) []storedLine {
	out := make([]storedLine, len(offsetsMs))
	for i, ms := range offsetsMs {
		svc := []string{"checkout", "payment"}[i%2]
		out[i] = storedLine{
			stream: map[string]string{"service_name": svc},
			ts:     base.Add(time.Duration(ms) * time.Millisecond).UnixNano(),
			line:   fmt.Sprintf("line %02d at %dms", i, ms),
		}
	}
	return out
}

// linesRead flattens a result into its line bodies, sorted as bodies sorts them, failing
// on a line read twice.
func linesRead(t *testing.T, r *Result) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for _, s := range r.Streams {
		for _, e := range s.Entries {
			k := streamKey(s.Labels) + e.Line
			if seen[k] {
				t.Errorf("line %q read twice", e.Line)
			}
			seen[k] = true
			out = append(out, e.Line)
		}
	}
	sort.Strings(out)
	if len(out) != r.Lines {
		t.Errorf("result says %d lines, holds %d", r.Lines, len(out))
	}
	return out
}

func bodies(ls []storedLine, idx ...int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, ls[i].line)
	}
	sort.Strings(out)
	return out
}

func span(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// TestQueryRangePagesPastTheStoreMaximum: a limit above the store's
// max_entries_limit_per_query is honoured by reading the range in pages, in the query's
// direction, with no line lost or read twice where pages meet, even on a timestamp that
// several lines share.
func TestQueryRangePagesPastTheStoreMaximum(t *testing.T) {
	distinct := linesAt(0, 10, 20, 30, 40, 50, 60, 70, 80, 90)
	// Three lines on 30 ms: a page of 4 ends in the middle of them.
	shared := linesAt(0, 10, 30, 30, 30, 40, 50, 60)
	// Six lines on 20 ms, more than the store returns per query.
	crowded := linesAt(0, 10, 20, 20, 20, 20, 20, 20, 30, 40)

	tests := []struct {
		name      string
		lines     []storedLine
		max       int
		limit     int
		direction string
		want      []string // line bodies, sorted
		asked     string   // limits asked, in order
		// incomplete is a part of Result.Incomplete ("" when it must be empty).
		incomplete string
	}{
		{name: "backward: the newest lines", lines: distinct, max: 3, limit: 6, direction: "backward",
			want: bodies(distinct, span(4, 10)...), asked: "6,3,3,2"},
		{name: "forward: the oldest lines", lines: distinct, max: 3, limit: 6, direction: "forward",
			want: bodies(distinct, span(0, 6)...), asked: "6,3,3,2"},
		{name: "default direction is backward", lines: distinct, max: 4, limit: 5,
			want: bodies(distinct, span(5, 10)...), asked: "5,4,2"},
		{name: "the range runs out before the limit", lines: distinct, max: 3, limit: 50, direction: "forward",
			want: bodies(distinct, span(0, 10)...), asked: "50,3,3,3,3,3"},
		{name: "forward: a page ends among lines sharing a timestamp", lines: shared, max: 4, limit: 100, direction: "forward",
			want: bodies(shared, span(0, 8)...), asked: "100,4,4,4"},
		{name: "backward: a page ends among lines sharing a timestamp", lines: shared, max: 4, limit: 100, direction: "backward",
			want: bodies(shared, span(0, 8)...), asked: "100,4,4,4"},
		{name: "forward: more lines on one timestamp than a page holds", lines: crowded, max: 3, limit: 100, direction: "forward",
			// 0, 10, the first three at 20 ms in the store's order, 30, 40: the other
			// three at 20 ms are out of reach.
			want:       bodies(crowded, 0, 1, 2, 4, 6, 8, 9),
			incomplete: "at least 3 lines share the timestamp 2026-03-01T12:00:00.02Z",
		},
		{name: "backward: more lines on one timestamp than a page holds", lines: crowded, max: 3, limit: 100, direction: "backward",
			want:       bodies(crowded, 0, 1, 3, 5, 7, 8, 9),
			incomplete: "at least 3 lines share the timestamp 2026-03-01T12:00:00.02Z",
		},
		{name: "no paging when the store takes the limit", lines: distinct, max: 5000, limit: 3, direction: "forward",
			want: bodies(distinct, 0, 1, 2), asked: "3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lk := newPagingLoki(t, tc.max, tc.lines)
			res, err := lk.client(t, 5*time.Second).QueryRange(context.Background(), RangeRequest{
				Expr: `{service_name=~".+"}`, Start: base, End: base.Add(time.Minute), Limit: tc.limit, Direction: tc.direction,
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := linesRead(t, res); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("lines\n got %q\nwant %q", got, tc.want)
			}
			if tc.asked != "" && lk.asked() != tc.asked {
				t.Errorf("limits asked %s, want %s", lk.asked(), tc.asked)
			}
			if tc.incomplete == "" && res.Incomplete != "" || !strings.Contains(res.Incomplete, tc.incomplete) {
				t.Errorf("Incomplete = %q, want %q", res.Incomplete, tc.incomplete)
			}
			if res.Limit != tc.limit {
				t.Errorf("Limit = %d, want the request's %d", res.Limit, tc.limit)
			}
			if wantMax := map[bool]int{true: tc.max, false: 0}[tc.limit > tc.max]; res.StoreMax != wantMax {
				t.Errorf("StoreMax = %d, want %d", res.StoreMax, wantMax)
			}
			if full := res.Lines >= tc.limit || tc.incomplete != ""; res.Full() != full {
				t.Errorf("Full() = %t with %d of %d lines", res.Full(), res.Lines, tc.limit)
			}
		})
	}
}

// TestQueryRangeReadsBothRefusalWordings: the querier and query frontend say
// "max_entries_limit", newer releases "max_entries_limit_per_query".
func TestQueryRangeReadsBothRefusalWordings(t *testing.T) {
	for _, wording := range []string{refusalQuerier, refusalPerQuery} {
		lk := newPagingLoki(t, 2, linesAt(0, 10, 20, 30, 40))
		lk.refusal = wording
		res, err := lk.client(t, 5*time.Second).QueryRange(context.Background(), RangeRequest{
			Expr: `{a="b"}`, Start: base, End: base.Add(time.Minute), Limit: ProbeLimit(3), Direction: "forward",
		})
		if err != nil {
			t.Fatalf("%s: %v", wording, err)
		}
		if res.Lines != 4 || res.StoreMax != 2 || !res.Full() {
			t.Errorf("%s: %d lines, StoreMax %d, Full %t", wording, res.Lines, res.StoreMax, res.Full())
		}
	}
}

// TestQueryRangeRemembersTheStoreMaximum: once refused, the client pages at once.
func TestQueryRangeRemembersTheStoreMaximum(t *testing.T) {
	lk := newPagingLoki(t, 3, linesAt(0, 10, 20, 30, 40))
	c := lk.client(t, 5*time.Second)
	for range 2 {
		if _, err := c.QueryRange(context.Background(), RangeRequest{Expr: `{a="b"}`, Start: base, End: base.Add(time.Minute), Limit: 5}); err != nil {
			t.Fatal(err)
		}
	}
	if got := lk.asked(); got != "5,3,3,3,3" {
		t.Errorf("limits asked %s, want one refusal then pages only", got)
	}
}

// TestQueryRangeKeepsPagesReadWhenALaterOneFails: only a failing first call is an error;
// after that the lines read come back, and Incomplete says which page failed and why.
func TestQueryRangeKeepsPagesReadWhenALaterOneFails(t *testing.T) {
	lk := newPagingLoki(t, 2, linesAt(0, 10, 20, 30, 40, 50))
	lk.fail = func(n int) (int, string) {
		if n == 4 {
			return http.StatusInternalServerError, "failed to get querier: too many outstanding requests"
		}
		return 0, ""
	}
	res, err := lk.client(t, 5*time.Second).QueryRange(context.Background(), RangeRequest{
		Expr: `{a="b"}`, Start: base, End: base.Add(time.Minute), Limit: 6, Direction: "forward",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Lines != 3 || !strings.Contains(res.Incomplete, "page 3 failed: loki: HTTP 500: failed to get querier") || !res.Full() {
		t.Errorf("%d lines, Incomplete %q", res.Lines, res.Incomplete)
	}

	first := newPagingLoki(t, 2, nil)
	first.fail = func(int) (int, string) { return http.StatusBadRequest, "parse error at line 1, col 1: syntax error" }
	if _, err := first.client(t, time.Second).QueryRange(context.Background(), RangeRequest{Expr: "x", Limit: 6}); err == nil ||
		!strings.Contains(err.Error(), "loki: HTTP 400: parse error") {
		t.Errorf("first call error = %v", err)
	}
}

// TestQueryRangePagesShareTheStoreTimeout: the pages together stay within the store's
// timeout; when it runs out, the lines read so far come back and Incomplete says so.
func TestQueryRangePagesShareTheStoreTimeout(t *testing.T) {
	lk := newPagingLoki(t, 2, linesAt(span(0, 40)...))
	lk.delay = 60 * time.Millisecond
	timeout := 300 * time.Millisecond
	start := time.Now()
	res, err := lk.client(t, timeout).QueryRange(context.Background(), RangeRequest{
		Expr: `{a="b"}`, Start: base, End: base.Add(time.Minute), Limit: 40, Direction: "forward",
	})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if elapsed > timeout+200*time.Millisecond {
		t.Errorf("paging took %s with a %s timeout", elapsed, timeout)
	}
	if res.Lines == 0 || res.Lines >= 40 || !res.Full() ||
		!strings.Contains(res.Incomplete, "the store's time budget of 300ms ran out after") {
		t.Errorf("%d lines, Incomplete %q", res.Lines, res.Incomplete)
	}
	// The lines read are the oldest ones, with no gap.
	got := linesRead(t, res)
	if want := bodies(linesAt(span(0, 40)...), span(0, res.Lines)...); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q, want %q", got, want)
	}
}

// TestQueryRangeFirstPageTimeoutNamesTheStoreTimeout: the pages' shared budget is the
// store's timeout, so a first page it cuts short says the store did not answer within
// that timeout (not that the request's own deadline passed).
func TestQueryRangeFirstPageTimeoutNamesTheStoreTimeout(t *testing.T) {
	lk := newPagingLoki(t, 0, linesAt(0, 10))
	lk.delay = 2 * time.Second
	_, err := lk.client(t, 100*time.Millisecond).QueryRange(context.Background(), RangeRequest{
		Expr: `{a="b"}`, Start: base, End: base.Add(time.Minute), Limit: 6, Direction: "forward",
	})
	var se *httpx.StoreError
	if !errors.As(err, &se) || !se.Timeout || !strings.Contains(err.Error(), "loki: no answer within 100ms") {
		t.Errorf("err = %v", err)
	}
}

// TestQueryRangeMetricQueryAfterARefusal: a metric query refused for its line limit
// comes back as its matrix.
func TestQueryRangeMetricQueryAfterARefusal(t *testing.T) {
	lk := newPagingLoki(t, 2, nil)
	lk.fail = func(n int) (int, string) {
		if n == 1 {
			return http.StatusBadRequest, fmt.Sprintf(refusalQuerier, 5, 2)
		}
		return 0, ""
	}
	res, err := lk.client(t, time.Second).QueryRange(context.Background(), RangeRequest{
		Expr: `count_over_time({a="b"}[1m])`, Start: base, End: base.Add(time.Minute), Limit: 5, Step: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ResultType != ResultMatrix || len(res.Series) != 1 || res.Incomplete != "" {
		t.Errorf("result %+v", res)
	}
}

// TestQueryRangeFirstPageWithinLokisDefault: until the store's maximum is known, a limit
// above Loki's default maximum starts with a page of that default (so the default
// configuration, 5000 lines and one more to notice a cut, costs one call) and asks for
// the rest next, learning the store's maximum only if it refuses.
func TestQueryRangeFirstPageWithinLokisDefault(t *testing.T) {
	tests := []struct {
		name          string
		max, n, limit int
		asked         string
		wantLines     int
		wantMax       int
		wantFull      bool
	}{
		{name: "default store, fewer lines than a page", max: 5000, n: 4000, limit: ProbeLimit(5000), asked: "5000", wantLines: 4000},
		{name: "default store, more lines than the limit", max: 5000, n: 6000, limit: ProbeLimit(5000), asked: "5000,2", wantLines: 5001, wantFull: true},
		{name: "store allows more than the default", max: 6000, n: 7000, limit: 8000, asked: "5000,3001", wantLines: 7000},
		{name: "store allows less than the default", max: 3000, n: 7000, limit: 8000, asked: "5000,3000,3000,2002", wantLines: 7000, wantMax: 3000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines := linesAt(span(0, tc.n)...)
			lk := newPagingLoki(t, tc.max, lines)
			res, err := lk.client(t, 5*time.Second).QueryRange(context.Background(), RangeRequest{
				Expr: `{a="b"}`, Start: base, End: base.Add(time.Hour), Limit: tc.limit, Direction: "forward",
			})
			if err != nil {
				t.Fatal(err)
			}
			if lk.asked() != tc.asked {
				t.Errorf("limits asked %s, want %s", lk.asked(), tc.asked)
			}
			got := linesRead(t, res)
			if want := bodies(lines, span(0, tc.wantLines)...); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("%d lines read, want the oldest %d", len(got), tc.wantLines)
			}
			if res.StoreMax != tc.wantMax || res.Full() != tc.wantFull || res.Incomplete != "" {
				t.Errorf("StoreMax %d, Full %t, Incomplete %q", res.StoreMax, res.Full(), res.Incomplete)
			}
		})
	}
}

// TestQueryRangeLeavesOutLinesOutsideTheRange: lines a store returns from just outside
// the asked [start, end) are left out, in one call and in pages; lines past the range's
// far edge end the reading (the range is exhausted); when lines from outside filled a
// page that may hide lines of the range, or a store returns nothing new, the result says so.
func TestQueryRangeLeavesOutLinesOutsideTheRange(t *testing.T) {
	lines := linesAt(-20, -3, 0, 10, 20, 30, 40, 52, 60)
	r := RangeRequest{Expr: `{service_name=~".+"}`, Start: base, End: base.Add(50 * time.Millisecond)}
	want := bodies(lines, span(2, 7)...) // 0 to 40 ms
	for _, tc := range []struct {
		name       string
		slack      time.Duration
		max, limit int
		direction  string
		want       []string
		incomplete string // "" when the reading is complete
	}{
		{"one call, backward", 5 * time.Millisecond, 0, 100, "backward", want, ""},
		{"one call, forward", 5 * time.Millisecond, 0, 100, "forward", want, ""},
		{"pages, backward", 5 * time.Millisecond, 3, 100, "backward", want, ""},
		{"pages, forward", 5 * time.Millisecond, 3, 100, "forward", want, ""},
		// Six lines asked: one from before the start among them, five of the range read.
		{"one full call with a line from before the start", 5 * time.Millisecond, 0, 6, "forward",
			bodies(lines, span(2, 7)...), "1 of the lines the store returned fell outside the asked time range"},
		// A store that answers every page with the same lines from past the page's start.
		{"pages from a store that ignores the bound", 25 * time.Millisecond, 3, 100, "backward",
			bodies(lines, 6), "page 2 held no new line of the asked time range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loki := newPagingLoki(t, tc.max, lines)
			loki.slack = tc.slack
			rr := r
			rr.Limit, rr.Direction = tc.limit, tc.direction
			res, err := loki.client(t, 5*time.Second).QueryRange(context.Background(), rr)
			if err != nil {
				t.Fatal(err)
			}
			got := linesRead(t, res)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("lines %q, want %q", got, tc.want)
			}
			if tc.incomplete == "" && res.Incomplete != "" || !strings.Contains(res.Incomplete, tc.incomplete) {
				t.Errorf("incomplete %q, want %q", res.Incomplete, tc.incomplete)
			}
			if tc.incomplete != "" && !res.Full() {
				t.Error("a reading that may have missed lines must say more may exist")
			}
		})
	}
}

// TestRefusedForRange: only Loki's refusals for limits that grow with the time range say
// a shorter range may pass.
func TestRefusedForRange(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"max_query_length", &httpx.StoreError{Store: StoreName, Status: 400, Message: "the query time range exceeds the limit (query length: 721h1m0s, limit: 721h)"}, true},
		{"max_query_bytes_read", &httpx.StoreError{Store: StoreName, Status: 400, Message: "the query would read too many bytes (query: 12 GB, limit: 10 GB); consider adding more specific stream selectors or reduce the time range of the query"}, true},
		{"max_querier_bytes_read", &httpx.StoreError{Store: StoreName, Status: 400, Message: "query too large to execute on a single querier: (query: 200 GB, limit: 150 GB); consider adding more specific stream selectors, reduce the time range of the query, or adjust parallelization settings"}, true},
		{"un-shardable", &httpx.StoreError{Store: StoreName, Status: 400, Message: "un-shardable query too large to execute on a single querier: (query: 200 GB, limit: 150 GB); consider adding more specific stream selectors or reduce the time range of the query"}, true},
		{"max_chunks_per_query", &httpx.StoreError{Store: StoreName, Status: 400, Message: "the query hit the max number of chunks limit (limit: 2000000 chunks)"}, true},
		{"parse error", &httpx.StoreError{Store: StoreName, Status: 400, Message: "parse error at line 1, col 27: syntax error: unexpected |"}, false},
		{"no org id", &httpx.StoreError{Store: StoreName, Status: 400, Message: "no org id"}, false},
		{"limit words with another status", &httpx.StoreError{Store: StoreName, Status: 500, Message: "the query time range exceeds the limit"}, false},
		{"timeout", &httpx.StoreError{Store: StoreName, Message: "no answer within 30s (context deadline exceeded)", Timeout: true}, false},
		{"wrapped", fmt.Errorf("lines: %w", &httpx.StoreError{Store: StoreName, Status: 400, Message: "the query time range exceeds the limit (query length: 48h, limit: 24h)"}), true},
		{"not a store error", fmt.Errorf("the query time range exceeds the limit"), false},
		{"nil", nil, false},
	}
	for _, tc := range tests {
		if got := RefusedForRange(tc.err); got != tc.want {
			t.Errorf("%s: RefusedForRange = %t, want %t", tc.name, got, tc.want)
		}
	}
}

// TestLongestRange reads the store's max_query_length from its refusal, written as
// Prometheus' model.Duration writes it, less what the store measured beyond the range
// asked (10 h here).
func TestLongestRange(t *testing.T) {
	refusal := func(length, limit string) error {
		return &httpx.StoreError{Store: StoreName, Status: 400, Message: "the query time range exceeds the limit (query length: " + length + ", limit: " + limit + ")"}
	}
	const asked = 10 * time.Hour
	tests := []struct {
		name string
		err  error
		want time.Duration
	}{
		{"default limit", refusal("10h0m0s", "30d1h"), 721 * time.Hour},
		{"log query, 30 s more", refusal("10h0m30s", "2h"), 2*time.Hour - 30*time.Second},
		{"metric query, range and step more", refusal("10h1m6s", "2h"), 2*time.Hour - 66*time.Second},
		{"hours", refusal("10h0m0s", "721h"), 721 * time.Hour},
		{"week", refusal("10h0m0s", "1w"), 7 * 24 * time.Hour},
		{"every unit", refusal("10h0m0s", "1y1w1d1h1m1s1ms"), 365*24*time.Hour + 8*24*time.Hour + time.Hour + time.Minute + time.Second + time.Millisecond},
		{"wrapped", fmt.Errorf("x: %w", refusal("10h0m0s", "2h")), 2 * time.Hour},
		{"measured longer than the limit", refusal("12h0m0s", "1h"), 0},
		{"unreadable limit", refusal("10h0m0s", "2 hours"), 0},
		{"units out of order", refusal("10h0m0s", "1h1d"), 0},
		{"other status", &httpx.StoreError{Store: StoreName, Status: 500, Message: "the query time range exceeds the limit (query length: 10h0m0s, limit: 2h)"}, 0},
		{"bytes limit", &httpx.StoreError{Store: StoreName, Status: 400, Message: "the query would read too many bytes (query: 12 GB, limit: 10 GB)"}, 0},
		{"nil", nil, 0},
	}
	for _, tc := range tests {
		if got := LongestRange(tc.err, asked); got != tc.want {
			t.Errorf("%s: LongestRange = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// FuzzLongestRange: whatever the store's 400 says, reading it never panics, and the
// range it gives is never negative nor longer than the limit the message names.
func FuzzLongestRange(f *testing.F) {
	f.Add("the query time range exceeds the limit (query length: 30m30s, limit: 30m)", int64(30*time.Minute))
	f.Add("the query time range exceeds the limit (query length: 800h0m30s, limit: 30d1h)", int64(800*time.Hour))
	f.Add("the query time range exceeds the limit (query length: 1.5µs, limit: 9999999999999y)", int64(1))
	f.Add("parse error at line 1", int64(time.Hour))
	f.Fuzz(func(t *testing.T, msg string, asked int64) {
		got := LongestRange(&httpx.StoreError{Store: StoreName, Status: http.StatusBadRequest, Message: msg}, time.Duration(asked))
		if got < 0 {
			t.Fatalf("LongestRange(%q) = %v", msg, got)
		}
		if m := maxQueryLengthRE.FindStringSubmatch(msg); m != nil && got > modelDuration(m[2]) {
			t.Fatalf("LongestRange(%q) = %v, longer than the limit %v", msg, got, modelDuration(m[2]))
		}
	})
}

// TestQueryRangeAsksAgainForFewerLinesWhenTheAnswerIsTooLarge: a page whose answer is
// larger than the client's limit on one answer is asked again for half as many lines, and
// the pages after it are no larger, so every line up to the limit is read; a metric query,
// whose answer does not shrink with the limit, is not asked again.
func TestQueryRangeAsksAgainForFewerLinesWhenTheAnswerIsTooLarge(t *testing.T) {
	lines := linesAt(span(0, 10)...)
	for i := range lines {
		lines[i].line += " " + strings.Repeat("x", 1000)
	}
	lk := newPagingLoki(t, 0, lines)
	// Three lines of about 1 KB fit in an answer, four do not.
	h, err := httpx.New(StoreName, settings.Store{URL: lk.srv.URL, Timeout: 5 * time.Second}, httpx.Options{MaxBody: 3500})
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(h)
	for _, direction := range []string{"backward", "forward"} {
		res, err := c.QueryRange(context.Background(), RangeRequest{
			Expr: "# the checkout service\n" + `{service_name=~".+"}`, Start: base, End: base.Add(time.Minute), Limit: 10, Direction: direction,
		})
		if err != nil {
			t.Fatalf("%s: %v", direction, err)
		}
		if got := linesRead(t, res); strings.Join(got, "|") != strings.Join(bodies(lines, span(0, 10)...), "|") || res.Incomplete != "" {
			t.Errorf("%s: %d lines, Incomplete %q, want all 10", direction, len(got), res.Incomplete)
		}
		asked := strings.Split(lk.asked(), ",")
		if strings.Join(asked[:3], ",") != "10,5,2" {
			t.Errorf("%s: limits asked %s, want 10, then 5, then 2 and no more", direction, lk.asked())
		}
		for _, a := range asked[3:] {
			if n, _ := strconv.Atoi(a); n > 2 {
				t.Errorf("%s: limits asked %s, want 10, then 5, then 2 and no more", direction, lk.asked())
				break
			}
		}
		lk.mu.Lock()
		lk.limits = nil
		lk.mu.Unlock()
	}

	// A metric query's answer: the store's matrix, larger than 50 bytes.
	tiny, err := httpx.New(StoreName, settings.Store{URL: lk.srv.URL, Timeout: 5 * time.Second}, httpx.Options{MaxBody: 50})
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewClient(tiny).QueryRange(context.Background(), RangeRequest{Expr: `count_over_time({a="b"}[1m])`, Start: base, End: base.Add(time.Minute), Limit: 10, Step: time.Minute})
	if !httpx.IsTooLarge(err) || !strings.Contains(err.Error(), "50 bytes") || !strings.Contains(err.Error(), "ask for less") {
		t.Errorf("metric query error %v, want the limit's, naming it and what to do", err)
	}
	if lk.asked() != "10" {
		t.Errorf("metric query: limits asked %s, want one call", lk.asked())
	}
}
