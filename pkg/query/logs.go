package query

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// Logs answers a `logs` query: LogQL over the request range, newest first, with the
// trace ID extracted by the data source's rule into its own field linking to the trace
// query. A metric LogQL query answers with series frames. A range longer than the
// store's max_query_length is read in parts (linesInParts) for a log query; a metric
// query gets the store's refusal.
func Logs(ctx context.Context, env *Env, r Request) backend.DataResponse {
	q := r.Query
	if q.Expr == "" {
		return errorResponse(badQuery("logs query: expr is empty"))
	}
	ls, err := env.logs()
	if err != nil {
		return errorResponse(err)
	}
	st := env.Settings
	limit, limitName := q.Limit, "the query's limit"
	if limit <= 0 || limit >= st.MaxLogLines {
		limit, limitName = st.MaxLogLines, "the configured limit"
	}
	expr, err := expandIDFilters(q.Expr, st.Extraction)
	if err != nil {
		return errorResponse(err)
	}
	// One line more than the limit tells whether more exist; a limit above the store's
	// max_entries_limit_per_query is honoured by the client's paging.
	step := prometheus.Step(r.From, r.To, r.Interval, 0, r.MaxDataPoints)
	req := loki.RangeRequest{
		Expr: expandMacros(expandAuto(expr, step), step, settings.DefaultScrapeInterval, r.From, r.To), Start: r.From, End: r.To, Limit: loki.ProbeLimit(limit), Direction: "backward",
		Step: step,
	}
	res, err := ls.QueryRange(ctx, req)
	if maxLen := loki.LongestRange(err, r.To.Sub(r.From)); maxLen > 0 && r.To.Sub(r.From) > maxLen {
		if parts, perr := linesInParts(ctx, ls, req, maxLen, storeTimeout(st.Logs)); parts != nil || perr != nil {
			res, err = parts, perr
		}
	}
	if err != nil {
		return errorResponse(err)
	}
	if res.ResultType != loki.ResultStreams {
		fs := frames.MetricSeries(&prometheus.Data{ResultType: res.ResultType, Series: res.Series}, q.LegendFormat, "", step)
		frames.Executed(fs, req.Expr)
		return backend.DataResponse{Frames: fs}
	}
	lines, _ := loki.Lines(res, st.Extraction, 0)
	sortLinesDesc(lines)
	more := limit > 0 && len(lines) > limit
	if more {
		lines = lines[:limit] // the newest
	}
	shown, faults := loki.Plain(lines)
	f := frames.LogLines(shown, env.Links)
	announceLines(f, limitName, limit, len(lines), more, res.Incomplete)
	announceIDFaults(f, faults, "shown without a trace link", "shown without a span ID")
	frames.Executed(data.Frames{f}, req.Expr)
	return backend.DataResponse{Frames: data.Frames{f}}
}

// autoRE finds Grafana's Loki-only `$__auto` macro (`$__auto` or `${__auto}`, not a
// longer name).
var autoRE = regexp.MustCompile(`\$__auto\b|\$\{__auto\}`)

// expandAuto replaces `$__auto` by the step, as Grafana's Loki data source does for a
// range query (its query builder writes metric queries with `[$__auto]`).
func expandAuto(expr string, step time.Duration) string {
	return autoRE.ReplaceAllLiteralString(expr, promDuration(step))
}

// maxRangeParts bounds how many parts linesInParts reads.
const maxRangeParts = 100

// linesInParts reads the lines of a log query whose range the store refused as longer
// than its max_query_length, as Grafana's Loki data source does: in parts of at most
// maxLen (the longest range the store accepts), newest first, until r.Limit lines are read or the range is exhausted. The
// parts share one time budget, the store's timeout; when it runs out, a later part
// fails, a part's own reading stopped short, or maxRangeParts parts are read, the lines
// read so far come back with Result.Incomplete saying which part of the range was not
// read. A metric query (the first part answers series) gets (nil, nil): the store's
// refusal stands. A failing first part is the error.
func linesInParts(ctx context.Context, ls LogStore, r loki.RangeRequest, maxLen, budget time.Duration) (*loki.Result, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, budget, httpx.ErrStoreTimeout)
	defer cancel()
	out := &loki.Result{ResultType: loki.ResultStreams, Streams: []loki.Stream{}, Limit: r.Limit}
	stop := ""
	end, parts := r.End, 0
	for end.After(r.Start) && out.Lines < r.Limit {
		if parts == maxRangeParts {
			stop = fmt.Sprintf("reading stopped after %d parts", parts)
			break
		}
		p := r
		p.End, p.Start, p.Limit = end, end.Add(-maxLen), r.Limit-out.Lines
		if p.Start.Before(r.Start) {
			p.Start = r.Start
		}
		res, err := ls.QueryRange(ctx, p)
		if l := loki.LongestRange(err, p.End.Sub(p.Start)); l > 0 && l < maxLen {
			// The store measured the part longer than asked (Loki's queriers add 30 s
			// to a log query's range after its frontend let the whole range through):
			// read it again, that much shorter.
			maxLen = l
			continue
		}
		switch {
		case err != nil && parts == 0:
			return nil, err
		case err != nil:
			stop = fmt.Sprintf("part %d failed: %v", parts+1, err)
		case res.ResultType != loki.ResultStreams:
			if parts == 0 {
				return nil, nil
			}
			stop = fmt.Sprintf("part %d came back as %s, not streams", parts+1, res.ResultType)
		}
		if stop != "" {
			break
		}
		parts++
		out.Categorized = out.Categorized || res.Categorized
		out.Streams = append(out.Streams, res.Streams...)
		out.Lines += res.Lines
		end = p.Start
		if res.Incomplete != "" {
			stop = fmt.Sprintf("part %d: %s", parts, res.Incomplete)
			break
		}
	}
	if stop != "" && end.After(r.Start) {
		out.Incomplete = fmt.Sprintf("the log store refuses time ranges longer than %s (its max_query_length), so the range was read in parts, newest first; %s, so the lines before %s were not read",
			maxLen, stop, end.UTC().Format(time.RFC3339Nano))
	}
	return out, nil
}
