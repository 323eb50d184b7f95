package frames

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/latencylens/lens/pkg/model"
)

// Small append-style JSON writers for the columns built per row (span logs, labels),
// where encoding/json's reflection would dominate the cost of large traces.

const hexDigits = "0123456789abcdef"

// safeASCII[c] is true for the ASCII bytes a JSON string holds as they are.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Eight bytes at a time (SWAR): whether any byte of x is below 0x20, a quote, a
// backslash or not ASCII, i.e. whether the word needs the byte-wise path.
const (
	ones = 0x0101010101010101
	high = 0x8080808080808080
)

func plainWord(x uint64) bool {
	hasLess := (x - ones*0x20) & ^x & high
	q, bs := x^(ones*'"'), x^(ones*'\\')
	hasQuote := (q - ones) & ^q & high
	hasBackslash := (bs - ones) & ^bs & high
	return (hasLess | hasQuote | hasBackslash | x&high) == 0
}

// appendString appends s as a JSON string (invalid UTF-8 becomes U+FFFD).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendStringBody(b, s)
	return append(b, '"')
}

// appendStringBody appends s escaped for a JSON string, without the quotes.
func appendStringBody(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		// Runs of plain ASCII (the common case for log lines) are skipped a word at a time.
		for i+8 <= len(s) && plainWord(binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// NanosToMillis converts Unix nanoseconds to float milliseconds with the whole
// milliseconds exact: float64(ns)/1e6 rounds ns to 256 ns steps first (a Unix time in ns
// needs 61 bits), so a span starting on a whole millisecond would read 0.0002 ms early.
func NanosToMillis(ns int64) float64 {
	return float64(ns/1e6) + float64(ns%1e6)/1e6
}

// appendNanosAsMs appends a Unix-nanosecond time as float milliseconds, exactly
// (integer arithmetic, trailing zeros dropped): 1700000000123456789 → 1700000000123.456789.
func appendNanosAsMs(b []byte, ns int64) []byte {
	if ns < 0 {
		return appendFloat(b, float64(ns)/1e6)
	}
	b = strconv.AppendInt(b, ns/1e6, 10)
	frac := ns % 1e6
	if frac == 0 {
		return b
	}
	var d [7]byte
	d[0] = '.'
	for k := 6; k >= 1; k-- {
		d[k] = byte('0' + frac%10)
		frac /= 10
	}
	n := 7
	for d[n-1] == '0' {
		n--
	}
	return append(b, d[:n]...)
}

// appendFloat appends f as a JSON number (NaN and ±Inf become null).
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// appendAny appends a value of a tag or field; common scalar types take the fast path.
func appendAny(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case model.BigInt:
		return appendString(b, string(x))
	case bool:
		return strconv.AppendBool(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case float64:
		return appendFloat(b, x)
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, enc...)
}
