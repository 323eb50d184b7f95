package loki

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/latencylens/lens/pkg/language"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/traceid"
)

// Pure LogQL builders. Guarantees: values are quoted and escaped by pkg/language; names
// inserted unquoted (label keys, the unwrapped field, group-by labels) are validated by
// the caller (language.ValidLabelName; settings validates the extraction keys); the
// result runs as is.

// TraceLines builds the query for the lines of one trace: the selector plus a filter
// that finds the ID however the line spells it, as far as pkg/traceid accepts the
// spelling: hex in any case, with or without the leading zeros (of a 64-bit ID too), the
// dashed UUID form, and base64 (standard or URL-safe, padded or not) of the 16 bytes or,
// for a 64-bit ID, of its 8 bytes. Extraction then keeps the lines whose ID normalises
// to traceID (and those whose ID it cannot read).
func TraceLines(selector string, ex settings.Extraction, traceID string) string {
	switch ex.Mode {
	case settings.ExtractLabel, settings.ExtractStructuredMetadata:
		// A label filter's regex must match the whole value (Loki anchors it).
		return selector + " | " + ex.TraceIDKey + "=~" + language.QuoteString(traceIDPattern(traceID, true))
	default:
		// A line filter's regex matches anywhere in the line.
		return selector + " |~ " + language.QuoteString(traceIDPattern(traceID, false))
	}
}

// traceIDPattern is an RE2 pattern for the spellings of traceID: the hex forms case
// insensitive, the base64 forms case sensitive. whole: the pattern is matched against
// the whole value, so the optional base64 padding is spelled out; otherwise an unpadded
// form also finds the padded one.
func traceIDPattern(traceID string, whole bool) string {
	alts := []string{"(?i)0*" + regexp.QuoteMeta(strings.TrimLeft(traceID, "0"))}
	sp, err := traceid.SpellingsOf(traceID)
	if err != nil {
		return alts[0]
	}
	alts = append(alts, sp.UUID)
	b64 := make([]string, 0, len(sp.Base64))
	for _, s := range sp.Base64 {
		raw := strings.TrimRight(s, "=")
		p := regexp.QuoteMeta(raw)
		if !whole {
			// In a line, a JSON string (or a quoted logfmt value) may escape base64's `/`
			// and `+`: PHP's json_encode writes `\/`, .NET's encoder `\u002B`.
			p = strings.ReplaceAll(p, `\+`, `(?:\+|\\u002[bB])`)
			p = strings.ReplaceAll(p, "/", `(?:/|\\/|\\u002[fF])`)
		}
		switch pad := s[len(raw):]; {
		case !whole || pad == "":
		case len(pad) == 1:
			p += "=?"
		default:
			p += "(?:" + pad + ")?"
		}
		b64 = append(b64, p)
	}
	alts = append(alts, "(?-i:"+strings.Join(b64, "|")+")")
	p := strings.Join(alts, "|")
	if whole {
		// A whole value may hold the ID as it was propagated (W3C traceparent
		// `00-<trace>-<span>-01`, B3 `<trace>-<span>[-1]`) or between quotes, brackets and
		// punctuation, which pkg/traceid reads too.
		p = wholeValuePrefix + "(?:" + p + ")" + wholeValueSuffix
	}
	return p
}

// wholeValuePrefix and wholeValueSuffix are what may stand around a trace ID in a whole
// label value: a traceparent's version or an opening quote or bracket before it; the
// span ID (and sampling flags) of a propagation header, or closing punctuation, after.
const (
	wholeValuePrefix = "(?:[0-9a-fA-F]{2}-|[\"'`(\\[{<])?"
	wholeValueSuffix = "(?:-[0-9a-fA-F]{16}(?:-[0-9a-fA-F]{1,16}){0,2}|[\"'`)\\]}>.,;:]+)?"
)

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

// StreamPart is the stream selector a LogQL log query starts with, up to its closing
// brace outside string literals ("…" with escapes, `…` raw), without the pipeline after
// it: what Loki's label look-ups take as their `query`. A query without that closing
// brace is returned whole, for Loki to name what is wrong with it.
func StreamPart(query string) string {
	q := strings.TrimSpace(query)
	var quote rune
	escaped := false
	for i, r := range q {
		switch {
		case escaped:
			escaped = false
		case quote == '"' && r == '\\':
			escaped = true
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '`':
			quote = r
		case r == '}':
			return q[:i+1]
		}
	}
	return q
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
