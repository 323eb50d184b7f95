package query

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/frames"
)

// When the configured line limit cuts the read, the lines kept are the earliest ones:
// they cover the start of the range only, and the summary's rate is theirs over the time
// they cover, not over the whole range (which would show a fraction of the real rate).
func TestLatencyFromLogsTPSOverTheTimeTheKeptLinesCover(t *testing.T) {
	// One request every 10 s over the whole hour (0.1/s), 25 ms each.
	var vals []string
	for i := range 360 {
		ns := replayFrom.Add(0).UnixNano() + int64(i)*10e9 + 5e9
		vals = append(vals, fmt.Sprintf(`["%d","x",{"parsed":{"latency_ms":"25"}}]`, ns))
	}
	for _, tc := range []struct {
		limit string
		want  float64
	}{
		{`{"maxLogLines":60}`, 60.0 / 605}, // the 61st line (dropped) is at 605 s
		{`{"maxLogLines":1000}`, 0.1},      // all of them: the whole range
	} {
		t.Run(tc.limit, func(t *testing.T) {
			lk := lokiLatencyReplay(t, "["+strings.Join(vals, ",")+"]")
			env := replayEnv(t, lk, nil, "", tc.limit)
			q := Query{Source: SourceLogs, EditorMode: ModeCode, Expr: `{app="x"} | logfmt | unwrap latency_ms | __error__=""`, Percentiles: []float64{0.5}}
			res := Latency(context.Background(), env, latencyRequest(&q))
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			s := framesOfKind(res.Frames, frames.KindSummary)[0]
			f, _ := s.FieldByName(frames.SummaryTPS)
			if got := f.At(0).(float64); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("tps %v, want %v", got, tc.want)
			}
			said := false
			for _, n := range s.Meta.Notices {
				said = said || strings.Contains(n.Text, "cover the first 10m5s of the range")
			}
			if cut := tc.want != 0.1; said != cut {
				t.Errorf("notices %+v: a note on the time covered is wanted: %v", s.Meta.Notices, cut)
			}
		})
	}
}
