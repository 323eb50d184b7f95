package query

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
)

// exemplarsAnswer is a query_exemplars answer: for each series, n exemplars at seeded
// random times in [from, to) with seeded random values.
func exemplarsAnswer(rng *rand.Rand, series []string, n int, from, to time.Time) (string, []model.Exemplar) {
	type ex struct {
		Labels    map[string]string `json:"labels"`
		Value     string            `json:"value"`
		Timestamp float64           `json:"timestamp"`
	}
	type set struct {
		SeriesLabels map[string]string `json:"seriesLabels"`
		Exemplars    []ex              `json:"exemplars"`
	}
	var sets []set
	var all []model.Exemplar
	span := to.Sub(from).Milliseconds()
	for _, route := range series {
		s := set{SeriesLabels: map[string]string{"__name__": "http_duration_seconds_bucket", "route": route}}
		for range n {
			ms := from.UnixMilli() + rng.Int64N(span)
			v := fmt.Sprintf("%.4f", rng.Float64())
			tid := fmt.Sprintf("%032x", rng.Uint64())
			s.Exemplars = append(s.Exemplars, ex{Labels: map[string]string{"trace_id": tid}, Value: v, Timestamp: float64(ms) / 1000})
			var fv float64
			fmt.Sscan(v, &fv)
			all = append(all, model.Exemplar{TimeUnixNano: ms * 1e6, Value: fv, TraceID: tid, SeriesLabels: s.SeriesLabels})
		}
		sets = append(sets, s)
	}
	b, _ := json.Marshal(map[string]any{"status": "success", "data": sets})
	return string(b), all
}

// A week of a busy histogram holds tens of thousands of exemplars. Drawn one marker
// each, they hide the series and stall the browser; Grafana's own Prometheus data source
// thins them per step. The metrics query keeps, of each series in each step of the
// range query, the exemplar with the highest value (the slow request the user is looking
// for), says how many it left out, and keeps every one when there are no more than that.
func TestMetricsExemplarsKeepTheSlowestOfEachSeriesPerStep(t *testing.T) {
	matrix := `{"status":"success","data":{"resultType":"matrix","result":[]}}`
	rng := rand.New(rand.NewPCG(2026, 12))
	from, to := replayFrom.Add(7*time.Second), replayTo.Add(7*time.Second)
	const step = time.Minute // 1 h range, 1 m interval
	for _, tc := range []struct {
		name      string
		perSeries int
	}{{"many", 2000}, {"few", 3}} {
		t.Run(tc.name, func(t *testing.T) {
			body, sent := exemplarsAnswer(rng, []string{"/pay", "/cart", "/login"}, tc.perSeries, from, to)
			prom := newStoreReplay(t, map[string]answer{"/api/v1/query_range": jsonAnswer(matrix), "/api/v1/query_exemplars": jsonAnswer(body)})
			resp := Metrics(context.Background(), metricsReplayEnv(t, prom), Request{Query: &Query{QueryType: TypeMetrics, Version: 1, Expr: `http_duration_seconds_bucket`},
				From: from, To: to, Interval: time.Minute, MaxDataPoints: 1000})
			if resp.Error != nil {
				t.Fatal(resp.Error)
			}
			f := resp.Frames[len(resp.Frames)-1]
			// The highest value of each (series, step), worked out here from what was sent.
			best := map[string]model.Exemplar{}
			for _, e := range sent {
				k := fmt.Sprint(e.SeriesLabels["route"], "/", (e.TimeUnixNano/int64(step))*int64(step))
				if b, ok := best[k]; !ok || e.Value > b.Value {
					best[k] = e
				}
			}
			want := make([]string, 0, len(best))
			for _, e := range best {
				want = append(want, e.TraceID)
			}
			tidField, _ := f.FieldByName(frames.ExemplarTraceID)
			if tidField == nil {
				t.Fatalf("no %s field", frames.ExemplarTraceID)
			}
			got := make([]string, tidField.Len())
			for i := range got {
				got[i] = tidField.At(i).(string)
			}
			sort.Strings(want)
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("kept %d exemplars, want the %d highest of each series per step", len(got), len(want))
			}
			dropped := len(sent) - len(want)
			notice := noticeText(f)
			if dropped > 0 && !strings.Contains(notice, fmt.Sprintf("%d of %d exemplars", len(want), len(sent))) {
				t.Errorf("notice %q does not say %d of %d exemplars are shown", notice, len(want), len(sent))
			}
			if dropped == 0 && strings.Contains(notice, "exemplars") {
				t.Errorf("nothing was left out, yet the notice says %q", notice)
			}
		})
	}
}

// The store's warnings and infos on its exemplars answer (Prometheus's envelope carries
// them on every endpoint; a remote-read or federated store fills them in) reach the
// exemplars frame as notices, as those of the series reach the series.
func TestMetricsExemplarsKeepTheStoresAnnotations(t *testing.T) {
	matrix := `{"status":"success","data":{"resultType":"matrix","result":[]}}`
	body := `{"status":"success","data":[],"warnings":["remote read of store-b timed out: exemplars may be missing"],"infos":["exemplar storage is 90% full"]}`
	prom := newStoreReplay(t, map[string]answer{"/api/v1/query_range": jsonAnswer(matrix), "/api/v1/query_exemplars": jsonAnswer(body)})
	resp := Metrics(context.Background(), metricsReplayEnv(t, prom), Request{Query: &Query{QueryType: TypeMetrics, Version: 1, Expr: `http_duration_seconds_bucket`},
		From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000})
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	f := resp.Frames[len(resp.Frames)-1]
	if kind, _ := f.Meta.Custom.(map[string]any)[frames.LensKindKey].(string); kind != frames.KindExemplars {
		t.Fatalf("last frame is %q, want the exemplars frame", kind)
	}
	var warn, info bool
	for _, n := range f.Meta.Notices {
		warn = warn || (n.Severity == data.NoticeSeverityWarning && strings.Contains(n.Text, "remote read of store-b timed out"))
		info = info || (n.Severity == data.NoticeSeverityInfo && strings.Contains(n.Text, "exemplar storage is 90% full"))
	}
	if !warn || !info {
		t.Errorf("notices %q, want the store's warning and info", noticeText(f))
	}
}
