package latency

import (
	"fmt"
	"math"
)

// Summary describes the requests of one window.
type Summary struct {
	Count     float64 // N: requests (a float: from Prometheus it is an increase)
	Mean      float64 // mean duration, NaN when N = 0
	TPS       float64 // λ = N / T, requests per second over the window T
	ErrorRate float64 // errors / N in [0, 1], NaN when N = 0
	Rho       float64 // ρ = λ / μ, utilisation against the service rate μ; only when HasRho
	HasRho    bool    // a service rate was given
}

// Summarize builds the summary from totals: count requests whose durations
// add up to sum, of which errors failed, in a window of windowSeconds.
// serviceRate is μ in requests per second, 0 for none. Errors (ErrInvalid):
// a window that is not a positive finite number, a negative or NaN count or
// sum, errors outside [0, count], a negative, infinite or NaN service rate.
func Summarize(count, sum, errors, windowSeconds, serviceRate float64) (Summary, error) {
	switch {
	case !(windowSeconds > 0) || math.IsInf(windowSeconds, 1):
		return Summary{}, fmt.Errorf("%w: window of %v s", ErrInvalid, windowSeconds)
	case !(count >= 0) || math.IsInf(count, 1):
		return Summary{}, fmt.Errorf("%w: count %v", ErrInvalid, count)
	case sum != sum:
		return Summary{}, fmt.Errorf("%w: sum of durations is NaN", ErrInvalid)
	case !(errors >= 0 && errors <= count):
		return Summary{}, fmt.Errorf("%w: %v errors of %v requests", ErrInvalid, errors, count)
	case !(serviceRate >= 0) || math.IsInf(serviceRate, 1):
		return Summary{}, fmt.Errorf("%w: service rate %v", ErrInvalid, serviceRate)
	}
	s := Summary{Count: count, Mean: math.NaN(), ErrorRate: math.NaN(), TPS: count / windowSeconds}
	if count > 0 {
		s.Mean = sum / count
		s.ErrorRate = errors / count
	}
	if serviceRate > 0 {
		s.Rho, s.HasRho = s.TPS/serviceRate, true
	}
	return s, nil
}

// SummarizeDurations is Summarize over raw durations: N counts the non-NaN
// durations (NaN is skipped, as everywhere in this package) and their sum is
// compensated (Neumaier), so the mean of 10M values keeps its precision.
func SummarizeDurations(durations []float64, errors int, windowSeconds, serviceRate float64) (Summary, error) {
	n, sum, c := 0, 0.0, 0.0
	for _, x := range durations {
		if x != x {
			continue
		}
		n++
		t := sum + x
		if math.Abs(sum) >= math.Abs(x) {
			c += (sum - t) + x
		} else {
			c += (x - t) + sum
		}
		sum = t
	}
	if !math.IsInf(sum, 0) {
		sum += c
	}
	return Summarize(float64(n), sum, float64(errors), windowSeconds, serviceRate)
}
