// Package language is how a value becomes a literal, and which names may appear
// unquoted, in PromQL, LogQL and TraceQL. It follows src/datasource/language/escape.ts
// rule for rule, so the backend builds the same text the editors preview.
//
// Guarantees to the next stage (the query builders in pkg/stores/*): the text
// QuoteString returns parses, in all three languages, as exactly one string literal
// whose value is the input; nothing in the input can end the literal early. A name
// that passes a Valid* check is one token of its language.
package language

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// EscapeDoubleQuoted is the body of a double-quoted PromQL, LogQL or TraceQL string
// (all three unquote with Go's rules): backslash, the quote and control characters
// are escaped; bytes that are not UTF-8 are written as \xNN so they survive as they are.
func EscapeDoubleQuoted(v string) string { return escapeQuoted(v, '"') }

// EscapeSingleQuoted is the body of a single-quoted PromQL string.
func EscapeSingleQuoted(v string) string { return escapeQuoted(v, '\'') }

// QuoteString is a complete double-quoted string literal.
func QuoteString(v string) string { return `"` + escapeQuoted(v, '"') + `"` }

const hexDigits = "0123456789abcdef"

func escapeQuoted(v string, quote byte) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	for i := 0; i < len(v); {
		c := v[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(v[i:])
			if r == utf8.RuneError && n == 1 {
				b.WriteString(`\x`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&15])
			} else {
				b.WriteString(v[i : i+n])
			}
			i += n
			continue
		}
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c == quote:
			b.WriteByte('\\')
			b.WriteByte(quote)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// EscapeRegex makes v (valid UTF-8) match itself literally inside an RE2 regex
// (regexp.QuoteMeta: the same characters escape.ts escapes).
func EscapeRegex(v string) string { return regexp.QuoteMeta(v) }

// RegexAlternation matches exactly one of the values, each literally.
func RegexAlternation(values []string) string {
	if len(values) == 1 {
		return EscapeRegex(values[0])
	}
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = EscapeRegex(v)
	}
	return "(?:" + strings.Join(parts, "|") + ")"
}

var (
	labelNameRE       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	metricNameRE      = regexp.MustCompile(`^[A-Za-z_:][A-Za-z0-9_:]*$`)
	traceQLAttrRE     = regexp.MustCompile(`^(?:(?:span|resource|event|link|instrumentation)\.|\.)?[A-Za-z_][A-Za-z0-9_.\-/]*$`)
	traceQLScopedRE   = regexp.MustCompile(`^(?:(?:span|resource|event|link|instrumentation)\.|\.)`)
	traceQLNumberRE   = regexp.MustCompile(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$`)
	traceQLIntrinsics = map[string]bool{"name": true, "status": true, "kind": true, "duration": true, "statusMessage": true, "rootName": true, "rootServiceName": true, "traceDuration": true}
)

// ValidLabelName reports whether name is a PromQL or LogQL label name.
func ValidLabelName(name string) bool { return labelNameRE.MatchString(name) }

// ValidMetricName reports whether name is a PromQL metric name.
func ValidMetricName(name string) bool { return metricNameRE.MatchString(name) }

// ValidTraceQLAttribute reports whether name is a TraceQL attribute the builders
// accept unquoted: an optional scope (`span.`, `resource.`, … or `.`) and a dotted name.
func ValidTraceQLAttribute(name string) bool { return traceQLAttrRE.MatchString(name) }

// TraceQLAttribute returns the attribute as a TraceQL expression: `http.status_code`
// becomes `.http.status_code`, scoped names stay as they are; ok is false for a name
// ValidTraceQLAttribute refuses.
func TraceQLAttribute(key string) (string, bool) {
	if !ValidTraceQLAttribute(key) {
		return "", false
	}
	if traceQLScopedRE.MatchString(key) {
		return key, true
	}
	return "." + key, true
}

// TraceQLGroupBy reports whether name may follow `by (` in TraceQL metrics: a
// validated attribute or an intrinsic such as `name` or `status`.
func TraceQLGroupBy(name string) bool {
	return traceQLIntrinsics[name] || (traceQLScopedRE.MatchString(name) && ValidTraceQLAttribute(name))
}

// TraceQLLiteral is a typed TraceQL literal: numbers and booleans as such, anything
// else as a quoted string (traceqlLiteral in src/datasource/queryBuilders/traceql.ts).
// A number is written bare only when Tempo's lexer reads it as that number: no leading
// zero (`08` would be an invalid octal literal) and, when whole, within int64 (Tempo
// reads integers with strconv.Atoi); any other digits are a string ("08540").
func TraceQLLiteral(v string) string {
	if v == "true" || v == "false" {
		return v
	}
	if traceQLNumberRE.MatchString(v) {
		if strings.Contains(v, ".") {
			return v
		}
		// Tempo lexes a minus sign apart from the digits, so those must fit on their own.
		if _, err := strconv.ParseInt(strings.TrimPrefix(v, "-"), 10, 64); err == nil {
			return v
		}
	}
	return QuoteString(v)
}

// CheckTraceQLFilter accepts a span filter the user wrote (TraceQL conditions the
// builders AND into a span selector inside parentheses) only if it cannot change the
// selector's structure: outside string literals its parentheses balance and never
// close more than they opened, and it holds no `{`, `}`, pipeline `|` (`||` is fine) or
// comment (Tempo's lexer skips `/* */` and `//` comments, which could hide a
// parenthesis). A backtick opens a raw string only where Tempo's lexer starts one, after
// a space, an operator or `(`; right after a name it would be part of the name, so it
// is refused there. Inside the parentheses it may still be any expression; the store
// parses it.
func CheckTraceQLFilter(filter string) error {
	depth := 0
	for i := 0; i < len(filter); i++ {
		switch c := filter[i]; c {
		case '/':
			if i+1 < len(filter) && (filter[i+1] == '*' || filter[i+1] == '/') {
				return fmt.Errorf("span filter %q: comments are not allowed", filter)
			}
		case '"':
			lit, err := strconv.QuotedPrefix(filter[i:])
			if err != nil {
				return fmt.Errorf("span filter %q: a string at offset %d does not end or has a bad escape", filter, i)
			}
			i += len(lit) - 1
		case '`':
			if i > 0 && !strings.ContainsRune(" \t\r\n=~!<>(", rune(filter[i-1])) {
				return fmt.Errorf("span filter %q: a backtick at offset %d follows a name; quote strings after a space or an operator", filter, i)
			}
			end := strings.IndexByte(filter[i+1:], '`')
			if end < 0 {
				return fmt.Errorf("span filter %q: unterminated string", filter)
			}
			i += end + 1
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return fmt.Errorf("span filter %q: `)` without `(`", filter)
			}
		case '{', '}':
			return fmt.Errorf("span filter %q: %q is not allowed; write conditions only", filter, string(c))
		case '|':
			if i+1 < len(filter) && filter[i+1] == '|' {
				i++
				continue
			}
			return fmt.Errorf("span filter %q: a pipeline `|` is not allowed; write conditions only", filter)
		}
	}
	if depth != 0 {
		return fmt.Errorf("span filter %q: `(` without `)`", filter)
	}
	return nil
}
