package loki

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/traceid"
)

// levelKeys are where a line's level is looked up, in order.
var levelKeys = []string{"level", "detected_level", "severity", "lvl"}

// Lines turns streams into log lines with trace and span IDs extracted by ex. IDs that
// do not normalise become "". maxLines <= 0 means no limit; the second result is the
// number of entries seen.
func Lines(r *Result, ex settings.Extraction, maxLines int) ([]model.LogLine, int) {
	n := r.Lines
	if maxLines > 0 && n > maxLines {
		n = maxLines
	}
	out := make([]model.LogLine, 0, n)
	for _, s := range r.Streams {
		for i := range s.Entries {
			if maxLines > 0 && len(out) >= maxLines {
				return out, r.Lines
			}
			e := &s.Entries[i]
			tid, sid := Extract(ex, s.Labels, e)
			out = append(out, model.LogLine{
				TimeUnixNano: e.TimeUnixNano,
				Body:         e.Line,
				Level:        level(s.Labels, e),
				Labels:       s.Labels,
				TraceID:      traceid.MustNormalizeOrEmpty(tid, false),
				SpanID:       traceid.MustNormalizeOrEmpty(sid, true),
			})
		}
	}
	return out, r.Lines
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
		return JSONPath(e.Line, ex.TraceIDKey), JSONPath(e.Line, ex.SpanIDKey)
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

// JSONPath reads a dotted path ("a.b.c", or "a[0].b") from a JSON line; numbers come
// back in their JSON spelling. A key that itself contains dots is tried whole first.
func JSONPath(line, path string) string {
	if path == "" || !strings.HasPrefix(strings.TrimSpace(line), "{") {
		return ""
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return ""
	}
	if m, ok := v.(map[string]any); ok {
		if s, ok := scalar(m[path]); ok {
			return s
		}
	}
	for _, part := range splitPath(path) {
		switch c := v.(type) {
		case map[string]any:
			v = c[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(c) {
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

func splitPath(p string) []string {
	p = strings.ReplaceAll(strings.ReplaceAll(p, "[", "."), "]", "")
	parts := strings.Split(strings.TrimPrefix(p, "."), ".")
	out := parts[:0]
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
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

// LogfmtValue returns the value of key in a logfmt line (quoted values unquoted).
func LogfmtValue(line, key string) string {
	if key == "" {
		return ""
	}
	i := 0
	for i < len(line) {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		ks := i
		for i < len(line) && line[i] != '=' && line[i] != ' ' {
			i++
		}
		k := line[ks:i]
		if i >= len(line) || line[i] != '=' {
			continue
		}
		i++ // '='
		var val string
		if i < len(line) && line[i] == '"' {
			j := i + 1
			for j < len(line) && line[j] != '"' {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+1, len(line))
			if u, err := strconv.Unquote(line[i:end]); err == nil {
				val = u
			} else {
				val = strings.Trim(line[i:end], `"`)
			}
			i = end
		} else {
			vs := i
			for i < len(line) && line[i] != ' ' {
				i++
			}
			val = line[vs:i]
		}
		if k == key {
			return val
		}
	}
	return ""
}
