package query

import (
	"context"
	"regexp"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/parallel"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// Metrics answers a `metrics` query: the PromQL range query, and in parallel the
// exemplars of the same expression as a frame linking to the trace query. A failing
// exemplar call leaves a notice on the exemplars frame; the series still come back.
//
// Alert requests get the same series frames, and no exemplars frame: the one exception
// to "alert requests get the same answers". Grafana's server-side expressions, which
// evaluate alert rules, turn each frame of a data source's answer into series and
// refuse the whole answer ("input data must be a wide series but got type long") when
// one frame is not a wide time series. The exemplars frame (time, value, trace ID, span
// ID, series labels) is a long one, so with it every alert rule on a metrics query
// would fail to evaluate. README ("Alerting") says the same.
func Metrics(ctx context.Context, env *Env, r Request) backend.DataResponse {
	q := r.Query
	if q.Expr == "" {
		return errorResponse(badQuery("metrics query: expr is empty"))
	}
	prom, err := env.metrics()
	if err != nil {
		return errorResponse(err)
	}
	step := prometheus.Step(r.From, r.To, r.Interval, 0, r.MaxDataPoints)
	if q.Step != "" {
		least, err := minStep(q.Step, step, env.scrapeInterval(), r.From, r.To)
		if err != nil {
			return errorResponse(err)
		}
		step = prometheus.Step(r.From, r.To, r.Interval, least, r.MaxDataPoints)
	}
	expr := expandMacros(q.Expr, step, env.scrapeInterval(), r.From, r.To)

	var (
		g     parallel.Group
		ex    *prometheus.ExemplarSet
		exErr error
		// Not for alert evaluation: see above.
		wantEx = on(q.Exemplars) && !r.FromAlert
	)
	if wantEx {
		g.Go(func() { ex, exErr = prom.Exemplars(ctx, expr, r.From, r.To) })
	}
	d, err := prom.QueryRange(ctx, expr, r.From, r.To, step)
	g.Wait()
	if err != nil {
		return errorResponse(err)
	}
	resp := backend.DataResponse{Frames: frames.MetricSeries(d, q.LegendFormat, expr, step)}
	if wantEx {
		resp.Frames = append(resp.Frames, exemplarFrame(ex, exErr, env.Links, step))
	}
	frames.Executed(resp.Frames, expr)
	return resp
}

// msMacroRE finds the millisecond forms of the interval macros.
var msMacroRE = regexp.MustCompile(`\$__(interval|rate_interval)_ms\b|\$\{__(interval|rate_interval)_ms\}`)

// minStep reads a query's Min step as Prometheus reads a step (prometheus.ParseDuration:
// 15s, 1d, 1h30m, a number of seconds), after Grafana's interval macros, which Grafana's
// Prometheus data source allows there: $__interval is the step the query runs at without
// a Min step (step), so it asks for no coarser one; $__rate_interval is that step's rate
// window; $__interval_ms and $__rate_interval_ms mean the same as those. The editor leaves
// these macros to the backend, and an alert rule sends them as written.
func minStep(text string, step, scrape time.Duration, from, to time.Time) (time.Duration, error) {
	// A millisecond macro there means its interval too, not that many seconds.
	text = msMacroRE.ReplaceAllString(text, "$$__$1$2")
	d, err := prometheus.ParseDuration(expandMacros(text, step, scrape, from, to))
	if err != nil {
		return 0, badQuery("metrics query: step %q is not a duration (such as 15s, 1m30s, 1d or a number of seconds)", text)
	}
	return d, nil
}

// exemplarFrame builds the exemplars part, thinned to the highest of each series per
// step (thinExemplars), with the store's error or its warnings and infos, the number
// thinned out and the number dropped for lack of a trace ID as notices.
func exemplarFrame(ex *prometheus.ExemplarSet, err error, links frames.Links, step time.Duration) *data.Frame {
	if err != nil {
		f := frames.Exemplars(nil, links)
		frames.StoreFailed(f, err)
		return f
	}
	kept := thinExemplars(ex.Exemplars, step)
	f := frames.Exemplars(kept, links)
	frames.StoreAnnotations(f, "prometheus", ex.Warnings, ex.Infos)
	if len(kept) < len(ex.Exemplars) {
		frames.Notice(f, data.NoticeSeverityInfo, "%d of %d exemplars shown: the highest of each series in each %gs step", len(kept), len(ex.Exemplars), step.Seconds())
	}
	if ex.Invalid > 0 {
		frames.Notice(f, data.NoticeSeverityInfo, "%d exemplars without a valid trace ID were left out", ex.Invalid)
	}
	return f
}
