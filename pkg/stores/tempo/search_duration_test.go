package tempo

import (
	"fmt"
	"math"
	"testing"
)

// Tempo's search gives a trace's duration in whole milliseconds, rounded down, and leaves
// it out when that is 0 (checked against Tempo: 0.6 ms comes without durationMs, 2.9 ms
// as 2, 1500.7 ms as 1500). The spans the answer returns end no later than the trace, so
// their latest end gives the fraction Tempo cut: a 0.3 ms trace is not 0 ms.
func TestParseSearchDurationKeepsTheFractionOfAMillisecond(t *testing.T) {
	const start = int64(1796672207308227840)
	hit := func(durationMs string, spans ...[2]int64) string {
		sp := ""
		for i, s := range spans {
			if i > 0 {
				sp += ","
			}
			sp += fmt.Sprintf(`{"spanID":"%016x","startTimeUnixNano":"%d","durationNanos":"%d"}`, i+1, start+s[0], s[1])
		}
		return fmt.Sprintf(`{"traces":[{"traceID":"11111111111111111111111111111111","rootServiceName":"shop","rootTraceName":"tiny",
			"startTimeUnixNano":"%d"%s,"spanSets":[{"spans":[%s],"matched":%d}]}]}`, start, durationMs, sp, len(spans))
	}
	tests := []struct {
		name string
		in   string
		want float64
	}{
		{"0.3 ms, durationMs left out", hit("", [2]int64{0, 300_000}), 0.3},
		{"2.9 ms given as 2", hit(`,"durationMs":2`, [2]int64{0, 2_900_000}), 2.9},
		{"a child span ending last", hit(`,"durationMs":1500`, [2]int64{0, 1_000_000_000}, [2]int64{1_000_000_000, 500_700_000}), 1500.7},
		{"spans ending before the trace: Tempo's figure is a floor the spans do not raise", hit(`,"durationMs":1500`, [2]int64{100, 200}), 1500},
		{"spans past the next millisecond do not contradict Tempo", hit(`,"durationMs":3`, [2]int64{0, 9_000_000}), 3},
		{"no spans returned", hit(`,"durationMs":7`), 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, dropped, err := ParseSearch([]byte(tt.in))
			if err != nil || dropped != 0 || len(hits) != 1 {
				t.Fatalf("hits %v dropped %d err %v", hits, dropped, err)
			}
			if got := hits[0].DurationMs; math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("duration %v ms, want %v ms", got, tt.want)
			}
		})
	}
}
