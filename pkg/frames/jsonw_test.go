package frames

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"

	"github.com/latencylens/lens/pkg/model"
)

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "q\"uote\\", "ctl\x00\x1f\n\t", "bad\xff\xfeutf8", "sep\u2028\u2029", "é漢字"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q -> invalid JSON %s: %v", s, b, err)
		}
		want, _ := json.Marshal(s)
		var w string
		_ = json.Unmarshal(want, &w)
		if got != w {
			t.Fatalf("%q: round trip %q, encoding/json %q", s, got, w)
		}
	})
}

func TestAppendNanosAsMs(t *testing.T) {
	tests := []struct {
		ns   int64
		want string
	}{
		{1700000000123456789, "1700000000123.456789"},
		{1700000000123000000, "1700000000123"},
		{1700000000123400000, "1700000000123.4"},
		{5, "0.000005"},
		{0, "0"},
	}
	for _, tc := range tests {
		got := string(appendNanosAsMs(nil, tc.ns))
		if got != tc.want {
			t.Errorf("%d: %s, want %s", tc.ns, got, tc.want)
		}
		if f, _ := strconv.ParseFloat(got, 64); math.Abs(f-float64(tc.ns)/1e6) > 1e-3 {
			t.Errorf("%d: %s does not parse back", tc.ns, got)
		}
	}
}

func TestNanosToMillisKeepsWholeMilliseconds(t *testing.T) {
	// float64(ns)/1e6 gives 1795327775745.9998 for this start: the span would sit before
	// its own millisecond and before its trace's start.
	for _, ms := range []int64{1795327775746, 1700000000123, 1, 0, -42} {
		if got := NanosToMillis(ms * 1e6); got != float64(ms) {
			t.Errorf("%d ms: got %v", ms, got)
		}
	}
	if got := NanosToMillis(1795327775746000500); got <= 1795327775746 || got > 1795327775746.001 {
		t.Errorf("half a microsecond past a whole ms: %v", got)
	}
}

// An integer beyond 2^53 is written as its digits in a JSON string, as a string is.
func TestAppendAnyBigInt(t *testing.T) {
	if got := string(appendAny(nil, model.BigInt("9007199254740993"))); got != `"9007199254740993"` {
		t.Errorf("big int written as %s", got)
	}
	if got := string(appendAny(nil, int64(42))); got != `42` {
		t.Errorf("int written as %s", got)
	}
}
