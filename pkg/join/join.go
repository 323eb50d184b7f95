// Package join attaches log lines to the spans they belong to, whatever store either
// came from.
//
// Rule: a line that names a span of its trace joins that span; a line that names a span
// its trace does not have (one cut by a span limit, say) joins none and keeps its own span
// ID; a line without a span ID joins the innermost span of its trace whose [start, end]
// holds the line's time (the span that started last among those still open; of spans
// that started at once, the shortest; of spans with the same start and end, the deepest
// in the trace's tree). A line without a trace ID is placed by time only when all spans
// belong to one trace. Assumes IDs normalised by pkg/traceid.
//
// Guarantees to the next stage: each line joins at most one span; each span's lines are
// in time order.
package join

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/parallel"
)

// Result is the outcome of Join: the span of each line, and (built on first use, as only
// span details need them) the lines of each span.
type Result struct {
	// LogSpan[j] is the span index of line j, or -1.
	LogSpan []int32
	// BySpanID, ByTime and Unmatched count lines by how they joined.
	BySpanID, ByTime, Unmatched int
	// UnknownSpan counts the unmatched lines that name a span ID: their trace has no such
	// span (one cut by a span limit, say), or is not among the spans. A line naming a span
	// joins by that ID or not at all, never by time.
	UnknownSpan int

	nSpans  int
	times   []int64 // the lines' times while lines of a span may need sorting, else nil
	perSpan struct {
		once       sync.Once
		idx, start []int32
	}
}

// PerSpan returns the lines of every span: span i's are idx[start[i]:start[i+1]], in
// time order. Safe for concurrent use; built once.
func (r *Result) PerSpan() (idx, start []int32) {
	r.perSpan.once.Do(r.groupBySpan)
	return r.perSpan.idx, r.perSpan.start
}

// LogsOf returns the indices of span i's lines, in time order.
func (r *Result) LogsOf(i int) []int32 {
	idx, start := r.PerSpan()
	return idx[start[i]:start[i+1]]
}

// groupBySpan builds the lines per span (CSR). group keeps line order, so when all lines
// are in time order (times is nil), so is every span's list.
func (r *Result) groupBySpan() {
	idx, start := group(r.LogSpan, r.nSpans)
	if times := r.times; times != nil {
		parallel.Chunks(r.nSpans, minChunk, func(_, lo, hi int) {
			var srt sorter
			for i := lo; i < hi; i++ {
				seg := idx[start[i]:start[i+1]]
				if len(seg) > 1 && !sortedBy(seg, times) {
					srt.sortBy(seg, times)
				}
			}
		})
	}
	r.perSpan.idx, r.perSpan.start, r.times = idx, start, nil
}

type spanKey struct{ trace, span string }

// spanIndex finds a span by trace and span ID: binary span IDs in their trace's table,
// others (IDs not of the normalised lengths) by their strings.
type spanIndex struct {
	bin spanTables
	str map[spanKey]int32
}

func (x *spanIndex) addStr(trace, span string, i int32) {
	if x.str == nil {
		x.str = map[spanKey]int32{}
	}
	if _, dup := x.str[spanKey{trace, span}]; !dup { // repeated IDs: the first span wins
		x.str[spanKey{trace, span}] = i
	}
}

// find looks span up in trace t (tok: the trace ID is binary).
func (x *spanIndex) find(trace string, t int32, tok bool, span string) (int32, bool) {
	if tok {
		if sk, ok := parseSpan(span); ok {
			return x.bin.find(t, sk)
		}
	}
	if x.str == nil {
		return 0, false
	}
	i, found := x.str[spanKey{trace, span}]
	return i, found
}

// traceIndex numbers the traces of the spans: binary IDs in a traceTable, others by
// their strings.
type traceIndex struct {
	bin traceTable
	str map[string]int32
	n   int32
}

func (x *traceIndex) add(trace string, tk traceKey, tok bool) int32 {
	if tok {
		t, added := x.bin.lookupOrAdd(tk, x.n)
		if added {
			x.n++
		}
		return t
	}
	if x.str == nil {
		x.str = map[string]int32{}
	}
	t, ok := x.str[trace]
	if !ok {
		t = x.n
		x.str[trace] = t
		x.n++
	}
	return t
}

func (x *traceIndex) find(trace string) (t int32, found, binary bool) {
	if tk, ok := parseTrace(trace); ok {
		t, found = x.bin.find(tk)
		return t, found, true
	}
	t, found = x.str[trace]
	return t, found, false
}

// minChunk is the fewest lines (or spans) worth a goroutine of their own.
const minChunk = 16384

// Join attaches logs to spans. The indices are built once; looking lines up, placing
// lines by time (per trace) and ordering each span's lines run on every CPU. Times are
// read into contiguous arrays first, so that the ordering and containment steps do not
// touch the (much larger) span and line records again.
func Join(spans []model.Span, logs []model.LogLine) *Result {
	res := &Result{LogSpan: make([]int32, len(logs))}
	// Spans come grouped by trace: the number of changes bounds the number of traces.
	nt := 0
	for i := range spans {
		if i == 0 || spans[i].TraceID != spans[i-1].TraceID {
			nt++
		}
	}
	traces := traceIndex{bin: newTraceTable(nt)}
	spanTrace := make([]int32, len(spans))
	spanKeys := make([]spanKey16, len(spans))
	binary := make([]bool, len(spans))
	starts := make([]int64, len(spans))
	ends := make([]int64, len(spans))
	var byID spanIndex
	for i := range spans {
		s := &spans[i]
		tk, tok := parseTrace(s.TraceID)
		spanTrace[i] = traces.add(s.TraceID, tk, tok)
		sk, sok := parseSpan(s.SpanID)
		if tok && sok {
			spanKeys[i], binary[i] = sk, true
		} else {
			byID.addStr(s.TraceID, s.SpanID, int32(i))
		}
		starts[i], ends[i] = s.StartUnixNano, s.EndUnixNano()
	}
	nTraces := int(traces.n)
	perTrace := make([]int32, nTraces)
	for i, t := range spanTrace {
		if binary[i] {
			perTrace[t]++
		}
	}
	byID.bin = newSpanTables(perTrace)
	for i, t := range spanTrace {
		if binary[i] {
			byID.bin.add(t, spanKeys[i], int32(i))
		}
	}
	onlyTrace := ""
	if nTraces == 1 {
		onlyTrace = spans[0].TraceID
	}

	// 1. Each line: its span by ID, or the trace whose spans may hold it by time
	// (pendingTrace ≥ 0), or nothing. Line times are copied to times on the way, and
	// whether they are already in order is noted (they usually are: pkg/query sorts
	// them), which makes every later per-trace and per-span ordering a no-op.
	times := make([]int64, len(logs))
	pendingTrace := make([]int32, len(logs))
	procs := runtime.GOMAXPROCS(0)
	bySpan := make([]int, procs)
	named := make([]int, procs)
	unsorted := make([]bool, procs)
	parallel.Chunks(len(logs), minChunk, func(w, lo, hi int) {
		n, withSpan := 0, 0
		prev := int64(math.MinInt64)
		if lo > 0 {
			prev = logs[lo-1].TimeUnixNano
		}
		disorder := false
		last, lastT, lastFound, lastBin := "", int32(0), false, false
		for j := lo; j < hi; j++ {
			l := &logs[j]
			tj := l.TimeUnixNano
			times[j] = tj
			disorder = disorder || tj < prev
			prev = tj
			res.LogSpan[j], pendingTrace[j] = -1, -1
			if l.SpanID != "" {
				withSpan++
			}
			trace := l.TraceID
			if trace == "" {
				trace = onlyTrace
			}
			if trace == "" {
				continue
			}
			// Lines of one trace come together: look its ID up once per run.
			if trace != last {
				last = trace
				lastT, lastFound, lastBin = traces.find(trace)
			}
			if !lastFound {
				continue
			}
			if l.SpanID != "" {
				if i, ok := byID.find(trace, lastT, lastBin, l.SpanID); ok {
					res.LogSpan[j] = i
					n++
				}
				continue // a span the trace does not have: the line names it, so no other
			}
			pendingTrace[j] = lastT
		}
		bySpan[w], named[w], unsorted[w] = n, withSpan, disorder
	})
	inOrder := true
	for w := range procs {
		res.BySpanID += bySpan[w]
		res.UnknownSpan += named[w] - bySpan[w]
		inOrder = inOrder && !unsorted[w]
	}

	// 2. Spans and pending lines grouped by trace (counting sort, line order kept), then
	// each trace's lines placed by time.
	traceSpans, traceSpanStart := group(spanTrace, nTraces)
	traceLines, traceLineStart := group(pendingTrace, nTraces)
	placed := make([]int, procs)
	tree := depths{spans: spans, spanTrace: spanTrace, byID: &byID}
	parallel.Chunks(nTraces, minChunk, func(w, lo, hi int) {
		var scratch []int32
		var srt sorter
		for t := lo; t < hi; t++ {
			lines := traceLines[traceLineStart[t]:traceLineStart[t+1]]
			if len(lines) > 0 {
				var n int
				scratch, n = containment(starts, ends, traceSpans[traceSpanStart[t]:traceSpanStart[t+1]], times, lines, inOrder, res.LogSpan, scratch, &srt, &tree)
				placed[w] += n
			}
		}
	})
	for _, n := range placed {
		res.ByTime += n
	}
	res.Unmatched = len(logs) - res.BySpanID - res.ByTime

	// 3. The lines per span are grouped when first asked for (PerSpan).
	res.nSpans = len(spans)
	if !inOrder {
		res.times = times
	}
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
// stack of open spans (pushed in start order, so the top started last). starts and ends
// are the spans' times, times the lines'. Returns scratch (reused across calls) and how
// many lines were placed. lines is reordered when not in time order (linesInOrder says
// they are); idx is not modified.
func containment(starts, ends []int64, idx []int32, times []int64, lines []int32, linesInOrder bool, out, scratch []int32, srt *sorter, tree *depths) ([]int32, int) {
	order := append(scratch[:0], idx...)
	if !sortedBy(order, starts) {
		srt.sortBy(order, starts)
	}
	longestFirst(order, starts, ends, tree)
	if !linesInOrder && !sortedBy(lines, times) {
		srt.sortBy(lines, times)
	}
	stack := make([]int32, 0, 64)
	next, placed := 0, 0
	for _, j := range lines {
		t := times[j]
		for next < len(order) && starts[order[next]] <= t {
			stack = append(stack, order[next])
			next++
		}
		for len(stack) > 0 && ends[stack[len(stack)-1]] < t {
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			out[j] = stack[len(stack)-1]
			placed++
		}
	}
	return order, placed
}

// longestFirst orders each run of spans that start at once (order is sorted by start) by
// end, latest first, so that the shortest of them is pushed last and is the innermost
// open span; spans that also end at once are ordered by depth in the trace's tree,
// shallowest first (a descendant is inside its ancestor whatever order the store sent them
// in), and spans at one depth keep their order.
func longestFirst(order []int32, starts, ends []int64, tree *depths) {
	for a := 0; a < len(order); {
		b := a + 1
		for b < len(order) && starts[order[b]] == starts[order[a]] {
			b++
		}
		if b-a > 1 {
			run := order[a:b]
			slices.SortStableFunc(run, func(x, y int32) int { return cmp.Compare(ends[y], ends[x]) })
			for c := 0; c < len(run); {
				d := c + 1
				for d < len(run) && ends[run[d]] == ends[run[c]] {
					d++
				}
				if d-c > 1 {
					slices.SortStableFunc(run[c:d], func(x, y int32) int { return cmp.Compare(tree.depth(x), tree.depth(y)) })
				}
				c = d
			}
		}
		a = b
	}
}

// depths finds spans' depths in their trace's tree (a root's is 0; a span whose parent is
// not among the spans is a root), on demand: only spans with the same start and end need
// them. Each trace's spans are asked for by one goroutine only, and a span's parents are
// of its trace, so the memo needs no lock; it is allocated once (sync.Once).
type depths struct {
	spans     []model.Span
	spanTrace []int32
	byID      *spanIndex
	once      sync.Once
	memo      []int32 // depth+1; 0: not known yet
}

// depth returns span i's depth. A loop of parents ends the walk after as many steps as
// there are spans.
func (d *depths) depth(i int32) int32 {
	d.once.Do(func() { d.memo = make([]int32, len(d.spans)) })
	var chain []int32
	cur, base := i, int32(0)
	for steps := 0; ; steps++ {
		if m := d.memo[cur]; m > 0 {
			base = m - 1
			break
		}
		chain = append(chain, cur)
		s := &d.spans[cur]
		if s.ParentSpanID == "" || steps >= len(d.spans) {
			base = -1
			break
		}
		_, tok := parseTrace(s.TraceID)
		p, ok := d.byID.find(s.TraceID, d.spanTrace[cur], tok, s.ParentSpanID)
		if !ok || p == cur {
			base = -1
			break
		}
		cur = p
	}
	// chain runs from i up to (not including) the span of depth base, or up to a root.
	for k := len(chain) - 1; k >= 0; k-- {
		base++
		d.memo[chain[k]] = base + 1
	}
	return d.memo[i] - 1
}

// sortedBy reports whether key[idx[k]] does not decrease.
func sortedBy(idx []int32, key []int64) bool {
	for k := 1; k < len(idx); k++ {
		if key[idx[k]] < key[idx[k-1]] {
			return false
		}
	}
	return true
}

// keyed is an index with its sort key next to it.
type keyed struct {
	key int64
	idx int32
}

// sorter orders index lists by a key, reusing its buffer.
type sorter struct{ buf []keyed }

// sortBy orders idx, which is increasing, by key[idx[k]]; equal keys keep their order
// (ties are broken by index, so an unstable sort of (key, index) pairs is stable here).
func (s *sorter) sortBy(idx []int32, key []int64) {
	s.buf = s.buf[:0]
	for _, i := range idx {
		s.buf = append(s.buf, keyed{key[i], i})
	}
	slices.SortFunc(s.buf, func(a, b keyed) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.idx, b.idx)
	})
	for k := range idx {
		idx[k] = s.buf[k].idx
	}
}
