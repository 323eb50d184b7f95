// Package join attaches log lines to the spans they belong to, whatever store either
// came from.
//
// Rule: a line that names a span of its trace joins that span; otherwise it joins the
// innermost span of its trace whose [start, end] holds the line's time (the span that
// started last among those still open). A line without a trace ID is placed by time only
// when all spans belong to one trace. Assumes IDs normalised by pkg/traceid.
//
// Guarantees to the next stage: each line joins at most one span; each span's lines are
// in time order.
package join

import (
	"slices"

	"github.com/latencylens/lens/pkg/model"
)

// Result is the outcome of Join. Span i's lines are LogIdx[SpanStart[i]:SpanStart[i+1]].
type Result struct {
	SpanStart []int32
	LogIdx    []int32
	// LogSpan[j] is the span index of line j, or -1.
	LogSpan []int32
	// BySpanID, ByTime and Unmatched count lines by how they joined.
	BySpanID, ByTime, Unmatched int
}

// LogsOf returns the indices of span i's lines.
func (r *Result) LogsOf(i int) []int32 { return r.LogIdx[r.SpanStart[i]:r.SpanStart[i+1]] }

type spanKey struct{ trace, span string }

// Join attaches logs to spans.
func Join(spans []model.Span, logs []model.LogLine) *Result {
	res := &Result{LogSpan: make([]int32, len(logs))}
	byID := make(map[spanKey]int32, len(spans))
	byTrace := map[string][]int32{}
	for i := range spans {
		s := &spans[i]
		k := spanKey{s.TraceID, s.SpanID}
		if _, dup := byID[k]; !dup { // repeated span IDs: the first one wins
			byID[k] = int32(i)
		}
		byTrace[s.TraceID] = append(byTrace[s.TraceID], int32(i))
	}
	onlyTrace := ""
	if len(byTrace) == 1 {
		for t := range byTrace {
			onlyTrace = t
		}
	}
	pending := map[string][]int32{}
	for j := range logs {
		l := &logs[j]
		res.LogSpan[j] = -1
		trace := l.TraceID
		if trace == "" {
			trace = onlyTrace
		}
		if trace == "" {
			continue
		}
		if l.SpanID != "" {
			if i, ok := byID[spanKey{trace, l.SpanID}]; ok {
				res.LogSpan[j] = i
				res.BySpanID++
				continue
			}
		}
		if _, ok := byTrace[trace]; ok {
			pending[trace] = append(pending[trace], int32(j))
		}
	}
	for trace, lines := range pending {
		res.ByTime += containment(spans, byTrace[trace], logs, lines, res.LogSpan)
	}
	res.Unmatched = len(logs) - res.BySpanID - res.ByTime

	// Group lines per span (CSR), each span's lines in time order.
	counts := make([]int32, len(spans)+1)
	for _, i := range res.LogSpan {
		if i >= 0 {
			counts[i+1]++
		}
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	res.SpanStart = counts
	res.LogIdx = make([]int32, counts[len(spans)])
	fill := slices.Clone(counts[:len(spans)])
	for j, i := range res.LogSpan {
		if i >= 0 {
			res.LogIdx[fill[i]] = int32(j)
			fill[i]++
		}
	}
	for i := range spans {
		seg := res.LogIdx[counts[i]:counts[i+1]]
		if len(seg) > 1 && !sortedByTime(seg, logs) {
			slices.SortStableFunc(seg, func(a, b int32) int { return cmpInt(logs[a].TimeUnixNano, logs[b].TimeUnixNano) })
		}
	}
	return res
}

// containment places lines inside spans of one trace by a sweep in time order with a
// stack of open spans (pushed in start order, so the top started last). Returns how
// many lines were placed.
func containment(spans []model.Span, idx []int32, logs []model.LogLine, lines []int32, out []int32) int {
	order := slices.Clone(idx)
	slices.SortStableFunc(order, func(a, b int32) int { return cmpInt(spans[a].StartUnixNano, spans[b].StartUnixNano) })
	if !sortedByTime(lines, logs) {
		slices.SortStableFunc(lines, func(a, b int32) int { return cmpInt(logs[a].TimeUnixNano, logs[b].TimeUnixNano) })
	}
	stack := make([]int32, 0, 64)
	next, placed := 0, 0
	for _, j := range lines {
		t := logs[j].TimeUnixNano
		for next < len(order) && spans[order[next]].StartUnixNano <= t {
			stack = append(stack, order[next])
			next++
		}
		for len(stack) > 0 && spans[stack[len(stack)-1]].EndUnixNano() < t {
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			out[j] = stack[len(stack)-1]
			placed++
		}
	}
	return placed
}

func sortedByTime(idx []int32, logs []model.LogLine) bool {
	for k := 1; k < len(idx); k++ {
		if logs[idx[k]].TimeUnixNano < logs[idx[k-1]].TimeUnixNano {
			return false
		}
	}
	return true
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
