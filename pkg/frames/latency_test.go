package frames

import (
	"math"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// The percentile frame's name is the legend Grafana shows ("p55"); q·100 in float64
// is not the decimal the user typed for many percentiles.
func TestPercentileFrameNameIsTheDecimalPercent(t *testing.T) {
	for q, want := range map[float64]string{0.55: "p55", 0.07: "p7", 0.29: "p29", 0.58: "p58", 0.999: "p99.9"} {
		if got := Percentile(q, nil, nil, nil).Name; got != want {
			t.Errorf("percentile %v: frame name %q, want %q", q, got, want)
		}
	}
}

// A series left out for lack of traffic passes its notices (a store's warning) to the
// first series kept, on a copy: the frames given are not changed.
func TestPercentilesForAlertKeepsNoticesWithoutChangingItsInput(t *testing.T) {
	quiet := Percentile(0.99, map[string]string{"route": "/a"}, []int64{1000, 2000}, []float64{math.NaN(), math.NaN()})
	Notice(quiet, data.NoticeSeverityWarning, "prometheus: partial answer")
	busy := Percentile(0.99, map[string]string{"route": "/b"}, []int64{1000, 2000}, []float64{12, math.NaN()})
	before := len(busy.Meta.Notices)
	out := PercentilesForAlert([]*data.Frame{quiet, busy})
	if len(out) != 1 || out[0].Rows() != 1 {
		t.Fatalf("%d frames, want the busy route's with its one point", len(out))
	}
	if n := out[0].Meta.Notices; len(n) != before+1 || n[len(n)-1].Text != "prometheus: partial answer" {
		t.Errorf("notices %v, want the quiet route's warning kept", n)
	}
	if len(busy.Meta.Notices) != before || busy.Rows() != 2 {
		t.Errorf("the input frame changed: %d notices, %d rows", len(busy.Meta.Notices), busy.Rows())
	}
}
