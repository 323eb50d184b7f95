package frames

import "testing"

// The percentile frame's name is the legend Grafana shows ("p55"); q·100 in float64
// is not the decimal the user typed for many percentiles.
func TestPercentileFrameNameIsTheDecimalPercent(t *testing.T) {
	for q, want := range map[float64]string{0.55: "p55", 0.07: "p7", 0.29: "p29", 0.58: "p58", 0.999: "p99.9"} {
		if got := Percentile(q, nil, nil, nil).Name; got != want {
			t.Errorf("percentile %v: frame name %q, want %q", q, got, want)
		}
	}
}
