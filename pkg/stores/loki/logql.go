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

// TraceLines builds the query for the lines of one trace: the selector and TraceFilter.
// Extraction then keeps the lines whose ID normalises to traceID (and those whose ID it
// cannot read).
func TraceLines(selector string, ex settings.Extraction, traceID string) string {
	f, err := TraceFilter(ex, traceID)
	if err != nil {
		// Not an ID: its hex digits, as written.
		f = idStage(ex, ex.TraceIDKey, "(?i)0*"+regexp.QuoteMeta(strings.TrimLeft(traceID, "0")))
	}
	return selector + " " + f
}

// TraceFilter is the pipeline stage that finds traceID however a line spells it, as far
// as pkg/traceid accepts the spelling: hex in any case, with or without the leading zeros
// (of a 64-bit ID too), the dashed UUID form, base64 (standard or URL-safe, padded or not)
// of the 16 bytes or, for a 64-bit ID, of its 8 bytes, and inside the traceparent or B3
// header it was propagated in. In the label and structured-metadata modes it is a label
// filter on the trace ID key (`| trace_id=~"…"`), otherwise a line filter (`|~ "…"`).
// The error is the normaliser's, for a traceID that is no trace ID.
func TraceFilter(ex settings.Extraction, traceID string) (string, error) {
	sp, err := traceid.SpellingsOf(traceID)
	if err != nil {
		return "", err
	}
	return idStage(ex, ex.TraceIDKey, idPattern(sp, false, labelModes(ex))), nil
}

// SpanFilter is the pipeline stage that finds spanID however a line spells it, as far as
// pkg/traceid accepts the spelling: hex in any case, with or without the leading zeros or
// with dashes between its 16 digits, base64 (standard or URL-safe, padded or not) of its
// 8 bytes, and inside the traceparent or B3 header it was propagated in. In the label and
// structured-metadata modes with a span ID key it is a label filter on that key, otherwise
// a line filter. The error is the normaliser's, for a spanID that is no span ID.
func SpanFilter(ex settings.Extraction, spanID string) (string, error) {
	sp, err := traceid.SpanSpellingsOf(spanID)
	if err != nil {
		return "", err
	}
	return idStage(ex, ex.SpanIDKey, idPattern(sp, true, labelModes(ex) && ex.SpanIDKey != "")), nil
}

// labelModes tells whether ex reads the IDs from labels (stream labels or structured
// metadata), which a label filter reads too.
func labelModes(ex settings.Extraction) bool {
	return ex.Mode == settings.ExtractLabel || ex.Mode == settings.ExtractStructuredMetadata
}

// idStage is a label filter on key when ex reads labels and key is set (Loki anchors its
// regex on the whole value), otherwise a line filter (its regex matches anywhere).
func idStage(ex settings.Extraction, key, pattern string) string {
	if labelModes(ex) && key != "" {
		return "| " + key + "=~" + language.QuoteString(pattern)
	}
	return "|~ " + language.QuoteString(pattern)
}

// idPattern is an RE2 pattern for the spellings of an ID (a span's when span): the hex
// forms case insensitive, the base64 forms case sensitive. whole: the pattern is matched
// against the whole value, so the optional base64 padding is spelled out, and the ID may
// stand inside a propagation header or between punctuation; otherwise the hex forms must
// not touch another hex digit (that would spell another ID), and an unpadded base64 form
// also finds the padded one.
func idPattern(sp traceid.Spellings, span, whole bool) string {
	h := sp.Hex
	hexAlts := []string{"0*" + strings.TrimLeft(h, "0")}
	if span {
		// NormalizeSpan takes dashes anywhere between the 16 digits.
		hexAlts = append(hexAlts, strings.Join(strings.Split(h, ""), "-?"))
	} else {
		hexAlts = append(hexAlts, sp.UUID)
	}
	hexForms := "(?i:" + strings.Join(hexAlts, "|") + ")"
	if !whole {
		hexForms = "(?:^|[^0-9a-fA-F])" + hexForms + "(?:[^0-9a-fA-F]|$)"
	}
	alts := []string{hexForms}
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
		alts = append(alts, p)
	}
	p := strings.Join(alts, "|")
	if whole {
		// A whole value may hold the ID as it was propagated (W3C traceparent
		// `00-<trace>-<span>-01`, B3 `<trace>-<span>[-1[-<parent>]]`) or between quotes,
		// brackets and punctuation, which pkg/traceid reads too.
		p = wholeValueOpeners + "(?:" + p + "|" + headerForms(h, span) + ")" + wholeValueClosers
	}
	return p
}

// headerForms is an RE2 pattern for the propagation header values that carry the ID of
// hex h (a span's when span), as pkg/traceid reads them: a traceparent
// `<version>-<trace 32>-<span 16>-<flags>[-…]` and a B3 single header
// `<trace 16|32>-<span 16>[-<0|1|d>[-<parent 16>]]`, the ID's digits in any case.
func headerForms(h string, span bool) string {
	const (
		b3Tail = "(?:-[01d](?:-[0-9a-fA-F]{16})?)?"
		tpTail = "-[0-9a-fA-F]{2}(?:-.*)?"
	)
	if span {
		id := "(?i:" + h + ")"
		return "[0-9a-fA-F]{2}-[0-9a-fA-F]{32}-" + id + tpTail + "|[0-9a-fA-F]{16}(?:[0-9a-fA-F]{16})?-" + id + b3Tail
	}
	b3 := h
	if strings.Trim(h[:16], "0") == "" {
		b3 += "|" + h[16:] // a 64-bit ID in 16 digits
	}
	return "[0-9a-fA-F]{2}-(?i:" + h + ")-[0-9a-fA-F]{16}" + tpTail + "|(?i:" + b3 + ")-[0-9a-fA-F]{16}" + b3Tail
}

// wholeValueOpeners and wholeValueClosers are what may stand around an ID in a whole
// label value, as pkg/traceid trims it: quotes and brackets before it; quotes, brackets
// and the punctuation of a sentence or a list after it.
const (
	wholeValueOpeners = "[\"'`(\\[{<]*"
	wholeValueClosers = "[\"'`)\\]}>.,;:]*"
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
