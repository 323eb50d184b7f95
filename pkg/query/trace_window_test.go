package query

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/prometheus"
	"github.com/latencylens/lens/pkg/stores/tracestore"
)

// windowTraceID is the trace the window tests ask for.
const windowTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"

// midnight is where the window tests' trace starts.
var midnight = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// oneTrace is a trace store holding one trace.
type oneTrace struct{ trace *model.Trace }

func (s oneTrace) Name() string { return "tempo" }
func (s oneTrace) Trace(_ context.Context, id string, _, _ time.Time) (*model.Trace, error) {
	if id != s.trace.TraceID {
		return nil, errors.New("tempo: HTTP 404: trace not found")
	}
	return s.trace, nil
}
func (oneTrace) Search(context.Context, tracestore.SearchParams) (*tracestore.SearchResult, error) {
	return nil, errors.New("not used")
}
func (oneTrace) Services(context.Context, time.Time, time.Time) ([]string, error) { return nil, nil }
func (oneTrace) Operations(context.Context, string, time.Time, time.Time) ([]string, error) {
	return nil, nil
}

// memLogs is an in-memory log store: one stream of lines, answered like query_range
// ([start, end) and the limit in the asked direction), with every request recorded.
type memLogs struct {
	mu    sync.Mutex
	lines []loki.Entry // oldest first
	reqs  []loki.RangeRequest
	// incomplete is put on every answer, as the client does when paging stopped early.
	incomplete string
	// fail, when set, answers request n (from 0) with its error instead, if not nil.
	fail func(n int, r loki.RangeRequest) error
	// deadlines records each request's context deadline (zero: none).
	deadlines []time.Time
}

func (m *memLogs) QueryRange(ctx context.Context, r loki.RangeRequest) (*loki.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reqs = append(m.reqs, r)
	dl, _ := ctx.Deadline()
	m.deadlines = append(m.deadlines, dl)
	if m.fail != nil {
		if err := m.fail(len(m.reqs)-1, r); err != nil {
			return nil, err
		}
	}
	var in []loki.Entry
	for _, e := range m.lines {
		if e.TimeUnixNano >= r.Start.UnixNano() && e.TimeUnixNano < r.End.UnixNano() {
			in = append(in, e)
		}
	}
	if r.Direction != "forward" {
		for i, j := 0, len(in)-1; i < j; i, j = i+1, j-1 {
			in[i], in[j] = in[j], in[i]
		}
	}
	if r.Limit > 0 && len(in) > r.Limit {
		in = in[:r.Limit]
	}
	return &loki.Result{
		ResultType: loki.ResultStreams, Categorized: true, Lines: len(in), Limit: r.Limit, Incomplete: m.incomplete,
		Streams: []loki.Stream{{Labels: map[string]string{"service_name": "checkout"}, Entries: in}},
	}, nil
}

func (*memLogs) Labels(context.Context, time.Time, time.Time) ([]string, error) { return nil, nil }
func (*memLogs) LabelValues(context.Context, string, string, time.Time, time.Time) ([]string, error) {
	return nil, nil
}

func traceLine(at time.Duration, body string) loki.Entry {
	return loki.Entry{
		TimeUnixNano:       midnight.Add(at).UnixNano(),
		Line:               body,
		StructuredMetadata: map[string]string{"trace_id": windowTraceID},
	}
}

func windowSettings(maxSpans, maxLines int) *settings.Settings {
	return &settings.Settings{
		TraceLogSelector: `{service_name=~".+"}`,
		Extraction:       settings.Extraction{Mode: settings.ExtractStructuredMetadata, TraceIDKey: "trace_id", SpanIDKey: "span_id"},
		MaxSpans:         maxSpans,
		MaxLogLines:      maxLines,
		LogWindowPadding: time.Minute,
	}
}

func kindFrame(t *testing.T, fs data.Frames, kind string) *data.Frame {
	t.Helper()
	for _, f := range fs {
		if m, ok := f.Meta.Custom.(map[string]any); ok && m[frames.LensKindKey] == kind {
			return f
		}
	}
	t.Fatalf("no %s frame", kind)
	return nil
}

func notices(f *data.Frame) string {
	var b strings.Builder
	if f.Meta != nil {
		for _, n := range f.Meta.Notices {
			b.WriteString(n.Text + "\n")
		}
	}
	return b.String()
}

// A trace from 00:00 to 01:00 whose first span lasts from 00:00:00 to 00:00:01: cut to
// maxSpans=1, only that span is left, yet the log window stays the whole trace's, plus
// padding.
func TestTraceLogWindowComesFromTheWholeTrace(t *testing.T) {
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{
		{TraceID: windowTraceID, SpanID: "00f067aa0ba902b7", Operation: "SELECT", Service: "db",
			StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Second)},
		{TraceID: windowTraceID, SpanID: "53995c3f42cd8ad8", Operation: "batch", Service: "checkout",
			StartUnixNano: midnight.Add(500 * time.Millisecond).UnixNano(), DurationNano: int64(time.Hour - 500*time.Millisecond)},
	}}
	lines := []loki.Entry{
		traceLine(-2*time.Minute, "before the padded window"),
		traceLine(-30*time.Second, "in the padding before the trace"),
		traceLine(5500*time.Millisecond, "during the short span"),
		traceLine(30*time.Minute, "half way through the trace"),
		traceLine(time.Hour+30*time.Second, "in the padding after the trace"),
		traceLine(time.Hour+2*time.Minute, "after the padded window"),
	}
	wantBodies := []string{"in the padding before the trace", "during the short span", "half way through the trace", "in the padding after the trace"}
	wantFrom, wantTo := midnight.Add(-time.Minute), midnight.Add(time.Hour+time.Minute)

	tests := []struct {
		name     string
		from, to time.Time // the request's range
		// wantReq: the last log request must ask for exactly the padded trace window
		// (otherwise the speculative fetch over the request's range is cut to it).
		wantReq bool
	}{
		{name: "no request range: the window is fetched", wantReq: true},
		{name: "request range covers the trace: the lines are cut to the window",
			from: midnight.Add(-3 * time.Hour), to: midnight.Add(3 * time.Hour)},
		{name: "request range covers only the short span: the window is fetched",
			from: midnight, to: midnight.Add(10 * time.Second), wantReq: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &memLogs{lines: lines}
			env := &Env{Settings: windowSettings(1, 100), Logs: logs, Traces: oneTrace{trace},
				MetricsErr: errors.New("prometheus: not configured")}
			no := false
			res := Trace(context.Background(), env, Request{
				Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeExemplars: &no},
				From:  tc.from, To: tc.to,
			})
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			sf := kindFrame(t, res.Frames, frames.KindSpans)
			if sf.Rows() != 1 || !strings.Contains(notices(sf), "spans truncated to the configured limit of 1 (the store returned 2)") {
				t.Errorf("spans: %d rows, notices %q", sf.Rows(), notices(sf))
			}
			lf := kindFrame(t, res.Frames, frames.KindLogs)
			got := fieldValues(t, lf, frames.LogBody)
			if strings.Join(got, "|") != strings.Join(wantBodies, "|") {
				t.Errorf("lines %q, want %q", got, wantBodies)
			}
			if tc.wantReq {
				last := logs.reqs[len(logs.reqs)-1]
				if !last.Start.Equal(wantFrom) || !last.End.Equal(wantTo.Add(time.Nanosecond)) {
					t.Errorf("log window [%s, %s), want [%s, %s]", last.Start, last.End, wantFrom, wantTo)
				}
			}
		})
	}
}

func fieldValues(t *testing.T, f *data.Frame, name string) []string {
	t.Helper()
	fld, _ := f.FieldByName(name)
	if fld == nil {
		t.Fatalf("frame %s has no field %s", f.Name, name)
	}
	out := make([]string, fld.Len())
	for i := range out {
		switch v := fld.At(i).(type) {
		case string:
			out[i] = v
		case *string:
			if v != nil {
				out[i] = *v
			}
		}
	}
	return out
}

// Lines the log store could not read in full (its paging stopped early): the logs frame
// says so with the figures, and a speculative fetch that stopped early is not trusted to
// cover the trace's window, which is fetched again.
func TestTraceLinesIncompleteAreAnnounced(t *testing.T) {
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{
		{TraceID: windowTraceID, SpanID: "53995c3f42cd8ad8", Operation: "batch", Service: "checkout",
			StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Hour)},
	}}
	logs := &memLogs{
		lines:      []loki.Entry{traceLine(time.Minute, "one"), traceLine(2*time.Minute, "two")},
		incomplete: "the store's time budget of 5s ran out after 2 pages",
	}
	env := &Env{Settings: windowSettings(10, 100), Logs: logs, Traces: oneTrace{trace},
		MetricsErr: errors.New("prometheus: not configured")}
	no := false
	res := Trace(context.Background(), env, Request{
		Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeExemplars: &no},
		From:  midnight.Add(-time.Hour), To: midnight.Add(2 * time.Hour),
	})
	lf := kindFrame(t, res.Frames, frames.KindLogs)
	want := "log lines incomplete: 2 shown of up to 100; the store's time budget of 5s ran out after 2 pages"
	if lf.Rows() != 2 || !strings.Contains(notices(lf), want) || strings.Contains(notices(lf), "truncated") {
		t.Errorf("%d rows, notices %q", lf.Rows(), notices(lf))
	}
	if len(logs.reqs) != 2 || !logs.reqs[1].Start.Equal(midnight.Add(-time.Minute)) {
		t.Errorf("log requests %+v: want the speculative one, then the trace's window", logs.reqs)
	}
}

// slowTrace answers like oneTrace after delay.
type slowTrace struct {
	oneTrace
	delay time.Duration
}

func (s slowTrace) Trace(ctx context.Context, id string, from, to time.Time) (*model.Trace, error) {
	time.Sleep(s.delay)
	return s.oneTrace.Trace(ctx, id, from, to)
}

// A failed fetch over the request's range is fetched again for the trace's own window
// only when Loki refused the range as too long for its limits; a refusal of the query, a
// timeout or a store that is down is the logs part's answer after one call. Both fetches
// run under one deadline, the log store's timeout from the first.
func TestTraceLinesFetchedAgainOnlyWhenTheWindowCanHelp(t *testing.T) {
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{
		{TraceID: windowTraceID, SpanID: "53995c3f42cd8ad8", Operation: "batch", Service: "checkout",
			StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Hour)},
	}}
	lines := []loki.Entry{
		traceLine(-2*time.Minute, "before the padded window"),
		traceLine(-30*time.Second, "in the padding before the trace"),
		traceLine(30*time.Minute, "half way through the trace"),
		traceLine(time.Hour+30*time.Second, "in the padding after the trace"),
		traceLine(time.Hour+2*time.Minute, "after the padded window"),
	}
	lokiErr := func(status int, msg string) error {
		return &httpx.StoreError{Store: loki.StoreName, Status: status, Message: msg, Timeout: status == 0}
	}
	rangeLimit := func(_ int, r loki.RangeRequest) error {
		if r.End.Sub(r.Start) > 2*time.Hour {
			return lokiErr(400, "the query time range exceeds the limit (query length: "+r.End.Sub(r.Start).String()+", limit: 2h0m0s)")
		}
		return nil
	}
	firstFails := func(err error) func(int, loki.RangeRequest) error {
		return func(n int, _ loki.RangeRequest) error {
			if n == 0 {
				return err
			}
			return nil
		}
	}
	tests := []struct {
		name       string
		fail       func(int, loki.RangeRequest) error
		maxLines   int
		timeout    time.Duration
		traceDelay time.Duration
		wantCalls  int
		wantRows   int
		wantNotice []string
	}{
		{name: "query refused", fail: firstFails(lokiErr(400, "parse error at line 1, col 27: syntax error: unexpected |")),
			wantCalls: 1, wantNotice: []string{"loki: HTTP 400: parse error"}},
		{name: "timed out", fail: firstFails(lokiErr(0, "no answer within 1h0m0s (context deadline exceeded)")),
			wantCalls: 1, wantNotice: []string{"loki: no answer within"}},
		{name: "store down", fail: firstFails(lokiErr(503, "Service Unavailable")),
			wantCalls: 1, wantNotice: []string{"loki: HTTP 503"}},
		{name: "range too long for the store's limit: the window is fetched", fail: rangeLimit,
			// The two lines in the padding lie outside the trace's only span.
			wantCalls: 2, wantRows: 3, wantNotice: []string{"2 of 3 lines joined no span: 2 without a span ID fall outside every span"}},
		{name: "range too long, and the budget spent waiting for the trace", fail: rangeLimit,
			timeout: 20 * time.Millisecond, traceDelay: 60 * time.Millisecond,
			wantCalls: 1, wantNotice: []string{"the query time range exceeds the limit", "time budget of 20ms ran out"}},
		{name: "window fetch after a cut fails: the lines read are kept", maxLines: 2,
			fail: func(n int, _ loki.RangeRequest) error {
				if n == 1 {
					return lokiErr(503, "Service Unavailable")
				}
				return nil
			},
			wantCalls: 2, wantRows: 1, wantNotice: []string{"truncated", "could not be fetched (loki: HTTP 503"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &memLogs{lines: lines, fail: tc.fail}
			st := windowSettings(10, 100)
			if tc.maxLines > 0 {
				st.MaxLogLines = tc.maxLines
			}
			st.Logs.Timeout = time.Hour
			if tc.timeout > 0 {
				st.Logs.Timeout = tc.timeout
			}
			env := &Env{Settings: st, Logs: logs, Traces: slowTrace{oneTrace{trace}, tc.traceDelay},
				MetricsErr: errors.New("prometheus: not configured")}
			no := false
			res := Trace(context.Background(), env, Request{
				Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeExemplars: &no},
				From:  midnight.Add(-3 * time.Hour), To: midnight.Add(3 * time.Hour),
			})
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			lf := kindFrame(t, res.Frames, frames.KindLogs)
			if len(logs.reqs) != tc.wantCalls {
				t.Fatalf("%d log requests, want %d", len(logs.reqs), tc.wantCalls)
			}
			if tc.wantCalls == 2 {
				if last := logs.reqs[1]; !last.Start.Equal(midnight.Add(-time.Minute)) {
					t.Errorf("second request from %s, want the trace's padded window", last.Start)
				}
				if !logs.deadlines[1].Equal(logs.deadlines[0]) || logs.deadlines[0].IsZero() {
					t.Errorf("deadlines %v: both fetches must share the first's", logs.deadlines)
				}
			}
			if lf.Rows() != tc.wantRows {
				t.Errorf("%d lines, want %d (notices %q)", lf.Rows(), tc.wantRows, notices(lf))
			}
			for _, w := range tc.wantNotice {
				if !strings.Contains(notices(lf), w) {
					t.Errorf("notices %q lack %q", notices(lf), w)
				}
			}
			if len(tc.wantNotice) == 0 && notices(lf) != "" {
				t.Errorf("unexpected notices %q", notices(lf))
			}
		})
	}
}

// A line that mentions this trace's ID in its body but carries another trace's ID in its
// field is not one of this trace's lines: extraction keeps the lines whose ID normalises
// to the asked one, whatever the log store's filter matched.
func TestTraceLineWithAnotherTracesIDIsNotItsLine(t *testing.T) {
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{
		{TraceID: windowTraceID, SpanID: "53995c3f42cd8ad8", Operation: "GET /", Service: "checkout",
			StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Hour)},
	}}
	other := traceLine(time.Minute, "retrying after "+strings.ToUpper(windowTraceID))
	other.StructuredMetadata = map[string]string{"trace_id": "0af7651916cd43dd8448eb211c80319c"}
	mine := traceLine(2*time.Minute, "mine")
	mine.StructuredMetadata = map[string]string{"trace_id": "S/kvNXezTaajzpKdDg5HNg=="}
	env := &Env{Settings: windowSettings(10, 100), Logs: &memLogs{lines: []loki.Entry{other, mine}}, Traces: oneTrace{trace},
		MetricsErr: errors.New("prometheus: not configured")}
	no := false
	res := Trace(context.Background(), env, Request{
		Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeExemplars: &no},
		From:  midnight.Add(-time.Hour), To: midnight.Add(2 * time.Hour),
	})
	lf := kindFrame(t, res.Frames, frames.KindLogs)
	if got := fieldValues(t, lf, frames.LogBody); strings.Join(got, "|") != "mine" {
		t.Errorf("lines %q", got)
	}
}

// rangeExemplars is a Prometheus holding exemplars: query_exemplars returns those in
// [start, end], parsed from the documented JSON (so the trace ID label goes through the
// normaliser as written), with every request and its deadline recorded.
type rangeExemplars struct {
	fakeProm
	mu        sync.Mutex
	asked     [][2]time.Time
	deadlines []time.Time
	// fail, when set, answers request n (from 0) with its error instead, if not nil.
	fail   func(n int) error
	points []exemplarAt
}

type exemplarAt struct {
	at  time.Time
	tid string
}

func (p *rangeExemplars) Exemplars(ctx context.Context, _ string, start, end time.Time) (*prometheus.ExemplarSet, error) {
	p.mu.Lock()
	n := len(p.asked)
	p.asked = append(p.asked, [2]time.Time{start, end})
	dl, _ := ctx.Deadline()
	p.deadlines = append(p.deadlines, dl)
	p.mu.Unlock()
	if p.fail != nil {
		if err := p.fail(n); err != nil {
			return nil, err
		}
	}
	var ex []string
	for _, e := range p.points {
		if !e.at.Before(start) && !e.at.After(end) {
			ex = append(ex, fmt.Sprintf(`{"labels":{"trace_id":%q},"value":"0.25","timestamp":%.3f}`, e.tid, float64(e.at.UnixMilli())/1e3))
		}
	}
	body := `{"status":"success","data":[{"seriesLabels":{"__name__":"http_duration_seconds_bucket","le":"0.5"},"exemplars":[` + strings.Join(ex, ",") + `]}]}`
	return prometheus.ParseExemplars([]byte(body))
}

// The trace (00:00–01:00) is often opened from a dashboard whose range is elsewhere, as
// the *Trace* dashboard does with $traceId. Its exemplars (recorded while its requests
// ran) come from the trace's own window plus padding, as its lines do: the fetch over the
// request's range is cut to that window, or, when it does not cover it, the window is
// fetched again under the same time budget, the metrics store's timeout. A failed fetch
// is the exemplars part's answer after one call.
func TestTraceExemplarsComeFromTheTracesWindow(t *testing.T) {
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{
		{TraceID: windowTraceID, SpanID: "53995c3f42cd8ad8", Operation: "GET /", Service: "checkout",
			StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Hour)},
	}}
	points := []exemplarAt{
		{midnight.Add(-2 * time.Minute), windowTraceID},                  // before the padded window
		{midnight.Add(10 * time.Minute), strings.ToUpper(windowTraceID)}, // the normaliser reads it
		{midnight.Add(40 * time.Minute), "0af7651916cd43dd8448eb211c80319c"},
		{midnight.Add(time.Hour + 30*time.Second), windowTraceID}, // in the padding
		{midnight.Add(2 * time.Hour), windowTraceID},              // after the padded window
	}
	promErr := func(status int, msg string) error {
		return &httpx.StoreError{Store: prometheus.StoreName, Status: status, Message: msg, Timeout: status == 0}
	}
	firstFails := func(err error) func(int) error {
		return func(n int) error {
			if n == 0 {
				return err
			}
			return nil
		}
	}
	tests := []struct {
		name       string
		from, to   time.Time // the request's range
		fail       func(int) error
		timeout    time.Duration
		traceDelay time.Duration
		traceID    string // asked for when not the window trace's
		wantCalls  int
		wantTimes  []time.Duration // after midnight
		wantNotice []string
	}{
		{name: "request range covers the trace: cut to the window",
			from: midnight.Add(-3 * time.Hour), to: midnight.Add(3 * time.Hour),
			wantCalls: 1, wantTimes: []time.Duration{10 * time.Minute, time.Hour + 30*time.Second}},
		{name: "request range elsewhere: the window is fetched",
			from: midnight.Add(5 * time.Hour), to: midnight.Add(6 * time.Hour),
			wantCalls: 2, wantTimes: []time.Duration{10 * time.Minute, time.Hour + 30*time.Second}},
		{name: "request range covers part of the trace: the window is fetched",
			from: midnight.Add(30 * time.Minute), to: midnight.Add(6 * time.Hour),
			wantCalls: 2, wantTimes: []time.Duration{10 * time.Minute, time.Hour + 30*time.Second}},
		{name: "refused", from: midnight.Add(5 * time.Hour), to: midnight.Add(6 * time.Hour),
			fail:      firstFails(promErr(400, "bad_data: invalid parameter \"query\"")),
			wantCalls: 1, wantNotice: []string{"prometheus: HTTP 400"}},
		{name: "timed out", from: midnight.Add(5 * time.Hour), to: midnight.Add(6 * time.Hour),
			fail:      firstFails(promErr(0, "no answer within 1h0m0s (context deadline exceeded)")),
			wantCalls: 1, wantNotice: []string{"prometheus: no answer within"}},
		{name: "window fetch fails: the exemplars read within the window are kept",
			from: midnight.Add(30 * time.Minute), to: midnight.Add(6 * time.Hour),
			fail: func(n int) error {
				if n == 1 {
					return promErr(503, "Service Unavailable")
				}
				return nil
			},
			wantCalls: 2, wantTimes: []time.Duration{time.Hour + 30*time.Second},
			wantNotice: []string{"could not be fetched (prometheus: HTTP 503"}},
		{name: "budget spent waiting for the trace", from: midnight.Add(30 * time.Minute), to: midnight.Add(6 * time.Hour),
			timeout: 20 * time.Millisecond, traceDelay: 60 * time.Millisecond,
			wantCalls: 1, wantTimes: []time.Duration{time.Hour + 30*time.Second},
			wantNotice: []string{"time budget of 20ms ran out"}},
		{name: "trace not found: the request's range", from: midnight.Add(-3 * time.Hour), to: midnight.Add(3 * time.Hour),
			traceID: "0af7651916cd43dd8448eb211c80319c", wantCalls: 1, wantTimes: []time.Duration{40 * time.Minute},
			wantNotice: []string{"the trace could not be read"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prom := &rangeExemplars{points: points, fail: tc.fail}
			st := windowSettings(10, 100)
			st.Metrics.Timeout = time.Hour
			if tc.timeout > 0 {
				st.Metrics.Timeout = tc.timeout
			}
			env := &Env{Settings: st, Logs: &memLogs{}, Traces: slowTrace{oneTrace{trace}, tc.traceDelay}, Metrics: prom}
			id := windowTraceID
			if tc.traceID != "" {
				id = tc.traceID
			}
			yes, no := true, false
			res := Trace(context.Background(), env, Request{
				Query: &Query{QueryType: TypeTrace, TraceID: id, IncludeExemplars: &yes, IncludeLogs: &no},
				From:  tc.from, To: tc.to,
			})
			ef := kindFrame(t, res.Frames, frames.KindExemplars)
			if len(prom.asked) != tc.wantCalls {
				t.Fatalf("%d exemplar requests %v, want %d", len(prom.asked), prom.asked, tc.wantCalls)
			}
			if tc.wantCalls == 2 {
				if w := prom.asked[1]; !w[0].Equal(midnight.Add(-time.Minute)) || !w[1].Equal(midnight.Add(time.Hour+time.Minute)) {
					t.Errorf("second request for %v, want the trace's padded window", w)
				}
				if !prom.deadlines[1].Equal(prom.deadlines[0]) || prom.deadlines[0].IsZero() {
					t.Errorf("deadlines %v: both fetches must share the first's", prom.deadlines)
				}
			}
			tf, _ := ef.FieldByName(frames.ExemplarTime)
			var got []time.Duration
			for i := 0; i < ef.Rows(); i++ {
				got = append(got, tf.At(i).(time.Time).Sub(midnight))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.wantTimes) {
				t.Errorf("exemplars at %v, want %v (notices %q)", got, tc.wantTimes, notices(ef))
			}
			for _, w := range tc.wantNotice {
				if !strings.Contains(notices(ef), w) {
					t.Errorf("notices %q lack %q", notices(ef), w)
				}
			}
			if len(tc.wantNotice) == 0 && notices(ef) != "" {
				t.Errorf("unexpected notices %q", notices(ef))
			}
		})
	}
}

// slowLogs is memLogs answering after delay.
type slowLogs struct {
	*memLogs
	delay time.Duration
}

func (s slowLogs) QueryRange(ctx context.Context, r loki.RangeRequest) (*loki.Result, error) {
	time.Sleep(s.delay)
	return s.memLogs.QueryRange(ctx, r)
}

// The exemplars' second fetch, for the trace's window, waits for the trace only, not for
// the other parts: a slow log store (well within its own timeout) does not spend the
// metrics store's budget, and the exemplars of the trace's window are fetched.
func TestTraceSlowLogStoreLeavesExemplarsBudget(t *testing.T) {
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{
		{TraceID: windowTraceID, SpanID: "53995c3f42cd8ad8", Operation: "GET /", Service: "checkout",
			StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Hour)},
	}}
	prom := &rangeExemplars{points: []exemplarAt{
		{midnight.Add(10 * time.Minute), windowTraceID},
		{midnight.Add(time.Hour + 30*time.Second), windowTraceID},
	}}
	st := windowSettings(10, 100)
	st.Metrics.Timeout = 100 * time.Millisecond
	st.Logs.Timeout = time.Hour
	env := &Env{Settings: st, Logs: slowLogs{&memLogs{}, 300 * time.Millisecond}, Traces: oneTrace{trace}, Metrics: prom}
	yes := true
	res := Trace(context.Background(), env, Request{
		Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeExemplars: &yes, IncludeLogs: &yes},
		// Covers only part of the trace (00:00-01:00): the window must be fetched again.
		From: midnight.Add(30 * time.Minute), To: midnight.Add(6 * time.Hour),
	})
	ef := kindFrame(t, res.Frames, frames.KindExemplars)
	tf, _ := ef.FieldByName(frames.ExemplarTime)
	var got []time.Duration
	for i := 0; i < ef.Rows(); i++ {
		got = append(got, tf.At(i).(time.Time).Sub(midnight))
	}
	if want := []time.Duration{10 * time.Minute, time.Hour + 30*time.Second}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("exemplars at %v, want %v; %d exemplar requests; notices %q", got, want, len(prom.asked), notices(ef))
	}
	if strings.Contains(notices(ef), "budget") {
		t.Errorf("the exemplars part blames its budget for the log store's slowness: %q", notices(ef))
	}
}

// TestTraceLinesThatJoinNoSpanAreAnnounced: a line naming a span the spans frame lacks
// (cut by the span limit here) and a line without a span ID outside every span stay in
// the logs frame without a span; the frame says how many and why, so that a user looking
// for them in the waterfall knows where they went.
func TestTraceLinesThatJoinNoSpanAreAnnounced(t *testing.T) {
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{
		{TraceID: windowTraceID, SpanID: "53995c3f42cd8ad8", Operation: "GET /", Service: "checkout",
			StartUnixNano: midnight.Add(10 * time.Minute).UnixNano(), DurationNano: int64(time.Minute)},
		{TraceID: windowTraceID, SpanID: "00f067aa0ba902b7", ParentSpanID: "53995c3f42cd8ad8", Operation: "SELECT", Service: "db",
			StartUnixNano: midnight.Add(10 * time.Minute).UnixNano(), DurationNano: int64(30 * time.Second)},
	}}
	withSpan := func(at time.Duration, body, span string) loki.Entry {
		e := traceLine(at, body)
		e.StructuredMetadata = map[string]string{"trace_id": windowTraceID, "span_id": span}
		return e
	}
	lines := []loki.Entry{
		traceLine(9*time.Minute+30*time.Second, "before every span"),
		withSpan(10*time.Minute+time.Second, "in the root", "53995c3f42cd8ad8"),
		withSpan(10*time.Minute+2*time.Second, "in the cut span", "00f067aa0ba902b7"),
		traceLine(10*time.Minute+3*time.Second, "placed by time"),
	}
	run := func(maxSpans int) string {
		env := &Env{Settings: windowSettings(maxSpans, 100), Logs: &memLogs{lines: lines}, Traces: oneTrace{trace},
			MetricsErr: errors.New("prometheus: not configured")}
		no := false
		res := Trace(context.Background(), env, Request{
			Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeExemplars: &no},
			From:  midnight.Add(-time.Hour), To: midnight.Add(2 * time.Hour),
		})
		lf := kindFrame(t, res.Frames, frames.KindLogs)
		if n := lf.Rows(); n != len(lines) {
			t.Fatalf("%d lines in the logs frame, want all %d", n, len(lines))
		}
		return notices(lf)
	}
	got := run(1)
	for _, want := range []string{"2 of 4 lines joined no span", "1 names a span the spans frame lacks (the span limit cut 1 of 2 spans)", "1 without a span ID falls outside every span"} {
		if !strings.Contains(got, want) {
			t.Errorf("notices %q, want %q", got, want)
		}
	}
	// With both spans, only the line before them joins none.
	got = run(10)
	if !strings.Contains(got, "1 of 4 lines joined no span: 1 without a span ID falls outside every span") || strings.Contains(got, "names a span") {
		t.Errorf("notices %q", got)
	}
}

// TestTraceParentLoopsAreAnnounced: spans whose parent IDs loop back to themselves are
// kept, and the spans frame names them: Grafana's trace view builds its tree from the
// parent IDs and leaves such spans out without a word.
func TestTraceParentLoopsAreAnnounced(t *testing.T) {
	span := func(id, parent string) model.Span {
		return model.Span{TraceID: windowTraceID, SpanID: id, ParentSpanID: parent, Operation: "op", Service: "svc",
			StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Second)}
	}
	run := func(spans ...model.Span) (*data.Frame, string) {
		env := &Env{Settings: windowSettings(100, 100), Traces: oneTrace{&model.Trace{TraceID: windowTraceID, Spans: spans}},
			LogsErr: errors.New("loki: not configured"), MetricsErr: errors.New("prometheus: not configured")}
		no := false
		res := Trace(context.Background(), env, Request{
			Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeExemplars: &no, IncludeLogs: &no},
			From:  midnight.Add(-time.Hour), To: midnight.Add(time.Hour),
		})
		sf := kindFrame(t, res.Frames, frames.KindSpans)
		return sf, notices(sf)
	}
	sf, got := run(span("00000000000000a1", ""), span("00000000000000b2", "00000000000000c3"), span("00000000000000c3", "00000000000000b2"))
	if sf.Rows() != 3 || !strings.Contains(got, "2 spans are their own ancestor") || !strings.Contains(got, "00000000000000b2, 00000000000000c3") {
		t.Errorf("%d rows, notices %q", sf.Rows(), got)
	}
	if _, got := run(span("00000000000000a1", ""), span("00000000000000b2", "00000000000000a1")); strings.Contains(got, "ancestor") {
		t.Errorf("a tree announced as a loop: %q", got)
	}
}

// panickyTrace is a trace store whose Trace panics, as a parser bug on hostile input would.
type panickyTrace struct{ oneTrace }

func (panickyTrace) Trace(context.Context, string, time.Time, time.Time) (*model.Trace, error) {
	panic("parser bug")
}

// TestTracePanicInAPartReachesTheCaller: each part of a trace query runs on a goroutine of
// its own, where a panic would end the plugin process; it is raised again on the query's
// goroutine, whose recover (pkg/plugin) answers it as that query's error.
func TestTracePanicInAPartReachesTheCaller(t *testing.T) {
	env := &Env{Settings: windowSettings(10, 100), Logs: &memLogs{}, Traces: panickyTrace{},
		MetricsErr: errors.New("prometheus: not configured")}
	var p any
	func() {
		defer func() { p = recover() }()
		Trace(context.Background(), env, Request{Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID},
			From: midnight.Add(-time.Hour), To: midnight.Add(time.Hour)})
	}()
	if s, _ := p.(string); s != "parser bug" {
		t.Fatalf("recovered %v, want the store's panic", p)
	}
}
