package model

import (
	"slices"
	"testing"
)

func TestRepeatedSpanIDs(t *testing.T) {
	spans := func(ids ...string) []Span {
		out := make([]Span, len(ids))
		for i, id := range ids {
			out[i].SpanID = id
		}
		return out
	}
	tests := []struct {
		name string
		in   []Span
		want []string
	}{
		{"none", spans("a", "b", "c"), nil},
		{"one twice", spans("a", "b", "a"), []string{"a"}},
		{"thrice counts once, in order of first repeat", spans("b", "a", "a", "b", "a"), []string{"a", "b"}},
		{"empty", nil, nil},
	}
	for _, tc := range tests {
		if got := RepeatedSpanIDs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
