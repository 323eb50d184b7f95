package join

import (
	"testing"

	"github.com/latencylens/lens/pkg/model"
)

// Spans with the same start and end (a handler and the framework span it wraps, timed by a
// coarse clock; a server span and its one internal child): a line inside them joins the
// innermost in the tree, the descendant, whichever order the store sent them in. Among
// equal spans that are not each other's ancestors the last sent keeps them, as before.
func TestJoinEqualSpansDescendantWins(t *testing.T) {
	tid := hexID(32, 7)
	a, b, c := hexID(16, 1), hexID(16, 2), hexID(16, 3)
	with := func(s model.Span, parent string) model.Span { s.ParentSpanID = parent; return s }
	root := with(span(tid, a, 0, 100), "")
	mid := with(span(tid, b, 0, 100), a)
	leaf := with(span(tid, c, 0, 100), b)
	orders := [][]model.Span{
		{root, mid, leaf}, {leaf, mid, root}, {mid, leaf, root}, {leaf, root, mid}, {root, leaf, mid}, {mid, root, leaf},
	}
	for _, spans := range orders {
		r := Join(spans, []model.LogLine{line(tid, "", 0), line(tid, "", 50), line(tid, "", 100)})
		for j, got := range r.LogSpan {
			if got < 0 || spans[got].SpanID != c {
				name := "none"
				if got >= 0 {
					name = spans[got].SpanID
				}
				t.Errorf("order %s %s %s: line %d joined %s, want the leaf %s", spans[0].SpanID[15:], spans[1].SpanID[15:], spans[2].SpanID[15:], j, name, c)
			}
		}
	}
	// Siblings with equal times: the later one sent, in either order.
	s1, s2 := with(span(tid, b, 0, 100), a), with(span(tid, c, 0, 100), a)
	for _, spans := range [][]model.Span{{root, s1, s2}, {s2, s1, root}} {
		r := Join(spans, []model.LogLine{line(tid, "", 50)})
		if got := r.LogSpan[0]; got < 0 || spans[got].ParentSpanID != a {
			t.Errorf("siblings: joined %d, want one of the children", got)
		}
	}
}
