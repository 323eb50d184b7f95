package query

import (
	"context"
	"regexp"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// Logs answers a `logs` query: LogQL over the request range, newest first, with the
// trace ID extracted by the data source's rule into its own field linking to the trace
// query. A metric LogQL query answers with series frames.
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
	// One line more than the limit tells whether more exist; a limit above the store's
	// max_entries_limit_per_query is honoured by the client's paging.
	step := prometheus.Step(r.From, r.To, r.Interval, 0, r.MaxDataPoints)
	res, err := ls.QueryRange(ctx, loki.RangeRequest{
		Expr: expandMacros(expandAuto(q.Expr, step), step, r.From, r.To), Start: r.From, End: r.To, Limit: loki.ProbeLimit(limit), Direction: "backward",
		Step: step,
	})
	if err != nil {
		return errorResponse(err)
	}
	if res.ResultType != loki.ResultStreams {
		return backend.DataResponse{Frames: frames.MetricSeries(&prometheus.Data{ResultType: res.ResultType, Series: res.Series}, q.LegendFormat)}
	}
	lines, _ := loki.Lines(res, st.Extraction, 0)
	sortLinesDesc(lines)
	more := limit > 0 && len(lines) > limit
	if more {
		lines = lines[:limit] // the newest
	}
	shown, faults := loki.Plain(lines)
	f := frames.Logs(shown, nil, nil, env.Links)
	announceLines(f, limitName, limit, len(lines), more, res.Incomplete)
	announceIDFaults(f, faults, "shown without a trace link", "shown without a span ID")
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
