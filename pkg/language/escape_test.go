package language

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/scanner"
	"unicode/utf8"
)

// hostile are values a builder field may carry; every test below must hold for each.
var hostile = []string{
	``, `plain`, `a"b`, `a\b`, `a\"b`, `\`, `"`, `\"`, `"}`, `"} or vector(1) or {a="`,
	`x" || true || name = "`, `x") || (true`, `a}|b`, "line\nbreak", "cr\rtab\t", "nul\x00del\x7f",
	"esc\x1b[31m", `a'b`, `ü ñ 日本`, "bad utf8 \xff\xfe", `{service=~".+"}`, `| json | line_format "{{.x}}"`,
	`$__interval`, "\u2028sep",
}

func TestEscapeDoubleQuoted(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, `plain`},
		{`a"b`, `a\"b`},
		{`a\b`, `a\\b`},
		{`a'b`, `a'b`},
		{"l\nr\rt\t", `l\nr\rt\t`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{`ü 日本`, `ü 日本`},
		{"\xff", `\xff`},
	}
	for _, tc := range tests {
		if got := EscapeDoubleQuoted(tc.in); got != tc.want {
			t.Errorf("EscapeDoubleQuoted(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if got := EscapeSingleQuoted(`a'b"c`); got != `a\'b"c` {
		t.Errorf("EscapeSingleQuoted = %s", got)
	}
}

// assertOneLiteral checks the guarantee: QuoteString(v), followed by anything, reads as
// exactly one literal (Go's quoting rules, which PromQL, LogQL and TraceQL share) whose
// value is v.
func assertOneLiteral(t *testing.T, v string) {
	t.Helper()
	lit := QuoteString(v)
	for _, rest := range []string{"", `"`, `}`, ` or x`, `\`} {
		got, err := strconv.QuotedPrefix(lit + rest)
		if err != nil || got != lit {
			t.Fatalf("%q: literal %s followed by %q reads as %q (%v)", v, lit, rest, got, err)
		}
	}
	back, err := strconv.Unquote(lit)
	if err != nil || back != v {
		t.Fatalf("%q: %s unquotes to %q (%v)", v, lit, back, err)
	}
	if strings.ContainsAny(lit, "\n\r") {
		t.Fatalf("%q: literal %s spans lines", v, lit)
	}
}

func TestQuoteStringHostile(t *testing.T) {
	for _, v := range hostile {
		assertOneLiteral(t, v)
	}
}

func FuzzQuoteString(f *testing.F) {
	for _, v := range hostile {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		assertOneLiteral(t, v)
		if !utf8.ValidString(v) {
			return // RE2 refuses such patterns; values from query JSON are always UTF-8
		}
		re, err := regexp.Compile("^" + EscapeRegex(v) + "$")
		if err != nil || !re.MatchString(v) {
			t.Fatalf("EscapeRegex(%q) does not match itself: %v", v, err)
		}
	})
}

func TestRegexAlternation(t *testing.T) {
	re := regexp.MustCompile("^" + RegexAlternation([]string{"a.b", "c|d", `e\`}) + "$")
	for _, v := range []string{"a.b", "c|d", `e\`} {
		if !re.MatchString(v) {
			t.Errorf("%q does not match", v)
		}
	}
	for _, v := range []string{"axb", "c", "d", "a.bc|d"} {
		if re.MatchString(v) {
			t.Errorf("%q matches", v)
		}
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name                  string
		label, metric, tqlAtt bool
	}{
		{"service", true, true, true},
		{"http_duration_seconds:rate5m", false, true, false},
		{"http.status_code", false, false, true},
		{"resource.service.name", false, false, true},
		{"9lives", false, false, false},
		{`a"b`, false, false, false},
		{"a}", false, false, false},
		{"a b", false, false, false},
		{"a\n", false, false, false},
		{"", false, false, false},
	}
	for _, tc := range tests {
		if ValidLabelName(tc.name) != tc.label || ValidMetricName(tc.name) != tc.metric || ValidTraceQLAttribute(tc.name) != tc.tqlAtt {
			t.Errorf("%q: label %t metric %t attribute %t, want %t %t %t", tc.name,
				ValidLabelName(tc.name), ValidMetricName(tc.name), ValidTraceQLAttribute(tc.name), tc.label, tc.metric, tc.tqlAtt)
		}
	}
	for in, want := range map[string]string{"http.status_code": ".http.status_code", "span.x": "span.x", ".x": ".x"} {
		if got, ok := TraceQLAttribute(in); !ok || got != want {
			t.Errorf("TraceQLAttribute(%q) = %q %t", in, got, ok)
		}
	}
	for in, want := range map[string]string{"500": "500", "-1.5": "-1.5", "true": "true", "1e3": `"1e3"`, "x": `"x"`, `"`: `"\""`} {
		if got := TraceQLLiteral(in); got != want {
			t.Errorf("TraceQLLiteral(%q) = %s, want %s", in, got, want)
		}
	}
	for name, want := range map[string]bool{"name": true, "resource.service.name": true, ".x": true, "x": false, "a) by (b": false} {
		if TraceQLGroupBy(name) != want {
			t.Errorf("TraceQLGroupBy(%q) = %t", name, !want)
		}
	}
}

func TestCheckTraceQLFilter(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{`span.http.status_code >= 500`, true},
		{`span.a = 1 || (span.b = "x" && span.c != "y")`, true},
		{`span.a = ")}|{("`, true},
		{"span.a = `raw )} |`", true},
		{`span.a = "esc \" )"`, true},
		{`a) || (true`, false},
		{`true) } | { (true`, false},
		{`span.a = 1 } >> { span.b = 2`, false},
		{`span.a = 1 | count() > 2`, false},
		{`(span.a = 1`, false},
		{`span.a = "unterminated`, false},
		{`span.a = "x\"`, false},
	}
	for _, tc := range tests {
		if err := CheckTraceQLFilter(tc.in); (err == nil) != tc.ok {
			t.Errorf("CheckTraceQLFilter(%q) = %v, want ok=%t", tc.in, err, tc.ok)
		}
	}
}

// Tempo lexes TraceQL with Go's text/scanner after Init (Mode = GoTokens, which skips
// `/* … */` and `// …` comments) and reads attribute names rune by rune, where a backtick
// is an attribute rune (pkg/traceql/lexer.go isAttributeRune). Either lets a filter that
// CheckTraceQLFilter accepts close the builders' parentheses, e.g. the selector
// `{ resource.service.name = "a" && (/* ( */ true) || (true /* ) */) }` is, for Tempo,
// `{ (resource.service.name = "a" && true) || true }`: every span of every service.
func TestCheckTraceQLFilterCannotEscapeItsParentheses(t *testing.T) {
	for _, f := range []string{
		`/* ( */ true) || (true /* ) */`,
		`true) || (true // )`,
		"span.a` = 1) || (span.b` = 2",
	} {
		if err := CheckTraceQLFilter(f); err == nil {
			t.Errorf("CheckTraceQLFilter(%q) = nil; Tempo reads a `)` there that closes the builder's parenthesis", f)
		}
	}
}

// TraceQLLiteral writes only what Tempo reads as TraceQL: Tempo scans numbers with
// text/scanner (a leading 0 makes an octal literal: "08" is an error) and reads integers
// with strconv.Atoi (beyond int64 is an error), so such digits become strings.
func TestTraceQLLiteralIsValidTraceQL(t *testing.T) {
	for _, v := range []string{"08", "0123456789", "12345678901234567890", "0", "-7", "0.25", "9223372036854775807"} {
		lit := TraceQLLiteral(v)
		var s scanner.Scanner
		s.Init(strings.NewReader(lit))
		var scanErr string
		s.Error = func(_ *scanner.Scanner, msg string) { scanErr = msg }
		tok := s.Scan()
		if scanErr != "" {
			t.Errorf("TraceQLLiteral(%q) = %s: Tempo's scanner fails: %s", v, lit, scanErr)
			continue
		}
		if tok == scanner.Int {
			if _, err := strconv.Atoi(s.TokenText()); err != nil {
				t.Errorf("TraceQLLiteral(%q) = %s: Tempo's strconv.Atoi fails: %v", v, lit, err)
			}
		}
	}
}

func TestTraceQLLiteralKeepsNumbersAndQuotesTheRest(t *testing.T) {
	for in, want := range map[string]string{
		"200": "200", "-1": "-1", "0": "0", "0.5": "0.5", "true": "true",
		"08540": `"08540"`, "-9223372036854775807": "-9223372036854775807", "-9223372036854775808": `"-9223372036854775808"`, "12345678901234567890": `"12345678901234567890"`, "1e3": `"1e3"`, "GET": `"GET"`,
	} {
		if got := TraceQLLiteral(in); got != want {
			t.Errorf("TraceQLLiteral(%q) = %s, want %s", in, got, want)
		}
	}
	for _, ok := range []string{"span.a = `x`", "span.a=`x`", "(`x` = span.a)", "span.a =~ `a/b`"} {
		if err := CheckTraceQLFilter(ok); err != nil {
			t.Errorf("CheckTraceQLFilter(%q): %v", ok, err)
		}
	}
}
