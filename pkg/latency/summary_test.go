package latency

import (
	"errors"
	"math"
	"testing"
)

func TestSummarize(t *testing.T) {
	nan := math.NaN()
	type in struct{ count, sum, errors, window, mu float64 }
	tests := []struct {
		name string
		in   in
		want Summary
	}{
		{"with service rate", in{600, 30, 6, 60, 20}, Summary{Count: 600, Mean: 0.05, TPS: 10, ErrorRate: 0.01, Rho: 0.5, HasRho: true}},
		{"no service rate", in{600, 30, 0, 60, 0}, Summary{Count: 600, Mean: 0.05, TPS: 10, ErrorRate: 0}},
		{"no requests", in{0, 0, 0, 60, 20}, Summary{Count: 0, Mean: nan, TPS: 0, ErrorRate: nan, Rho: 0, HasRho: true}},
		{"fractional counts from rates", in{1.5, 0.3, 0.5, 1, 0}, Summary{Count: 1.5, Mean: 0.2, TPS: 1.5, ErrorRate: 1.0 / 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Summarize(tc.in.count, tc.in.sum, tc.in.errors, tc.in.window, tc.in.mu)
			if err != nil {
				t.Fatal(err)
			}
			if !sameFloat(got.Count, tc.want.Count) || !sameFloat(got.Mean, tc.want.Mean) || !sameFloat(got.TPS, tc.want.TPS) ||
				!sameFloat(got.ErrorRate, tc.want.ErrorRate) || !sameFloat(got.Rho, tc.want.Rho) || got.HasRho != tc.want.HasRho {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSummarizeRejects(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name                           string
		count, sum, errors, window, mu float64
	}{
		{"zero window", 10, 1, 0, 0, 0},
		{"negative window", 10, 1, 0, -5, 0},
		{"NaN window", 10, 1, 0, nan, 0},
		{"infinite window", 10, 1, 0, inf, 0},
		{"negative count", -1, 1, 0, 60, 0},
		{"NaN sum", 10, nan, 0, 60, 0},
		{"more errors than requests", 10, 1, 11, 60, 0},
		{"negative errors", 10, 1, -1, 60, 0},
		{"negative service rate", 10, 1, 0, 60, -1},
		{"NaN service rate", 10, 1, 0, 60, nan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Summarize(tc.count, tc.sum, tc.errors, tc.window, tc.mu); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestSummarizeDurations(t *testing.T) {
	got, err := SummarizeDurations([]float64{0.1, math.NaN(), 0.3, 0.2, 0.4}, 1, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	// 4 non-NaN durations, mean 0.25, λ = 4/2 = 2, ρ = 2/4
	want := Summary{Count: 4, Mean: 0.25, TPS: 2, ErrorRate: 0.25, Rho: 0.5, HasRho: true}
	if !sameFloat(got.Mean, want.Mean) || got.Count != want.Count || got.TPS != want.TPS ||
		got.ErrorRate != want.ErrorRate || got.Rho != want.Rho || !got.HasRho {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	// compensated sum: 1e8 values of 0.1 would drift; 1 big + many small shows it
	d := []float64{1e16}
	for range 1000 {
		d = append(d, 1)
	}
	s, err := SummarizeDurations(d, 0, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := (1e16 + 1000) / 1001; s.Mean != want {
		t.Fatalf("mean %v, want %v", s.Mean, want)
	}
}
