// Package traceid is the one normaliser of trace and span IDs. Every store client
// passes IDs through it before any join.
//
// Guarantees to the next stage: a trace ID is 32 lower-case hex digits (64-bit IDs are
// left-padded to 128 bits), a span ID 16 lower-case hex digits; two spellings of the
// same ID compare equal as strings.
package traceid

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

const (
	traceHexLen = 32
	spanHexLen  = 16
)

// Normalize accepts a trace ID as hex of up to 32 digits in any case (leading zeros
// may be stripped, as in Tempo's search), with dashes (UUID style), or as base64 of
// 8 or 16 bytes (Tempo's JSON). It returns 32 lower-case hex digits. The ID may also
// come inside the header value it was propagated in (W3C traceparent, Zipkin's B3 single
// header), and between quotes, brackets or the punctuation of the text around it, as
// log lines write it: `trace_id=[…],`.
func Normalize(id string) (string, error) {
	return normalize(id, traceHexLen, "trace")
}

// NormalizeSpan accepts a span ID as hex of up to 16 digits or base64 of 8 bytes, or
// inside a traceparent or B3 header value and punctuation as Normalize does, and returns
// 16 lower-case hex digits.
func NormalizeSpan(id string) (string, error) {
	return normalize(id, spanHexLen, "span")
}

// MustNormalizeOrEmpty returns the normalised ID, or "" when id does not parse.
// Parsers use it for optional IDs (a parent span ID that may be empty).
func MustNormalizeOrEmpty(id string, span bool) string {
	var out string
	var err error
	if span {
		out, err = NormalizeSpan(id)
	} else {
		out, err = Normalize(id)
	}
	if err != nil {
		return ""
	}
	return out
}

func normalize(in string, width int, what string) (string, error) {
	s := strings.TrimSpace(in)
	if s == "" {
		return "", fmt.Errorf("%s ID %q is empty", what, in)
	}
	s = strings.TrimRight(strings.TrimLeft(s, openers), closers)
	if trace, span, ok := headerIDs(s); ok {
		if width == traceHexLen {
			return finish(trace, width, what, in)
		}
		return finish(span, width, what, in)
	}
	if h, ok := hexDigits(s, width); ok {
		return finish(h, width, what, in)
	}
	if b, ok := decodeBase64(s); ok && (len(b) == width/2 || (width == traceHexLen && len(b) == 8)) {
		return finish(hex.EncodeToString(b), width, what, in)
	}
	return "", fmt.Errorf("%s ID %q is neither hex of up to %d digits nor base64 of %d bytes", what, in, width, width/2)
}

// openers and closers are what may stand before and after an ID in text: quotes,
// brackets, and (after it) the punctuation of a sentence or a list. None is a hex or
// base64 digit, nor base64's padding.
const (
	openers = "\"'`([{<"
	closers = "\"'`)]}>.,;:"
)

// headerIDs reads the trace and span IDs (lower-case hex, the trace's maybe 16 digits)
// out of a propagation header value: W3C traceparent `version-trace(32)-parent(16)-flags`
// (a version other than 00 may add fields; version ff is invalid), or Zipkin's B3 single
// header `trace(16|32)-span(16)[-sampling[-parent(16)]]`, sampling one of 0, 1, d. A
// header whose trace ID is all zeros is invalid, and yields nothing.
func headerIDs(s string) (trace, span string, ok bool) {
	if strings.Count(s, "-") == 0 || len(s) > 128 {
		return "", "", false
	}
	f := strings.Split(s, "-")
	isHex := func(x string, n ...int) bool {
		for _, c := range []byte(x) {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
		for _, k := range n {
			if len(x) == k {
				return true
			}
		}
		return false
	}
	switch {
	case len(f) >= 4 && isHex(f[0], 2) && isHex(f[1], 32) && isHex(f[2], 16) && isHex(f[3], 2):
		// traceparent
		v := strings.ToLower(f[0])
		if v == "ff" || (v == "00" && len(f) != 4) {
			return "", "", false
		}
		trace, span = f[1], f[2]
	case len(f) <= 4 && isHex(f[0], 16, 32) && isHex(f[1], 16) &&
		(len(f) < 3 || f[2] == "0" || f[2] == "1" || f[2] == "d") && (len(f) < 4 || isHex(f[3], 16)):
		// B3 single
		trace, span = f[0], f[1]
	default:
		return "", "", false
	}
	if strings.Trim(trace, "0") == "" {
		return "", "", false
	}
	return strings.ToLower(trace), strings.ToLower(span), true
}

// hexDigits lower-cases s and drops dashes if what is left is 1..width hex digits.
func hexDigits(s string, width int) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	dashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
			b.WriteByte(c)
		case c >= 'A' && c <= 'F':
			b.WriteByte(c + ('a' - 'A'))
		case c == '-':
			dashes++
			if i == 0 || i == len(s)-1 || s[i-1] == '-' {
				return "", false
			}
		default:
			return "", false
		}
	}
	h := b.String()
	if len(h) == 0 || len(h) > width {
		return "", false
	}
	// Dashed forms are only accepted at full width (UUID style).
	if dashes > 0 && len(h) != width {
		return "", false
	}
	return h, true
}

func decodeBase64(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

func finish(h string, width int, what, in string) (string, error) {
	if len(h) < width {
		h = strings.Repeat("0", width-len(h)) + h
	}
	if strings.Trim(h, "0") == "" {
		return "", fmt.Errorf("%s ID %q is all zeros, which is invalid", what, in)
	}
	return h, nil
}

// Spellings are the ways of writing one trace or span ID that Normalize (NormalizeSpan)
// maps back to it, besides its hex in any case with or without leading zeros.
type Spellings struct {
	// Hex is the normalised ID: 32 (a span's: 16) lower-case hex digits.
	Hex string
	// UUID is a trace ID's Hex grouped 8-4-4-4-12 with dashes; "" for a span ID, whose
	// dashes NormalizeSpan takes anywhere between its 16 digits.
	UUID string
	// Base64 holds the standard and URL-safe base64 (padded) of the ID's 16 bytes and,
	// for a 64-bit trace ID, of its 8 low bytes (a span ID's: of its 8 bytes); an
	// encoding equal to one before it is left out.
	Base64 []string
}

// SpellingsOf normalises id and returns its spellings.
func SpellingsOf(id string) (Spellings, error) {
	h, err := Normalize(id)
	if err != nil {
		return Spellings{}, err
	}
	sp := Spellings{Hex: h, UUID: h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]}
	b, _ := hex.DecodeString(h)
	forms := [][]byte{b}
	if strings.Trim(h[:traceHexLen/2], "0") == "" {
		forms = append(forms, b[8:])
	}
	sp.Base64 = base64Forms(forms)
	return sp, nil
}

// SpanSpellingsOf normalises a span ID (NormalizeSpan) and returns its spellings.
func SpanSpellingsOf(id string) (Spellings, error) {
	h, err := NormalizeSpan(id)
	if err != nil {
		return Spellings{}, err
	}
	b, _ := hex.DecodeString(h)
	return Spellings{Hex: h, Base64: base64Forms([][]byte{b})}, nil
}

// base64Forms is the standard and URL-safe base64 of each form, an encoding equal to the
// one before it left out.
func base64Forms(forms [][]byte) []string {
	var out []string
	for _, f := range forms {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			s := enc.EncodeToString(f)
			if n := len(out); n == 0 || out[n-1] != s {
				out = append(out, s)
			}
		}
	}
	return out
}
