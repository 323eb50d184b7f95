package loki

import (
	"strconv"
	"strings"
	"testing"
)

var hostileValues = []string{
	`a"b`, `a\b`, `\`, `"}`, `"} |= "x`, `"} or {a=~".+`, `x", b="y`, "new\nline", "\x00\x7f",
	`ü 日本`, "\xff", "`raw`", `| json | line_format "{{.x}}"`,
}

// FuzzStreamSelector: whatever the service, the selector is `{service_name="…"}` with
// exactly that value and nothing after it.
func FuzzStreamSelector(f *testing.F) {
	for _, v := range hostileValues {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		sel, err := StreamSelector("service_name", v)
		if err != nil {
			t.Fatal(err)
		}
		body, ok := strings.CutPrefix(sel, "{service_name=")
		if !ok {
			t.Fatalf("%q", sel)
		}
		lit, err := strconv.QuotedPrefix(body)
		if err != nil {
			t.Fatalf("%q: %v", sel, err)
		}
		if got, _ := strconv.Unquote(lit); got != v || body[len(lit):] != "}" {
			t.Fatalf("%q reads as %q followed by %q", sel, got, body[len(lit):])
		}
	})
}

func TestStreamSelectorRefusesBadLabel(t *testing.T) {
	for _, l := range []string{"", "a b", `a="x"} or {b`, "service.name"} {
		if sel, err := StreamSelector(l, "x"); err == nil {
			t.Errorf("label %q accepted: %s", l, sel)
		}
	}
}
