package traceqlfilter

import (
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/model"
)

// makeSpan is a span as the Jaeger clients decode it: v1 JSON numbers are float64,
// v3 (OTLP) integers int64 and those beyond 2^53 strings of digits.
func makeSpan(mods ...func(*model.Span)) *model.Span {
	s := &model.Span{
		Operation: "GET /cart", Service: "checkout", DurationNano: 250e6, Kind: "server", StatusCode: model.StatusError,
		StatusMessage: "upstream timeout",
		Tags: []model.KeyValue{
			{Key: "http.status_code", Value: float64(503)},
			{Key: "http.method", Value: "GET"},
			{Key: "retry", Value: true},
			{Key: "ratio", Value: 0.25},
			{Key: "attempts", Value: int64(3)},
			{Key: "big", Value: model.BigInt("9007199254740993")},
			{Key: "order.id", Value: "12345678901234567"}, // a string of digits, not a number
			{Key: "region", Value: "span-level"},
		},
		ServiceTags: []model.KeyValue{
			{Key: "service.name", Value: "checkout"},
			{Key: "region", Value: "eu-west-1"},
			{Key: "host.name", Value: "node-7"},
		},
	}
	for _, m := range mods {
		m(s)
	}
	return s
}

func TestMatch(t *testing.T) {
	tests := []struct {
		sel  string
		want bool
	}{
		{`{}`, true},
		{`{ }`, true},
		{`{ span.http.status_code >= 500 }`, true},
		{`{span.http.status_code>=500}`, true},
		{`{ span.http.status_code = 503 }`, true},
		{`{ span.http.status_code = 503.0 }`, true},
		{`{ span.http.status_code < 500 }`, false},
		{`{ span.http.status_code != 200 }`, true},
		{`{ span.http.status_code = "503" }`, false}, // an int is not a string
		{`{ span.attempts > 2 && span.attempts <= 3 }`, true},
		{`{ span.ratio < 0.5 }`, true},
		{`{ span.big > 9007199254740000 }`, true},    // beyond 2^53, carried as digits
		{`{ span.big = "9007199254740993" }`, false}, // an int is not a string
		{`{ span.big = 9007199254740993 }`, true},    // compared as integers, every digit
		{`{ span.big = 9007199254740992 }`, false},
		{`{ span.big != 9007199254740992 }`, true},
		{`{ span.big > 9007199254740992 }`, true},
		{`{ span.big < 9007199254740994 }`, true},
		{`{ span.big > 9007199254740993.5 }`, false}, // against a float, as floats
		{`{ span.order.id = "12345678901234567" }`, true},
		{`{ span.order.id =~ "1234.*" }`, true},
		{`{ span.order.id > 1 }`, false}, // a string is not a number
		{`{ span.retry = true }`, true},
		{`{ span.retry }`, true},
		{`{ span.retry != false }`, true},
		{`{ span.http.method = "GET" }`, true},
		{"{ span.http.method = `GET` }", true},
		{`{ span.http.method =~ "G.*" }`, true},
		{`{ span.http.method =~ "E" }`, false}, // fully anchored
		{`{ span.http.method !~ "P.*" }`, true},
		{`{ span.http.method > "DELETE" }`, true},
		{`{ span.missing != "x" }`, false}, // a missing attribute fails every comparison
		{`{ span.missing !~ "x" }`, false},
		{`{ span.missing != nil }`, false},
		{`{ span.http.method != nil }`, true},
		{`{ resource.region = "eu-west-1" }`, true},
		{`{ span.region = "span-level" }`, true},
		{`{ .region = "span-level" }`, true}, // unscoped: the span's first
		{`{ .host.name = "node-7" }`, true},  // then the resource's
		{`{ resource.service.name = "checkout" }`, true},
		{`{ .service.name = "checkout" }`, true},
		{`{ span.service.name = "checkout" }`, false},
		{`{ resource.http.method = "GET" }`, false},
		{`{ name = "GET /cart" }`, true},
		{`{ span:name = "GET /cart" }`, true},
		{`{ status = error }`, true},
		{`{ status != ok }`, true},
		{`{ span:status = unset }`, false},
		{`{ kind = server }`, true},
		{`{ kind = client }`, false},
		{`{ statusMessage =~ ".*timeout" }`, true},
		{`{ duration > 200ms }`, true},
		{`{ duration >= 0.25s && duration < 1m }`, true},
		{`{ duration > 1h30m }`, false},
		{`{ duration > 250000000 }`, false}, // a number compared with a duration is nanoseconds
		{`{ duration > -1ms }`, true},
		{`{ span.http.status_code > -1 }`, true},
		{`{ span.http.status_code = 200 || span.http.status_code = 503 }`, true},
		{`{ (span.http.status_code = 200 || kind = server) && status = error }`, true},
		{`{ span.http.status_code = 200 || kind = server && status = ok }`, false}, // (a || b) && c, as Tempo groups it
		{`{ kind = server || span.http.method = "POST" && status = ok }`, false},   // a true first operand does not win over a later &&
		{`{ kind = server || (span.http.method = "POST" && status = ok) }`, true},
		{`{ span."http.method" = "GET" }`, true},
		{`{ true }`, true},
		{`{ false || true }`, true},
		{`{ 1 = 1.0 }`, true},
	}
	for _, tt := range tests {
		f, err := Parse(tt.sel)
		if err != nil {
			t.Errorf("%s: %v", tt.sel, err)
			continue
		}
		got, err := f.Match(makeSpan())
		if err != nil || got != tt.want {
			t.Errorf("%s = %v %v, want %v", tt.sel, got, err, tt.want)
		}
	}
}

func TestMatchUnsetKindAndStatus(t *testing.T) {
	s := makeSpan(func(s *model.Span) { s.Kind, s.StatusCode = "", model.StatusUnset })
	for sel, want := range map[string]bool{`{ kind = unspecified }`: true, `{ status = unset }`: true, `{ status = error }`: false} {
		f, err := Parse(sel)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := f.Match(s); err != nil || got != want {
			t.Errorf("%s = %v %v, want %v", sel, got, err, want)
		}
	}
}

func TestMatchRefusesListAttributes(t *testing.T) {
	s := makeSpan(func(s *model.Span) {
		s.Tags = append(s.Tags, model.KeyValue{Key: "tags", Value: []any{"a", "b"}})
	})
	f, err := Parse(`{ span.tags = "a" }`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Match(s); err == nil || !strings.Contains(err.Error(), "span.tags holds a list") {
		t.Errorf("want an error naming the list attribute, got %v", err)
	}
	// A condition that short-circuits before the list is fine.
	f, _ = Parse(`{ kind = server || span.tags = "a" }`)
	if ok, err := f.Match(s); !ok || err != nil {
		t.Errorf("%v %v", ok, err)
	}
}

func TestParseRefusesWhatItCannotEvaluate(t *testing.T) {
	tests := []struct {
		sel, wantErr string
	}{
		{``, "a span selector starts with `{`"},
		{`span.a = 1`, "a span selector starts with `{`"},
		{`{ span.a = 1`, "expected `}`"},
		{`{ span.a = 1 } | count() > 2`, `"| count() > 2" after the span selector is not supported`},
		{`{ span.a = 1 } >> { span.b = 2 }`, "after the span selector is not supported"},
		{`{ span.a = 1 } && { span.b = 2 }`, "after the span selector is not supported"},
		{`{ !(span.a = 1) }`, "negation with `!`"},
		{`{ span.a + 1 > 2 }`, `arithmetic ("+" at offset 9)`},
		{`{ span.a > 1 * 2 }`, "chained or arithmetic operators"},
		{`{ span.retry > false }`, "a bool can only be compared with = or !="},
		{`{ span.a = 1 = 2 }`, "chained or arithmetic operators"},
		{`{ span.a = nil }`, "comparing with nil other than `attribute != nil`"},
		{`{ name != nil }`, "comparing with nil"},
		{`{ event.name = "x" }`, "this attribute scope"},
		{`{ event:name = "x" }`, "this intrinsic"},
		{`{ trace:duration > 1s }`, "this intrinsic"},
		{`{ rootServiceName = "x" }`, "this intrinsic"},
		{`{ instrumentation.name = "x" }`, "this attribute scope"},
		{`{ foo = 1 }`, `"foo" at offset 2) is not supported`},
		{`{ status = "error" }`, "cannot be compared"},
		{`{ duration > "1s" }`, "cannot be compared"},
		{`{ status > error }`, "can only be compared with = or !="},
		{`{ kind =~ "ser.*" }`, `"kind" is a kind`},
		{`{ span.a =~ 5 }`, "needs a string regex"},
		{`{ span.a =~ "(" }`, "regex"},
		{`{ duration }`, "is a duration, not a condition"},
		{`{ (span.a) = 1 }`, "comparing a parenthesised expression"},
		{`{ span.a = 5xx }`, "is not a number or a duration"},
		{`{ span.a = "x }`, "does not end"},
		{`{ span.a = "\q" }`, "bad escape"},
		{`{ span.a = 1 ) }`, "expected `}`"},
		{`{ (span.a = 1 }`, "expected `)`"},
		{`{ span.a = }`, "expected an attribute, an intrinsic or a value"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.sel)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tt.sel, err, tt.wantErr)
		}
	}
}

func TestEqualString(t *testing.T) {
	tests := []struct {
		sel, field, want string
		ok               bool
	}{
		{`{ resource.service.name = "checkout" && name = "GET /" && (span.a = 1) }`, "resource.service.name", "checkout", true},
		{`{ resource.service.name = "checkout" && name = "GET /" }`, "name", "GET /", true},
		{`{ span:name = "GET /" }`, "name", "GET /", true},
		{`{ "checkout" = resource.service.name }`, "resource.service.name", "checkout", true},
		{`{ resource.service.name = "a" || resource.service.name = "b" }`, "resource.service.name", "", false},
		{`{ resource.service.name =~ "a" }`, "resource.service.name", "", false},
		{`{ .service.name = "a" }`, "resource.service.name", "", false},
		{`{}`, "name", "", false},
	}
	for _, tt := range tests {
		f, err := Parse(tt.sel)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := f.EqualString(tt.field); got != tt.want || ok != tt.ok {
			t.Errorf("%s %s = %q %v", tt.sel, tt.field, got, ok)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{ span.http.status_code >= 500 && resource.service.name = "a" }`,
		`{ (name =~ "x.*" || kind = server) && duration > 1.5ms && span.b != nil }`,
		"{ span.\"a b\" = `raw` && status != error && .c <= -2 }",
		`{ } | count()`, `{ !true }`, `{ span.a = "\u00e9" }`,
	} {
		f.Add(s)
	}
	spans := []*model.Span{makeSpan(), {}, makeSpan(func(s *model.Span) {
		s.Tags = append(s.Tags, model.KeyValue{Key: "a", Value: []any{1}}, model.KeyValue{Key: "b", Value: map[string]any{}})
	})}
	f.Fuzz(func(t *testing.T, sel string) {
		flt, err := Parse(sel)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		for _, s := range spans {
			_, _ = flt.Match(s)
		}
		_, _ = flt.EqualString("name")
	})
}
