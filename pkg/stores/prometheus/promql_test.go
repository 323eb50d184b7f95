package prometheus

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// parseMatchers reads a matcher set `{name="value",…}` the way PromQL's lexer does for
// `=` matchers (Go-quoted values) and returns the matchers and what follows the set.
func parseMatchers(t testing.TB, s string) (map[string]string, string) {
	t.Helper()
	if !strings.HasPrefix(s, "{") {
		t.Fatalf("selector %q does not start with {", s)
	}
	out := map[string]string{}
	rest := s[1:]
	for !strings.HasPrefix(rest, "}") {
		eq := strings.Index(rest, "=")
		if eq <= 0 {
			t.Fatalf("selector %q: no matcher at %q", s, rest)
		}
		name := rest[:eq]
		lit, err := strconv.QuotedPrefix(rest[eq+1:])
		if err != nil {
			t.Fatalf("selector %q: value of %s: %v", s, name, err)
		}
		v, _ := strconv.Unquote(lit)
		if _, dup := out[name]; dup {
			t.Fatalf("selector %q: %s twice", s, name)
		}
		out[name] = v
		rest = rest[eq+1+len(lit):]
		rest = strings.TrimPrefix(rest, ",")
	}
	return out, rest[1:]
}

var hostileValues = []string{
	`a"b`, `a\b`, `\`, `"}`, `"} or vector(1) or {x="`, `a",le="+Inf`, `x"}[5m])) or vector(1) #`,
	"new\nline", "tab\tcr\r", "\x00\x7f", `ü 日本`, "\xff", `{{.x}}`, `=~".+"`,
}

func TestMatchersHostile(t *testing.T) {
	for _, v := range hostileValues {
		sel, err := Matchers(map[string]string{"service": v, "operation": "op " + v, "empty": ""})
		if err != nil {
			t.Fatal(err)
		}
		got, rest := parseMatchers(t, sel)
		if len(got) != 2 || got["service"] != v || got["operation"] != "op "+v || rest != "" {
			t.Errorf("value %q: selector %s reads as %v + %q", v, sel, got, rest)
		}
	}
	tests := []struct {
		name string
		in   map[string]string
		want string
		ok   bool
	}{
		{"sorted, empty left out", map[string]string{"b": `x"y`, "a": "1", "c": ""}, `{a="1",b="x\"y"}`, true},
		{"none", map[string]string{"a": ""}, "", true},
		{"label name with a brace", map[string]string{`a="x"}or{b`: "v"}, "", false},
		{"label name with a space", map[string]string{"a b": "v"}, "", false},
	}
	for _, tc := range tests {
		got, err := Matchers(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("%s: Matchers = %q, %v; want %q ok=%t", tc.name, got, err, tc.want, tc.ok)
		}
	}
}

// FuzzHistogramQuantileSelector: whatever the service and operation, the query
// names exactly the metric's bucket series with exactly the two intended matchers and
// nothing after the selector but the range and the closing brackets.
func FuzzHistogramQuantileSelector(f *testing.F) {
	for _, v := range hostileValues {
		f.Add(v, v+"x")
	}
	f.Fuzz(func(t *testing.T, service, operation string) {
		sel, err := Matchers(map[string]string{"service": service, "operation": operation})
		if err != nil {
			t.Fatal(err)
		}
		q := HistogramQuantile(0.99, "http_duration_seconds", sel, time.Minute, []string{"service"}, false)
		const head = "histogram_quantile(0.99, sum by (le, service) (rate(http_duration_seconds_bucket"
		if !strings.HasPrefix(q, head) {
			t.Fatalf("query %q", q)
		}
		if sel == "" {
			if service != "" || operation != "" || q != head+"[60s])))" {
				t.Fatalf("query %q for %q, %q", q, service, operation)
			}
			return
		}
		got, rest := parseMatchers(t, q[len(head):])
		want := map[string]string{}
		for k, v := range map[string]string{"service": service, "operation": operation} {
			if v != "" {
				want[k] = v
			}
		}
		if len(got) != len(want) || got["service"] != want["service"] || got["operation"] != want["operation"] || rest != "[60s])))" {
			t.Fatalf("query %q reads as %q + %q, want %q", q, got, rest, want)
		}
	})
}

// ParseDuration reads what Prometheus' query_range takes as a step (checked against
// Debian's Prometheus: 1d, 1w, 1y, 1h30m, 15 and 1.5 are steps; 1d1d and -1m are not),
// and Go durations.
func TestParseDuration(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1d", day, true},
		{"1w", 7 * day, true},
		{"1y", 365 * day, true},
		{"1d12h", 36 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"15", 15 * time.Second, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"1.5s", 1500 * time.Millisecond, true},
		{"250ms", 250 * time.Millisecond, true},
		{"0", 0, true},
		{"1d1d", 0, false},
		{"1h1d", 0, false},
		{"-1m", 0, false},
		{"-5", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"1x", 0, false},
		{"", 0, false},
	} {
		got, err := ParseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseDuration(%q) = %s, %v; want %s, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
