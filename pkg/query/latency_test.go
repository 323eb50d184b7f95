package query

import (
	"testing"

	"github.com/latencylens/lens/pkg/settings"
)

func TestErrorSelector(t *testing.T) {
	st := &settings.Settings{ErrorLabel: "status", ErrorValues: `5..`}
	tests := []struct {
		name, sel string
		st        *settings.Settings
		want      string
	}{
		{"no error label", `{a="b"}`, &settings.Settings{}, ""},
		{"no selector", "", st, `{status=~"5.."}`},
		{"empty selector", "{}", st, `{status=~"5.."}`},
		{"builder selector", `{operation="x",service="}"}`, st, `{operation="x",service="}",status=~"5.."}`},
		{"trailing comma", `{a="b",}`, st, `{a="b",status=~"5.."}`},
		{"values are quoted", "", &settings.Settings{ErrorLabel: "code", ErrorValues: `"|\d`}, `{code=~"\"|\\d"}`},
	}
	for _, tc := range tests {
		if got := errorSelector(tc.sel, tc.st); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
