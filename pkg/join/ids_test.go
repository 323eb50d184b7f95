package join

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/model"
)

// TestIDKeys: binary keys are equal exactly when the strings are.
func TestIDKeys(t *testing.T) {
	base := "0123456789abcdef0123456789abcdef"
	k0, _ := parseTrace(base)
	s0, _ := parseSpan(base[:16])
	for pos := range 32 {
		for _, c := range []byte{'0', 'A', 'f', 'F', 'g', 0, 0xff} {
			b := []byte(base)
			b[pos] = c
			k, ok := parseTrace(string(b))
			if !ok || (k == k0) != (string(b) == base) {
				t.Fatalf("trace %q: key equal %v", b, k == k0)
			}
			if pos < 16 {
				sk, ok := parseSpan(string(b[:16]))
				if !ok || (sk == s0) != (string(b[:16]) == base[:16]) {
					t.Fatalf("span %q: key equal %v", b[:16], sk == s0)
				}
			}
		}
	}
	for _, s := range []string{"", "abc", base[:15], base + "0"} {
		if _, ok := parseSpan(s); ok && len(s) != 16 {
			t.Errorf("span %q has a binary key", s)
		}
		if _, ok := parseTrace(s); ok {
			t.Errorf("trace %q has a binary key", s)
		}
	}
}

func hexID(n int, v uint64) string { return fmt.Sprintf("%0*x", n, v) }

// bruteForce is the join's definition, line by line.
func bruteForce(spans []model.Span, logs []model.LogLine) []int32 {
	traces := map[string]bool{}
	for i := range spans {
		traces[spans[i].TraceID] = true
	}
	out := make([]int32, len(logs))
	for j, l := range logs {
		trace := l.TraceID
		if trace == "" && len(traces) == 1 {
			trace = spans[0].TraceID
		}
		want := int32(-1)
		if trace != "" && l.SpanID != "" {
			// A line that names a span joins it or nothing.
			for i := range spans {
				if spans[i].TraceID == trace && spans[i].SpanID == l.SpanID {
					want = int32(i)
					break
				}
			}
		} else if trace != "" {
			// The containing span that started last; of those that started at once, the
			// one that ends first.
			for i := range spans {
				s := &spans[i]
				if s.TraceID != trace || s.StartUnixNano > l.TimeUnixNano || l.TimeUnixNano > s.EndUnixNano() {
					continue
				}
				if b := want; b < 0 || s.StartUnixNano > spans[b].StartUnixNano ||
					s.StartUnixNano == spans[b].StartUnixNano && s.EndUnixNano() < spans[b].EndUnixNano() {
					want = int32(i)
				}
			}
		}
		out[j] = want
	}
	return out
}

// checkJoin compares Join with bruteForce (a line placed by time may join another span
// with the same start and end) and checks that every span lists its lines in time order.
func checkJoin(t *testing.T, spans []model.Span, logs []model.LogLine) {
	t.Helper()
	r := Join(spans, logs)
	want := bruteForce(spans, logs)
	for j := range logs {
		got := r.LogSpan[j]
		byID := want[j] >= 0 && spans[want[j]].SpanID == logs[j].SpanID
		if got != want[j] && !(got >= 0 && want[j] >= 0 && !byID && spans[got].StartUnixNano == spans[want[j]].StartUnixNano &&
			spans[got].EndUnixNano() == spans[want[j]].EndUnixNano()) {
			t.Fatalf("line %d (%+v): joined %d, want %d", j, logs[j], got, want[j])
		}
	}
	n := 0
	for i := range spans {
		own := r.LogsOf(i)
		for k, j := range own {
			if r.LogSpan[j] != int32(i) {
				t.Fatalf("span %d lists line %d, which joined %d", i, j, r.LogSpan[j])
			}
			if k > 0 && logs[j].TimeUnixNano < logs[own[k-1]].TimeUnixNano {
				t.Fatalf("span %d: lines out of time order", i)
			}
			if k > 0 && logs[j].TimeUnixNano == logs[own[k-1]].TimeUnixNano && j < own[k-1] {
				t.Fatalf("span %d: lines of equal time out of input order", i)
			}
		}
		n += len(own)
	}
	if n+r.Unmatched != len(logs) || r.BySpanID+r.ByTime+r.Unmatched != len(logs) {
		t.Fatalf("counts: listed %d, unmatched %d, by ID %d, by time %d", n, r.Unmatched, r.BySpanID, r.ByTime)
	}
}

// TestJoinRepeatedSpanIDs: span IDs repeat across traces (some tracers number spans
// 1, 2, 3 in every trace); a line joins the span of its own trace.
func TestJoinRepeatedSpanIDs(t *testing.T) {
	var spans []model.Span
	var logs []model.LogLine
	for tr := range 50 {
		tid := hexID(32, uint64(tr)*0x9e3779b97f4a7c15)
		for s := range 20 {
			start := int64(tr*1000 + s*10)
			spans = append(spans, span(tid, hexID(16, uint64(s+1)), start, start+50))
			logs = append(logs, line(tid, hexID(16, uint64(s+1)), start+1))
		}
	}
	r := Join(spans, logs)
	for j := range logs {
		if r.LogSpan[j] != int32(j) {
			t.Fatalf("line %d joined %d", j, r.LogSpan[j])
		}
	}
	checkJoin(t, spans, logs)
}

// TestJoinDuplicateSpan: the same (trace, span) twice: the first span keeps the lines,
// in the binary and the string index alike.
func TestJoinDuplicateSpan(t *testing.T) {
	tid, sid := hexID(32, 7), hexID(16, 9)
	for _, ids := range [][2]string{{tid, sid}, {"T", "S"}} {
		spans := []model.Span{span(ids[0], ids[1], 0, 10), span(ids[0], ids[1], 0, 10)}
		r := Join(spans, []model.LogLine{line(ids[0], ids[1], 5)})
		if r.LogSpan[0] != 0 || r.BySpanID != 1 {
			t.Errorf("%v: line joined %d", ids, r.LogSpan[0])
		}
	}
}

// TestJoinMixedIDs: IDs of other lengths are matched by their strings, next to binary
// ones, with no cross-talk; upper and lower case are different IDs, as strings are.
func TestJoinMixedIDs(t *testing.T) {
	hexT, hexS := hexID(32, 0xabc), hexID(16, 0xdef)
	spans := []model.Span{
		span(hexT, hexS, 0, 100),
		span(hexT, "DEF", 10, 90),                 // hex trace, non-hex span
		span("ABC", hexS, 20, 80),                 // non-hex trace, hex span
		span("ABC", "not-hex-span-id!", 0, 100),   // 16 characters, not hex
		span(strings.ToUpper(hexT), hexS, 0, 100), // another trace
		span(hexT, hexID(16, 0xDEF0), 30, 40),
	}
	logs := []model.LogLine{
		line(hexT, hexS, 95),
		line(hexT, "DEF", 95),
		line("ABC", hexS, 5),
		line("ABC", "not-hex-span-id!", 50),
		line(hexT, hexID(16, 0xdef0), 99),
		line(hexT, "def", 35),         // no such span: it joins none
		line("abc", hexS, 50),         // another trace than "ABC": unknown
		line(hexT, "", 35),            // by time
		line(hexT, hexID(16, 1), 200), // unknown span, outside every span
		line(strings.ToUpper(hexT), hexS, 1),
		line(hexT, strings.ToUpper(hexID(16, 0xdef0)), 35), // no such span: it joins none
	}
	r := Join(spans, logs)
	want := []int32{0, 1, 2, 3, 5, -1, -1, 5, -1, 4, -1}
	if !slices.Equal(r.LogSpan, want) {
		t.Fatalf("LogSpan = %v, want %v", r.LogSpan, want)
	}
	checkJoin(t, spans, logs)
}

// TestJoinUnsortedLines: lines in no particular order still come out per span in time
// order (equal times in input order), and are placed by time as when sorted.
func TestJoinUnsortedLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var spans []model.Span
	var logs []model.LogLine
	for tr := range 30 {
		tid := hexID(32, rng.Uint64())
		base := int64(tr) * 500
		spans = append(spans, span(tid, hexID(16, rng.Uint64()), base, base+400))
		for s := range 15 {
			start := base + rng.Int64N(300)
			spans = append(spans, span(tid, hexID(16, rng.Uint64()), start, start+rng.Int64N(100)))
			_ = s
		}
		first := len(spans) - 16
		for range 200 {
			l := line(tid, "", base+rng.Int64N(450))
			if rng.IntN(2) == 0 {
				l.SpanID = spans[first+rng.IntN(16)].SpanID
			}
			if rng.IntN(10) == 0 {
				l.TimeUnixNano = base + 100 // many equal times
			}
			logs = append(logs, l)
		}
	}
	rng.Shuffle(len(logs), func(a, b int) { logs[a], logs[b] = logs[b], logs[a] })
	rng.Shuffle(len(spans), func(a, b int) { spans[a], spans[b] = spans[b], spans[a] })
	checkJoin(t, spans, logs)
	// The same lines in time order join the same spans.
	sorted := slices.Clone(logs)
	slices.SortStableFunc(sorted, func(a, b model.LogLine) int { return int(a.TimeUnixNano - b.TimeUnixNano) })
	checkJoin(t, spans, sorted)
}

func FuzzJoinIDs(f *testing.F) {
	f.Add([]byte{0, 10, 5, 1, 3, 7, 2, 2, 9, 4, 4, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		// IDs from a small alphabet, some normalised hex and some not, so that span IDs
		// repeat across traces and both indices are used.
		traceIDs := []string{hexID(32, 1), hexID(32, 2), "T3", ""}
		spanIDs := []string{hexID(16, 1), hexID(16, 2), "S3", hexID(16, 1<<60), ""}
		var spans []model.Span
		var logs []model.LogLine
		for i := 0; i+3 < len(b); i += 4 {
			tr := traceIDs[int(b[i]>>4)%len(traceIDs)]
			sp := spanIDs[int(b[i]&0xf)%len(spanIDs)]
			at, d := int64(b[i+1]), int64(b[i+2])
			if b[i+3]%3 == 0 {
				logs = append(logs, line(tr, sp, at))
			} else if tr != "" && sp != "" {
				spans = append(spans, span(tr, sp, at, at+d))
			}
		}
		if len(spans) == 0 {
			return
		}
		checkJoin(t, spans, logs)
	})
}
