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
	"runtime"
	"slices"
	"sync"

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

// idKey is a (trace, span) ID pair in binary: normalised IDs are lower-case hex of 32
// and 16 digits, and a fixed-size key hashes and compares much faster than two strings
// (and leaves the GC nothing to scan). IDs that do not parse use spanKey.
type idKey struct{ hi, lo, span uint64 }

func parseHex(s string) (uint64, bool) {
	if len(s) == 0 || len(s) > 16 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint64(c)
	}
	return v, true
}

func makeIDKey(trace, span string) (idKey, bool) {
	if len(trace) != 32 || len(span) != 16 {
		return idKey{}, false
	}
	hi, ok1 := parseHex(trace[:16])
	lo, ok2 := parseHex(trace[16:])
	sp, ok3 := parseHex(span)
	return idKey{hi, lo, sp}, ok1 && ok2 && ok3
}

// spanIndex finds a span by trace and span ID.
type spanIndex struct {
	bin map[idKey]int32
	str map[spanKey]int32
}

func (x *spanIndex) add(trace, span string, i int32) {
	if k, ok := makeIDKey(trace, span); ok {
		if _, dup := x.bin[k]; !dup { // repeated span IDs: the first one wins
			x.bin[k] = i
		}
		return
	}
	if x.str == nil {
		x.str = map[spanKey]int32{}
	}
	if _, dup := x.str[spanKey{trace, span}]; !dup {
		x.str[spanKey{trace, span}] = i
	}
}

func (x *spanIndex) find(trace, span string) (int32, bool) {
	if k, ok := makeIDKey(trace, span); ok {
		i, found := x.bin[k]
		return i, found
	}
	i, found := x.str[spanKey{trace, span}]
	return i, found
}

// minChunk is the fewest lines (or spans) worth a goroutine of their own.
const minChunk = 16384

// parallelFor runs f over [0, n) in up to GOMAXPROCS contiguous chunks, one goroutine
// each, and waits. w numbers the chunk.
func parallelFor(n int, f func(w, lo, hi int)) int {
	workers := min(runtime.GOMAXPROCS(0), max(n/minChunk, 1))
	if workers == 1 {
		f(0, 0, n)
		return 1
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(w, n*w/workers, n*(w+1)/workers)
		}()
	}
	wg.Wait()
	return workers
}

// Join attaches logs to spans. The maps are built once; looking lines up, placing lines
// by time (per trace) and ordering each span's lines run on every CPU.
func Join(spans []model.Span, logs []model.LogLine) *Result {
	res := &Result{LogSpan: make([]int32, len(logs))}
	byID := spanIndex{bin: make(map[idKey]int32, len(spans))}
	traceIdx := map[string]int32{}
	spanTrace := make([]int32, len(spans))
	for i := range spans {
		s := &spans[i]
		byID.add(s.TraceID, s.SpanID, int32(i))
		t, ok := traceIdx[s.TraceID]
		if !ok {
			t = int32(len(traceIdx))
			traceIdx[s.TraceID] = t
		}
		spanTrace[i] = t
	}
	nTraces := len(traceIdx)
	onlyTrace := ""
	if nTraces == 1 {
		onlyTrace = spans[0].TraceID
	}

	// 1. Each line: its span by ID, or the trace whose spans may hold it by time
	// (pendingTrace ≥ 0), or nothing.
	pendingTrace := make([]int32, len(logs))
	bySpan := make([]int, runtime.GOMAXPROCS(0))
	parallelFor(len(logs), func(w, lo, hi int) {
		n := 0
		for j := lo; j < hi; j++ {
			l := &logs[j]
			res.LogSpan[j], pendingTrace[j] = -1, -1
			trace := l.TraceID
			if trace == "" {
				trace = onlyTrace
			}
			if trace == "" {
				continue
			}
			if l.SpanID != "" {
				if i, ok := byID.find(trace, l.SpanID); ok {
					res.LogSpan[j] = i
					n++
					continue
				}
			}
			if t, ok := traceIdx[trace]; ok {
				pendingTrace[j] = t
			}
		}
		bySpan[w] = n
	})
	for _, n := range bySpan {
		res.BySpanID += n
	}

	// 2. Spans and pending lines grouped by trace (counting sort, line order kept), then
	// each trace's lines placed by time.
	traceSpans, traceSpanStart := group(spanTrace, nTraces)
	traceLines, traceLineStart := group(pendingTrace, nTraces)
	placed := make([]int, runtime.GOMAXPROCS(0))
	parallelFor(nTraces, func(w, lo, hi int) {
		for t := lo; t < hi; t++ {
			lines := traceLines[traceLineStart[t]:traceLineStart[t+1]]
			if len(lines) > 0 {
				placed[w] += containment(spans, traceSpans[traceSpanStart[t]:traceSpanStart[t+1]], logs, lines, res.LogSpan)
			}
		}
	})
	for _, n := range placed {
		res.ByTime += n
	}
	res.Unmatched = len(logs) - res.BySpanID - res.ByTime

	// 3. Lines per span (CSR), each span's lines in time order.
	res.LogIdx, res.SpanStart = group(res.LogSpan, len(spans))
	parallelFor(len(spans), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			seg := res.LogIdx[res.SpanStart[i]:res.SpanStart[i+1]]
			if len(seg) > 1 && !sortedByTime(seg, logs) {
				slices.SortStableFunc(seg, func(a, b int32) int { return cmpInt(logs[a].TimeUnixNano, logs[b].TimeUnixNano) })
			}
		}
	})
	return res
}

// group is a counting sort: the indices j with key[j] = k (k in [0, n); negative keys
// are left out) are idx[start[k]:start[k+1]], in increasing j.
func group(key []int32, n int) (idx, start []int32) {
	start = make([]int32, n+1)
	for _, k := range key {
		if k >= 0 {
			start[k+1]++
		}
	}
	for k := 1; k <= n; k++ {
		start[k] += start[k-1]
	}
	idx = make([]int32, start[n])
	fill := slices.Clone(start[:n])
	for j, k := range key {
		if k >= 0 {
			idx[fill[k]] = int32(j)
			fill[k]++
		}
	}
	return idx, start
}

// containment places lines inside spans of one trace by a sweep in time order with a
// stack of open spans (pushed in start order, so the top started last). Returns how
// many lines were placed. lines is reordered; idx is not modified.
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
