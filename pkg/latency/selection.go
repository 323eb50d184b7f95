package latency

import (
	"math"
	"math/bits"
	"slices"
)

// Selection engine: finds many order statistics of an unsorted slice, and the
// exact number of values ≤ each of them, in O(n) without sorting.
//
// The method is a multi-target radix select on the bits of the values:
//
//  1. One pass finds the minimum and maximum. Every float64 maps to a uint64
//     key whose unsigned order is the numeric order (orderKey), so the keys of
//     the input lie in [kmin, kmax].
//  2. One pass counts the values into up to 2^16 bins of equal key width.
//     Equal key width is roughly equal width on a log scale (the exponent
//     is in the top bits), which suits latencies: the bins follow the body of
//     a log-normal and still cover a far tail.
//  3. The prefix sums of the counts say which bin holds each requested rank.
//     Only those bins matter; one pass copies their values out, grouped by
//     bin. Everything in an earlier bin is smaller, everything in a later
//     bin is larger, so ranks and "values ≤" counts inside a bin plus the
//     counts of the earlier bins are the global answers.
//  4. Each copied bin is solved the same way, or sorted once it is small.
//
// A bin's key width is at most 1/2^15 of its parent's range, so the
// recursion is at most five levels deep before a bin holds a single key,
// whatever the data: every level is linear, and the worst case stays O(n).
// Ties cost nothing special: a bin whose values are all equal is answered
// from its minimum.

// Tuning knobs. Variables, not constants, so that tests can force every path
// (deep recursion, tiny bins) on small inputs.
var (
	// sortBelow: a segment of at most this many values is sorted instead of binned.
	sortBelow = 192
	// maxLogBins caps the number of bins per level at 2^maxLogBins (256 KiB of counters).
	maxLogBins = 16
	// minLogBins is the floor for small segments.
	minLogBins = 7
)

// orderKey maps x to a key whose unsigned order is the numeric order of
// non-NaN float64 values. −0 and +0 get the same key (x + 0 turns −0 into +0).
func orderKey(x float64) uint64 {
	b := math.Float64bits(x + 0)
	return b ^ (uint64(int64(b)>>63) | 1<<63)
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
	uniq   []int
	vals   []float64
	le     []int
	need   int // length both buffers need for the current top-level call
}

// target is one bin that holds requested ranks or thresholds.
type target struct {
	bin    int // its index at its level
	start  int // where its values start in the destination buffer, relative to the level's offset
	size   int // how many values it holds
	before int // how many values of the level lie in earlier bins
	lo, hi int // the requests it answers: indexes into the level's request slice
}

// Keys of the infinities: every key outside [keyNegInf, keyPosInf] is a NaN.
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

// scan returns the minimum and maximum of data (NaN ignored) and its NaN
// count. The common case, no NaN, is one branch-free pass over the keys: a
// NaN shows up as a key beyond an infinity's, and only then are NaNs counted.
func scan(data []float64) (mn, mx float64, nan int) {
	kmin, kmax := ^uint64(0), uint64(0)
	for _, x := range data {
		k := orderKey(x)
		kmin = min(kmin, k)
		kmax = max(kmax, k)
	}
	if len(data) > 0 && kmin >= keyNegInf && kmax <= keyPosInf {
		return fromKey(kmin), fromKey(kmax), 0
	}
	mn, mx = math.Inf(1), math.Inf(-1)
	for _, x := range data {
		if x != x {
			nan++
			continue
		}
		mn, mx = min(mn, x), max(mx, x)
	}
	return mn, mx, nan
}

func minMax(data []float64) (mn, mx float64) {
	mn, mx = data[0], data[0]
	for _, x := range data[1:] {
		if x < mn {
			mn = x
		}
		if x > mx {
			mx = x
		}
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

// level is the binning of one segment: counts per bin and, per bin, the
// key of its values if they are all equal (keyMixed if not, keyUnset if the
// bin is empty).
type level struct {
	kmin  uint64
	shift uint
	count []uint32
	rep   []uint64
}

// Representative-key sentinels: both are keys of NaNs, which never reach
// the engine, so no real value has them.
const (
	keyUnset uint64 = 0
	keyMixed uint64 = 1
)

// bin is the bin of key k.
func (l *level) bin(k uint64) uint64 { return (k - l.kmin) >> l.shift }

// binning counts src (no NaN, values in [mn, mx], mn < mx) into at most
// 2^logBinsFor(len(src)) bins of equal key width, using the tables of depth d.
//
// The representative keys cost one more table access per value and buy a
// lot on tied data (durations in whole ms or µs): a bin that holds a single
// distinct value is answered from its key and never copied.
func (w *Workspace) binning(src []float64, mn, mx float64, d int) level {
	for len(w.levels) <= d {
		w.levels = append(w.levels, level{})
	}
	l := &w.levels[d]
	l.kmin = orderKey(mn)
	span := orderKey(mx) - l.kmin
	l.shift = uint(max(bits.Len64(span)-logBinsFor(len(src)), 0))
	n := int(span>>l.shift) + 1
	if cap(l.count) < n {
		l.count = make([]uint32, n, max(n, 1<<minLogBins))
		l.rep = make([]uint64, n, cap(l.count))
	} else {
		l.count, l.rep = l.count[:n], l.rep[:n]
		clear(l.count)
		clear(l.rep)
	}
	count, rep := l.count, l.rep[:len(l.count)]
	for _, x := range src {
		k := orderKey(x)
		b := l.bin(k)
		count[b]++
		if r := rep[b]; r != k {
			nr := keyMixed
			if r == keyUnset {
				nr = k
			}
			rep[b] = nr
		}
	}
	return *l
}

// prepared is the input of one selection after the NaN scan.
type prepared struct {
	src    []float64 // the non-NaN values: the caller's slice, or a compacted copy
	owned  bool      // src is workspace memory and may be reordered
	mn, mx float64
	n      int
}

// prepare scans data once and, when it holds NaNs, copies the other values
// into workspace memory so that the engine never sees a NaN.
func (w *Workspace) prepare(data []float64) prepared {
	mn, mx, nan := scan(data)
	p := prepared{src: data, mn: mn, mx: mx, n: len(data) - nan}
	if nan > 0 {
		buf := w.grow(0, p.n)[:0]
		for _, x := range data {
			if x == x {
				buf = append(buf, x)
			}
		}
		p.src, p.owned = buf, true
	}
	return p
}

// tooBig reports inputs whose positions do not fit the engine's 31-bit
// counters; they are sorted instead (about 16 GiB of float64, so in practice never).
func tooBig(n int) bool { return uint64(n) >= 1<<31-1 }

// logBinsFor picks the number of bins (as a power of two) for m values.
func logBinsFor(m int) int {
	return min(max(bits.Len(uint(m))-2, minLogBins), maxLogBins)
}

// selectRanks sets vals[i] to the order statistic of 0-based rank ranks[i]
// among the n values of p, and le[i] to the number of those values ≤ vals[i].
// ranks must be strictly ascending and in [0, p.n).
func (w *Workspace) selectRanks(p prepared, ranks []int, vals []float64, le []int) {
	if len(ranks) == 0 {
		return
	}
	if tooBig(p.n) {
		s := slices.Clone(p.src)
		slices.Sort(s)
		fromSorted(s, ranks, vals, le, 0)
		return
	}
	w.selectLevel(p.src, p.owned, p.mn, p.mx, 1, 0, 0, ranks, vals, le, 0)
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

// selectLevel is one level of the engine. src holds the level's values (no
// NaN); base is the global rank of its smallest value; ranks are global. When
// src is binned, the bins that matter are copied to w.buf[dst] at offset off,
// and each is solved at depth+1 with the buffers' roles swapped.
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

	l := w.binning(src, mn, mx, depth)

	// Which bins hold requested ranks. A bin of one distinct value is
	// answered here; the others are copied out and solved one level down.
	first := len(w.bins)
	cum, total, ri := 0, 0, 0
	for b := 0; b < len(l.count) && ri < len(ranks); b++ {
		c := int(l.count[b])
		if ranks[ri]-base < cum+c {
			lo := ri
			for ri < len(ranks) && ranks[ri]-base < cum+c {
				ri++
			}
			if r := l.rep[b]; r != keyMixed {
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
	out := w.scatter(src, l, targets, dst, off, depth, total)

	for i := range targets {
		t := w.bins[first+i] // w.bins may move while deeper levels append
		seg := out[off+t.start : off+t.start+t.size]
		smn, smx := minMax(seg)
		w.selectLevel(seg, true, smn, smx, 1-dst, off+t.start, depth+1,
			ranks[t.lo:t.hi], vals[t.lo:t.hi], le[t.lo:t.hi], base+t.before)
	}
	w.bins = w.bins[:first]
}

// scatter copies the values of src that fall in the target bins to
// w.buf[dst][off:off+total], grouped by bin in bin order, and returns the
// buffer. The level's count table is reused for the write positions; bins
// that are not targets get bit 31 set, and the branch that skips them is
// well predicted, since usually few values are copied.
func (w *Workspace) scatter(src []float64, l level, targets []target, dst, off, depth, total int) []float64 {
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
	for b := range pos {
		pos[b] = flag
	}
	for _, t := range targets {
		pos[t.bin] = uint32(off + t.start)
	}
	for _, x := range src {
		b := l.bin(orderKey(x))
		if p := pos[b]; p < flag {
			out[p] = x
			pos[b] = p + 1
		}
	}
	return out
}

// countAtMost sets out[i] to the number of values of p that are ≤ ts[i]. ts
// must be ascending, unique and free of NaN.
func (w *Workspace) countAtMost(p prepared, ts []float64, out []int) {
	if len(ts) == 0 {
		return
	}
	if tooBig(p.n) {
		s := slices.Clone(p.src)
		slices.Sort(s)
		for i, t := range ts {
			out[i] = upperBound(s, 0, t)
		}
		return
	}
	w.countLevel(p.src, p.owned, p.mn, p.mx, 1, 0, 0, ts, out, 0)
}

// countLevel is one level of countAtMost, built like selectLevel: base is the
// number of values below this level's values; a threshold's bin is copied
// out and solved recursively only when it shares the bin with another
// threshold (one threshold alone is a plain count).
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

	l := w.binning(src, mn, mx, depth)

	// Which bins hold thresholds (every t is in [mn, mx) now). A bin of one
	// distinct value is answered here; the others are copied out.
	first := len(w.bins)
	cum, total, ti := 0, 0, 0
	for b := 0; b < len(l.count) && ti < len(ts); b++ {
		c := int(l.count[b])
		if int(l.bin(orderKey(ts[ti]))) == b {
			t0 := ti
			for ti < len(ts) && int(l.bin(orderKey(ts[ti]))) == b {
				ti++
			}
			switch r := l.rep[b]; {
			case c == 0:
				for j := t0; j < ti; j++ {
					out[j] = base + cum
				}
			case r != keyMixed:
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
	outBuf := w.scatter(src, l, targets, dst, off, depth, total)

	for i := range targets {
		t := w.bins[first+i]
		seg := outBuf[off+t.start : off+t.start+t.size]
		smn, smx := minMax(seg)
		w.countLevel(seg, true, smn, smx, 1-dst, off+t.start, depth+1,
			ts[t.lo:t.hi], out[t.lo:t.hi], base+t.before)
	}
	w.bins = w.bins[:first]
}
