package settings

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseJSONPath: never panics, and the steps of a path that parses are read back
// from the path written with every member as a quoted key in brackets (`["name"]`) and
// every index as `[n]`. (Paths come from jsonData, so they are valid UTF-8.)
func FuzzParseJSONPath(f *testing.F) {
	for _, s := range []string{`$.a.b[0].c`, `attributes["trace.id"]`, `a.['b.c']`, `a["b\"]c"]`, `a["`, `['x'`, `$[0]["0"]`, ` [] `, `a["\u00e9"]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		if !utf8.ValidString(path) {
			return
		}
		_, steps, err := ParseJSONPath(path)
		if err != nil {
			if !strings.Contains(err.Error(), "key in brackets") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		var b strings.Builder
		for _, s := range steps {
			if s.Index {
				b.WriteString("[" + s.Name + "]")
				continue
			}
			q, _ := json.Marshal(s.Name)
			b.WriteString("[" + string(q) + "]")
		}
		_, again, err := ParseJSONPath(b.String())
		if err != nil {
			t.Fatalf("%q → %q: %v", path, b.String(), err)
		}
		for i := range steps {
			steps[i].Quoted = !steps[i].Index
		}
		if len(steps) != len(again) || (len(steps) > 0 && !reflect.DeepEqual(steps, again)) {
			t.Fatalf("%q reads %+v; written back as %q it reads %+v", path, steps, b.String(), again)
		}
	})
}
