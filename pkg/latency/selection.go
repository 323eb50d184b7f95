package latency

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// Selection engine: finds many order statistics of an unsorted slice, and the
// exact number of values ≤ each of them, in O(n) without sorting.
//
// The method is a multi-target radix select on the bits of the values. Every
// float64 maps to a uint64 key whose unsigned order is the numeric order
// (orderKey).
//
//  1. Pick a key range [lo, hi]: for large inputs from a small random sample
//     (so that far outliers do not stretch it), else the exact minimum and
//     maximum.
//  2. One pass counts the values into up to 2^16 bins of equal key width
//     over [lo, hi], plus a bin below, a bin above and a NaN bin; values
//     below or above the range (a fraction of a percent with a sampled
//     range) are also copied aside during this pass. Equal key width is
//     roughly equal width on a log scale (the exponent is in the top bits),
//     which suits latencies: the bins follow the body of a log-normal and
//     still cover a tail. The same pass notes, per bin, whether all its
//     values are equal.
//  3. The prefix sums of the counts say which bin holds each requested rank.
//     Everything in an earlier bin is smaller and everything in a later bin
//     larger, so a rank inside a bin plus the counts of the earlier bins is
//     the global answer. A bin of one distinct value is answered from its
//     key; the values of the other bins that hold ranks are copied out,
//     grouped by bin: by a second pass for bins inside the range (skipped
//     when there are none, as with durations in whole ms), from the
//     side copies for the two outer bins.
//  4. Each copied bin is solved the same way with its exact minimum and
//     maximum as range, or sorted once it is small.
//
// Below the top level every level removes at least b−1 bits from the key
// range it bins (b, the bits of bins, is 7 to 16), so the recursion is at
// most 11 levels deep whatever the data; every level is linear in what it
// reads, and the worst case stays O(n). A large input is read at most twice
// (once when every rank lands in a single-valued or an outer bin); deeper
// levels read only what was copied. Scratch memory is two buffers the size
// of the copied values, a few percent of n on latency data, and n at worst,
// plus 12 bytes per bin.

// Tuning knobs. Variables, not constants, so that tests can force every path
// (deep recursion, tiny bins, the sampled top level) on small inputs.
var (
	// sortBelow: a segment of at most this many values is sorted instead of binned.
	sortBelow = 192
	// maxLogBins caps the number of bins per level at 2^maxLogBins (768 KiB of tables).
	maxLogBins = 16
	// minLogBins is the floor for small segments.
	minLogBins = 7
	// sampleAbove: inputs longer than this get their top-level range from a sample.
	sampleAbove = 1 << 15
	// sampleSize is the number of values drawn for that range.
	sampleSize = 1024
)

// orderKey maps x to a key whose unsigned order is the numeric order of
// non-NaN float64 values. −0 and +0 get the same key (x + 0 turns −0 into +0).
// NaN keys lie outside [keyNegInf, keyPosInf].
func orderKey(x float64) uint64 {
	b := math.Float64bits(x + 0)
	return b ^ (uint64(int64(b)>>63) | 1<<63)
}

// Keys of the infinities.
var (
	keyNegInf = orderKey(math.Inf(-1))
	keyPosInf = orderKey(math.Inf(1))
)

// fromKey inverts orderKey (−0 comes back as +0).
func fromKey(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k ^ 1<<63)
	}
	return math.Float64frombits(^k)
}

// Workspace holds the scratch memory of the selection engine so that repeated
// calls (one per time window, say) do not allocate it again. The zero value is
// ready to use. A Workspace keeps its largest buffers until it is dropped, and
// must not be used by two goroutines at once. Results returned by its methods
// are freshly allocated and stay valid after later calls.
type Workspace struct {
	buf    [2][]float64
	levels []level // binning tables, one per recursion depth
	bins   []target
	sample []uint64
	side   [2][]float64 // values below and above the top level's range
	uniq   []int
	vals   []float64
	le     []int
	need   int // length both buffers need for the current call
}

// target is one bin that holds requested ranks or thresholds.
type target struct {
	bin    int // its index at its level
	start  int // where its values start in the destination buffer, relative to the level's offset
	size   int // how many values it holds
	before int // how many values of the level lie in earlier bins
	lo, hi int // the requests it answers: indexes into the level's request slice
}

// level is the binning of one segment. Bin 0 holds keys below lo, bins
// 1..nb the keys of [lo, lo+span] by their offset from lo, bin nb+1 the keys
// above, and bin nb+2 the NaNs. rep holds, per bin, the key of its values if
// they are all equal, keyMixed if not, keyUnset if the bin is empty; it is
// only kept when reps is set.
type level struct {
	binner
	count []uint32
	rep   []uint64
	reps  bool
}

// single returns the key of bin b's values if they are known to be all equal.
func (l *level) single(b int) (uint64, bool) {
	if !l.reps {
		return 0, false
	}
	r := l.rep[b]
	return r, r != keyMixed && r != keyUnset
}

// binner maps values to bins. It is copied into locals by the hot loops, so
// that its fields stay in registers while the tables are written.
type binner struct {
	lo    uint64
	span  uint64 // keys above lo+span are outside
	shift uint   // bin width is 2^shift keys
	nb    uint64 // number of bins inside the range
}

// Representative-key sentinels: both are keys of NaNs, which never reach a
// bin's representative (NaNs have their own bin), so no real value has them.
const (
	keyUnset uint64 = 0
	keyMixed uint64 = 1
)

// of is the bin of x, whose key is k. Keys outside [lo, lo+span] include
// every NaN key (lo and lo+span are keys of numbers), so one well-predicted
// branch covers values outside the range and NaN.
func (b binner) of(x float64, k uint64) uint64 {
	d := k - b.lo
	if d > b.span {
		return b.outside(x, k)
	}
	return 1 + d>>(b.shift&63)
}

func (b binner) outside(x float64, k uint64) uint64 {
	switch {
	case x != x:
		return b.nb + 2
	case k < b.lo:
		return 0
	default:
		return b.nb + 1
	}
}

// bins is the number of value bins: below, inside, above (NaN excluded).
func (l *level) bins() int { return int(l.nb) + 2 }

// nan is the number of NaNs counted.
func (l *level) nan() int { return int(l.count[l.nb+2]) }

// binning counts src into the bins of [lo, hi] (lo < hi, both keys of
// numbers) using the tables of depth d: at most 2^logBinsFor(len(src)) bins
// inside the range. Values below and above the range are appended to
// w.side[0] and w.side[1].
//
// With reps, it also notes which bins hold a single distinct value. That
// costs one more table access per value and buys a lot on tied data
// (durations in whole ms or µs): such a bin is answered from its key and
// never copied. On continuous data nearly every bin is mixed, so the top
// level asks for reps only when its sample shows ties.
func (w *Workspace) binning(src []float64, lo, hi uint64, d int, reps bool) level {
	for len(w.levels) <= d {
		w.levels = append(w.levels, level{})
	}
	l := &w.levels[d]
	l.lo, l.span, l.reps = lo, hi-lo, reps
	l.shift = uint(max(bits.Len64(hi-lo)-logBinsFor(len(src)), 0))
	l.nb = (hi-lo)>>l.shift + 1
	n := int(l.nb) + 3
	if cap(l.count) < n {
		l.count = make([]uint32, n, max(n, 1<<minLogBins+3))
		l.rep = make([]uint64, n, cap(l.count))
	} else {
		l.count, l.rep = l.count[:n], l.rep[:n]
		clear(l.count)
		if reps {
			clear(l.rep)
		}
	}
	w.side[0], w.side[1] = w.side[0][:0], w.side[1][:0]
	lo, span, shift := l.lo, l.span, l.shift&63
	count, rep := l.count, l.rep[:len(l.count)]
	if !reps {
		for _, x := range src {
			k := orderKey(x)
			var b uint64
			if d := k - lo; d <= span {
				b = 1 + d>>shift
			} else {
				b = w.aside(l.binner, x, k)
			}
			count[b]++
		}
		return *l
	}
	for _, x := range src {
		k := orderKey(x)
		var b uint64
		if d := k - lo; d <= span {
			b = 1 + d>>shift
		} else {
			b = w.aside(l.binner, x, k)
		}
		count[b]++
		// mixed bins, the common case on continuous data, cost no store
		if r := rep[b]; r != k && r != keyMixed {
			nr := keyMixed
			if r == keyUnset {
				nr = k
			}
			rep[b] = nr
		}
	}
	return *l
}

// aside is the cold path of binning: the bin of a value outside the range,
// which is also copied to its side buffer.
//
//go:noinline
func (w *Workspace) aside(b binner, x float64, k uint64) uint64 {
	i := b.outside(x, k)
	switch i {
	case 0:
		w.side[0] = append(w.side[0], x)
	case b.nb + 1:
		w.side[1] = append(w.side[1], x)
	}
	return i
}

// logBinsFor picks the number of bins (as a power of two) for m values.
func logBinsFor(m int) int {
	return min(max(bits.Len(uint(m))-2, minLogBins), maxLogBins)
}

// tooBig reports inputs whose positions do not fit the engine's 31-bit
// counters; they are sorted instead (16 GiB of float64, so in practice never).
func tooBig(n int) bool { return uint64(n) >= 1<<31-1 }

func minMax(data []float64) (mn, mx float64) {
	mn, mx = data[0], data[0]
	for _, x := range data[1:] {
		mn, mx = min(mn, x), max(mx, x)
	}
	return mn, mx
}

// grow returns w.buf[i] with at least n elements; old contents are not kept.
func (w *Workspace) grow(i, n int) []float64 {
	if cap(w.buf[i]) < n {
		w.buf[i] = make([]float64, n)
	}
	w.buf[i] = w.buf[i][:cap(w.buf[i])]
	return w.buf[i]
}

// top is the first level of one call: either a sampled binning of the
// caller's data (sampled true), or its NaN-free values with their exact range,
// to be handled like any deeper segment.
type top struct {
	n       int // non-NaN values
	sampled bool
	l       level     // when sampled
	src     []float64 // otherwise: the non-NaN values (the caller's slice or a compacted copy)
	owned   bool      // src is workspace memory
	mn, mx  float64   // its range
}

// start prepares a call on data: one pass either way. Large inputs are
// binned over a range taken from a sample, so this pass is already the
// counting pass; small ones (and samples that show no spread) are scanned
// for their exact range, and NaNs are compacted away.
func (w *Workspace) start(data []float64) top {
	if len(data) > sampleAbove && !tooBig(len(data)) {
		if lo, hi, ties, ok := w.sampleRange(data); ok {
			l := w.binning(data, lo, hi, 0, ties)
			return top{n: len(data) - l.nan(), sampled: true, l: l}
		}
	}
	kmin, kmax := ^uint64(0), uint64(0)
	for _, x := range data {
		k := orderKey(x)
		kmin, kmax = min(kmin, k), max(kmax, k)
	}
	t := top{n: len(data), src: data, mn: fromKey(kmin), mx: fromKey(kmax)}
	if len(data) > 0 && kmin >= keyNegInf && kmax <= keyPosInf {
		return t // no NaN
	}
	buf := w.grow(0, len(data))[:0]
	for _, x := range data {
		if x == x {
			buf = append(buf, x)
		}
	}
	t.src, t.owned, t.n = buf, true, len(buf)
	if t.n > 0 {
		t.mn, t.mx = minMax(buf)
	}
	return t
}

// sampleRange draws sampleSize values (with a fixed seed: the answers never
// depend on the sample, only the speed does) and returns a key range that
// leaves out the sample's two smallest and two largest values, and whether
// the sample shows ties (at least 1/16 of it repeats a value).
func (w *Workspace) sampleRange(data []float64) (lo, hi uint64, ties, ok bool) {
	r := rand.New(rand.NewPCG(uint64(len(data)), 0x5eed))
	s := w.sample[:0]
	for range sampleSize {
		if x := data[r.IntN(len(data))]; x == x {
			s = append(s, orderKey(x))
		}
	}
	w.sample = s
	if len(s) < 16 {
		return 0, 0, false, false
	}
	slices.Sort(s)
	dup := 0
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			dup++
		}
	}
	lo, hi = s[2], s[len(s)-3]
	return lo, hi, dup >= len(s)/16, lo < hi
}

// selectRanks finds order statistics of the non-NaN values of data: it calls
// ranksFor with their number n (possibly 0), which returns the 0-based ranks
// wanted (strictly ascending, in [0, n)), and sets vals[i] to the value of ranks[i]
// and le[i] to the number of values ≤ it. vals and le are workspace memory,
// valid until the next call. It returns n and the ranks.
func (w *Workspace) selectRanks(data []float64, ranksFor func(n int) []int) (n int, ranks []int, vals []float64, le []int) {
	t := w.start(data)
	ranks = ranksFor(t.n)
	w.vals = slices.Grow(w.vals[:0], len(ranks))[:len(ranks)]
	w.le = slices.Grow(w.le[:0], len(ranks))[:len(ranks)]
	vals, le = w.vals, w.le
	switch {
	case len(ranks) == 0:
	case t.sampled:
		w.need = 0
		w.resolveRanks(data, t.l, 1, 0, 0, ranks, vals, le, 0)
	case tooBig(t.n):
		s := slices.Clone(t.src)
		slices.Sort(s)
		fromSorted(s, ranks, vals, le, 0)
	default:
		w.need = 0
		w.selectLevel(t.src, t.owned, t.mn, t.mx, 1, 0, 0, ranks, vals, le, 0)
	}
	return t.n, ranks, vals, le
}

// fromSorted answers rank requests from a sorted segment whose first value
// has global rank base.
func fromSorted(s []float64, ranks []int, vals []float64, le []int, base int) {
	for i, r := range ranks {
		j := r - base
		v := s[j]
		vals[i] = v
		le[i] = base + upperBound(s, j, v)
	}
}

// upperBound returns the index of the first element of the sorted s after
// position from that is greater than v (len(s) if none).
func upperBound(s []float64, from int, v float64) int {
	lo, hi := from, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m] <= v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// selectLevel solves a NaN-free segment with known range: directly when it is
// one value or small, else by binning it. base is the global rank of its
// smallest value; ranks are global. Binned segments copy the bins that
// matter to w.buf[dst] at offset off, and each is solved at depth+1 with the
// buffers' roles swapped.
func (w *Workspace) selectLevel(src []float64, owned bool, mn, mx float64, dst, off, depth int, ranks []int, vals []float64, le []int, base int) {
	m := len(src)
	if orderKey(mn) == orderKey(mx) {
		for i := range ranks {
			vals[i], le[i] = mn, base+m
		}
		return
	}
	if m <= sortBelow {
		s := src
		if !owned {
			s = w.grow(0, m)[:m]
			copy(s, src)
		}
		slices.Sort(s)
		fromSorted(s, ranks, vals, le, base)
		return
	}
	l := w.binning(src, orderKey(mn), orderKey(mx), depth, true)
	w.resolveRanks(src, l, dst, off, depth, ranks, vals, le, base)
}

// resolveRanks finds the bins of the ranks in a binned segment, answers the
// single-valued ones and recurses into copies of the others.
func (w *Workspace) resolveRanks(src []float64, l level, dst, off, depth int, ranks []int, vals []float64, le []int, base int) {
	first := len(w.bins)
	cum, total, ri := 0, 0, 0
	for b := 0; b < l.bins() && ri < len(ranks); b++ {
		c := int(l.count[b])
		if ranks[ri]-base < cum+c {
			lo := ri
			for ri < len(ranks) && ranks[ri]-base < cum+c {
				ri++
			}
			if r, ok := l.single(b); ok {
				for i := lo; i < ri; i++ {
					vals[i], le[i] = fromKey(r), base+cum+c
				}
			} else {
				w.bins = append(w.bins, target{bin: b, start: total, size: c, before: cum, lo: lo, hi: ri})
				total += c
			}
		}
		cum += c
	}
	if total == 0 {
		return
	}
	targets := w.bins[first:]
	out := w.place(src, l, targets, dst, off, depth, total)

	for i := range targets {
		t := w.bins[first+i] // w.bins may move while deeper levels append
		seg := out[off+t.start : off+t.start+t.size]
		smn, smx := minMax(seg)
		w.selectLevel(seg, true, smn, smx, 1-dst, off+t.start, depth+1,
			ranks[t.lo:t.hi], vals[t.lo:t.hi], le[t.lo:t.hi], base+t.before)
	}
	w.bins = w.bins[:first]
}

// place copies the values of the target bins to w.buf[dst][off:off+total],
// grouped by bin in bin order, and returns the buffer: the outer bins from
// the side copies, the inner ones by one pass over src, if there are any.
// That pass reuses the level's count table for the write positions; bins
// that are not targets get bit 31 set, and the branch that skips them is
// well predicted, since usually few values are copied.
func (w *Workspace) place(src []float64, l level, targets []target, dst, off, depth, total int) []float64 {
	// Every live region of either buffer lies in [0, w.need): deeper levels
	// only subdivide the top level's regions. So the top level sizes buffer 1,
	// and buffer 0 is sized on its first use as a destination (depth 1), when
	// nothing in it is live any more.
	if depth == 0 {
		w.need = total
	}
	out := w.buf[dst]
	if len(out) < w.need {
		out = w.grow(dst, w.need)
	}
	const flag = 1 << 31
	pos := l.count
	inner := false
	for b := range pos {
		pos[b] = flag
	}
	for _, t := range targets {
		switch uint64(t.bin) {
		case 0:
			copy(out[off+t.start:], w.side[0])
		case l.nb + 1:
			copy(out[off+t.start:], w.side[1])
		default:
			pos[t.bin] = uint32(off + t.start)
			inner = true
		}
	}
	if !inner {
		return out
	}
	bn := l.binner
	for _, x := range src {
		b := bn.of(x, orderKey(x))
		if p := pos[b]; p < flag {
			out[p] = x
			pos[b] = p + 1
		}
	}
	return out
}

// countAtMost returns the number n of non-NaN values of data and sets out[i]
// to the number of them that are ≤ ts[i]. ts must be ascending, unique and
// free of NaN.
func (w *Workspace) countAtMost(data []float64, ts []float64, out []int) int {
	if len(ts) == 1 { // one pass, no binning
		c, nan, t := 0, 0, ts[0]
		for _, x := range data {
			if x <= t {
				c++
			}
			if x != x {
				nan++
			}
		}
		out[0] = c
		return len(data) - nan
	}
	tp := w.start(data)
	switch {
	case tp.n == 0 || len(ts) == 0:
	case tp.sampled:
		w.need = 0
		w.resolveCounts(data, tp.l, 1, 0, 0, ts, out, 0)
	case tooBig(tp.n):
		s := slices.Clone(tp.src)
		slices.Sort(s)
		for i, t := range ts {
			out[i] = upperBound(s, 0, t)
		}
	default:
		w.need = 0
		w.countLevel(tp.src, tp.owned, tp.mn, tp.mx, 1, 0, 0, ts, out, 0)
	}
	return tp.n
}

// countLevel is selectLevel for thresholds: base is the number of values
// below this segment. A threshold that is alone in the segment is a plain
// count, without binning.
func (w *Workspace) countLevel(src []float64, owned bool, mn, mx float64, dst, off, depth int, ts []float64, out []int, base int) {
	m := len(src)
	lo, hi := 0, len(ts)
	for lo < hi && ts[lo] < mn {
		out[lo] = base
		lo++
	}
	for hi > lo && ts[hi-1] >= mx {
		out[hi-1] = base + m
		hi--
	}
	ts, out = ts[lo:hi], out[lo:hi]
	switch {
	case len(ts) == 0:
		return
	case len(ts) == 1:
		c, t := 0, ts[0]
		for _, x := range src {
			if x <= t {
				c++
			}
		}
		out[0] = base + c
		return
	case m <= sortBelow:
		s := src
		if !owned {
			s = w.grow(0, m)[:m]
			copy(s, src)
		}
		slices.Sort(s)
		for i, t := range ts {
			out[i] = base + upperBound(s, 0, t)
		}
		return
	}
	l := w.binning(src, orderKey(mn), orderKey(mx), depth, true)
	w.resolveCounts(src, l, dst, off, depth, ts, out, base)
}

// resolveCounts finds the bins of the thresholds in a binned segment,
// answers empty and single-valued bins and recurses into copies of the others.
func (w *Workspace) resolveCounts(src []float64, l level, dst, off, depth int, ts []float64, out []int, base int) {
	first := len(w.bins)
	cum, total, ti := 0, 0, 0
	binOf := func(t float64) int { return int(l.of(t, orderKey(t))) }
	for b := 0; b < l.bins() && ti < len(ts); b++ {
		c := int(l.count[b])
		if binOf(ts[ti]) == b {
			t0 := ti
			for ti < len(ts) && binOf(ts[ti]) == b {
				ti++
			}
			switch r, ok := l.single(b); {
			case c == 0:
				for j := t0; j < ti; j++ {
					out[j] = base + cum
				}
			case ok:
				v := fromKey(r)
				for j := t0; j < ti; j++ {
					out[j] = base + cum
					if v <= ts[j] {
						out[j] += c
					}
				}
			default:
				w.bins = append(w.bins, target{bin: b, start: total, size: c, before: cum, lo: t0, hi: ti})
				total += c
			}
		}
		cum += c
	}
	if total == 0 {
		return
	}
	targets := w.bins[first:]
	outBuf := w.place(src, l, targets, dst, off, depth, total)

	for i := range targets {
		t := w.bins[first+i]
		seg := outBuf[off+t.start : off+t.start+t.size]
		smn, smx := minMax(seg)
		w.countLevel(seg, true, smn, smx, 1-dst, off+t.start, depth+1,
			ts[t.lo:t.hi], out[t.lo:t.hi], base+t.before)
	}
	w.bins = w.bins[:first]
}
