package model

import "testing"

func TestTraceBounds(t *testing.T) {
	span := func(start, dur int64) Span { return Span{StartUnixNano: start, DurationNano: dur} }
	tests := []struct {
		name       string
		spans      []Span
		start, end int64
	}{
		{"none", nil, 0, 0},
		{"earliest start, latest end", []Span{span(100, 50), span(90, 10), span(120, 100)}, 90, 220},
		{"a child before its parent (clock skew)", []Span{span(100, 50), span(80, 200)}, 80, 280},
		{"a span without a start is left out", []Span{span(0, 1000), span(100, 50)}, 100, 150},
		{"a span before 1970 is left out", []Span{span(100, 50), span(-5, 10)}, 100, 150},
		{"no span has a start", []Span{span(0, 1000)}, 0, 0},
	}
	for _, tc := range tests {
		tr := Trace{Spans: tc.spans}
		if s, e := tr.Bounds(); s != tc.start || e != tc.end {
			t.Errorf("%s: Bounds() = %d, %d; want %d, %d", tc.name, s, e, tc.start, tc.end)
		}
	}
}
