package query

import (
	"context"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/language"
	"github.com/latencylens/lens/pkg/latency"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/prometheus"
	"github.com/latencylens/lens/pkg/stores/tempo"
	"github.com/latencylens/lens/pkg/stores/tracestore"
)

// LogServiceLabel is the Loki label that names a service: the one Loki's OTLP
// ingestion sets from resource.service.name.
const LogServiceLabel = "service_name"

// minRateWindow is the shortest window for rate/quantile_over_time (four 15 s scrapes).
const minRateWindow = time.Minute

// unitToMs converts a DurationUnit into a factor to milliseconds.
func unitToMs(unit, def string) (float64, error) {
	if unit == "" {
		unit = def
	}
	switch unit {
	case "s":
		return 1e3, nil
	case "ms":
		return 1, nil
	case "us":
		return 1e-3, nil
	case "ns":
		return 1e-6, nil
	}
	return 0, badQuery("latency query: valueUnit %q is not one of s, ms, us, ns", unit)
}

// latencyPlan is a validated latency query.
type latencyPlan struct {
	qs           []float64
	step, window time.Duration
	rng          time.Duration
	wantCDF      bool
	wantSummary  bool
	from, to     time.Time
	serviceRate  float64
	maxSpans     int
	maxLogLines  int
	groupBy      []string
}

// Latency answers a `latency` query: one alertable frame per percentile (and group),
// computed in the store where it can be (histogram_quantile, TraceQL or LogQL
// quantile_over_time) and exactly from raw durations otherwise; a CDF frame; a summary.
// Alert requests get the same frames.
func Latency(ctx context.Context, env *Env, r Request) backend.DataResponse {
	q := r.Query
	st := env.Settings
	p := latencyPlan{
		qs: q.Percentiles, wantCDF: on(q.CDF), wantSummary: on(q.Summary),
		from: r.From, to: r.To, rng: r.To.Sub(r.From),
		serviceRate: st.ServiceRate, maxSpans: st.MaxSpans, maxLogLines: st.MaxLogLines, groupBy: q.GroupBy,
	}
	if len(p.qs) == 0 {
		p.qs = st.Percentiles
	}
	for _, x := range p.qs {
		if !(x > 0 && x < 1) {
			return errorResponse(badQuery("latency query: percentile %v is not in (0,1)", x))
		}
	}
	if p.rng <= 0 {
		return errorResponse(badQuery("latency query: the time range is empty"))
	}
	for _, g := range p.groupBy {
		valid := language.ValidLabelName(g)
		if q.Source == SourceSpans {
			valid = language.TraceQLGroupBy(g)
		}
		if !valid {
			return errorResponse(badQuery("latency query: cannot group by %q: not a label or attribute name", g))
		}
	}
	p.step = prometheus.Step(r.From, r.To, r.Interval, 0, r.MaxDataPoints)
	p.window = max(p.step, minRateWindow)
	switch q.Source {
	case SourceHistogram:
		return latencyFromHistogram(ctx, env, q, p)
	case SourceSpans:
		return latencyFromSpans(ctx, env, q, p)
	case SourceLogs:
		return latencyFromLogs(ctx, env, q, p)
	}
	return errorResponse(badQuery("latency query: source %q is not one of histogram, spans, logs", q.Source))
}

// parallel runs fns concurrently and waits.
func parallel(fns ...func()) {
	var wg sync.WaitGroup
	wg.Add(len(fns))
	for _, f := range fns {
		go func() { defer wg.Done(); f() }()
	}
	wg.Wait()
}

// histogramTarget returns the histogram's base name and matcher set.
func histogramTarget(q *Query, env *Env) (metric, sel string, err error) {
	if q.EditorMode == ModeCode {
		e := strings.TrimSpace(q.Expr)
		if i := strings.IndexByte(e, '{'); i >= 0 {
			metric, sel = strings.TrimSpace(e[:i]), e[i:]
		} else {
			metric = e
		}
		metric = strings.TrimSuffix(metric, "_bucket")
	} else {
		metric = strings.TrimSpace(q.HistogramMetric)
		eq := map[string]string{env.Settings.ServiceLabel: q.Service}
		if q.Operation != "" {
			eq[env.Settings.OperationLabel] = q.Operation
		}
		if sel, err = prometheus.Matchers(eq); err != nil {
			return "", "", badQuery("latency query: %v", err)
		}
	}
	if !prometheus.ValidMetricName(metric) {
		return "", "", badQuery("latency query: histogram metric %q is not a metric name", metric)
	}
	return metric, sel, nil
}

func latencyFromHistogram(ctx context.Context, env *Env, q *Query, p latencyPlan) backend.DataResponse {
	prom, err := env.metrics()
	if err != nil {
		return errorResponse(err)
	}
	metric, sel, err := histogramTarget(q, env)
	if err != nil {
		return errorResponse(err)
	}
	scale, err := unitToMs(q.ValueUnit, "s")
	if err != nil {
		return errorResponse(err)
	}
	// Classic (`_bucket` series with `le`) or native? Ask for the classic series.
	probe, err := prom.Query(ctx, "count("+metric+"_bucket"+sel+")", p.to)
	if err != nil {
		return errorResponse(err)
	}
	native := len(probe.Series) == 0

	resp := backend.DataResponse{}
	pct := make([][]*data.Frame, len(p.qs))
	errs := make([]error, len(p.qs)+2)
	var cdf, sum *data.Frame
	var fns []func()
	for i, x := range p.qs {
		fns = append(fns, func() {
			d, err := prom.QueryRange(ctx, prometheus.HistogramQuantile(x, metric, sel, p.window, p.groupBy, native), p.from, p.to, p.step)
			if err != nil {
				errs[i] = err
				return
			}
			pct[i] = seriesPercentiles(x, d.Series, scale)
		})
	}
	if p.wantCDF {
		fns = append(fns, func() { cdf, errs[len(p.qs)] = histogramCDF(ctx, prom, metric, sel, p, native, scale) })
	}
	if p.wantSummary {
		fns = append(fns, func() {
			sum, errs[len(p.qs)+1] = histogramSummary(ctx, prom, metric, sel, errorSelector(sel, env.Settings), p, native, scale)
		})
	}
	parallel(fns...)
	for i := range p.qs {
		if errs[i] != nil {
			// The percentile series are the alertable part: their failure fails the query.
			return errorResponse(errs[i])
		}
		resp.Frames = append(resp.Frames, pct[i]...)
	}
	if p.wantCDF {
		resp.Frames = append(resp.Frames, partOrFailed(cdf, errs[len(p.qs)], func() *data.Frame { return frames.CDF(nil) }))
	}
	if p.wantSummary {
		resp.Frames = append(resp.Frames, partOrFailed(sum, errs[len(p.qs)+1], func() *data.Frame {
			return frames.Summary(frames.SummaryRow{Count: math.NaN(), MeanMs: math.NaN(), TPS: math.NaN(), ErrorRate: math.NaN()})
		}))
	}
	return resp
}

// partOrFailed returns f, or an empty frame carrying err as an error notice.
func partOrFailed(f *data.Frame, err error, empty func() *data.Frame) *data.Frame {
	if err == nil {
		return f
	}
	e := empty()
	frames.StoreFailed(e, err)
	return e
}

// histogramCDF reads the bucket counts accumulated over the whole range and lets
// pkg/latency turn them into CDF steps: classic `le` counts are cumulative, native
// buckets carry their own bounds.
func histogramCDF(ctx context.Context, prom prometheus.API, metric, sel string, p latencyPlan, native bool, scale float64) (*data.Frame, error) {
	if native {
		d, err := prom.Query(ctx, prometheus.NativeIncrease(metric, sel, p.rng), p.to)
		if err != nil {
			return nil, err
		}
		var h latency.NativeHistogram
		for _, s := range d.Series {
			for _, x := range s.Histograms {
				h.Count += x.Count
				h.Sum += x.Sum
				for _, b := range x.Buckets {
					h.Buckets = append(h.Buckets, latency.NativeBucket{
						Rule: latency.BoundaryRule(b.Boundary), Lower: b.Lower, Upper: b.Upper, Count: b.Count,
					})
				}
			}
		}
		return frames.CDF(cdfRows(latency.NativeCDF(h), scale)), nil
	}
	d, err := prom.Query(ctx, prometheus.BucketIncrease(metric, sel, p.rng), p.to)
	if err != nil {
		return nil, err
	}
	var buckets []latency.Bucket
	for _, s := range d.Series {
		le, err := strconv.ParseFloat(s.Labels["le"], 64)
		if err != nil || len(s.Points) == 0 {
			continue
		}
		buckets = append(buckets, latency.Bucket{UpperBound: le, Count: s.Points[len(s.Points)-1].Value})
	}
	return frames.CDF(cdfRows(latency.NewClassic(buckets).CDF(), scale)), nil
}

// errorSelector is sel narrowed to the failed requests (the configured error label
// matching the error values), or "" when no error label is configured.
func errorSelector(sel string, st *settings.Settings) string {
	if st == nil || st.ErrorLabel == "" {
		return ""
	}
	m := st.ErrorLabel + "=~" + language.QuoteString(st.ErrorValues)
	body := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(sel, "{"), "}"))
	if body == "" {
		return "{" + m + "}"
	}
	return "{" + strings.TrimSuffix(body, ",") + "," + m + "}"
}

// histogramSummary reads N and the total over the range. It takes the difference of the
// counters between the range's ends when no counter reset happened in between (exact),
// and Prometheus' extrapolated increase() otherwise. With an error selector the error
// rate is increase(errors)/increase(all) over the range (both extrapolated alike) and
// the errors are that share of N; without one the error rate is unknown (NaN).
func histogramSummary(ctx context.Context, prom prometheus.API, metric, sel, errSel string, p latencyPlan, native bool, scale float64) (*data.Frame, error) {
	rng := prometheus.FormatRange(p.rng)
	diff := func(now string, then string) string {
		return "(" + now + ") - ((" + then + ") or vector(0))"
	}
	var countDiff, sumDiff, countInc, sumInc, resets string
	if native {
		inc := prometheus.NativeIncrease(metric, sel, p.rng)
		countInc, sumInc = "histogram_count("+inc+")", "histogram_sum("+inc+")"
		countDiff = diff("histogram_count(sum("+metric+sel+"))", "histogram_count(sum("+metric+sel+" offset "+rng+"))")
		sumDiff = diff("histogram_sum(sum("+metric+sel+"))", "histogram_sum(sum("+metric+sel+" offset "+rng+"))")
	} else {
		countInc, sumInc = prometheus.CountIncrease(metric, sel, p.rng), prometheus.SumIncrease(metric, sel, p.rng)
		countDiff = diff("sum("+metric+"_count"+sel+")", "sum("+metric+"_count"+sel+" offset "+rng+")")
		sumDiff = diff("sum("+metric+"_sum"+sel+")", "sum("+metric+"_sum"+sel+" offset "+rng+")")
		resets = "sum(resets(" + metric + "_count" + sel + "[" + rng + "]))"
	}
	// 0-3 always; 4 the errors' increase and 5 the resets, when there are such (an empty
	// expression is not sent and reads as 0).
	exprs := []string{countDiff, sumDiff, countInc, sumInc, "", ""}
	if errSel != "" {
		if native {
			exprs[4] = "histogram_count(" + prometheus.NativeIncrease(metric, errSel, p.rng) + ")"
		} else {
			exprs[4] = prometheus.CountIncrease(metric, errSel, p.rng)
		}
	}
	if resets != "" {
		exprs[5] = resets
	}
	vals := make([]float64, len(exprs))
	errs := make([]error, len(exprs))
	fns := make([]func(), len(exprs))
	for i, e := range exprs {
		fns[i] = func() {
			if e != "" {
				vals[i], errs[i] = scalarAt(ctx, prom, e, p.to)
			}
		}
	}
	parallel(fns...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	count, total := vals[0], vals[1]
	if vals[5] > 0 || count < 0 || total < 0 {
		count, total = vals[2], vals[3]
	}
	errorsN := -1.0 // unknown
	if errSel != "" {
		errorsN = 0
		if vals[2] > 0 {
			errorsN = min(max(vals[4]/vals[2], 0), 1) * count
		}
	}
	row, err := summaryRow(count, total*scale, errorsN, p)
	if err != nil {
		return nil, err
	}
	return frames.Summary(row), nil
}

// summaryRow is latency.Summarize over the query range (N, the total in ms and the
// errors among N; errors < 0 means the error rate is not known).
func summaryRow(count, totalMs, errorsN float64, p latencyPlan) (frames.SummaryRow, error) {
	known := errorsN >= 0
	if !known {
		errorsN = 0
	}
	s, err := latency.Summarize(count, totalMs, errorsN, p.rng.Seconds(), p.serviceRate)
	if err != nil {
		return frames.SummaryRow{}, err
	}
	if !known {
		s.ErrorRate = math.NaN()
	}
	return summaryFrameRow(s), nil
}

// durationsSummary is latency.SummarizeDurations over the query range; errorsN < 0
// means the error rate is not known (log lines carry no status).
func durationsSummary(durMs []float64, errorsN int, p latencyPlan) (frames.SummaryRow, error) {
	known := errorsN >= 0
	s, err := latency.SummarizeDurations(durMs, max(errorsN, 0), p.rng.Seconds(), p.serviceRate)
	if err != nil {
		return frames.SummaryRow{Count: math.NaN(), MeanMs: math.NaN(), TPS: math.NaN(), ErrorRate: math.NaN()}, err
	}
	if !known {
		s.ErrorRate = math.NaN()
	}
	return summaryFrameRow(s), nil
}

func summaryFrameRow(s latency.Summary) frames.SummaryRow {
	return frames.SummaryRow{Count: s.Count, MeanMs: s.Mean, TPS: s.TPS, ErrorRate: s.ErrorRate, Rho: s.Rho, HasRho: s.HasRho}
}

// scalarAt runs an instant query expected to give one number (0 when it gives none).
func scalarAt(ctx context.Context, prom prometheus.API, expr string, at time.Time) (float64, error) {
	d, err := prom.Query(ctx, expr, at)
	if err != nil {
		return 0, err
	}
	if d.Scalar != nil {
		return d.Scalar.Value, nil
	}
	for _, s := range d.Series {
		if len(s.Points) > 0 {
			return s.Points[len(s.Points)-1].Value, nil
		}
	}
	return 0, nil
}

// traceMetrics is the optional TraceQL-metrics ability of a trace store (Tempo).
type traceMetrics interface {
	MetricsQueryRange(ctx context.Context, q string, start, end time.Time, step time.Duration) ([]tempo.Series, error)
}

func latencyFromSpans(ctx context.Context, env *Env, q *Query, p latencyPlan) backend.DataResponse {
	ts, err := env.traces()
	if err != nil {
		return errorResponse(err)
	}
	selector := strings.TrimSpace(q.Expr)
	if q.EditorMode != ModeCode || selector == "" {
		if selector, err = tempo.SpanSelector(q.Service, q.Operation, nil, 0, 0, q.SpanFilter); err != nil {
			return errorResponse(badQuery("latency query: %v", err))
		}
	}
	resp := backend.DataResponse{}
	var (
		series   []tempo.Series
		seriesEr error
		raw      rawSpans
	)
	tm, inStore := ts.(traceMetrics)
	parallel(
		func() {
			if inStore {
				series, seriesEr = tm.MetricsQueryRange(ctx, tempo.QuantileOverTime(selector, p.qs, p.groupBy), p.from, p.to, p.step)
			}
		},
		func() { raw = fetchRawSpans(ctx, env, q, selector, p) },
	)
	if inStore && seriesEr == nil {
		resp.Frames = append(resp.Frames, traceQLPercentiles(series, p)...)
	} else {
		if raw.err != nil {
			return errorResponse(raw.err)
		}
		fs := exactPercentiles(raw.durMs, raw.startNs, p)
		if seriesEr != nil && len(fs) > 0 {
			frames.Notice(fs[0], data.NoticeSeverityInfo, "TraceQL metrics unavailable (%v); percentiles computed exactly from %d spans", seriesEr, len(raw.durMs))
		}
		if raw.truncated && len(fs) > 0 {
			frames.Truncated(fs[0], "spans", p.maxSpans, raw.total)
		}
		resp.Frames = append(resp.Frames, fs...)
	}
	resp.Frames = append(resp.Frames, rawParts(raw.durMs, raw.errors, raw.err, raw.truncated, raw.total, "spans", p.maxSpans, p)...)
	return resp
}

// traceQLPercentiles turns quantile_over_time series (label `p`, values in seconds)
// into percentile frames.
func traceQLPercentiles(series []tempo.Series, p latencyPlan) []*data.Frame {
	var out []*data.Frame
	for _, s := range series {
		qv, err := strconv.ParseFloat(s.Labels["p"], 64)
		if err != nil {
			continue
		}
		group := map[string]string{}
		for k, v := range s.Labels {
			if k != "p" {
				group[k] = v
			}
		}
		ts := make([]int64, len(s.Samples))
		vs := make([]float64, len(s.Samples))
		for i, sm := range s.Samples {
			ts[i], vs[i] = sm.TimeMs, traceQLQuantileMs(sm.Value)
		}
		out = append(out, frames.Percentile(qv, group, ts, vs))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if len(out) == 0 {
		for _, x := range p.qs {
			out = append(out, frames.Percentile(x, nil, nil, nil))
		}
	}
	return out
}

// seriesPercentiles turns the series of one quantile query (PromQL histogram_quantile or
// LogQL quantile_over_time; values times scale give ms) into percentile frames, one per
// series, or one empty frame when the store found none.
func seriesPercentiles(q float64, series []prometheus.Series, scale float64) []*data.Frame {
	if len(series) == 0 {
		return []*data.Frame{frames.Percentile(q, nil, nil, nil)}
	}
	out := make([]*data.Frame, 0, len(series))
	for _, s := range series {
		ts := make([]int64, len(s.Points))
		vs := make([]float64, len(s.Points))
		for k, pt := range s.Points {
			ts[k], vs[k] = pt.TimeMs, pt.Value*scale
		}
		out = append(out, frames.Percentile(q, s.Labels, ts, vs))
	}
	return out
}

// traceQLQuantileMs converts one quantile_over_time sample (seconds) to ms. Tempo answers
// a step without spans with a sample whose value is omitted (jsonpb drops zeros), which
// parses as 0; no span lasts 0 s at Tempo's bucket resolution, so 0 means "no data" and
// becomes NaN, which Grafana draws as a gap and alert reducers in dropNN mode skip.
func traceQLQuantileMs(seconds float64) float64 {
	if seconds == 0 {
		return math.NaN()
	}
	return seconds * 1e3
}

// rawSpans are raw span durations for exact statistics.
type rawSpans struct {
	durMs     []float64
	startNs   []int64
	errors    int
	total     int
	truncated bool
	err       error
}

// fetchRawSpans searches the trace store for spans of the selection, up to maxSpans.
func fetchRawSpans(ctx context.Context, env *Env, q *Query, selector string, p latencyPlan) rawSpans {
	ts, err := env.traces()
	if err != nil {
		return rawSpans{err: err}
	}
	limit := p.maxSpans
	sp := searchParamsForSpans(q, selector, p, limit)
	if ts.Name() != tempo.StoreName {
		sp.TraceQL = "" // Jaeger searches by service and operation
	}
	res, err := ts.Search(ctx, sp)
	if err != nil {
		return rawSpans{err: err}
	}
	out := rawSpans{}
	for _, s := range res.Spans {
		if ts.Name() != tempo.StoreName && !spanMatches(&s, q) {
			continue // Jaeger returns whole traces; keep the spans asked for
		}
		if s.StartUnixNano < p.from.UnixNano() || s.StartUnixNano > p.to.UnixNano() {
			continue
		}
		out.total++
		if limit > 0 && len(out.durMs) >= limit {
			out.truncated = true
			continue
		}
		out.durMs = append(out.durMs, float64(s.DurationNano)/1e6)
		out.startNs = append(out.startNs, s.StartUnixNano)
		if s.StatusCode == model.StatusError {
			out.errors++
		}
	}
	if len(res.Traces) >= sp.Limit {
		out.truncated = true
	}
	return out
}

func searchParamsForSpans(q *Query, selector string, p latencyPlan, limit int) tracestore.SearchParams {
	return tracestore.SearchParams{
		TraceQL: selector, Service: q.Service, Operation: q.Operation,
		Start: p.from, End: p.to, Limit: max(limit/10, 20), SpansPerSpanSet: 100,
	}
}

func spanMatches(s *model.Span, q *Query) bool {
	return (q.Service == "" || s.Service == q.Service) && (q.Operation == "" || s.Operation == q.Operation)
}

// exactPercentiles computes each step's exact quantiles from raw values.
func exactPercentiles(durMs []float64, startNs []int64, p latencyPlan) []*data.Frame {
	steps := int(p.rng/p.step) + 1
	buckets := make([][]float64, steps)
	for i, d := range durMs {
		k := int((startNs[i] - p.from.UnixNano()) / int64(p.step))
		if k >= 0 && k < steps {
			buckets[k] = append(buckets[k], d)
		}
	}
	times := make([]int64, 0, steps)
	vals := make([][]float64, len(p.qs))
	for k, b := range buckets {
		if len(b) == 0 {
			continue
		}
		qv, err := exactQuantiles(b, p.qs)
		if err != nil {
			continue
		}
		// Each point is stamped at the end of its step, as a range query would.
		times = append(times, p.from.Add(time.Duration(k+1)*p.step).UnixMilli())
		for i := range p.qs {
			vals[i] = append(vals[i], qv[i])
		}
	}
	out := make([]*data.Frame, len(p.qs))
	for i, x := range p.qs {
		out[i] = frames.Percentile(x, nil, times, vals[i])
	}
	return out
}

// rawParts builds the CDF and summary from raw durations (ms).
func rawParts(durMs []float64, errorsN int, err error, truncated bool, total int, what string, limit int, p latencyPlan) []*data.Frame {
	var out []*data.Frame
	if p.wantCDF {
		f := frames.CDF(nil)
		if err == nil && len(durMs) > 0 {
			rows, cerr := exactCDF(durMs)
			if cerr == nil {
				f = frames.CDF(rows)
			}
		}
		if err != nil {
			frames.StoreFailed(f, err)
		} else if truncated {
			frames.Truncated(f, what, limit, total)
		}
		out = append(out, f)
	}
	if p.wantSummary {
		row, serr := durationsSummary(durMs, errorsN, p)
		f := frames.Summary(row)
		if serr != nil && err == nil {
			err = serr
		}
		if err != nil {
			frames.StoreFailed(f, err)
		} else if truncated {
			frames.Truncated(f, what, limit, total)
		}
		out = append(out, f)
	}
	return out
}

func latencyFromLogs(ctx context.Context, env *Env, q *Query, p latencyPlan) backend.DataResponse {
	ls, err := env.logs()
	if err != nil {
		return errorResponse(err)
	}
	selector, field := strings.TrimSpace(q.LogSelector), strings.TrimSpace(q.LogField)
	if q.EditorMode == ModeCode {
		selector, field = splitUnwrap(q.Expr)
	} else if selector == "" && q.Service != "" {
		if selector, err = loki.StreamSelector(LogServiceLabel, q.Service); err != nil {
			return errorResponse(badQuery("latency query (logs): %v", err))
		}
	}
	if field != "" && !language.ValidLabelName(field) {
		return errorResponse(badQuery("latency query (logs): %q is not a LogQL label name to unwrap", field))
	}
	if strings.TrimSpace(selector) == "" || field == "" {
		return errorResponse(badQuery("latency query (logs): need a LogQL selector and a field to unwrap"))
	}
	scale, err := unitToMs(q.ValueUnit, "ms")
	if err != nil {
		return errorResponse(err)
	}
	resp := backend.DataResponse{}
	pct := make([][]*data.Frame, len(p.qs))
	errs := make([]error, len(p.qs))
	var raw rawSpans
	var fns []func()
	for i, x := range p.qs {
		fns = append(fns, func() {
			res, err := ls.QueryRange(ctx, loki.RangeRequest{
				Expr: loki.QuantileOverTime(x, selector, field, p.window, p.groupBy), Start: p.from, End: p.to, Step: p.step,
			})
			if err != nil {
				errs[i] = err
				return
			}
			pct[i] = seriesPercentiles(x, res.Series, scale)
		})
	}
	if p.wantCDF || p.wantSummary {
		fns = append(fns, func() { raw = fetchLogValues(ctx, ls, selector, field, scale, p) })
	}
	parallel(fns...)
	for i := range p.qs {
		if errs[i] != nil {
			return errorResponse(errs[i])
		}
		resp.Frames = append(resp.Frames, pct[i]...)
	}
	resp.Frames = append(resp.Frames, rawParts(raw.durMs, -1, raw.err, raw.truncated, raw.total, "log lines", p.maxLogLines, p)...)
	return resp
}

// splitUnwrap splits `… | unwrap field …` into the selector before it and the field.
func splitUnwrap(expr string) (string, string) {
	i := strings.Index(expr, "| unwrap ")
	if i < 0 {
		return expr, ""
	}
	rest := strings.Fields(expr[i+len("| unwrap "):])
	if len(rest) == 0 {
		return expr[:i], ""
	}
	field := strings.TrimSuffix(rest[0], ")")
	if j := strings.IndexAny(field, "[("); j >= 0 {
		field = field[:j]
	}
	return strings.TrimSpace(expr[:i]), field
}

// fetchLogValues reads the unwrapped field of each line (parsed labels, structured
// metadata, stream labels, then the line as logfmt or JSON).
func fetchLogValues(ctx context.Context, ls LogStore, selector, field string, scale float64, p latencyPlan) rawSpans {
	res, err := ls.QueryRange(ctx, loki.RangeRequest{Expr: selector, Start: p.from, End: p.to, Limit: loki.ProbeLimit(p.maxLogLines), Direction: "forward"})
	if err != nil {
		return rawSpans{err: err}
	}
	out := rawSpans{}
	for _, s := range res.Streams {
		for i := range s.Entries {
			e := &s.Entries[i]
			v := e.Parsed[field]
			if v == "" {
				v = e.StructuredMetadata[field]
			}
			if v == "" {
				v = s.Labels[field]
			}
			if v == "" {
				v = loki.LogfmtValue(e.Line, field)
			}
			if v == "" {
				v = loki.JSONPath(e.Line, field)
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				if d, derr := time.ParseDuration(v); derr == nil {
					f, err = float64(d)/1e6/scale, nil
				}
			}
			if err != nil || math.IsNaN(f) {
				continue
			}
			out.total++
			if len(out.durMs) >= p.maxLogLines {
				out.truncated = true
				continue
			}
			out.durMs = append(out.durMs, f*scale)
			out.startNs = append(out.startNs, e.TimeUnixNano)
		}
	}
	if res.Lines > p.maxLogLines || res.Full() {
		out.truncated = true
		out.total = max(out.total, res.Lines)
	}
	return out
}
