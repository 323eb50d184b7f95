package query

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/loki"
)

var macroRE = regexp.MustCompile(`\$__(interval_ms|interval|rate_interval_ms|rate_interval|range_ms|range_s|range)\b|\$\{__(interval_ms|interval|rate_interval_ms|rate_interval|range_ms|range_s|range)\}`)

// expandMacros replaces Grafana's interval and range macros in a PromQL or LogQL
// expression, as Grafana's Prometheus and Loki data sources do in their backends: alert
// rules reach the backend without the editor's interpolation, and no dashboard variable
// holds $__rate_interval. step is the query's step; $__interval and $__interval_ms are it,
// $__rate_interval is max(step + one scrape, four scrapes) (scrape: the metrics store's
// scrape interval) and $__rate_interval_ms the same in milliseconds, $__range, $__range_s
// and $__range_ms the time range. `$name` and `${name}` forms are read; a longer name such
// as $__intervals is left alone.
func expandMacros(expr string, step, scrape time.Duration, from, to time.Time) string {
	rng := max(to.Sub(from), 0)
	return macroRE.ReplaceAllStringFunc(expr, func(m string) string {
		sub := macroRE.FindStringSubmatch(m)
		name := sub[1] + sub[2]
		switch name {
		case "interval":
			return promDuration(step)
		case "interval_ms":
			return strconv.FormatInt(step.Milliseconds(), 10)
		case "rate_interval":
			return promDuration(max(step+scrape, 4*scrape))
		case "rate_interval_ms":
			return strconv.FormatInt(max(step+scrape, 4*scrape).Milliseconds(), 10)
		case "range":
			return promDuration(rng.Round(time.Second))
		case "range_s":
			return strconv.FormatInt(int64(rng.Round(time.Second)/time.Second), 10)
		case "range_ms":
			return strconv.FormatInt(rng.Milliseconds(), 10)
		}
		return m
	})
}

// promDuration writes d as whole seconds, or milliseconds when it is not whole seconds
// (at least 1ms): a form PromQL and LogQL both read.
func promDuration(d time.Duration) string {
	if d%time.Second == 0 && d > 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(max(d.Milliseconds(), 1), 10) + "ms"
}

// idFilterRE finds the ID filter macros, `$__traceFilter(<trace ID>)` and
// `$__spanFilter(<span ID>)`, the ID bare or as a LogQL string ("…" or `…`); group 2 is
// empty when the parentheses are missing.
var idFilterRE = regexp.MustCompile("\\$__(traceFilter|spanFilter)\\b(\\(\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`|[^()\\s\"`]*)\\s*\\))?")

// expandIDFilters replaces the ID filter macros of a LogQL expression by the pipeline
// stages the trace query finds its lines with: `$__traceFilter(id)` by loki.TraceFilter,
// `$__spanFilter(id)` by loki.SpanFilter, under the data source's extraction rule, so
// that the stage finds the ID in every spelling the backend reads (the span link of
// src/datasource/links.ts writes them). An ID that does not normalise is the query's
// error, naming the macro.
func expandIDFilters(expr string, ex settings.Extraction) (string, error) {
	var firstErr error
	out := idFilterRE.ReplaceAllStringFunc(expr, func(m string) string {
		sub := idFilterRE.FindStringSubmatch(m)
		name, call, arg := sub[1], sub[2], sub[3]
		fail := func(format string, args ...any) string {
			if firstErr == nil {
				firstErr = badQuery(format, args...)
			}
			return m
		}
		if call == "" {
			return fail("$__%s needs the ID in parentheses: $__%s(<ID>)", name, name)
		}
		if strings.HasPrefix(arg, `"`) || strings.HasPrefix(arg, "`") {
			s, err := strconv.Unquote(arg)
			if err != nil {
				return fail("$__%s%s: %v", name, call, err)
			}
			arg = s
		}
		filter := loki.TraceFilter
		if name == "spanFilter" {
			filter = loki.SpanFilter
		}
		f, err := filter(ex, arg)
		if err != nil {
			return fail("$__%s%s: %v", name, call, err)
		}
		return f
	})
	return out, firstErr
}
