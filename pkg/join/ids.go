package join

import (
	"encoding/binary"
	"unsafe"
)

// Binary IDs. Normalised IDs (pkg/traceid) are lower-case hex of 32 (trace) and 16
// (span) digits; held as integers they hash and compare much faster than strings and
// leave the GC nothing to scan. IDs that are not in that form keep their strings
// (spanIndex.str, traceIndex.str), so every ID is found exactly as its string would be.

// SWAR constants: a byte repeated in every lane of a word.
const (
	ones = 0x0101010101010101
	high = 0x8080808080808080
)

// hexWord checks that the eight bytes of x (the first in the lowest lane) are lower-case
// hex digits and returns their nibbles, one per lane.
func hexWord(x uint64) (nibbles uint64, ok bool) {
	// Once no lane has its top bit set, adding at most 0x50 to a lane cannot carry into
	// the next: lane ≥ c ⇔ (lane + 0x80 - c) has its top bit.
	digit := (x + ones*(0x80-'0')) &^ (x + ones*(0x80-'9'-1)) & high
	letter := (x + ones*(0x80-'a')) &^ (x + ones*(0x80-'f'-1)) & high
	// Low four bits, plus 9 for a-f ('a' & 0xf = 1).
	return x&(ones*0x0f) + (letter>>7)*9, x&high == 0 && digit|letter == high
}

// packNibbles packs the eight nibbles of n (the first in the lowest lane, the most
// significant digit) into 32 bits.
func packNibbles(n uint64) uint64 {
	n = (n&0x000f000f000f000f)<<4 | (n>>8)&0x000f000f000f000f  // 16-bit lanes: b0b1, b2b3, ...
	n = (n&0x000000ff000000ff)<<8 | (n>>16)&0x000000ff000000ff // 32-bit lanes: b0b1b2b3, ...
	return (n&0xffff)<<16 | (n>>32)&0xffff
}

// hex16 decodes 16 lower-case hex digits from s[0:16] (the caller checks the length),
// eight bytes at a time (SWAR). ok is false if any byte is not in [0-9a-f].
func hex16(s string) (uint64, bool) {
	p := unsafe.Slice(unsafe.StringData(s), 16)
	a, ok1 := hexWord(binary.LittleEndian.Uint64(p[0:8]))
	b, ok2 := hexWord(binary.LittleEndian.Uint64(p[8:16]))
	return packNibbles(a)<<32 | packNibbles(b), ok1 && ok2
}

// traceKey is a 32-digit trace ID in binary.
type traceKey struct{ hi, lo uint64 }

func parseTrace(s string) (traceKey, bool) {
	if len(s) != 32 {
		return traceKey{}, false
	}
	hi, ok1 := hex16(s[:16])
	lo, ok2 := hex16(s[16:32])
	return traceKey{hi, lo}, ok1 && ok2
}

func parseSpan(s string) (uint64, bool) {
	if len(s) != 16 {
		return 0, false
	}
	return hex16(s)
}

// mix spreads a 64-bit value over the table (Fibonacci hashing of a folded product).
func mix(x uint64) uint64 {
	x ^= x >> 32
	x *= 0x9e3779b97f4a7c15
	return x ^ x>>29
}

func hashTrace(t traceKey) uint64 { return mix(t.hi ^ t.lo*0xff51afd7ed558ccd) }

// tableSize is the number of slots for n keys: a power of two, at most half full.
func tableSize(n int) int {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	return size
}

// spanSlot is one slot of a spanTables table; idx is the span index + 1 (0: empty).
type spanSlot struct {
	span uint64
	idx  int32
}

// spanTables holds one open-addressing table (linear probing) per trace, mapping binary
// span IDs to span indices: trace t's table is slots[off[t]:off[t+1]], a power of two
// at most half full. Keyed per trace, a span ID that repeats in other traces (small or
// sequential IDs from some tracers) costs nothing, and the lines of one trace, which
// come together, probe one small table that stays in cache.
type spanTables struct {
	slots []spanSlot
	off   []int32
}

// newSpanTables sizes the tables for count[t] spans in trace t.
func newSpanTables(count []int32) spanTables {
	off := make([]int32, len(count)+1)
	for t, n := range count {
		size := int32(0)
		if n > 0 {
			size = int32(tableSize(int(n)))
		}
		off[t+1] = off[t] + size
	}
	return spanTables{slots: make([]spanSlot, off[len(count)]), off: off}
}

// add inserts span i under trace t unless its ID is already there (then the first span
// keeps it).
func (x *spanTables) add(t int32, span uint64, i int32) {
	tab := x.slots[x.off[t]:x.off[t+1]]
	mask := uint64(len(tab) - 1)
	for h := mix(span) & mask; ; h = (h + 1) & mask {
		s := &tab[h]
		if s.idx == 0 {
			*s = spanSlot{span: span, idx: i + 1}
			return
		}
		if s.span == span {
			return
		}
	}
}

func (x *spanTables) find(t int32, span uint64) (int32, bool) {
	tab := x.slots[x.off[t]:x.off[t+1]]
	if len(tab) == 0 {
		return 0, false
	}
	mask := uint64(len(tab) - 1)
	for h := mix(span) & mask; ; h = (h + 1) & mask {
		s := &tab[h]
		if s.idx == 0 {
			return 0, false
		}
		if s.span == span {
			return s.idx - 1, true
		}
	}
}

// traceSlot is one slot of traceTable; idx is the trace number + 1 (0: empty).
type traceSlot struct {
	trace traceKey
	idx   int32
}

// traceTable numbers binary trace IDs (open addressing, linear probing).
type traceTable struct {
	slots []traceSlot
	mask  uint64
}

func newTraceTable(n int) traceTable {
	size := tableSize(n)
	return traceTable{slots: make([]traceSlot, size), mask: uint64(size - 1)}
}

// lookupOrAdd returns t's number, giving it next if it has none yet (added reports that).
func (x *traceTable) lookupOrAdd(t traceKey, next int32) (idx int32, added bool) {
	for h := hashTrace(t) & x.mask; ; h = (h + 1) & x.mask {
		s := &x.slots[h]
		if s.idx == 0 {
			*s = traceSlot{trace: t, idx: next + 1}
			return next, true
		}
		if s.trace == t {
			return s.idx - 1, false
		}
	}
}

func (x *traceTable) find(t traceKey) (int32, bool) {
	for h := hashTrace(t) & x.mask; ; h = (h + 1) & x.mask {
		s := &x.slots[h]
		if s.idx == 0 {
			return 0, false
		}
		if s.trace == t {
			return s.idx - 1, true
		}
	}
}
