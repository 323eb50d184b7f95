package loki

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/latencylens/lens/pkg/language"
	"github.com/latencylens/lens/pkg/settings"
)

// Pure LogQL builders. Guarantees: values are quoted and escaped by pkg/language; names
// inserted unquoted (label keys, the unwrapped field, group-by labels) are validated by
// the caller (language.ValidLabelName; settings validates the extraction keys); the
// result runs as is.

// TraceLines builds the query for the lines of one trace: the selector plus a filter
// that finds the ID however the line spells it (case-insensitive, with or without the
// leading zeros of a 64-bit ID). Extraction then keeps exact matches only.
func TraceLines(selector string, ex settings.Extraction, traceID string) string {
	core := strings.TrimLeft(traceID, "0")
	re := "(?i)0*" + regexp.QuoteMeta(core)
	switch ex.Mode {
	case settings.ExtractLabel, settings.ExtractStructuredMetadata:
		return selector + " | " + ex.TraceIDKey + "=~" + language.QuoteString(re)
	default:
		return selector + " |~ " + language.QuoteString(re)
	}
}

// QuantileOverTime builds `quantile_over_time(q, <selector> | unwrap <field> [w]) by (…)`.
// selector may already hold a parser stage (`| json`); unit conversion is left to the
// caller. When the selector already unwraps, it is used as is.
func QuantileOverTime(q float64, selector, field string, window time.Duration, by []string) string {
	inner := selector
	if field != "" && !strings.Contains(selector, "unwrap") {
		inner += " | unwrap " + field
	}
	s := "quantile_over_time(" + strconv.FormatFloat(q, 'g', -1, 64) + ", " + inner + " [" + formatRange(window) + "])"
	if len(by) > 0 {
		s += " by (" + strings.Join(by, ", ") + ")"
	} else {
		s += " by ()"
	}
	return s
}

// StreamSelector builds `{label="value"}`: the selector the latency builder uses for a
// service when the user wrote none (buildLogLatency in queryBuilders/logql.ts).
func StreamSelector(label, value string) (string, error) {
	if !language.ValidLabelName(label) {
		return "", fmt.Errorf("%q is not a LogQL label name", label)
	}
	return "{" + label + "=" + language.QuoteString(value) + "}", nil
}

// CountOverTime builds `sum(count_over_time(<selector> [w]))`; an unwrap stage in the
// selector is dropped (count_over_time counts lines).
func CountOverTime(selector string, window time.Duration) string {
	if k := strings.Index(selector, "| unwrap"); k >= 0 {
		selector = strings.TrimSpace(selector[:k])
	}
	return "sum(count_over_time(" + selector + " [" + formatRange(window) + "]))"
}

func formatRange(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10) + "s"
}
