package query

import (
	"maps"
	"strings"
	"testing"
)

func TestParseLogfmtTagsSeparatorsAndErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
		err  string // part of the error; "" for none
	}{
		{name: "tab", in: "http.method=GET\terror=true", want: map[string]string{"http.method": "GET", "error": "true"}},
		{name: "newline, CR, vertical tab, form feed", in: "a=1\r\nb=2\vc=3\fd=4", want: map[string]string{"a": "1", "b": "2", "c": "3", "d": "4"}},
		{name: "padded with tabs", in: "\ta=1\t", want: map[string]string{"a": "1"}},
		{name: "tab after a quoted value", in: "msg=\"a b\"\terror=true", want: map[string]string{"msg": "a b", "error": "true"}},
		{name: "escaped tab inside quotes", in: `msg="a\tb"`, want: map[string]string{"msg": "a\tb"}},
		{name: "raw tab inside quotes is refused, as JSON does", in: "msg=\"a\tb\"", err: "the quoted value of msg has a bad escape or a control character"},
		{name: "JSON escapes", in: `msg="say \"hi\" \u0041"`, want: map[string]string{"msg": `say "hi" A`}},
		{name: "a key given twice", in: "a=1 a=2", err: "a is given twice"},
		{name: "empty value", in: "x=", want: map[string]string{"x": ""}},
		{name: "blank", in: " \t\n", want: nil},
		{name: "key without =, tab separated", in: "novalue\tother=1", err: `expected key=value at "novalue\tother=1"`},
		{name: "no key", in: "=1", err: `expected key=value at "=1"`},
		{name: "unterminated quote", in: `msg="a b`, err: "the quoted value of msg is not closed"},
		{name: "bad escape", in: `msg="a\q"`, err: "the quoted value of msg has a bad escape"},
		{name: "text right after a quoted value", in: `msg="a"b=1`, err: "expected a space after the value of msg"},
		{name: "unquoted =", in: "a=b=c", err: `the value of a holds '=' unquoted`},
		{name: "unquoted quote", in: `a=b"c"`, err: `the value of a holds '"' unquoted`},
		{name: "no-break space is not a separator", in: "a=1\u00a0b=2", err: "the value of a holds '=' unquoted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLogfmtTags(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "tags ") {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil || !maps.Equal(got, tc.want) {
				t.Fatalf("got %v %v, want %v", got, err, tc.want)
			}
		})
	}
}
