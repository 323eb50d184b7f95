package join

import (
	"encoding/binary"
	"unsafe"
)

// Binary IDs. Normalised IDs (pkg/traceid) are 32 (trace) and 16 (span) characters
// long; held as the integers their bytes make (read eight at a time, not decoded:
// equal keys are equal strings) they hash and compare much faster than strings and
// leave the GC nothing to scan. IDs of other lengths keep their strings
// (spanIndex.str, traceIndex.str), so every ID is found exactly as its string would be.

// word is the eight bytes of s from i, the first in the low byte.
func word(s string, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
}

// traceKey is a 32-character trace ID.
type traceKey struct{ a, b, c, d uint64 }

func parseTrace(s string) (traceKey, bool) {
	if len(s) != 32 {
		return traceKey{}, false
	}
	return traceKey{word(s, 0), word(s, 8), word(s, 16), word(s, 24)}, true
}

// spanKey16 is a 16-character span ID.
type spanKey16 struct{ a, b uint64 }

func parseSpan(s string) (spanKey16, bool) {
	if len(s) != 16 {
		return spanKey16{}, false
	}
	return spanKey16{word(s, 0), word(s, 8)}, true
}

// mix spreads a 64-bit value over the table (Fibonacci hashing of a folded product).
func mix(x uint64) uint64 {
	x ^= x >> 32
	x *= 0x9e3779b97f4a7c15
	return x ^ x>>29
}

func hashTrace(t traceKey) uint64 {
	return mix(t.a ^ t.b*0xff51afd7ed558ccd ^ t.c*0xc4ceb9fe1a85ec53 ^ t.d*0x9e3779b97f4a7c15)
}

func hashSpan(k spanKey16) uint64 { return mix(k.a ^ k.b*0xff51afd7ed558ccd) }

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
	span spanKey16
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
func (x *spanTables) add(t int32, span spanKey16, i int32) {
	tab := x.slots[x.off[t]:x.off[t+1]]
	mask := uint64(len(tab) - 1)
	for h := hashSpan(span) & mask; ; h = (h + 1) & mask {
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

func (x *spanTables) find(t int32, span spanKey16) (int32, bool) {
	tab := x.slots[x.off[t]:x.off[t+1]]
	if len(tab) == 0 {
		return 0, false
	}
	mask := uint64(len(tab) - 1)
	for h := hashSpan(span) & mask; ; h = (h + 1) & mask {
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
