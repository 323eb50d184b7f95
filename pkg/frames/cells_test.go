package frames

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/join"
	"github.com/latencylens/lens/pkg/model"
)

// refSpanLogs is the span logs cell as it was written before cellBuf (one append per
// piece): the reference the fast path must match byte for byte.
func refSpanLogs(b []byte, events []model.SpanEvent, logs []model.LogLine, own []int32) []byte {
	b = append(b, '[')
	first := true
	sep := func() {
		if !first {
			b = append(b, ',')
		}
		first = false
	}
	ei, li := 0, 0
	for ei < len(events) || li < len(own) {
		if li >= len(own) || (ei < len(events) && events[ei].TimeUnixNano <= logs[own[li]].TimeUnixNano) {
			ev := &events[ei]
			ei++
			sep()
			b = append(b, `{"timestamp":`...)
			b = appendNanosAsMs(b, ev.TimeUnixNano)
			if ev.Name != "" {
				b = append(b, `,"name":`...)
				b = appendString(b, ev.Name)
			}
			b = append(b, `,"fields":`...)
			fields := ev.Fields
			if ev.Name != "" {
				b = append(b, `[{"key":"event","value":`...)
				b = appendString(b, ev.Name)
				b = append(b, '}')
				if len(fields) > 0 {
					b = append(b, ',')
					inner := appendKVs(nil, fields)
					b = append(b, inner[1:len(inner)-1]...)
				}
				b = append(b, ']')
			} else {
				b = appendKVs(b, fields)
			}
			b = append(b, '}')
			continue
		}
		l := &logs[own[li]]
		li++
		sep()
		b = append(b, `{"timestamp":`...)
		b = appendNanosAsMs(b, l.TimeUnixNano)
		b = append(b, `,"name":"log","fields":[{"key":"message","value":`...)
		b = appendString(b, l.Body)
		b = append(b, '}')
		if l.Level != "" {
			b = append(b, `,{"key":"level","value":`...)
			b = appendString(b, l.Level)
			b = append(b, '}')
		}
		b = append(b, `]}`...)
	}
	return append(b, ']')
}

// randText mixes plain ASCII with what needs escaping or is not ASCII.
func randText(rng *rand.Rand, maxLen int) string {
	pieces := []string{"level=info ", "msg=", `"`, `\`, "\n", "\t", "\x00", "\x1f", "é", "漢字", "\u2028", "\xff", "\xe2\x80", "abcdefgh", "0123456789", " op=checkout"}
	var sb strings.Builder
	for sb.Len() < maxLen && rng.IntN(12) > 0 {
		if rng.IntN(3) == 0 {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		} else {
			sb.WriteByte(byte(' ' + rng.IntN(95)))
		}
	}
	return sb.String()
}

func randTime(rng *rand.Rand) int64 {
	switch rng.IntN(8) {
	case 0:
		return rng.Int64N(1e6) * 1e6 // whole milliseconds
	case 1:
		return rng.Int64N(1e14) // before 1e8 ms
	case 2:
		return -rng.Int64N(1e15)
	case 3:
		return math.MaxInt64 - rng.Int64N(1e6)
	case 4:
		return 1_700_000_000_000_000_000 + rng.Int64N(1e3)*1e3 // whole microseconds
	}
	return 1_700_000_000_000_000_000 + rng.Int64N(1e12)
}

func TestMsWriterMatchesAppendNanosAsMs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	w := msWriter{hi: ^uint64(0)}
	buf := make([]byte, 64)
	edge := []int64{0, 1, 9, 10, 999999, 1e6, 1e6 + 1, 99999999999999, 1e14, 1e14 + 5, -1, -1e6, math.MaxInt64, math.MinInt64, 1700000000123456789, 1700000000120000000, 1700000000123400000}
	for k := 0; k < 200000; k++ {
		ns := randTime(rng)
		if k < len(edge) {
			ns = edge[k]
		}
		n := w.put(buf, 3, ns)
		want := string(appendNanosAsMs(nil, ns))
		if got := string(buf[3:n]); got != want {
			t.Fatalf("%d: %s, want %s", ns, got, want)
		}
	}
}

func FuzzPutString(f *testing.F) {
	for _, s := range []string{"", "plain", "q\"uote\\", "ctl\x00\x1f\n\t", "bad\xff\xfeutf8", "sep\u2028\u2029", "é漢字", "level=info msg=\"handled request 3\" op=op-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		buf := make([]byte, 6*len(s)+2+5)
		n := putString(buf, 5, s)
		if want := appendString(nil, s); !bytes.Equal(buf[5:n], want) {
			t.Fatalf("%q: %s, want %s", s, buf[5:n], want)
		}
	})
}

// TestSpansJSONCellsMatchReference: every JSON cell of the spans frame is valid and
// what the one-append-per-piece writers give, on random spans, events and lines with
// text that needs escaping, over enough lines that cells cross chunk boundaries.
func TestSpansJSONCellsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	res := []model.KeyValue{{Key: "service.name", Value: "checkout"}, {Key: "host", Value: randText(rng, 20)}}
	var spans []model.Span
	for i := range 3000 {
		s := model.Span{TraceID: fmt.Sprintf("%032x", i/100), SpanID: fmt.Sprintf("%016x", i+1), StartUnixNano: int64(i) * 1e6, DurationNano: 5e6}
		if rng.IntN(2) == 0 {
			s.ServiceTags = res
		}
		for range rng.IntN(3) {
			s.Tags = append(s.Tags, model.KeyValue{Key: randText(rng, 10), Value: []any{"x", int64(3), 2.5, true, nil, randText(rng, 10)}[rng.IntN(6)]})
		}
		for range rng.IntN(3) {
			ev := model.SpanEvent{TimeUnixNano: s.StartUnixNano + rng.Int64N(5e6), Name: []string{"", "exception", randText(rng, 12)}[rng.IntN(3)]}
			for range rng.IntN(3) {
				ev.Fields = append(ev.Fields, model.KeyValue{Key: randText(rng, 8), Value: randText(rng, 30)})
			}
			s.Events = append(s.Events, ev)
		}
		if rng.IntN(5) == 0 {
			s.References = []model.SpanRef{{TraceID: s.TraceID, SpanID: "00000000000000aa", RefType: "FOLLOWS_FROM", Tags: s.Tags}}
		}
		if rng.IntN(10) == 0 {
			s.Warnings = []string{randText(rng, 30)}
		}
		// Events in any order, as OTLP allows.
		spans = append(spans, s)
	}
	var logs []model.LogLine
	for range 40000 {
		i := rng.IntN(len(spans))
		s := &spans[i]
		l := model.LogLine{TraceID: s.TraceID, SpanID: s.SpanID, TimeUnixNano: s.StartUnixNano + rng.Int64N(s.DurationNano), Level: []string{"", "info", "error", "warn", randText(rng, 6)}[rng.IntN(5)]}
		l.Body = randText(rng, 40+rng.IntN(400))
		if rng.IntN(50) == 0 {
			l.TimeUnixNano = s.StartUnixNano // on an event's time, maybe
		}
		logs = append(logs, l)
	}
	j := join.Join(spans, logs)
	before := fmt.Sprint(spans)
	f := Spans(spans, logs, j, Links{})
	if fmt.Sprint(spans) != before {
		t.Fatal("Spans changed its input")
	}
	col := func(name string) *[]json.RawMessage {
		field, _ := f.FieldByName(name)
		out := make([]json.RawMessage, field.Len())
		for i := range out {
			out[i] = field.At(i).(json.RawMessage)
		}
		return &out
	}
	svc, tags, refs, logCol, warns := col(SpanServiceTags), col(SpanTags), col(SpanReferences), col(SpanLogs), col(SpanWarnings)
	total, unordered := 0, 0
	for i := range spans {
		s := &spans[i]
		// The reference merges events in time order (a stable sort keeps those at one
		// time in their order).
		events := slices.Clone(s.Events)
		slices.SortStableFunc(events, func(a, b model.SpanEvent) int { return cmp.Compare(a.TimeUnixNano, b.TimeUnixNano) })
		if !slices.Equal(eventTimes(events), eventTimes(s.Events)) {
			unordered++
		}
		warn := []byte{'['}
		for k, w := range s.Warnings {
			if k > 0 {
				warn = append(warn, ',')
			}
			warn = appendString(warn, w)
		}
		warn = append(warn, ']')
		for _, c := range []struct {
			name      string
			got, want []byte
		}{
			{"serviceTags", (*svc)[i], appendKVs(nil, s.ServiceTags)},
			{"tags", (*tags)[i], appendKVs(nil, s.Tags)},
			{"references", (*refs)[i], appendRefs(nil, s.References)},
			{"logs", (*logCol)[i], refSpanLogs(nil, events, logs, j.LogsOf(i))},
			{"warnings", (*warns)[i], warn},
		} {
			if !bytes.Equal(c.got, c.want) {
				t.Fatalf("span %d %s:\n got %s\nwant %s", i, c.name, c.got, c.want)
			}
			if !json.Valid(c.got) {
				t.Fatalf("span %d %s: invalid JSON %s", i, c.name, c.got)
			}
		}
		total += len((*logCol)[i])
	}
	if total < 4*cellChunk {
		t.Fatalf("only %d bytes of logs cells: no chunk boundaries crossed", total)
	}
	if unordered == 0 {
		t.Fatal("no span with its events out of time order")
	}
}

func eventTimes(events []model.SpanEvent) []int64 {
	out := make([]int64, len(events))
	for i, e := range events {
		out[i] = e.TimeUnixNano
	}
	return out
}
