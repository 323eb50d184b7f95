package model

import (
	"slices"
	"testing"
)

func TestParentCycles(t *testing.T) {
	span := func(id, parent string) Span { return Span{SpanID: id, ParentSpanID: parent} }
	tests := []struct {
		name  string
		spans []Span
		want  []string
	}{
		{"a tree", []Span{span("a", ""), span("b", "a"), span("c", "b"), span("d", "a")}, nil},
		{"a missing parent", []Span{span("b", "x"), span("c", "b")}, nil},
		{"its own parent", []Span{span("a", ""), span("b", "b"), span("c", "b")}, []string{"b"}},
		{"a loop of two", []Span{span("a", "b"), span("b", "a")}, []string{"a", "b"}},
		{"a loop of three below a child hanging off it", []Span{span("t", "c"), span("a", "c"), span("b", "a"), span("c", "b"), span("r", "")},
			[]string{"a", "b", "c"}},
		{"a chain into a loop, visited from the chain's end", []Span{span("z", "y"), span("y", "x"), span("x", "w"), span("w", "x")}, []string{"x", "w"}},
		{"a repeated ID: the first span of that ID is the parent", []Span{span("a", ""), span("b", "a"), span("a", "b")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParentCycles(tt.spans); !slices.Equal(got, tt.want) {
				t.Errorf("ParentCycles = %v, want %v", got, tt.want)
			}
		})
	}
}
