package frames

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"unicode/utf8"
	"unsafe"
)

// cellChunk is the size of the buffers JSON cells are written into. Cells are
// sub-slices of these chunks; a chunk lives as long as a cell in it does.
const cellChunk = 1 << 20

// cellBuf writes JSON cells one after another into chunks of memory. Unlike one buffer
// for all cells, it needs no size estimate up front, and it does not ask the runtime for
// one huge block per frame: freed chunks of earlier frames are reused, where a fresh
// huge block costs a page fault per 4 KiB page on first touch.
type cellBuf struct {
	b     []byte
	start int  // where the cell being written starts in b
	touch byte // keeps loads that only warm the cache from being optimised away
}

// begin starts a cell and makes room for at least n bytes of it.
func (c *cellBuf) begin(n int) {
	c.start = len(c.b)
	c.reserve(n)
}

// reserve makes room for n more bytes in the current chunk; if there is none, the cell
// written so far moves to a new chunk.
func (c *cellBuf) reserve(n int) {
	if cap(c.b)-len(c.b) >= n {
		return
	}
	cell := c.b[c.start:]
	nb := make([]byte, len(cell), max(cellChunk, 2*(len(cell)+n)))
	copy(nb, cell)
	c.b, c.start = nb, 0
}

// end returns the cell written since begin (capacity capped, so that nobody can
// append into the next cell).
func (c *cellBuf) end() json.RawMessage {
	return json.RawMessage(c.b[c.start:len(c.b):len(c.b)])
}

// emptyList is the cell of an empty JSON list, shared by every such cell.
var emptyList = json.RawMessage(`[]`)[:2:2]

// maxLineJSON bounds the bytes appendLogLine writes for a line (escaping at most
// multiplies a string's length by 6).
func maxLineJSON(body string, tail []byte) int {
	return 1 + len(lineHead) + 28 + len(lineMid) + 2 + 6*len(body) + len(tail)
}

// The constant parts of a log line in a span's logs (Grafana's TraceLog):
// {"timestamp":<ms>,"name":"log","fields":[{"key":"message","value":<body>}<tail>
// where tail is levelTail(level).
const (
	lineHeadText = `{"timestamp":`
	lineMidText  = `,"name":"log","fields":[{"key":"message","value":`
)

var (
	lineHead = [len(lineHeadText)]byte([]byte(lineHeadText))
	lineMid  = [len(lineMidText)]byte([]byte(lineMidText))
)

// levelTail is what follows a line's message: its level field, if any, and the ends of
// the fields list and the line object.
func levelTail(level string) []byte {
	if level == "" {
		return []byte(`}]}`)
	}
	b := append([]byte(nil), `},{"key":"level","value":`...)
	b = appendString(b, level)
	return append(b, `}]}`...)
}

// appendLogLine appends one joined line as a TraceLog object, preceded by a comma unless
// first. The caller has made room for maxLineJSON bytes.
func appendLogLine(b []byte, first bool, ms *msWriter, ns int64, body string, tail []byte) []byte {
	n := len(b)
	buf := b[:cap(b)]
	if !first {
		buf[n] = ','
		n++
	}
	*(*[len(lineHead)]byte)(buf[n:]) = lineHead
	n += len(lineHead)
	n = ms.put(buf, n, ns)
	*(*[len(lineMid)]byte)(buf[n:]) = lineMid
	n += len(lineMid)
	n = putString(buf, n, body)
	n += copy(buf[n:], tail)
	return buf[:n]
}

// putString writes s as a JSON string at buf[n:] and returns the new end; buf has room
// for 6*len(s)+2 bytes from n. It writes what appendString does, eight bytes at a time
// where it can: each word is stored whole and the bytes up to the first one that needs
// escaping (or is not ASCII) are kept.
func putString(buf []byte, n int, s string) int {
	buf[n] = '"'
	n++
	i := 0
	for i < len(s) {
		if i+8 <= len(s) {
			// Room: at most 6*i+1 bytes are written for s[:i], so 8 more fit.
			w := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
			binary.LittleEndian.PutUint64(buf[n:], w)
			bad := specialBytes(w)
			if bad == 0 {
				i += 8
				n += 8
				continue
			}
			k := bits.TrailingZeros64(bad) >> 3
			i += k
			n += k
		}
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if safeASCII[c] {
				buf[n] = c
				n++
				continue
			}
			switch c {
			case '"', '\\':
				buf[n], buf[n+1] = '\\', c
				n += 2
			case '\n':
				buf[n], buf[n+1] = '\\', 'n'
				n += 2
			case '\r':
				buf[n], buf[n+1] = '\\', 'r'
				n += 2
			case '\t':
				buf[n], buf[n+1] = '\\', 't'
				n += 2
			default:
				n += copy(buf[n:], []byte{'\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf]})
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += copy(buf[n:], `\ufffd`)
		case r == '\u2028' || r == '\u2029':
			n += copy(buf[n:], []byte{'\\', 'u', '2', '0', '2', hexDigits[r&0xf]})
		default:
			n += copy(buf[n:], s[i:i+size])
		}
		i += size
	}
	buf[n] = '"'
	return n + 1
}

// specialBytes has the top bit set in each lane of x (and maybe in lanes after it) that
// holds a byte below 0x20, a quote, a backslash or a non-ASCII byte; 0 if none does.
// The lowest set bit is exact: borrows only carry upwards.
func specialBytes(x uint64) uint64 {
	q, bs := x^(ones*'"'), x^(ones*'\\')
	return ((x-ones*0x20)&^x | (q-ones)&^q | (bs-ones)&^bs | x) & high
}

// digits2[v] is the two ASCII digits of v < 100, the first in the low byte.
var digits2 = func() (t [100]uint16) {
	for v := range t {
		t[v] = uint16('0'+v/10) | uint16('0'+v%10)<<8
	}
	return t
}()

// msWriter writes Unix-nanosecond times as float milliseconds. It remembers the digits
// above the last eight of the previous time: the lines of a span are close in time, so
// those rarely change.
type msWriter struct {
	hi     uint64 // ms / 1e8 of the previous time, or ^0
	digits uint64 // its decimal digits, the first in the low byte
	length int
}

// put writes ns at buf[n:] (room for 28 bytes; up to 8 bytes past the end may be
// overwritten) exactly as appendNanosAsMs does, and returns the new end.
func (w *msWriter) put(buf []byte, n int, ns int64) int {
	if ns < 0 {
		return len(appendNanosAsMs(buf[:n], ns))
	}
	// A non-negative int64 of ns is below 1e13 ms: at most 5 digits above the last 8.
	ms, frac := uint64(ns/1e6), uint32(ns%1e6)
	hi, lo := ms/1e8, uint32(ms%1e8)
	if hi > 0 {
		if hi != w.hi || w.length == 0 {
			w.hi, w.digits, w.length = hi, 0, 0
			for v := hi; v > 0; v /= 10 {
				w.digits = w.digits<<8 | uint64('0'+v%10)
				w.length++
			}
		}
		binary.LittleEndian.PutUint64(buf[n:], w.digits)
		n += w.length
		binary.LittleEndian.PutUint64(buf[n:], eightDigits(lo))
		n += 8
	} else {
		// Below 1e8 ms (early 1970): as many digits as it takes.
		d := eightDigits(lo)
		k := 7
		for k > 0 && lo < pow10[k] {
			k--
		}
		binary.LittleEndian.PutUint64(buf[n:], d>>(8*(7-k)))
		n += k + 1
	}
	if frac == 0 {
		return n
	}
	// Six decimals, trailing zeros dropped.
	a, b, c := frac/10000, frac/100%100, frac%100
	binary.LittleEndian.PutUint64(buf[n:], '.'|uint64(digits2[a])<<8|uint64(digits2[b])<<24|uint64(digits2[c])<<40)
	end := n + 7
	for frac%10 == 0 {
		frac /= 10
		end--
	}
	return end
}

var pow10 = [8]uint32{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}

// eightDigits is v < 1e8 as exactly eight ASCII digits, the first in the low byte.
func eightDigits(v uint32) uint64 {
	hi, lo := v/10000, v%10000
	return uint64(digits2[hi/100]) | uint64(digits2[hi%100])<<16 | uint64(digits2[lo/100])<<32 | uint64(digits2[lo%100])<<48
}
