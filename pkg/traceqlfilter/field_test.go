package traceqlfilter

import (
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/model"
)

func TestFieldLabel(t *testing.T) {
	tests := []struct {
		name   string
		span   *model.Span
		want   string
		wantOK bool
	}{
		{name: "resource.service.name", span: makeSpan(), want: "checkout", wantOK: true},
		{name: "resource.service.name", span: makeSpan(func(s *model.Span) { s.Service = "" }), want: "", wantOK: false},
		{name: "span.http.status_code", span: makeSpan(), want: "503", wantOK: true},
		{name: "span.attempts", span: makeSpan(), want: "3", wantOK: true},
		{name: "span.ratio", span: makeSpan(), want: "0.25", wantOK: true},
		{name: "span.retry", span: makeSpan(), want: "true", wantOK: true},
		{name: "span.big", span: makeSpan(), want: "9007199254740993", wantOK: true},
		{name: "span.region", span: makeSpan(), want: "span-level", wantOK: true},
		{name: "resource.region", span: makeSpan(), want: "eu-west-1", wantOK: true},
		{name: ".region", span: makeSpan(), want: "span-level", wantOK: true},
		{name: ".host.name", span: makeSpan(), want: "node-7", wantOK: true},
		{name: "span.host.name", span: makeSpan(), wantOK: false},
		{name: "span.missing", span: makeSpan(), wantOK: false},
		{name: "span.nothing", span: makeSpan(func(s *model.Span) { s.Tags = append(s.Tags, model.KeyValue{Key: "nothing"}) }), wantOK: false},
		{name: "name", span: makeSpan(), want: "GET /cart", wantOK: true},
		{name: "status", span: makeSpan(), want: "error", wantOK: true},
		{name: "status", span: makeSpan(func(s *model.Span) { s.StatusCode = model.StatusUnset }), want: "unset", wantOK: true},
		{name: "kind", span: makeSpan(), want: "server", wantOK: true},
		{name: "kind", span: makeSpan(func(s *model.Span) { s.Kind = "" }), want: "unspecified", wantOK: true},
		{name: "duration", span: makeSpan(), want: "250ms", wantOK: true},
		{name: "statusMessage", span: makeSpan(), want: "upstream timeout", wantOK: true},
		{name: `span."http.method"`, span: makeSpan(), want: "GET", wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseField(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			got, ok, err := f.Label(tt.span)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Label = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestFieldLabelRefusesListsAndMaps(t *testing.T) {
	f, err := ParseField("span.list")
	if err != nil {
		t.Fatal(err)
	}
	s := makeSpan(func(s *model.Span) { s.Tags = append(s.Tags, model.KeyValue{Key: "list", Value: []any{"a"}}) })
	if _, _, err := f.Label(s); err == nil || !strings.Contains(err.Error(), "holds a list") {
		t.Fatalf("error %v, want one saying the attribute holds a list", err)
	}
}

func TestParseFieldRefusesWhatIsNotAName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"rootName", "this intrinsic"},
		{"event.name", "this attribute scope"},
		{`"x"`, "a value"},
		{"span.a span.b", "after the name"},
		{"", "expected an attribute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseField(tt.name); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseField(%q) error %v, want one containing %q", tt.name, err, tt.want)
			}
		})
	}
}

func TestFieldAttribute(t *testing.T) {
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"resource.service.name", "service.name", true},
		{".http.route", "http.route", true},
		{"status", "status", false},
	}
	for _, tt := range tests {
		f, err := ParseField(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := f.Attribute(); got != tt.want || ok != tt.ok {
			t.Errorf("%s: Attribute() = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFieldUnscoped(t *testing.T) {
	f, err := ParseField("resource.http.method")
	if err != nil {
		t.Fatal(err)
	}
	s := makeSpan() // http.method is a span attribute
	if _, ok, _ := f.Label(s); ok {
		t.Fatal("resource.http.method found on the span's attributes")
	}
	if got, ok, err := f.Unscoped().Label(s); err != nil || !ok || got != "GET" {
		t.Errorf("Unscoped().Label = %q, %v, %v; want GET", got, ok, err)
	}
}
