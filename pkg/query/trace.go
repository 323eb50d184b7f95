package query

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/join"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/parallel"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/prometheus"
	"github.com/latencylens/lens/pkg/traceid"
)

// maxSpeculativeLogRange bounds the request range over which a trace's lines are fetched
// before the trace's own window is known.
const maxSpeculativeLogRange = 24 * time.Hour

// Trace answers a `trace` query. The trace, its log lines and its exemplars are fetched
// concurrently, each under its store's deadline; a part that must fetch again for the
// trace's window waits for the trace only, never for another part:
//   - the trace from the trace store;
//   - the lines carrying the trace ID over the request's range (at most a day), which
//     are then cut to the trace's own [start-padding, end+padding]; when that window is
//     not covered, the store hit the line limit, or the store refused the range as too
//     long for its limits, the lines are fetched again for exactly that window (so the
//     window always comes from the trace itself). Both fetches share one time budget,
//     the log store's timeout, and a fetch that failed otherwise (refused, timed out,
//     store down) is not repeated: its error is the logs part's answer;
//   - exemplars of the configured histogram metrics whose trace ID is this one, over the
//     request's range (padded as the lines' is), then cut to the same trace window; when
//     that range does not cover the window, the exemplars are fetched again for exactly
//     the window. Both fetches share one time budget, the metrics store's timeout, and a
//     failed fetch is not repeated: its error is the exemplars part's answer.
//
// A failing store leaves an error notice on its own frame; the others still come back.
func Trace(ctx context.Context, env *Env, r Request) backend.DataResponse {
	q := r.Query
	id, err := traceid.Normalize(q.TraceID)
	if err != nil {
		return errorResponse(badQuery("trace query: %v", err))
	}
	st := env.Settings
	// A part the query leaves to its default is left out when its store is not set up at
	// all (a data source with a trace store only), rather than answered with an error for
	// a store nobody configured. Asked for by name, or with a store whose settings are
	// wrong, the part comes back with the error that says what is missing.
	wantLogs := on(q.IncludeLogs) && (q.IncludeLogs != nil || env.Logs != nil || env.LogsErr != nil)
	wantEx := on(q.IncludeExemplars) && (q.IncludeExemplars != nil || env.Metrics != nil || env.MetricsErr != nil)

	// Each part runs in its own goroutine; a part's second fetch waits only for the trace
	// (whose window it needs) and its own first fetch, never for another store.
	var (
		g          parallel.Group
		traceDone  = make(chan struct{})
		trace      *model.Trace
		traceErr   error
		traceStart int64
		traceEnd   int64
		lines      logFetch
		ex         []model.Exemplar
		exErr      error
		exNote     string
	)
	g.Go(func() {
		defer close(traceDone)
		ts, err := env.traces()
		if err != nil {
			traceErr = err
			return
		}
		trace, traceErr = ts.Trace(ctx, id, time.Time{}, time.Time{})
		// The window is the whole trace's [start, end], read before the spans are cut to
		// maxSpans: the spans left after the cut may cover only part of the trace.
		if traceErr == nil && trace != nil {
			traceStart, traceEnd = trace.Bounds()
		}
	})
	// traceWindow waits for the trace and tells whether it has spans, and its window
	// with padding.
	traceWindow := func() (ok bool, from, to time.Time) {
		<-traceDone
		if traceErr != nil || trace == nil || traceStart <= 0 {
			// No spans, or none with a start time: the window is not known.
			return false, time.Time{}, time.Time{}
		}
		return true, time.Unix(0, traceStart).Add(-st.LogWindowPadding), time.Unix(0, traceEnd).Add(st.LogWindowPadding)
	}
	if wantLogs {
		g.Go(func() { lines = traceLinesPart(ctx, env, id, r, traceWindow) })
	}
	if wantEx {
		g.Go(func() { ex, exErr, exNote = traceExemplarsPart(ctx, env, id, r, traceWindow) })
	}
	g.Wait()

	resp := backend.DataResponse{}
	var spans []model.Span
	spansTotal := 0
	if traceErr == nil && trace != nil {
		spans, spansTotal = trace.Spans, len(trace.Spans)
		if st.MaxSpans > 0 && len(spans) > st.MaxSpans {
			spans = earliestSpans(spans, st.MaxSpans)
		}
	}

	logLines, faults := loki.Plain(lines.lines)
	var j *join.Result
	if len(logLines) > 0 && len(spans) > 0 {
		j = join.Join(spans, logLines)
	}
	spanJoin := j
	if !on(q.LinesInSpanLogs) {
		spanJoin = nil // the lines stay in the logs frame, each with its span's ID
	}
	sf := frames.Spans(spans, logLines, spanJoin, env.Links)
	switch {
	case traceErr != nil:
		frames.StoreFailed(sf, traceErr)
		er := errorResponse(traceErr) // a store's failure, or the store's own settings
		resp.Error, resp.ErrorSource, resp.Status = traceErr, er.ErrorSource, er.Status
	default:
		for _, w := range trace.Warnings {
			frames.Notice(sf, data.NoticeSeverityWarning, "%s", w)
		}
		if spansTotal > len(spans) {
			frames.Notice(sf, data.NoticeSeverityWarning, "spans truncated to the configured limit of %d (the store returned %d): the %d that start first are shown",
				st.MaxSpans, spansTotal, len(spans))
		}
		if loop := model.ParentCycles(spans); len(loop) > 0 {
			frames.Notice(sf, data.NoticeSeverityWarning, "%d spans are their own ancestor, their parent IDs going round in a loop (%s); "+
				"Grafana's trace view leaves them out of its tree", len(loop), firstIDs(loop, 5))
		}
		if unstarted := spansWithoutStart(spans); len(unstarted) > 0 {
			frames.Notice(sf, data.NoticeSeverityWarning, "%d %s no start time (%s): Grafana's trace view leaves %s out",
				len(unstarted), plural(len(unstarted), "span has", "spans have"), firstIDs(unstarted, 5), plural(len(unstarted), "it", "them"))
		}
		if rep := model.RepeatedSpanIDs(spans); len(rep) > 0 {
			frames.Notice(sf, data.NoticeSeverityWarning, "%d span %s more than once (%s): Grafana's trace view shows each repeat with "+
				"the service of the first span of that ID, and puts that ID's children, and the log lines naming it, under the first",
				len(rep), plural(len(rep), "ID occurs", "IDs occur"), firstIDs(rep, 5))
		}
	}
	resp.Frames = append(resp.Frames, sf)
	if wantLogs {
		lf := frames.Logs(logLines, spans, j, env.Links)
		switch {
		case lines.err != nil:
			frames.StoreFailed(lf, lines.err)
		case lines.truncated || lines.incomplete != "":
			announceLines(lf, "the configured limit", st.MaxLogLines, len(lines.lines), lines.truncated, lines.incomplete)
		}
		if lines.note != "" {
			frames.Notice(lf, data.NoticeSeverityInfo, "%s", lines.note)
		}
		spanFate := "joined to spans by time, not by span ID"
		if j == nil {
			spanFate = "shown without a span ID"
		}
		announceIDFaults(lf, faults, "kept as this trace's lines, since the log store found its ID in them", spanFate)
		announceUnjoined(lf, len(logLines), j, len(spans), spansTotal)
		resp.Frames = append(resp.Frames, lf)
	}
	if wantEx {
		ef := frames.Exemplars(ex, env.Links)
		if exErr != nil {
			frames.StoreFailed(ef, exErr)
		}
		if exNote != "" {
			frames.Notice(ef, data.NoticeSeverityInfo, "%s", exNote)
		}
		resp.Frames = append(resp.Frames, ef)
	}
	return resp
}

// announceUnjoined tells on the logs frame how many lines joined no span, and why: a line
// naming a span the spans frame lacks (cut by the span limit, or never sent by the trace
// store), or a line without a span ID outside every span's time. They stay in the frame.
func announceUnjoined(lf *data.Frame, lines int, j *join.Result, shown, total int) {
	if j == nil || j.Unmatched == 0 {
		return
	}
	named := j.UnknownSpan
	var why []string
	if named > 0 {
		w := fmt.Sprintf("%d %s a span the spans frame lacks", named, plural(named, "names", "name"))
		if total > shown {
			w += fmt.Sprintf(" (the span limit cut %d of %d spans)", total-shown, total)
		}
		why = append(why, w)
	}
	if other := j.Unmatched - named; other > 0 {
		why = append(why, fmt.Sprintf("%d without a span ID %s outside every span", other, plural(other, "falls", "fall")))
	}
	frames.Notice(lf, data.NoticeSeverityInfo, "%d of %d lines joined no span: %s", j.Unmatched, lines, strings.Join(why, "; "))
}

// earliestSpans returns the n spans that start first (ties: the earlier in spans; a span
// without a start time after every span with one), in their order in spans. A store lists
// a trace's spans by resource, not from its top (Tempo by service batch): its first n
// could leave out the root and the parents of the spans kept, and Grafana's trace view
// would show those as a forest of orphans. spans is not changed.
func earliestSpans(spans []model.Span, n int) []model.Span {
	if n >= len(spans) {
		return spans
	}
	start := func(i int) int64 {
		if s := spans[i].StartUnixNano; s > 0 {
			return s
		}
		return math.MaxInt64
	}
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(start(a), start(b)) })
	keep := order[:n]
	slices.Sort(keep)
	out := make([]model.Span, n)
	for k, i := range keep {
		out[k] = spans[i]
	}
	return out
}

// spansWithoutStart returns the IDs of the spans whose start time is 0, which Grafana's
// trace view drops.
func spansWithoutStart(spans []model.Span) []string {
	var out []string
	for i := range spans {
		if spans[i].StartUnixNano == 0 {
			out = append(out, spans[i].SpanID)
		}
	}
	return out
}

// firstIDs lists up to n IDs, and how many more there are.
func firstIDs(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:n], ", "), len(ids)-n)
}

// plural picks the verb form for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// traceLinesPart fetches the trace's lines: over the request's range (at most a day)
// at once, then, when the trace is known, cut to its window or fetched again for it;
// without a usable request range, only for the trace's window. Both fetches share one
// time budget, the log store's timeout.
func traceLinesPart(ctx context.Context, env *Env, id string, r Request, traceWindow func() (bool, time.Time, time.Time)) logFetch {
	st := env.Settings
	if r.From.IsZero() || r.To.Sub(r.From) > maxSpeculativeLogRange {
		ok, from, to := traceWindow()
		if !ok {
			return logFetch{err: fmt.Errorf("lines not fetched: the trace's time window is unknown")}
		}
		return fetchTraceLines(ctx, env, id, from, to)
	}
	logsCtx, cancel := context.WithTimeoutCause(ctx, storeTimeout(st.Logs), httpx.ErrStoreTimeout)
	defer cancel()
	spec := fetchTraceLines(logsCtx, env, id, r.From.Add(-st.LogWindowPadding), r.To.Add(st.LogWindowPadding))
	ok, from, to := traceWindow()
	if !ok {
		spec.note = "the trace could not be read, so its lines come from the request's time range"
		return spec
	}
	covered := !from.Before(r.From.Add(-st.LogWindowPadding)) && !to.After(r.To.Add(st.LogWindowPadding))
	switch {
	case spec.err == nil && !spec.truncated && spec.incomplete == "" && covered:
		return spec.within(from.UnixNano(), to.UnixNano())
	case spec.err != nil && !loki.RefusedForRange(spec.err):
		// The same expression over a narrower window is refused the same way, a timeout
		// has spent the budget, and a store that is down stays down.
		return spec
	case logsCtx.Err() != nil:
		lines := spec.within(from.UnixNano(), to.UnixNano())
		lines.note = fmt.Sprintf("the log store's time budget of %s ran out before the lines of the trace's own window could be fetched", storeTimeout(st.Logs))
		if spec.err == nil {
			lines.note += "; these are the lines of the request's time range within that window"
		}
		return lines
	}
	lines := fetchTraceLines(logsCtx, env, id, from, to)
	if lines.err != nil && spec.err == nil {
		// The lines already read are still this trace's: keep those in its window.
		note := fmt.Sprintf("the lines of the trace's own window could not be fetched (%v); these are the lines of the request's time range within that window", lines.err)
		lines = spec.within(from.UnixNano(), to.UnixNano())
		lines.note = note
	}
	return lines
}

// traceExemplarsPart fetches the exemplars carrying the trace ID over the request's
// range (padded as the lines' is; the last hour without one) at once, then, when the
// trace is known, cuts them to its window or fetches that window again. Both fetches
// share one time budget, the metrics store's timeout; a failed first fetch is the
// answer (refused, timed out or down: a narrower window does not change that).
func traceExemplarsPart(ctx context.Context, env *Env, id string, r Request, traceWindow func() (bool, time.Time, time.Time)) (ex []model.Exemplar, err error, note string) {
	st := env.Settings
	exCtx, cancel := context.WithTimeoutCause(ctx, storeTimeout(st.Metrics), httpx.ErrStoreTimeout)
	defer cancel()
	exFrom, exTo := r.From, r.To
	if exFrom.IsZero() {
		exTo = time.Now()
		exFrom = exTo.Add(-time.Hour)
	}
	exFrom, exTo = exFrom.Add(-st.LogWindowPadding), exTo.Add(st.LogWindowPadding)
	set, err := traceExemplars(exCtx, env, exFrom, exTo)
	ex = exemplarsOf(set, id)
	if err != nil {
		return ex, err, ""
	}
	ok, from, to := traceWindow()
	if !ok {
		return ex, nil, "the trace could not be read, so its exemplars come from the request's time range"
	}
	// Prometheus gives an exemplar exported without its own timestamp the scrape's
	// (model/exemplar), up to a scrape interval after the request it records: the
	// padding covers that.
	switch {
	case !from.Before(exFrom) && !to.After(exTo):
	case exCtx.Err() != nil:
		note = fmt.Sprintf("the metrics store's time budget of %s ran out before the exemplars of the trace's own window could be fetched; these are the exemplars of the request's time range within that window", storeTimeout(st.Metrics))
	default:
		set, werr := traceExemplars(exCtx, env, from, to)
		if werr == nil {
			ex = exemplarsOf(set, id)
		} else {
			note = fmt.Sprintf("the exemplars of the trace's own window could not be fetched (%v); these are the exemplars of the request's time range within that window", werr)
		}
	}
	return exemplarsWithin(ex, from.UnixNano(), to.UnixNano()), nil, note
}

// storeTimeout is a store's timeout, which its client applies to each call.
func storeTimeout(s settings.Store) time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return settings.DefaultTimeout
}

// exemplarsOf keeps the exemplars whose trace ID is id.
func exemplarsOf(set *prometheus.ExemplarSet, id string) []model.Exemplar {
	if set == nil {
		return nil
	}
	var out []model.Exemplar
	for _, e := range set.Exemplars {
		if e.TraceID == id {
			out = append(out, e)
		}
	}
	return out
}

// exemplarsWithin keeps the exemplars in [from, to].
func exemplarsWithin(ex []model.Exemplar, from, to int64) []model.Exemplar {
	out := ex[:0:0]
	for _, e := range ex {
		if e.TimeUnixNano >= from && e.TimeUnixNano <= to {
			out = append(out, e)
		}
	}
	return out
}

// logFetch is the outcome of fetching a trace's lines.
type logFetch struct {
	lines     []loki.Line
	total     int
	truncated bool // the limit cut them: more lines carry the ID
	// incomplete is the log store's word on reading that stopped early or skipped lines.
	incomplete string
	err        error
	note       string
}

// within keeps the lines in [from, to].
func (f logFetch) within(from, to int64) logFetch {
	out := logFetch{total: f.total, truncated: f.truncated, incomplete: f.incomplete, err: f.err}
	for _, l := range f.lines {
		if l.TimeUnixNano >= from && l.TimeUnixNano <= to {
			out.lines = append(out.lines, l)
		}
	}
	out.total = len(out.lines)
	return out
}

// fetchTraceLines asks the log store for the lines carrying id in [from, to], oldest
// first, keeping only those whose extracted trace ID is id, and giving id to those the
// store's filter matched whose trace ID is not found or is not one (the latter keep their
// BadTraceID, for the notice).
func fetchTraceLines(ctx context.Context, env *Env, id string, from, to time.Time) logFetch {
	ls, err := env.logs()
	if err != nil {
		return logFetch{err: err}
	}
	st := env.Settings
	limit := st.MaxLogLines
	res, err := ls.QueryRange(ctx, loki.RangeRequest{
		Expr:      loki.TraceLines(st.TraceLogSelector, st.Extraction, id),
		Start:     from,
		End:       to.Add(time.Nanosecond), // end is exclusive
		Limit:     loki.ProbeLimit(limit),
		Direction: "forward",
	})
	if err != nil {
		return logFetch{err: err}
	}
	all, total := loki.Lines(res, st.Extraction, 0)
	out := logFetch{lines: all[:0:0], total: total, incomplete: res.Incomplete}
	for _, l := range all {
		if l.TraceID == id || l.TraceID == "" {
			if l.TraceID == "" {
				l.TraceID = id
			}
			out.lines = append(out.lines, l)
		}
	}
	sortLines(out.lines)
	// Asked for one line more than the limit (paged past the store's maximum when
	// needed): more than limit lines means more exist.
	if limit > 0 && (total > limit || len(out.lines) > limit) {
		out.truncated = true
		if len(out.lines) > limit {
			out.lines = out.lines[:limit]
		}
	}
	return out
}

// sortLines orders lines by time (streams come one after another).
func sortLines(ls []loki.Line) {
	for i := 1; i < len(ls); i++ {
		if ls[i].TimeUnixNano < ls[i-1].TimeUnixNano {
			sortLinesSlow(ls)
			return
		}
	}
}

// traceExemplars asks for exemplars of the configured histogram metrics (or of every
// metric when none is configured) in [from, to].
func traceExemplars(ctx context.Context, env *Env, from, to time.Time) (*prometheus.ExemplarSet, error) {
	prom, err := env.metrics()
	if err != nil {
		return nil, err
	}
	sel := `{__name__=~".+"}`
	if ms := env.Settings.HistogramMetrics; len(ms) > 0 {
		names := make([]string, 0, 2*len(ms))
		for _, m := range ms {
			if prometheus.ValidMetricName(m) {
				names = append(names, m, m+"_bucket")
			}
		}
		if len(names) > 0 {
			sel = `{__name__=~"` + strings.Join(names, "|") + `"}`
		}
	}
	return prom.Exemplars(ctx, sel, from, to)
}
