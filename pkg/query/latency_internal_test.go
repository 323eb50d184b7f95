package query

import (
	"math"
	"testing"
)

func TestTraceQLQuantileMsTreatsAnEmptyStepAsNoData(t *testing.T) {
	tests := []struct {
		name    string
		seconds float64
		want    float64
	}{
		{name: "empty step (value omitted)", seconds: 0, want: math.NaN()},
		{name: "250 ms bucket", seconds: 0.268435456, want: 268.435456},
		{name: "one second", seconds: 1, want: 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := traceQLQuantileMs(tt.seconds)
			if math.IsNaN(tt.want) != math.IsNaN(got) || (!math.IsNaN(tt.want) && math.Abs(got-tt.want) > 1e-9) {
				t.Fatalf("traceQLQuantileMs(%v) = %v, want %v", tt.seconds, got, tt.want)
			}
		})
	}
}
