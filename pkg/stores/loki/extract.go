package loki

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/traceid"
)

// levelKeys are where a line's level is looked up, in order.
var levelKeys = []string{"level", "detected_level", "severity", "lvl"}

// Line is a log line as read, with each ID as written when the extraction rule found one
// that does not normalise (the LogLine's ID is then "").
type Line struct {
	model.LogLine
	BadTraceID, BadSpanID string
}

// Lines turns streams into log lines with trace and span IDs extracted by ex and
// normalised, each line labelled as by lineLabels. A found ID that does not normalise leaves the line's ID "" and is kept, as
// written, in BadTraceID or BadSpanID; an empty or all-zero ID counts as no ID (the
// spelling many loggers use outside a trace). maxLines <= 0 means no limit; the second
// result is the number of entries seen.
func Lines(r *Result, ex settings.Extraction, maxLines int) ([]Line, int) {
	n := r.Lines
	if maxLines > 0 && n > maxLines {
		n = maxLines
	}
	out := make([]Line, 0, n)
	for _, s := range r.Streams {
		for i := range s.Entries {
			if maxLines > 0 && len(out) >= maxLines {
				return out, r.Lines
			}
			e := &s.Entries[i]
			rawTrace, rawSpan := Extract(ex, s.Labels, e)
			tid, badTrace := normalizeFound(rawTrace, false)
			sid, badSpan := normalizeFound(rawSpan, true)
			out = append(out, Line{
				LogLine: model.LogLine{
					TimeUnixNano: e.TimeUnixNano,
					Body:         e.Line,
					Level:        level(s.Labels, e),
					Labels:       lineLabels(s.Labels, e),
					TraceID:      tid,
					SpanID:       sid,
				},
				BadTraceID: badTrace,
				BadSpanID:  badSpan,
			})
		}
	}
	return out, r.Lines
}

// lineLabels are a line's labels as Loki gives them without categorize-labels: the
// stream's, then its structured metadata, then those its pipeline parsed. A name already
// taken with another value gets the suffix "_extracted", as Loki names a parsed label
// that clashes with a stream label. Lines without either share the stream's map.
func lineLabels(stream map[string]string, e *Entry) map[string]string {
	if len(e.StructuredMetadata)+len(e.Parsed) == 0 {
		return stream
	}
	m := make(map[string]string, len(stream)+len(e.StructuredMetadata)+len(e.Parsed))
	for k, v := range stream {
		m[k] = v
	}
	for _, extra := range []map[string]string{e.StructuredMetadata, e.Parsed} {
		for k, v := range extra {
			if old, taken := m[k]; taken && old != v {
				k += "_extracted"
			}
			m[k] = v
		}
	}
	return m
}

// normalizeFound normalises a found ID: the ID, or "" and the ID as written when it is
// not one. Empty and all-zero IDs are no ID.
func normalizeFound(raw string, span bool) (id, bad string) {
	norm := traceid.Normalize
	if span {
		norm = traceid.NormalizeSpan
	}
	id, err := norm(raw)
	if err == nil {
		return id, ""
	}
	if noID(raw) {
		return "", ""
	}
	return "", raw
}

// noID tells whether raw spells "no ID": blank, or hex or base64 of zeros only.
func noID(raw string) bool {
	s := strings.TrimSpace(raw)
	if strings.Trim(s, "0-") == "" {
		return true
	}
	if b, ok := decodeBase64(s); ok {
		for _, c := range b {
			if c != 0 {
				return false
			}
		}
		return true
	}
	return false
}

func decodeBase64(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// IDFaults counts the lines whose trace or span ID was found but does not normalise, with
// the normaliser's error for the first of each (it quotes the ID as written).
type IDFaults struct {
	Trace, Span                 int
	FirstTrace, FirstSpan       string
	FirstTraceErr, FirstSpanErr error
}

// Plain returns the lines as model lines (what joins and frames take) and counts their
// ID faults.
func Plain(ls []Line) ([]model.LogLine, IDFaults) {
	out := make([]model.LogLine, len(ls))
	var f IDFaults
	for i := range ls {
		out[i] = ls[i].LogLine
		if b := ls[i].BadTraceID; b != "" {
			if f.Trace == 0 {
				f.FirstTrace = b
				_, f.FirstTraceErr = traceid.Normalize(b)
			}
			f.Trace++
		}
		if b := ls[i].BadSpanID; b != "" {
			if f.Span == 0 {
				f.FirstSpan = b
				_, f.FirstSpanErr = traceid.NormalizeSpan(b)
			}
			f.Span++
		}
	}
	return out, f
}

func level(labels map[string]string, e *Entry) string {
	for _, k := range levelKeys {
		if v := e.StructuredMetadata[k]; v != "" {
			return v
		}
		if v := labels[k]; v != "" {
			return v
		}
		if v := e.Parsed[k]; v != "" {
			return v
		}
	}
	return ""
}

// Extract returns the raw (not yet normalised) trace and span IDs of an entry.
func Extract(ex settings.Extraction, labels map[string]string, e *Entry) (traceID, spanID string) {
	lookup := func(key string, first ...map[string]string) string {
		if key == "" {
			return ""
		}
		for _, m := range first {
			if v, ok := m[key]; ok {
				return v
			}
		}
		return ""
	}
	switch ex.Mode {
	case settings.ExtractLabel:
		return lookup(ex.TraceIDKey, labels, e.StructuredMetadata, e.Parsed),
			lookup(ex.SpanIDKey, labels, e.StructuredMetadata, e.Parsed)
	case settings.ExtractStructuredMetadata:
		// Without categorize-labels the store merges structured metadata into labels.
		return lookup(ex.TraceIDKey, e.StructuredMetadata, labels, e.Parsed),
			lookup(ex.SpanIDKey, e.StructuredMetadata, labels, e.Parsed)
	case settings.ExtractJSON:
		doc, ok := parseJSONLine(e.Line)
		if !ok {
			return "", ""
		}
		return jsonValue(doc, ex.TraceIDKey), jsonValue(doc, ex.SpanIDKey)
	case settings.ExtractLogfmt:
		return LogfmtValue(e.Line, ex.TraceIDKey), LogfmtValue(e.Line, ex.SpanIDKey)
	case settings.ExtractRegex:
		return regexValue(ex, e.Line, true), regexValue(ex, e.Line, false)
	}
	return "", ""
}

func regexValue(ex settings.Extraction, line string, trace bool) string {
	re := ex.SpanIDRegex
	if trace {
		re = ex.TraceIDRegex
	}
	if re == nil {
		return ""
	}
	m := re.FindStringSubmatch(line)
	switch {
	case len(m) > 1:
		return m[1]
	case len(m) == 1:
		return m[0]
	}
	return ""
}

// JSON paths are read as the config editor's preview reads them (jsonPath in
// src/datasource/extraction.ts); the cases in testdata/extraction_cases.json run on both:
//   - ASCII whitespace around the path is ignored, and so is a leading `$` (`$.a.b`, `$[0]`);
//   - when the line is an object with a member named by the whole rest (`trace.id`), that
//     member is the value;
//   - otherwise the rest is a walk from the line's top (settings.ParseJSONPath): a name (a
//     run of characters other than `.`, `[` and `]`) is an object's member, or, when it is
//     all digits, an array's index; `[n]` is an array's index; `["key"]` (a JSON string)
//     and `['key']` are an object's member whose name may hold dots
//     (`attributes["trace.id"]`); other `.`, `[` and `]` only separate;
//   - a string is taken as is and a number as the line spells it (the preview shows
//     JavaScript's spelling, which differs only for numbers beyond 2^53, exponents and
//     fractions); anything else, a path that names nothing or does not parse, or a line
//     that is not exactly one JSON value, is "not found".

// asciiSpace is the whitespace trimmed off paths and separating logfmt pairs.
const asciiSpace = " \t\n\v\f\r"

// IsLogfmtSpace tells whether c separates logfmt pairs: ASCII whitespace.
func IsLogfmtSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// JSONPath reads path from a JSON line ("" when not found).
func JSONPath(line, path string) string {
	doc, ok := parseJSONLine(line)
	if !ok {
		return ""
	}
	return jsonValue(doc, path)
}

// parseJSONLine parses a line that is exactly one JSON value (numbers kept as spelt).
func parseJSONLine(line string) (any, bool) {
	var v any
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

// jsonValue reads path from a parsed line.
func jsonValue(doc any, path string) string {
	p, steps, err := settings.ParseJSONPath(path)
	if err != nil || p == "" {
		return ""
	}
	v := doc
	if m, ok := v.(map[string]any); ok {
		if s, ok := scalar(m[p]); ok {
			return s
		}
	}
	for _, step := range steps {
		switch c := v.(type) {
		case map[string]any:
			if step.Index {
				return ""
			}
			var ok bool
			if v, ok = c[step.Name]; !ok {
				return ""
			}
		case []any:
			i, err := strconv.Atoi(step.Name)
			if step.Quoted || err != nil || i < 0 || i >= len(c) || !allDigits(step.Name) {
				return ""
			}
			v = c[i]
		default:
			return ""
		}
	}
	s, _ := scalar(v)
	return s
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// Logfmt lines are read as the config editor's preview reads them (parseLogfmtLine in
// src/datasource/extraction.ts); the cases in testdata/extraction_cases.json run on both:
//   - pairs are separated by ASCII whitespace (space, tab, line breaks, \v, \f) outside
//     quotes;
//   - a key is a run of characters other than whitespace, `=` and `"`; a key without `=` is
//     a bare key with an empty value; a `=` or `"` where a key would start is skipped;
//   - a value is either a double-quoted string, unescaped as a JSON string (left as written,
//     without its quotes, when it is not a valid one), or a run of characters other than
//     whitespace and `"` (an unterminated quote gives an empty value);
//   - the first pair with the key wins.

// LogfmtValue returns the value of key's first pair in a logfmt line ("" when none).
func LogfmtValue(line, key string) string {
	if key == "" {
		return ""
	}
	v, _ := logfmtFind(line, key)
	return v
}

// logfmtFind scans line for key's first pair.
func logfmtFind(line, key string) (string, bool) {
	i := 0
	for i < len(line) {
		c := line[i]
		if IsLogfmtSpace(c) || c == '=' || c == '"' {
			i++
			continue
		}
		ks := i
		for i < len(line) && !IsLogfmtSpace(line[i]) && line[i] != '=' && line[i] != '"' {
			i++
		}
		k := line[ks:i]
		val := ""
		if i < len(line) && line[i] == '=' {
			i++
			if i < len(line) && line[i] == '"' {
				if end := quotedEnd(line, i); end > 0 {
					val = unquoteJSON(line[i:end])
					i = end
				} // else: an empty value; the quote is skipped as a stray
			} else {
				vs := i
				for i < len(line) && !IsLogfmtSpace(line[i]) && line[i] != '"' {
					i++
				}
				val = line[vs:i]
			}
		}
		if k == key {
			return val, true
		}
	}
	return "", false
}

// quotedEnd returns the index just past the closing quote of the string opening at
// s[i], or -1 when it is not closed.
func quotedEnd(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// unquoteJSON unescapes a double-quoted string as JSON does, or strips its quotes when
// it is not a valid JSON string.
func unquoteJSON(q string) string {
	var s string
	if err := json.Unmarshal([]byte(q), &s); err == nil {
		return s
	}
	return q[1 : len(q)-1]
}
