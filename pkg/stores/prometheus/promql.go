package prometheus

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/latencylens/lens/pkg/language"
)

// Pure PromQL builders. Guarantees: label values are quoted and escaped by
// pkg/language (so a value never changes the expression's structure); metric and label
// names are validated by the caller or here; the result is one expression the store
// can run as is.

// ValidMetricName reports whether name is a plain metric name.
func ValidMetricName(name string) bool { return language.ValidMetricName(name) }

// Matchers renders {k="v",...} for the non-empty values, sorted by key; "" when there
// are none. A key that is not a label name is an error: it would be inserted unquoted.
func Matchers(eq map[string]string) (string, error) {
	keys := make([]string, 0, len(eq))
	for k, v := range eq {
		if v != "" {
			if !language.ValidLabelName(k) {
				return "", fmt.Errorf("%q is not a Prometheus label name", k)
			}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "", nil
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+language.QuoteString(eq[k]))
	}
	return "{" + strings.Join(parts, ",") + "}", nil
}

// FormatRange renders a PromQL range like 1m30s → "90s" (whole seconds, at least 1s).
func FormatRange(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10) + "s"
}

// HistogramQuantile builds histogram_quantile over a classic histogram
// (`<metric>_bucket` with `le`) or, when native is set, over a native histogram.
// selector is a matcher set such as `{service="api"}` ("" for none); groupBy are label
// names the caller has validated (language.ValidLabelName).
func HistogramQuantile(q float64, metric, selector string, window time.Duration, groupBy []string, native bool) string {
	by := strings.Join(groupBy, ", ")
	if native {
		return fmt.Sprintf("histogram_quantile(%s, sum by (%s) (rate(%s%s[%s])))",
			formatFloat(q), by, metric, selector, FormatRange(window))
	}
	le := "le"
	if by != "" {
		le = "le, " + by
	}
	return fmt.Sprintf("histogram_quantile(%s, sum by (%s) (rate(%s_bucket%s[%s])))",
		formatFloat(q), le, metric, selector, FormatRange(window))
}

// BucketIncrease builds the per-bucket increase over the whole range, for CDFs of
// classic histograms: sum by (le) (increase(<metric>_bucket<sel>[range])).
func BucketIncrease(metric, selector string, rng time.Duration) string {
	return fmt.Sprintf("sum by (le) (increase(%s_bucket%s[%s]))", metric, selector, FormatRange(rng))
}

// NativeIncrease builds the native-histogram increase over the whole range.
func NativeIncrease(metric, selector string, rng time.Duration) string {
	return fmt.Sprintf("sum(increase(%s%s[%s]))", metric, selector, FormatRange(rng))
}

// CountIncrease and SumIncrease give N and the total of a classic histogram over a range.
func CountIncrease(metric, selector string, rng time.Duration) string {
	return fmt.Sprintf("sum(increase(%s_count%s[%s]))", metric, selector, FormatRange(rng))
}

// SumIncrease is the increase of <metric>_sum over the range.
func SumIncrease(metric, selector string, rng time.Duration) string {
	return fmt.Sprintf("sum(increase(%s_sum%s[%s]))", metric, selector, FormatRange(rng))
}

// ClassicProbe counts the classic `_bucket` series of a histogram that had a sample in
// the range ending at the query's time: a series that stopped before the range's end
// (a pod gone, a service renamed) still makes the histogram classic.
func ClassicProbe(metric, selector string, rng time.Duration) string {
	return fmt.Sprintf("count(last_over_time(%s_bucket%s[%s]))", metric, selector, FormatRange(rng))
}

// NativeProbe counts the series of metric whose last sample in the range before the
// evaluation time is a native histogram (histogram_count drops float samples). Prometheus
// before 3 drops the histogram samples in last_over_time, so a series with a sample
// within the lookback of the evaluation time counts too.
func NativeProbe(metric, selector string, rng time.Duration) string {
	return fmt.Sprintf("count(histogram_count(last_over_time(%s%s[%s]))) or count(histogram_count(%s%s))", metric, selector, FormatRange(rng), metric, selector)
}

// CounterDelta is the exact growth of a counter-valued expression over the range, given
// as the expression now (`at`) and the expression with `offset` (`then`): each series
// present at both ends adds now - then, each series that appeared in the range adds its
// whole value (its counter started in the range). Series that went away in the range
// are not in it: Vanished tells whether there are any.
func CounterDelta(now, then string) string {
	return fmt.Sprintf("sum(((%s) - (%s)) or (%s))", now, then, now)
}

// Vanished counts the series of a selector that had a sample in the range but have none
// at its end: series that went away in it (a pod gone, whether or not it was there at the
// range's start), whose growth the instant at the end cannot see.
func Vanished(selector string, rng time.Duration) string {
	return fmt.Sprintf("count(present_over_time(%s[%s]) unless %s)", selector, FormatRange(rng), selector)
}

// Offset is the selector metric+selector as it was rng before the query's time.
func Offset(metric, selector string, rng time.Duration) string {
	return metric + selector + " offset " + FormatRange(rng)
}

// ResetsSampled counts the decreases of a float expression sampled every res over the
// range (a subquery): counter resets of what resets() cannot read directly, such as the
// count of a native histogram on stores before native-histogram support in resets().
func ResetsSampled(expr string, rng, res time.Duration) string {
	return fmt.Sprintf("sum(resets((%s)[%s:%s]))", expr, FormatRange(rng), FormatRange(res))
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// ParseDuration reads a step or duration as Prometheus' HTTP API reads its step
// parameter: a number of seconds ("15", "0.5") or a duration of whole units from years
// down to milliseconds, each at most once and in that order ("1d", "1w", "1h30m"); Go
// durations ("1.5s", "500us") are read too. Negative durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || f < 0 || f*float64(time.Second) > math.MaxInt64 {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	if d, err := model.ParseDuration(s); err == nil {
		return time.Duration(d), nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	}
	return 0, fmt.Errorf("%q is not a duration", s)
}

// Step picks a query_range step: at least minStep and interval, and coarse enough to
// stay under maxPoints (and the store's own 11,000) points per series.
func Step(start, end time.Time, interval, minStep time.Duration, maxPoints int64) time.Duration {
	if maxPoints <= 0 || maxPoints > MaxPointsPerSeries {
		maxPoints = MaxPointsPerSeries
	}
	step := interval
	if minStep > step {
		step = minStep
	}
	if span := end.Sub(start); span > 0 {
		if need := time.Duration((int64(span) + maxPoints - 1) / maxPoints); need > step {
			step = need
		}
	}
	if step < time.Millisecond {
		step = time.Second
	}
	// Whole milliseconds (rounded up) keep float formatting exact and the point count in bounds.
	return (step + time.Millisecond - 1).Truncate(time.Millisecond)
}
