package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/language"
	"github.com/latencylens/lens/pkg/latency"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/parallel"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/prometheus"
	"github.com/latencylens/lens/pkg/stores/tempo"
	"github.com/latencylens/lens/pkg/stores/tracestore"
	"github.com/latencylens/lens/pkg/traceqlfilter"
)

// LogServiceLabel is the Loki label that names a service: the one Loki's OTLP
// ingestion sets from resource.service.name.
const LogServiceLabel = "service_name"

// minRateWindow is the shortest window for quantile_over_time and for rates over raw
// spans (four scrapes at Prometheus' default interval); a histogram's rates span at least
// four of its store's scrapes (Env.scrapeInterval).
const minRateWindow = 4 * settings.DefaultScrapeInterval

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

// unitOfMetricName is the duration unit a histogram's name states (Prometheus' naming
// rules put the unit last: _seconds; OpenTelemetry's older exporters wrote
// _milliseconds), seconds when it states none: the unit of a latency query on that
// histogram when the query gives none.
func unitOfMetricName(metric string) string {
	n := strings.ToLower(metric)
	for _, u := range []struct{ unit, suffixes string }{
		{"ns", "_nanoseconds _nanos _ns"},
		{"us", "_microseconds _micros _us"},
		{"ms", "_milliseconds _millis _ms"},
	} {
		for _, suf := range strings.Fields(u.suffixes) {
			if strings.HasSuffix(n, suf) {
				return u.unit
			}
		}
	}
	return "s"
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
// Alert requests get the same percentile frames and no CDF or summary frame: those are
// not time series, and Grafana's server-side expressions refuse a whole answer when one
// frame is not one (README, "Alerting"), so a rule made from a dashboard's query works.
// Their series hold only the steps with traffic, and a range without any answers "no
// data" (frames.PercentilesForAlert).
func Latency(ctx context.Context, env *Env, r Request) backend.DataResponse {
	q := r.Query
	st := env.Settings
	p := latencyPlan{
		qs: q.Percentiles, wantCDF: on(q.CDF) && !r.FromAlert, wantSummary: on(q.Summary) && !r.FromAlert,
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
	// Ascending and once each: a percentile asked twice would give two frames with the
	// same labels, which Grafana's alerting refuses as duplicate results.
	p.qs = slices.Compact(slices.Sorted(slices.Values(p.qs)))
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
		if g == frames.QuantileLabel {
			return errorResponse(badQuery("latency query: cannot group by %q: that label names each percentile's series", g))
		}
	}
	p.step = prometheus.Step(r.From, r.To, r.Interval, 0, r.MaxDataPoints)
	p.window = max(p.step, minRateWindow)
	var resp backend.DataResponse
	switch q.Source {
	case SourceHistogram:
		resp = latencyFromHistogram(ctx, env, q, p)
	case SourceSpans:
		resp = latencyFromSpans(ctx, env, q, p)
	case SourceLogs:
		resp = latencyFromLogs(ctx, env, q, p)
	default:
		return errorResponse(badQuery("latency query: source %q is not one of histogram, spans, logs", q.Source))
	}
	frames.PercentileStep(resp.Frames, p.step)
	if r.FromAlert && resp.Error == nil {
		// Every source alike: points only at steps with traffic, NoData without any.
		resp.Frames = frames.PercentilesForAlert(resp.Frames)
	}
	return resp
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
		if sel != "" {
			// The selector goes inside rate(…[w]), increase(…[range]) and the summary's
			// instant queries: only the matcher set may follow the name.
			end := matchersEnd(sel)
			if end < 0 {
				return "", "", badQuery("latency query: the matchers of the histogram selector %q do not end with `}`", e)
			}
			if rest := strings.TrimSpace(sel[end:]); rest != "" {
				return "", "", badQuery("latency query: %q follows the matchers of the histogram selector %q; give the metric name and its {…} matchers only "+
					"(the query adds the rate, its range and histogram_quantile)", rest, e)
			}
		}
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

// histogramPartNamed refuses a metric name that is the _count or _sum series of a
// histogram the store holds (classic `<base>_bucket` series, or a native `<base>`) rather
// than the histogram: those are counters without buckets, and the percentiles would be
// empty without a word why. Called when metric has no classic buckets of its own; a name
// that is no histogram's part is left to the store's answer.
func histogramPartNamed(ctx context.Context, prom prometheus.API, metric, sel string, rng time.Duration, at time.Time) error {
	for _, part := range []string{"_count", "_sum"} {
		base, ok := strings.CutSuffix(metric, part)
		if !ok || !prometheus.ValidMetricName(base) {
			continue
		}
		probe := prometheus.ClassicProbe(base, sel, rng) + " or " + prometheus.NativeProbe(base, sel, rng)
		if d, err := prom.Query(ctx, probe, at); err == nil && len(d.Series) > 0 {
			return badQuery("latency query: %q is the %s series of the histogram %q, a counter without buckets; give the histogram's name %q", metric, part, base, base)
		}
	}
	return nil
}

// matchersEnd is the offset just after the `}` that closes the PromQL matcher set sel
// starts with (strings in "…", '…' or `…` skipped), -1 when it does not close.
func matchersEnd(sel string) int {
	for i := 1; i < len(sel); i++ {
		switch c := sel[i]; c {
		case '"', '\'', '`':
			j := i + 1
			for j < len(sel) && sel[j] != c {
				if sel[j] == '\\' && c != '`' {
					j++
				}
				j++
			}
			if j >= len(sel) {
				return -1
			}
			i = j
		case '}':
			return i + 1
		}
	}
	return -1
}

func latencyFromHistogram(ctx context.Context, env *Env, q *Query, p latencyPlan) backend.DataResponse {
	prom, err := env.metrics()
	if err != nil {
		return errorResponse(err)
	}
	// A rate over fewer than two samples is empty: four scrapes at least.
	p.window = max(p.step, 4*env.scrapeInterval())
	metric, sel, err := histogramTarget(q, env)
	if err != nil {
		return errorResponse(err)
	}
	scale, err := unitToMs(q.ValueUnit, unitOfMetricName(metric))
	if err != nil {
		return errorResponse(err)
	}
	// Classic (`_bucket` series with `le`) or native? Ask for classic series with a sample
	// anywhere in the range.
	probe, err := prom.Query(ctx, prometheus.ClassicProbe(metric, sel, p.rng), p.to)
	if err != nil {
		return errorResponse(err)
	}
	native := len(probe.Series) == 0
	if native {
		if err := histogramPartNamed(ctx, prom, metric, sel, p.rng, p.to); err != nil {
			return errorResponse(err)
		}
	}

	resp := backend.DataResponse{}
	pct := make([][]*data.Frame, len(p.qs))
	errs := make([]error, len(p.qs)+2)
	var cdf, sum *data.Frame
	var fns []func()
	for i, x := range p.qs {
		fns = append(fns, func() {
			expr := prometheus.HistogramQuantile(x, metric, sel, p.window, p.groupBy, native)
			d, err := prom.QueryRange(ctx, expr, p.from, p.to, p.step)
			if err != nil {
				errs[i] = err
				return
			}
			pct[i] = seriesPercentiles(x, d.Series, scale)
			frames.Executed(pct[i], expr)
			annotate(pct[i][0], d)
		})
	}
	if p.wantCDF {
		fns = append(fns, func() { cdf, errs[len(p.qs)] = histogramCDF(ctx, prom, metric, sel, p, native, scale) })
	}
	if p.wantSummary {
		fns = append(fns, func() {
			sum, errs[len(p.qs)+1] = histogramSummary(ctx, prom, metric, sel, env.Settings, env.scrapeInterval(), p, native, scale)
		})
	}
	parallel.Run(fns...)
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
// buckets carry their own bounds. The store's annotations go on the frame.
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
		f := frames.CDF(cdfRows(latency.NativeCDF(h), scale))
		annotate(f, d)
		return f, nil
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
	f := frames.CDF(cdfRows(latency.NewClassic(buckets).CDF(), scale))
	annotate(f, d)
	return f, nil
}

// errorSelector is sel narrowed to the failed requests (the configured error label
// matching the error values), or "" when no error label is configured.
func errorSelector(sel string, st *settings.Settings) string {
	if st == nil || st.ErrorLabel == "" {
		return ""
	}
	return withMatcher(sel, st.ErrorLabel+"=~"+language.QuoteString(st.ErrorValues))
}

// withMatcher is the matcher set sel with the matcher m added.
func withMatcher(sel, m string) string {
	body := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(sel, "{"), "}"))
	if body == "" {
		return "{" + m + "}"
	}
	return "{" + strings.TrimSuffix(body, ",") + "," + m + "}"
}

// histogramSummary reads N and the total over the range. It takes the exact growth of
// the counters between the range's ends (prometheus.CounterDelta: series present at both
// ends, plus series that appeared in the range) when that is knowable: no counter reset
// in the range and no series that went away in it (pod churn, a pod that lived inside the
// range included: its growth is invisible at the range's end). Otherwise it takes Prometheus' extrapolated
// increase(). With an error selector the error rate is increase(errors)/increase(all)
// over the range (both extrapolated alike) and the errors are that share of N; without
// one, or when no series of the histogram in the range carries the error label (a
// histogram instrumented without a status, which cannot tell failures apart), the error
// rate is unknown (NaN). A native histogram's resets are read from its count sampled at
// every scrape of the store (scrape, its scrape interval). The store's annotations go on
// the frame.
func histogramSummary(ctx context.Context, prom prometheus.API, metric, sel string, st *settings.Settings, scrape time.Duration, p latencyPlan, native bool, scale float64) (*data.Frame, error) {
	errSel := errorSelector(sel, st)
	// Each counter now (at the range's end) and then (at its start), the extrapolated
	// increases, the resets, and the series whose going away is checked.
	var countNow, countThen, sumNow, sumThen, countInc, sumInc, resets, series string
	if native {
		cur, old := metric+sel, prometheus.Offset(metric, sel, p.rng)
		countNow, countThen = "histogram_count("+cur+")", "histogram_count("+old+")"
		sumNow, sumThen = "histogram_sum("+cur+")", "histogram_sum("+old+")"
		inc := prometheus.NativeIncrease(metric, sel, p.rng)
		countInc, sumInc = "histogram_count("+inc+")", "histogram_sum("+inc+")"
		// Sampled at every scrape (at most 11,000 times over the range): a process that
		// restarts and counts past its former total before the next sample hides the fall.
		res := max(scrape, (p.rng/11000).Round(time.Second)+time.Second)
		resets = prometheus.ResetsSampled(countNow, p.rng, res)
		series = cur
	} else {
		countNow, countThen = metric+"_count"+sel, prometheus.Offset(metric+"_count", sel, p.rng)
		sumNow, sumThen = metric+"_sum"+sel, prometheus.Offset(metric+"_sum", sel, p.rng)
		countInc, sumInc = prometheus.CountIncrease(metric, sel, p.rng), prometheus.SumIncrease(metric, sel, p.rng)
		resets = "sum(resets(" + countNow + "[" + prometheus.FormatRange(p.rng) + "]))"
		series = countNow
	}
	const (
		iCount = iota
		iSum
		iCountInc
		iSumInc
		iErrors  // the errors' increase, when there is an error selector (else not sent, 0)
		iLabeled // the series carrying the error label, when there is an error selector
		iResets
		iVanished
	)
	exprs := []string{
		iCount:    prometheus.CounterDelta(countNow, countThen),
		iSum:      prometheus.CounterDelta(sumNow, sumThen),
		iCountInc: countInc,
		iSumInc:   sumInc,
		iResets:   resets,
		iVanished: prometheus.Vanished(series, p.rng),
	}
	if errSel != "" {
		labeled := withMatcher(sel, st.ErrorLabel+`=~".+"`)
		if native {
			exprs[iErrors] = "histogram_count(" + prometheus.NativeIncrease(metric, errSel, p.rng) + ")"
			labeled = metric + labeled
		} else {
			exprs[iErrors] = prometheus.CountIncrease(metric, errSel, p.rng)
			labeled = metric + "_count" + labeled
		}
		exprs[iLabeled] = "count(present_over_time(" + labeled + "[" + prometheus.FormatRange(p.rng) + "]))"
	}
	vals := make([]float64, len(exprs))
	notes := make([]*prometheus.Data, len(exprs))
	errs := make([]error, len(exprs))
	fns := make([]func(), len(exprs))
	for i, e := range exprs {
		fns[i] = func() {
			if e != "" {
				vals[i], notes[i], errs[i] = scalarAt(ctx, prom, e, p.to)
			}
		}
	}
	parallel.Run(fns...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	n, total := vals[iCount], vals[iSum]
	if vals[iResets] > 0 || vals[iVanished] > 0 || n < 0 || total < 0 {
		n, total = vals[iCountInc], vals[iSumInc]
	}
	errorsN := -1.0 // unknown
	unlabeled := errSel != "" && vals[iLabeled] == 0
	if errSel != "" && !unlabeled {
		errorsN = 0
		if vals[iCountInc] > 0 {
			errorsN = min(max(vals[iErrors]/vals[iCountInc], 0), 1) * n
		}
	}
	// One observation of NaN keeps the sum NaN while the count stays right: the mean is
	// unknown, the rest is not.
	nanSum := math.IsNaN(total)
	if nanSum {
		total = 0
	}
	row, err := summaryRow(n, total*scale, errorsN, p)
	if err != nil {
		return nil, err
	}
	if nanSum {
		row.MeanMs = math.NaN()
	}
	f := frames.Summary(row)
	annotate(f, notes...)
	if nanSum && n > 0 {
		frames.Notice(f, data.NoticeSeverityWarning, "mean unknown: the sum of %s is NaN in the range (an observation of NaN stays in the sum); the count, rate and error rate come from its count", metric)
	}
	if unlabeled && n > 0 {
		frames.Notice(f, data.NoticeSeverityWarning, "error rate unknown: no series of %s in the range carries the error label %q", metric, st.ErrorLabel)
	}
	return f, nil
}

// annotate adds the store's warnings and infos of each answer to f, each text once.
func annotate(f *data.Frame, answers ...*prometheus.Data) {
	seen := map[string]bool{}
	var warnings, infos []string
	for _, d := range answers {
		if d == nil {
			continue
		}
		for _, w := range d.Warnings {
			if !seen["w"+w] {
				seen["w"+w] = true
				warnings = append(warnings, w)
			}
		}
		for _, w := range d.Infos {
			if !seen["i"+w] {
				seen["i"+w] = true
				infos = append(infos, w)
			}
		}
	}
	frames.StoreAnnotations(f, prometheus.StoreName, warnings, infos)
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

// durationsSummary is latency.SummarizeDurations over the query range, or over the part
// of it the records kept cover when the limit cut them (covered > 0); errorsN < 0 means
// the error rate is not known (log lines carry no status).
func durationsSummary(durMs []float64, errorsN int, covered time.Duration, p latencyPlan) (frames.SummaryRow, error) {
	known := errorsN >= 0
	window := p.rng.Seconds()
	if covered > 0 {
		window = covered.Seconds()
	}
	s, err := latency.SummarizeDurations(durMs, max(errorsN, 0), window, p.serviceRate)
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

// scalarAt runs an instant query expected to give one number (0 when it gives none),
// and returns the answer too for its annotations.
func scalarAt(ctx context.Context, prom prometheus.API, expr string, at time.Time) (float64, *prometheus.Data, error) {
	d, err := prom.Query(ctx, expr, at)
	if err != nil {
		return 0, nil, err
	}
	if d.Scalar != nil {
		return d.Scalar.Value, d, nil
	}
	for _, s := range d.Series {
		if len(s.Points) > 0 {
			return s.Points[len(s.Points)-1].Value, d, nil
		}
	}
	return 0, d, nil
}

// traceMetrics is the optional TraceQL-metrics ability of a trace store (Tempo).
type traceMetrics interface {
	MetricsQueryRange(ctx context.Context, q string, start, end time.Time, step time.Duration) (*tempo.Metrics, error)
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
	if fn := traceQLMetricsFunction(selector); fn != "" {
		return errorResponse(badQuery("latency query: the TraceQL %q already computes %s(); give the spans to measure (a span selector, "+
			"with pipeline stages such as select() that still give spans): the latency query adds quantile_over_time() itself", selector, fn))
	}
	isTempo := ts.Name() == tempo.StoreName
	// A store without TraceQL (Jaeger) gets the selection as a filter on its spans.
	var sel *spanSelection
	if !isTempo {
		if sel, err = selectionWithoutTraceQL(q, selector); err != nil {
			return errorResponse(err)
		}
	}
	// The group-by names are read off the returned spans when the store cannot group
	// them (Jaeger always; Tempo when its TraceQL metrics fail).
	groups, groupsErr := newSpanGroups(p.groupBy, isTempo)
	if groupsErr != nil && !isTempo {
		return errorResponse(badQuery("latency query: Jaeger has no TraceQL metrics, so its spans are grouped here: %v", groupsErr))
	}
	resp := backend.DataResponse{}
	var (
		series   *tempo.Metrics
		seriesEr error
		raw      rawSpans
	)
	tm, inStore := ts.(traceMetrics)
	metrics := func() {
		if inStore {
			series, seriesEr = tm.MetricsQueryRange(ctx, tempo.QuantileOverTime(selector, p.qs, p.groupBy), p.from, p.to, p.step)
		}
	}
	search := func() { raw = fetchRawSpans(ctx, env, q, selector, sel, groups, p) }
	// Tempo answers TraceQL metrics over recent data with no series at all when its
	// metrics-generator does not run the local-blocks processor for the tenant, just as
	// when no span matched: the search tells the two apart.
	noSeries := func() bool { return seriesEr == nil && series != nil && len(series.Series) == 0 }
	if inStore && !p.wantCDF && !p.wantSummary {
		// Only the percentiles are wanted (always so for alerts) and the store computes
		// them: the raw spans are searched only when it cannot, or found nothing.
		if metrics(); seriesEr != nil || noSeries() {
			search()
		}
	} else {
		// The CDF and summary need the raw spans anyway: ask both at once.
		parallel.Run(metrics, search)
	}
	// Metrics without a series while the search found spans that can be grouped as asked:
	// the percentiles come from those spans.
	metricsMissedSpans := inStore && noSeries() && raw.err == nil && groupsErr == nil && raw.groupErr == nil && len(raw.durMs) > 0
	if inStore && seriesEr == nil && !metricsMissedSpans {
		resp.Frames = append(resp.Frames, traceQLPercentiles(series, p)...)
	} else {
		if raw.err != nil {
			return errorResponse(raw.err)
		}
		if groupsErr != nil {
			return errorResponse(badQuery("latency query: TraceQL metrics unavailable (%v), and the spans Tempo returned cannot be grouped here: %v", seriesEr, groupsErr))
		}
		if raw.groupErr != nil {
			if seriesEr != nil {
				return errorResponse(badQuery("latency query: TraceQL metrics unavailable (%v), and the spans returned cannot be grouped here: %v", seriesEr, raw.groupErr))
			}
			return errorResponse(badQuery("latency query: %v", raw.groupErr))
		}
		fs := exactPercentiles(raw, p)
		for _, f := range fs {
			switch {
			case seriesEr != nil:
				frames.Notice(f, data.NoticeSeverityInfo, "TraceQL metrics unavailable (%v); percentiles computed exactly from %d spans", seriesEr, len(raw.durMs))
			case metricsMissedSpans:
				frames.Notice(f, data.NoticeSeverityWarning, "TraceQL metrics found no spans where the search found %d "+
					"(Tempo's metrics over recent data need its metrics-generator's local-blocks processor); percentiles computed exactly from %d spans",
					raw.read, len(raw.durMs))
			}
			announceRaw(f, raw, "spans", p.maxSpans)
		}
		resp.Frames = append(resp.Frames, fs...)
	}
	resp.Frames = append(resp.Frames, rawParts(raw, raw.errors, "spans", p.maxSpans, p)...)
	return resp
}

// traceQLPercentiles turns quantile_over_time series (label `p`, values in seconds)
// into percentile frames, ascending percentile first and then the groups' labels. When
// Tempo said its answer is partial (series past its max_response_series left out), every
// frame carries its message as a warning.
func traceQLPercentiles(m *tempo.Metrics, p latencyPlan) []*data.Frame {
	type series struct {
		q     float64
		group string
		frame *data.Frame
	}
	var all []series
	for _, s := range m.Series {
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
		all = append(all, series{qv, groupKey(group), frames.Percentile(qv, group, ts, vs)})
	}
	// As exactPercentiles orders them: ascending percentile, then the groups' labels.
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].q != all[j].q {
			return all[i].q < all[j].q
		}
		return all[i].group < all[j].group
	})
	out := make([]*data.Frame, 0, len(all))
	for _, s := range all {
		out = append(out, s.frame)
	}
	if len(out) == 0 {
		for _, x := range p.qs {
			out = append(out, frames.Percentile(x, nil, nil, nil))
		}
	}
	if m.Partial {
		why := m.Message
		if why == "" {
			why = "the answer is partial"
		}
		for _, f := range out {
			frames.Notice(f, data.NoticeSeverityWarning, "%s: TraceQL metrics: %s", tempo.StoreName, why)
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

// rawSpans are raw span durations (or log values) for exact statistics.
type rawSpans struct {
	durMs   []float64
	startNs []int64
	errors  int
	// group holds each value's group, an index into groups, when the query groups by
	// names read off the spans; groups are the label sets (a name the span lacks is
	// left out, as the stores leave it out of a series' labels).
	group  []int
	groups []map[string]string
	// shown counts the records kept (spans, or log lines whether or not their value
	// converted); read counts those the store's answer held in the range. read > shown
	// means the configured limit cut them and the store holds more.
	shown, read int
	// traceCap, when > 0, is the number of traces the search was limited to and
	// returned: the store may hold more spans in the range.
	traceCap int
	// incomplete is the store's word on a read that stopped early or skipped records.
	incomplete string
	// coveredNs, when > 0, is where the records kept stop covering the range: the
	// earliest ones were kept up to the limit, and this is the time of the first one left
	// out. The summary's rate is over the range's start up to it.
	coveredNs int64
	// coveredSinceNs, when > 0, is where the records kept start covering the range: the
	// latest ones were kept up to the limit, and this is the time of the latest one left
	// out. The summary's rate is over the time after it, to the range's end.
	coveredSinceNs int64
	// matched and returned count the spans the trace store matched and returned; it
	// returns at most perTrace per trace, so matched can exceed returned.
	matched, returned, perTrace int
	// warnings are the store's messages about records it could not return (Jaeger's
	// `errors` next to its data).
	warnings []string
	// groupErr says why the spans could not be grouped (then group and groups are empty).
	groupErr error
	// errorsUnknown says why the spans' status could not be read (then errors is -1
	// and the error rate is left out).
	errorsUnknown string
	err           error
}

// covered is how much of the range the records kept cover when the limit cut them (its
// start up to coveredNs, or the time after coveredSinceNs to its end), 0 when they cover
// it all.
func (r rawSpans) covered(p latencyPlan) time.Duration {
	var c time.Duration
	switch {
	case r.coveredNs > 0:
		c = time.Duration(r.coveredNs - p.from.UnixNano())
	case r.coveredSinceNs > 0:
		c = time.Duration(p.to.UnixNano() - r.coveredSinceNs)
	}
	if c > 0 && c < p.rng {
		return c
	}
	return 0
}

// unreturned reports whether the store matched spans it did not return.
func (r rawSpans) unreturned() bool { return r.matched > r.returned }

// announceRaw adds to f the notices about the raw records it was built from: the
// store's warnings, spans it matched but did not return, a cut at the configured limit
// and reading that stopped early (both worded as for the logs and trace queries), and a
// search that stopped at its trace limit. what names the records ("spans", "log lines").
func announceRaw(f *data.Frame, r rawSpans, what string, limit int) {
	for _, w := range r.warnings {
		frames.Notice(f, data.NoticeSeverityWarning, "%s", w)
	}
	if r.unreturned() {
		frames.Notice(f, data.NoticeSeverityWarning,
			"%s truncated: the trace store matched %d but returned %d (at most %d per trace); the statistics use the %d kept",
			what, r.matched, r.returned, r.perTrace, len(r.durMs))
	}
	cut := r.read > r.shown
	announceRead(f, what, "the configured limit", limit, r.shown, cut, r.incomplete)
	if !cut && r.traceCap > 0 {
		frames.Notice(f, data.NoticeSeverityWarning,
			"%s: the search returned its maximum of %d traces (set from the configured span limit), so the store may hold more in the time range; %d shown",
			what, r.traceCap, r.shown)
	}
}

// groupKey identifies a label set: its names and values, quoted, in name order.
func groupKey(ls map[string]string) string {
	names := make([]string, 0, len(ls))
	for k := range ls {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		b.WriteString(strconv.Quote(k))
		b.WriteString(strconv.Quote(ls[k]))
	}
	return b.String()
}

// addGroup files the value just appended under the label set ls.
func (r *rawSpans) addGroup(ls map[string]string, index map[string]int) {
	key := groupKey(ls)
	g, ok := index[key]
	if !ok {
		g = len(r.groups)
		index[key] = g
		r.groups = append(r.groups, ls)
	}
	r.group = append(r.group, g)
}

// spanGroups reads a spans query's group-by names off the spans a trace store returned,
// as TraceQL metrics' `by (…)` reads them, so each group gets its own percentiles.
type spanGroups struct {
	fields []groupField
	// byTrace says a name is read off the trace (its search hit), not the span.
	byTrace bool
}

type groupField struct {
	// name is the group-by name as the query gives it: the label's name.
	name string
	// field reads a span-level name; ofTrace a trace-level one.
	field   traceqlfilter.Field
	ofTrace func(*model.TraceSummary) string
	// tempoKey is the name Tempo's search answer gives this attribute or intrinsic
	// (scope dropped), "" when it is not read from the answer's attributes.
	tempoKey string
}

// traceGroupBy are the trace intrinsics a group-by may name, read off the search hit
// (Tempo gives them per hit; for Jaeger they come from the trace's root span).
var traceGroupBy = map[string]func(*model.TraceSummary) string{
	"rootName": func(t *model.TraceSummary) string { return t.RootName },
	// Tempo's hit names the root service of a trace whose root span it has not received
	// with a placeholder; its TraceQL metrics label such a trace's spans "".
	"rootServiceName": func(t *model.TraceSummary) string {
		if t.RootService == tempo.RootNotReceived {
			return ""
		}
		return t.RootService
	},
	// Tempo's search hit gives whole milliseconds, so from Tempo this is in ms.
	"traceDuration": func(t *model.TraceSummary) string {
		return time.Duration(math.Round(t.DurationMs * 1e6)).String()
	},
}

// tempoAnswerIntrinsics are the span intrinsics Tempo's search answer returns as
// attributes, under their own name.
var tempoAnswerIntrinsics = map[string]bool{"status": true, "kind": true, "statusMessage": true}

// newSpanGroups reads the group-by names (already checked by language.TraceQLGroupBy);
// nil when there are none. fromTempo says the spans come from Tempo's search, whose
// answer names attributes without their scope, so two names that differ only by scope
// cannot be told apart there and are refused.
func newSpanGroups(names []string, fromTempo bool) (*spanGroups, error) {
	if len(names) == 0 {
		return nil, nil
	}
	g := &spanGroups{}
	seen := map[string]string{}
	for _, n := range names {
		gf := groupField{name: n}
		if of, ok := traceGroupBy[n]; ok {
			gf.ofTrace, g.byTrace = of, true
			g.fields = append(g.fields, gf)
			continue
		}
		f, err := traceqlfilter.ParseField(n)
		if err != nil {
			return nil, fmt.Errorf("cannot group spans by %q: %v", n, err)
		}
		gf.field = f
		if a, ok := f.Attribute(); ok {
			gf.tempoKey = a
		} else if tempoAnswerIntrinsics[n] {
			gf.tempoKey = n
		}
		if fromTempo && gf.tempoKey == "status" && n != "status" {
			// The search always selects the span status (for the error rate), which the
			// answer names "status" too: the two could not be told apart.
			return nil, fmt.Errorf("cannot group spans by %q from Tempo's search: its answer names that attribute %q, as it names the span status it carries for the error rate", n, gf.tempoKey)
		}
		if fromTempo && gf.tempoKey != "" {
			if prev, dup := seen[gf.tempoKey]; dup && prev != n {
				return nil, fmt.Errorf("cannot group by both %q and %q: Tempo's search answer names both %q", prev, n, gf.tempoKey)
			}
			seen[gf.tempoKey] = n
		}
		g.fields = append(g.fields, gf)
	}
	return g, nil
}

// tempoSearch is selector with a select() of each span's status (which Tempo's search
// answer leaves out unless asked for, and the error rate needs) and of the span-level
// names the groups read (duration and the trace intrinsics always come back).
func (g *spanGroups) tempoSearch(selector string) string {
	names := []string{"status"}
	if g != nil {
		for _, f := range g.fields {
			if f.ofTrace == nil && f.name != "duration" && f.name != "status" {
				names = append(names, f.name)
			}
		}
	}
	return selector + " | select(" + strings.Join(names, ", ") + ")"
}

// traceQLScopes are the prefixes that make a TraceQL name an attribute; `parent.` may
// come before any of them.
var traceQLScopes = []string{".", "span.", "resource.", "event.", "link.", "instrumentation."}

// statusAttribute returns the first reference in TraceQL text to an attribute named
// status, in any scope (span.status, resource.status, .status, span."status",
// parent.span.status …), as written; "" when there is none. String literals and line
// comments are skipped; the intrinsic (status, span:status) is not an attribute. Tempo's
// search answer returns such an attribute, without its scope, under the key it gives
// the selected span status.
func statusAttribute(traceQL string) string {
	const stop = " \t\r\n{}()[]=!<>&|~\"`,+*/%^"
	s := traceQL
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '"' || c == '`':
			n := quotedLen(s[i:])
			if n < 0 {
				return "" // a string that does not end: Tempo refuses the query
			}
			i += n
			continue
		case strings.HasPrefix(s[i:], "//"):
			if k := strings.IndexByte(s[i:], '\n'); k >= 0 {
				i += k + 1
				continue
			}
			return ""
		case strings.IndexByte(stop, c) >= 0:
			i++
			continue
		}
		j := i
		for j < len(s) && strings.IndexByte(stop, s[j]) < 0 {
			j++
		}
		name := s[i:j]
		if strings.HasSuffix(name, ".") && j < len(s) && s[j] == '"' {
			// A quoted attribute name after the scope: span."status".
			n := quotedLen(s[j:])
			if n < 0 {
				return ""
			}
			unquoted, err := strconv.Unquote(s[j : j+n])
			if err != nil {
				unquoted = s[j+1 : j+n-1]
			}
			name += unquoted
			j += n
		}
		attr := strings.TrimPrefix(name, "parent.")
		for _, scope := range traceQLScopes {
			if strings.HasPrefix(attr, scope) && attr[len(scope):] == "status" {
				return s[i:j]
			}
		}
		i = j
	}
	return ""
}

// labels is the label set of span s (of the trace whose hit is hit, nil when unknown):
// each name the span has, rendered as Tempo renders the series label. fromTempo reads
// attributes from Tempo's search answer, which names them without scope; an answer
// holding one name twice with different values cannot be read and is an error.
func (g *spanGroups) labels(s *model.Span, hit *model.TraceSummary, fromTempo bool) (map[string]string, error) {
	out := make(map[string]string, len(g.fields))
	for _, f := range g.fields {
		var (
			v   string
			ok  bool
			err error
		)
		switch {
		case f.ofTrace != nil:
			if hit != nil {
				v, ok = f.ofTrace(hit), true
			}
		case fromTempo && f.tempoKey != "":
			if err = oneValue(s.Tags, f.tempoKey); err == nil {
				v, ok, err = f.field.Unscoped().Label(s)
			}
		default:
			v, ok, err = f.field.Label(s)
		}
		if err != nil {
			return nil, fmt.Errorf("cannot group span %s by %q: %v", s.SpanID, f.name, err)
		}
		if ok {
			out[f.name] = v
		}
	}
	return out, nil
}

// oneValue checks that kvs holds key at most once, or only with one value.
func oneValue(kvs []model.KeyValue, key string) error {
	var first any
	n := 0
	for _, kv := range kvs {
		if kv.Key != key {
			continue
		}
		if n > 0 && fmt.Sprint(kv.Value) != fmt.Sprint(first) {
			return fmt.Errorf("Tempo's answer holds %q twice (%v and %v), from different scopes it does not name", key, first, kv.Value)
		}
		first = kv.Value
		n++
	}
	return nil
}

// spanSelection is the selection of a span latency query for a trace store without
// TraceQL: the service and operation it searches by, and the TraceQL selector
// evaluated on the spans of the traces it returns.
type spanSelection struct {
	service, operation string
	filter             *traceqlfilter.Filter
}

// selectionWithoutTraceQL reads selector (built from the builder's fields and span
// filter, or written in code mode) for a store without TraceQL. What the filter cannot
// evaluate exactly is refused, naming the part.
func selectionWithoutTraceQL(q *Query, selector string) (*spanSelection, error) {
	f, err := traceqlfilter.Parse(selector)
	if err != nil {
		return nil, badQuery("latency query: Jaeger has no TraceQL, so the span selection is evaluated here on the spans it returns: %v", err)
	}
	sel := &spanSelection{service: q.Service, operation: q.Operation, filter: f}
	if q.EditorMode == ModeCode && strings.TrimSpace(q.Expr) != "" {
		sel.service, _ = f.EqualString("resource.service.name")
		sel.operation, _ = f.EqualString("name")
		if sel.service == "" {
			return nil, badQuery(`latency query: Jaeger searches by service; the TraceQL selector %q needs a resource.service.name = "…" condition joined to the rest with &&`, selector)
		}
	}
	return sel, nil
}

// fetchRawSpans searches the trace store for spans of the selection, up to maxSpans: the
// latest, when the range holds more, with coveredSinceNs at the latest one left out.
// A store without TraceQL searches by sel's service and operation, and its spans are
// kept when sel's filter matches them. Tempo is asked for up to maxSpans spans per span
// set; when it refuses that many (its max_spans_per_span_set, 100 by default), the
// search is run again with its maximum. Spans Tempo matched but did not return are
// counted in matched. With groups, each kept span is filed under its group's labels
// (Tempo is asked to select the names the groups read).
func fetchRawSpans(ctx context.Context, env *Env, q *Query, selector string, sel *spanSelection, groups *spanGroups, p latencyPlan) rawSpans {
	ts, err := env.traces()
	if err != nil {
		return rawSpans{err: err}
	}
	limit := p.maxSpans
	isTempo := ts.Name() == tempo.StoreName
	sp := searchParamsForSpans(q, selector, p, limit)
	if isTempo {
		sp.TraceQL = groups.tempoSearch(selector)
	} else {
		if sel == nil {
			return rawSpans{err: badQuery("latency query: no span selection for %s", ts.Name())}
		}
		sp.TraceQL, sp.Service, sp.Operation = "", sel.service, sel.operation
	}
	res, err := ts.Search(ctx, sp)
	if n, ok := spansPerSpanSetCap(err); ok && isTempo && n < sp.SpansPerSpanSet {
		sp.SpansPerSpanSet = n
		res, err = ts.Search(ctx, sp)
	}
	if err != nil {
		return rawSpans{err: err}
	}
	out := rawSpans{warnings: res.Warnings}
	var hits map[string]*model.TraceSummary
	if groups != nil && groups.byTrace {
		hits = make(map[string]*model.TraceSummary, len(res.Traces))
		for i := range res.Traces {
			hits[res.Traces[i].TraceID] = &res.Traces[i]
		}
		if !isTempo {
			// Jaeger returns whole traces. One without a parentless span has no root: its
			// spans get rootServiceName and rootName "", as TraceQL metrics give them,
			// not the names of the orphan the hit shows as its root.
			rooted := map[string]bool{}
			for i := range res.Spans {
				if res.Spans[i].ParentSpanID == "" {
					rooted[res.Spans[i].TraceID] = true
				}
			}
			for id, h := range hits {
				if !rooted[id] {
					rootless := *h
					rootless.RootService, rootless.RootName = "", ""
					hits[id] = &rootless
				}
			}
		}
	}
	var kept []*model.Span
	for i := range res.Spans {
		s := &res.Spans[i]
		if !isTempo {
			// Jaeger returns whole traces; keep the spans the selection asks for.
			ok, err := sel.filter.Match(s)
			if err != nil {
				return rawSpans{err: badQuery("latency query: span filter: %v", err)}
			}
			if !ok {
				continue
			}
		}
		if s.StartUnixNano < p.from.UnixNano() || s.StartUnixNano > p.to.UnixNano() {
			continue
		}
		kept = append(kept, s)
	}
	out.read = len(kept)
	if limit > 0 && len(kept) > limit {
		// The latest are kept, whatever order the store answered in: a dashboard's and
		// an alert's last steps are the ones read. The rate is then over the time they
		// cover, after the latest span left out.
		sort.SliceStable(kept, func(i, j int) bool { return kept[i].StartUnixNano > kept[j].StartUnixNano })
		out.coveredSinceNs = kept[limit].StartUnixNano
		kept = kept[:limit]
	}
	groupIndex := map[string]int{}
	for _, s := range kept {
		if groups != nil {
			ls, err := groups.labels(s, hits[s.TraceID], isTempo)
			if err != nil {
				// Only percentiles computed here need the groups; the CDF and summary
				// do not, so the spans are still read.
				out.groupErr, out.group, out.groups, groups = err, nil, nil, nil
			} else {
				out.addGroup(ls, groupIndex)
			}
		}
		out.durMs = append(out.durMs, float64(s.DurationNano)/1e6)
		out.startNs = append(out.startNs, s.StartUnixNano)
		if s.StatusCode == model.StatusError {
			out.errors++
		}
	}
	out.shown = len(out.durMs)
	if isTempo {
		if ref := statusAttribute(sp.TraceQL); ref != "" {
			// The answer's "status" may be that attribute: the span status is not known.
			out.errors = -1
			out.errorsUnknown = fmt.Sprintf("error rate left out: the selection filters on an attribute named status (%s), which Tempo's search answer cannot tell from the span status", ref)
		}
		out.returned, out.perTrace = len(res.Spans), sp.SpansPerSpanSet
		for _, tr := range res.Traces {
			out.matched += tr.MatchedSpans
		}
		out.matched = max(out.matched, out.returned)
	}
	if sp.Limit > 0 && len(res.Traces) >= sp.Limit {
		out.traceCap = sp.Limit
	}
	return out
}

// spansPerSpanSetRE reads Tempo's refusal of a larger spss than its
// max_spans_per_span_set: "spans per span set exceeds 100. received 50000".
var spansPerSpanSetRE = regexp.MustCompile(`spans per span set exceeds (\d+)`)

// spansPerSpanSetCap returns the spans-per-span-set maximum a 400 from Tempo names.
func spansPerSpanSetCap(err error) (int, bool) {
	var se *httpx.StoreError
	if err == nil || !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		return 0, false
	}
	m := spansPerSpanSetRE.FindStringSubmatch(se.Message)
	if m == nil {
		return 0, false
	}
	n, perr := strconv.Atoi(m[1])
	return n, perr == nil && n > 0
}

func searchParamsForSpans(q *Query, selector string, p latencyPlan, limit int) tracestore.SearchParams {
	return tracestore.SearchParams{
		TraceQL: selector, Service: q.Service, Operation: q.Operation,
		Start: p.from, End: p.to, Limit: max(limit/10, 20), SpansPerSpanSet: max(limit, 1),
	}
}

// exactPercentiles computes each step's exact quantiles from raw values: one frame per
// percentile, or with groups one per (percentile, group) carrying the group's labels,
// percentile by percentile and the groups in the order of their labels.
func exactPercentiles(raw rawSpans, p latencyPlan) []*data.Frame {
	if len(raw.groups) == 0 {
		times, vals := stepQuantiles(raw.durMs, raw.startNs, p)
		out := make([]*data.Frame, len(p.qs))
		for i, x := range p.qs {
			out[i] = frames.Percentile(x, nil, times, vals[i])
		}
		return out
	}
	order := make([]int, len(raw.groups))
	for g := range order {
		order[g] = g
	}
	sort.Slice(order, func(a, b int) bool { return groupKey(raw.groups[order[a]]) < groupKey(raw.groups[order[b]]) })
	durs := make([][]float64, len(raw.groups))
	starts := make([][]int64, len(raw.groups))
	for i, g := range raw.group {
		durs[g] = append(durs[g], raw.durMs[i])
		starts[g] = append(starts[g], raw.startNs[i])
	}
	type series struct {
		times []int64
		vals  [][]float64
	}
	byGroup := make([]series, len(raw.groups))
	for g := range raw.groups {
		byGroup[g].times, byGroup[g].vals = stepQuantiles(durs[g], starts[g], p)
	}
	out := make([]*data.Frame, 0, len(p.qs)*len(raw.groups))
	for i, x := range p.qs {
		for _, g := range order {
			out = append(out, frames.Percentile(x, raw.groups[g], byGroup[g].times, byGroup[g].vals[i]))
		}
	}
	return out
}

// stepQuantiles is the exact quantiles p.qs of the values that start in each step of the
// range, at the steps holding values: times (ms) and, per quantile, the values. As in a
// range query, the points stand on multiples of the step (since the Unix epoch, as
// Prometheus, Loki and Tempo place them), so a range that moves with the clock groups the
// same values into the same steps on every refresh: point t holds the values of (t −
// step, t] inside the range, the first point being the first multiple at or after from
// (a value at from is its). When to is not a multiple, the last point stands at `to` for
// the part step before it, so no point lies after the range and every value in it counts.
func stepQuantiles(durMs []float64, startNs []int64, p latencyPlan) (times []int64, vals [][]float64) {
	step, from, to := int64(p.step), p.from.UnixNano(), p.to.UnixNano()
	first := ceilMultiple(from, step)
	steps := 1
	if to > first {
		steps += int((to - first + step - 1) / step)
	}
	buckets := make([][]float64, steps)
	for i, d := range durMs {
		s := startNs[i]
		if s < from || s > to {
			continue
		}
		k := 0
		if s > first {
			k = int((s - first + step - 1) / step)
		}
		if k < steps {
			buckets[k] = append(buckets[k], d)
		}
	}
	times = make([]int64, 0, steps)
	vals = make([][]float64, len(p.qs))
	for k, b := range buckets {
		if len(b) == 0 {
			continue
		}
		qv, err := exactQuantiles(b, p.qs)
		if err != nil {
			continue
		}
		times = append(times, min(time.Unix(0, first+int64(k)*step).UnixMilli(), p.to.UnixMilli()))
		for i := range p.qs {
			vals[i] = append(vals[i], qv[i])
		}
	}
	return times, vals
}

// ceilMultiple is the first multiple of step (> 0) at or after t.
func ceilMultiple(t, step int64) int64 {
	r := t % step
	switch {
	case r == 0:
		return t
	case r < 0:
		return t - r
	}
	return t - r + step
}

// rawParts builds the CDF and summary from raw durations (ms), over every group;
// errorsN < 0 means the error rate is not known.
func rawParts(raw rawSpans, errorsN int, what string, limit int, p latencyPlan) []*data.Frame {
	var out []*data.Frame
	err := raw.err
	if p.wantCDF {
		f := frames.CDF(nil)
		if err == nil && len(raw.durMs) > 0 {
			rows, cerr := exactCDF(raw.durMs)
			if cerr == nil {
				f = frames.CDF(rows)
			}
		}
		if err != nil {
			frames.StoreFailed(f, err)
		} else {
			announceRaw(f, raw, what, limit)
		}
		out = append(out, f)
	}
	if p.wantSummary {
		row, serr := durationsSummary(raw.durMs, errorsN, raw.covered(p), p)
		f := frames.Summary(row)
		if serr != nil && err == nil {
			err = serr
		}
		if err != nil {
			frames.StoreFailed(f, err)
		} else {
			if raw.errorsUnknown != "" {
				frames.Notice(f, data.NoticeSeverityWarning, "%s", raw.errorsUnknown)
			}
			announceRaw(f, raw, what, limit)
			if c := raw.covered(p); c > 0 {
				part := "first"
				if raw.coveredSinceNs > 0 {
					part = "last"
				}
				frames.Notice(f, data.NoticeSeverityInfo, "%s: the %d kept cover the %s %s of the range; the rate is over that time",
					what, raw.shown, part, c.Round(time.Second))
			}
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
	u, err := logUnwrapOf(q)
	if err != nil {
		return errorResponse(err)
	}
	scale, err := u.scaleToMs(q.ValueUnit)
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
			// The range expression already unwraps: no field is added to it.
			res, err := ls.QueryRange(ctx, loki.RangeRequest{
				Expr: loki.QuantileOverTime(x, u.expr, "", p.window, p.groupBy), Start: p.from, End: p.to, Step: p.step,
			})
			if err != nil {
				errs[i] = err
				return
			}
			pct[i] = seriesPercentiles(x, res.Series, scale)
		})
	}
	if p.wantCDF || p.wantSummary {
		fns = append(fns, func() { raw = fetchLogValues(ctx, ls, u, scale, p) })
	}
	parallel.Run(fns...)
	for i := range p.qs {
		if errs[i] != nil {
			return errorResponse(errs[i])
		}
		resp.Frames = append(resp.Frames, pct[i]...)
	}
	resp.Frames = append(resp.Frames, rawParts(raw, -1, "log lines", p.maxLogLines, p)...)
	return resp
}

// LogQL's unwrap conversions (`| unwrap duration(label)` …).
const (
	convNone            = ""
	convDuration        = "duration"
	convDurationSeconds = "duration_seconds"
	convBytes           = "bytes"
)

// logUnwrap is a LogQL log range expression that unwraps one label.
type logUnwrap struct {
	// expr is the whole range expression sent inside quantile_over_time, as written.
	expr string
	// pipeline is the selector and the stages before the unwrap.
	pipeline string
	// conv is the conversion applied to the label (convNone, convDuration…).
	conv string
	// label is the label unwrapped (inside the conversion when there is one).
	label string
	// post holds the stages after the unwrap (label filters such as `| __error__=""`),
	// "" when there are none.
	post string
}

// logUnwrapOf reads the unwrap of a logs latency query: the code-mode expression as
// written, or the builder's selector (or the service's stream) and field.
func logUnwrapOf(q *Query) (logUnwrap, error) {
	if q.EditorMode == ModeCode {
		return splitUnwrap(q.Expr)
	}
	selector, field := strings.TrimSpace(q.LogSelector), strings.TrimSpace(q.LogField)
	if selector == "" && q.Service != "" {
		var err error
		if selector, err = loki.StreamSelector(LogServiceLabel, q.Service); err != nil {
			return logUnwrap{}, badQuery("latency query (logs): %v", err)
		}
	}
	if field != "" && !language.ValidLabelName(field) {
		return logUnwrap{}, badQuery("latency query (logs): %q is not a LogQL label name to unwrap", field)
	}
	if selector == "" || field == "" {
		return logUnwrap{}, badQuery("latency query (logs): need a LogQL selector and a field to unwrap")
	}
	if at, _, err := findUnwrap(selector); err != nil {
		return logUnwrap{}, err
	} else if at >= 0 {
		return logUnwrap{}, badQuery("latency query (logs): the log selector already has an unwrap stage; give the field in the field box only, or write the whole expression in code mode")
	}
	// A value the unwrap cannot convert fails Loki's whole metric query ("pipeline error:
	// 'SampleExtractionErr'") unless the error is filtered out: the builder drops such
	// lines, as the exact path skips them.
	const dropErrors = `| __error__=""`
	return logUnwrap{expr: selector + " | unwrap " + field + " " + dropErrors, pipeline: selector, label: field, post: dropErrors}, nil
}

// splitUnwrap reads `<selector> <stages> | unwrap [conv(]label[)] <label filters>`: the
// unwrap may convert the label (duration, duration_seconds, bytes) and be followed by
// label filters (`| __error__=""`), which LogQL allows there. The expression is kept
// as written; the range and the aggregation are added by the query.
func splitUnwrap(expr string) (logUnwrap, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return logUnwrap{}, badQuery("latency query (logs): need a LogQL selector and a field to unwrap")
	}
	if expr[0] != '{' {
		return logUnwrap{}, badQuery("latency query (logs): %q does not start with a stream selector `{…}`; write the log pipeline with `| unwrap <label>` (the range and quantile_over_time are added by the query)", expr)
	}
	at, end, err := findUnwrap(expr)
	if err != nil {
		return logUnwrap{}, err
	}
	if at < 0 {
		return logUnwrap{}, badQuery("latency query (logs): %q has no `| unwrap <label>` stage; need a LogQL selector and a field to unwrap", expr)
	}
	u := logUnwrap{expr: expr, pipeline: strings.TrimSpace(expr[:at])}
	body := expr[at:end] // `| unwrap …`
	body = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(body[1:]), "unwrap"))
	if i := strings.IndexByte(body, '('); i >= 0 {
		u.conv = strings.TrimSpace(body[:i])
		u.label = strings.TrimSpace(strings.TrimSuffix(body[i+1:], ")"))
	} else {
		u.label = body
	}
	switch u.conv {
	case convNone, convDuration, convDurationSeconds, convBytes:
	default:
		return logUnwrap{}, badQuery("latency query (logs): unwrap conversion %q is not one of duration, duration_seconds, bytes", u.conv)
	}
	if !language.ValidLabelName(u.label) {
		return logUnwrap{}, badQuery("latency query (logs): %q is not a LogQL label name to unwrap", u.label)
	}
	rest := strings.TrimSpace(expr[end:])
	if rest != "" && rest[0] != '|' {
		return logUnwrap{}, badQuery("latency query (logs): %q after the unwrap is not a pipeline stage; only label filters such as `| __error__=\"\"` may follow it (the range and quantile_over_time are added by the query)", rest)
	}
	if k := unquotedIndexAny(rest, "[]"); k >= 0 {
		return logUnwrap{}, badQuery("latency query (logs): %q after the unwrap holds a range; leave it out (the query adds the range from the panel's interval)", rest)
	}
	if k, _, _ := findUnwrap(rest); k >= 0 {
		return logUnwrap{}, badQuery("latency query (logs): %q unwraps more than once", expr)
	}
	u.post = rest
	return u, nil
}

// findUnwrap finds the unwrap stage of a LogQL pipeline outside its string literals:
// at is the offset of its `|` (-1 when there is none) and end the offset just after
// its label (or the conversion's `)`).
func findUnwrap(expr string) (at, end int, err error) {
	for i := 0; i < len(expr); i++ {
		switch expr[i] {
		case '"', '`':
			n := quotedLen(expr[i:])
			if n < 0 {
				return -1, -1, badQuery("latency query (logs): a string in %q does not end", expr)
			}
			i += n - 1
		case '|':
			j := skipSpace(expr, i+1)
			if !strings.HasPrefix(expr[j:], "unwrap") {
				continue
			}
			j += len("unwrap")
			if j < len(expr) && isIdentByte(expr[j]) {
				continue // a label that starts with "unwrap"
			}
			k := skipSpace(expr, j)
			name := k
			for k < len(expr) && isIdentByte(expr[k]) {
				k++
			}
			if k == name {
				return -1, -1, badQuery("latency query (logs): `| unwrap` in %q names no label", expr)
			}
			if p := skipSpace(expr, k); p < len(expr) && expr[p] == '(' {
				rp := strings.IndexByte(expr[p:], ')')
				if rp < 0 {
					return -1, -1, badQuery("latency query (logs): the unwrap conversion in %q has no `)`", expr)
				}
				k = p + rp + 1
			}
			return i, k, nil
		}
	}
	return -1, -1, nil
}

// quotedLen is the length of the LogQL string literal s starts with ("…" with escapes
// or `…`), -1 when it does not end.
func quotedLen(s string) int {
	if s[0] == '`' {
		if k := strings.IndexByte(s[1:], '`'); k >= 0 {
			return k + 2
		}
		return -1
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// traceQLMetricsFunctions are TraceQL's metrics functions: a pipeline stage that turns
// spans into time series (Tempo's lexer keywords).
var traceQLMetricsFunctions = map[string]bool{
	"rate": true, "count_over_time": true, "min_over_time": true, "max_over_time": true, "avg_over_time": true,
	"sum_over_time": true, "quantile_over_time": true, "histogram_over_time": true, "compare": true,
}

// traceQLMetricsFunction returns the first metrics function TraceQL text applies as a
// pipeline stage (`| rate()`, `|quantile_over_time (…)`), "" when there is none. String
// literals and line comments are skipped; `||` is not a pipe.
func traceQLMetricsFunction(traceQL string) string {
	s := traceQL
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '`':
			n := quotedLen(s[i:])
			if n < 0 {
				return ""
			}
			i += n - 1
		case strings.HasPrefix(s[i:], "//"):
			k := strings.IndexByte(s[i:], '\n')
			if k < 0 {
				return ""
			}
			i += k
		case strings.HasPrefix(s[i:], "||"):
			i++
		case c == '|':
			rest := strings.TrimLeft(s[i+1:], " \t\r\n")
			j := 0
			for j < len(rest) && (rest[j] == '_' || rest[j] >= 'a' && rest[j] <= 'z') {
				j++
			}
			if fn := rest[:j]; traceQLMetricsFunctions[fn] && strings.HasPrefix(strings.TrimLeft(rest[j:], " \t\r\n"), "(") {
				return fn
			}
		}
	}
	return ""
}

// unquotedIndexAny is strings.IndexAny outside string literals.
func unquotedIndexAny(s, chars string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '`' {
			n := quotedLen(s[i:])
			if n < 0 {
				return -1
			}
			i += n - 1
			continue
		}
		if strings.IndexByte(chars, s[i]) >= 0 {
			return i
		}
	}
	return -1
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// logQuery is the log query whose lines carry the unwrapped values: the pipeline before
// the unwrap plus the label filters after it.
func (u logUnwrap) logQuery() string {
	if u.post == "" {
		return u.pipeline
	}
	return u.pipeline + " " + u.post
}

// scaleToMs is the factor from the unwrapped value to ms. duration(…) and
// duration_seconds(…) give seconds whatever the query's unit, so a different unit is
// refused; a plain or bytes(…) value is read in the query's unit (ms by default).
func (u logUnwrap) scaleToMs(valueUnit string) (float64, error) {
	switch u.conv {
	case convDuration, convDurationSeconds:
		if valueUnit != "" && valueUnit != "s" {
			return 0, badQuery("latency query (logs): %s(%s) gives seconds, but valueUnit is %q; leave the unit empty or set it to s", u.conv, u.label, valueUnit)
		}
		return 1e3, nil
	}
	return unitToMs(valueUnit, "ms")
}

// value converts one label value as Loki's unwrap does: a float, a Go duration in
// seconds, or a byte size (`5 MiB`, `3k`); ok is false when Loki would fail to convert
// it (and `| __error__=""` drop the line).
func (u logUnwrap) value(v string) (float64, bool) {
	switch u.conv {
	case convDuration, convDurationSeconds:
		d, err := time.ParseDuration(v)
		return d.Seconds(), err == nil
	case convBytes:
		return parseBytes(v)
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

// byteUnits are the size suffixes LogQL's bytes() conversion reads (case-insensitive):
// SI multiples of 1000, IEC ones of 1024.
var byteUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "ki": 1 << 10, "kib": 1 << 10,
	"m": 1e6, "mb": 1e6, "mi": 1 << 20, "mib": 1 << 20,
	"g": 1e9, "gb": 1e9, "gi": 1 << 30, "gib": 1 << 30,
	"t": 1e12, "tb": 1e12, "ti": 1 << 40, "tib": 1 << 40,
	"p": 1e15, "pb": 1e15, "pi": 1 << 50, "pib": 1 << 50,
	"e": 1e18, "eb": 1e18, "ei": 1 << 60, "eib": 1 << 60,
}

// parseBytes reads a byte size: digits (with `.` and `,` separators), optional space and
// a unit; a whole number of bytes below 2^64, as LogQL's bytes() gives.
func parseBytes(s string) (float64, bool) {
	n := 0
	for n < len(s) && (s[n] >= '0' && s[n] <= '9' || s[n] == '.' || s[n] == ',') {
		n++
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s[:n], ",", ""), 64)
	if err != nil {
		return 0, false
	}
	m, ok := byteUnits[strings.ToLower(strings.TrimSpace(s[n:]))]
	if !ok {
		return 0, false
	}
	f *= m
	if f >= math.MaxUint64 {
		return 0, false
	}
	return math.Floor(f), true
}

// fetchLogValues reads the unwrapped label of each line of the pipeline (with the label
// filters that follow the unwrap): parsed labels, structured metadata, stream labels —
// what Loki's unwrap reads, so a pipeline without a parser stage takes nothing from the
// line's text here either (the percentiles Loki computes and these values agree). The
// conversion is applied as Loki applies it, and a line whose value does not convert is
// left out. Up to maxLogLines lines are read, the earliest first; one line more says the
// store holds more (shown and read), and the log store's word on reading that stopped
// early is kept.
func fetchLogValues(ctx context.Context, ls LogStore, u logUnwrap, scale float64, p latencyPlan) rawSpans {
	res, err := ls.QueryRange(ctx, loki.RangeRequest{Expr: u.logQuery(), Start: p.from, End: p.to, Limit: loki.ProbeLimit(p.maxLogLines), Direction: "forward"})
	if err != nil {
		return rawSpans{err: err}
	}
	type line struct {
		t  int64
		v  float64
		ok bool
	}
	field := u.label
	var lines []line
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
			f, ok := u.value(v)
			lines = append(lines, line{t: e.TimeUnixNano, v: f * scale, ok: ok && !math.IsNaN(f)})
		}
	}
	out := rawSpans{read: len(lines), incomplete: res.Incomplete}
	if p.maxLogLines > 0 && len(lines) > p.maxLogLines {
		// The streams come one after another: the lines past the limit are the latest.
		sort.SliceStable(lines, func(i, j int) bool { return lines[i].t < lines[j].t })
		out.coveredNs = lines[p.maxLogLines].t
		lines = lines[:p.maxLogLines]
	}
	out.shown = len(lines)
	for _, l := range lines {
		if l.ok {
			out.durMs = append(out.durMs, l.v)
			out.startNs = append(out.startNs, l.t)
		}
	}
	return out
}
