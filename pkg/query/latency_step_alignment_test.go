package query

import (
	"math/rand/v2"
	"testing"
	"time"
)

// A dashboard refreshing every few seconds asks for a range that moves with the clock.
// Prometheus (through this backend), Loki and Tempo put the points of a range query on
// multiples of the step, so a refresh only adds points; the percentiles computed here
// from raw spans (Jaeger, or Tempo without TraceQL metrics) must do the same. Stamped
// at from + k·step instead, every refresh regroups the spans, and the same past minute
// shows another p99 each time.
func TestStepQuantilesStandOnMultiplesOfTheStep(t *testing.T) {
	const step = time.Minute
	t0 := time.Unix(1_699_999_980, 0) // a multiple of the step
	rng := rand.New(rand.NewPCG(7, 11))
	var dur []float64
	var start []int64
	for s := time.Duration(0); s < 3*time.Hour; s += 700 * time.Millisecond {
		dur = append(dur, 1+rng.ExpFloat64()*100)
		start = append(start, t0.Add(s).UnixNano())
	}
	at := func(from time.Time) map[int64]float64 {
		to := from.Add(time.Hour)
		p := latencyPlan{qs: []float64{0.99}, from: from, to: to, rng: time.Hour, step: step}
		times, vals := stepQuantiles(dur, start, p)
		out := map[int64]float64{}
		for i, ms := range times {
			if ms%step.Milliseconds() != 0 && ms != to.UnixMilli() {
				t.Errorf("range from %v: point %d at %v, not on a multiple of the step (nor at the range's end)",
					from.UTC(), i, time.UnixMilli(ms).UTC())
			}
			if ms < from.UnixMilli() || ms > to.UnixMilli() {
				t.Errorf("range from %v: point %d at %v, outside the range", from.UTC(), i, time.UnixMilli(ms).UTC())
			}
			out[ms] = vals[0][i]
		}
		return out
	}
	base := t0.Add(30 * time.Minute)
	before := at(base)
	for _, shift := range []time.Duration{17 * time.Second, 59*time.Second + 999*time.Millisecond, 5 * time.Minute} {
		after := at(base.Add(shift))
		// The steps both ranges hold whole: after the later start's step, before the
		// earlier end's.
		lo, hi := base.Add(shift).Add(step).UnixMilli(), base.Add(time.Hour).Add(-step).UnixMilli()
		same := 0
		for ms, v := range before {
			if ms < lo || ms > hi {
				continue
			}
			w, ok := after[ms]
			if !ok {
				t.Errorf("shift %v: no point at %v in the later range", shift, time.UnixMilli(ms).UTC())
				continue
			}
			if v != w {
				t.Errorf("shift %v: p99 at %v is %v, and %v when the range moved", shift, time.UnixMilli(ms).UTC(), v, w)
			}
			same++
		}
		if same < 50 {
			t.Errorf("shift %v: only %d points in common", shift, same)
		}
	}
}
