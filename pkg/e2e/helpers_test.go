package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/plugin"
	"github.com/latencylens/lens/pkg/testenv"
)

// E2EEnv turns the tier on without making missing pieces fatal.
const E2EEnv = "LATENCYLENS_E2E"

// requireE2E skips unless the tier was asked for.
func requireE2E(t *testing.T) {
	t.Helper()
	if os.Getenv(E2EEnv) == "" && os.Getenv(testenv.RequireStoresEnv) == "" {
		t.Skipf("end-to-end tier: set %s=1 (or %s=1 to fail on anything missing)", E2EEnv, testenv.RequireStoresEnv)
	}
}

// histogramMetric is the web app's request-latency histogram.
const histogramMetric = "http_server_request_duration_seconds"

// getJSON fetches u and decodes a JSON body into v; non-2xx is an error with the body.
func getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("GET %s: %d: %.500s", u, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w: %.300s", u, err, body)
	}
	return nil
}

// eventually retries f until it returns nil or timeout passes, and returns the last error.
func eventually(timeout time.Duration, f func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// promVector runs an instant query and returns (labels, value) pairs.
func promVector(ctx context.Context, promURL, q string, at time.Time) ([]map[string]string, []float64, error) {
	v := url.Values{"query": {q}, "time": {strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64)}}
	var env struct {
		Status string `json:"status"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := getJSON(ctx, promURL+"/api/v1/query?"+v.Encode(), &env); err != nil {
		return nil, nil, err
	}
	var labels []map[string]string
	var vals []float64
	for _, r := range env.Data.Result {
		s, _ := r.Value[1].(string)
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("value %q: %w", s, err)
		}
		labels = append(labels, r.Metric)
		vals = append(vals, f)
	}
	return labels, vals, nil
}

// quantileType7 is the ground truth's quantile definition (R type 7).
func quantileType7(sorted []float64, q float64) float64 {
	h := float64(len(sorted)-1) * q
	i := int(math.Floor(h))
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (sorted[i+1]-sorted[i])*(h-float64(i))
}

// quantileBucketRange is where a histogram estimate of the q-quantile of values may lie:
// from the lower bound of the bucket holding the order statistic below the quantile to
// the upper bound of the bucket holding the one above it. les are ascending finite
// upper bounds.
func quantileBucketRange(values []float64, q float64, les []float64) (lo, hi float64) {
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	h := float64(len(s)-1) * q
	below, above := s[int(math.Floor(h))], s[min(int(math.Ceil(h)), len(s)-1)]
	// Prometheus ranks by q·N among cumulative counts; include that order statistic too.
	rank := s[min(max(int(math.Ceil(q*float64(len(s))))-1, 0), len(s)-1)]
	lo, _ = bucketOf(les, math.Min(below, rank))
	_, hi = bucketOf(les, math.Max(above, rank))
	return lo, hi
}

// bucketOf returns the bucket (lower, upper] holding v.
func bucketOf(les []float64, v float64) (float64, float64) {
	lo := 0.0
	for _, le := range les {
		if v <= le {
			return lo, le
		}
		lo = le
	}
	return lo, math.Inf(1)
}

// observedSeconds returns the server-side latencies of the ground truth in seconds.
func observedSeconds(t *testing.T, gt *GroundTruth) []float64 {
	t.Helper()
	out := make([]float64, 0, len(gt.Requests))
	for _, r := range gt.Requests {
		if r.ObservedMs == nil {
			t.Fatalf("request %s has no server-side latency (status %d)", r.ID, r.Status)
		}
		out = append(out, *r.ObservedMs/1000)
	}
	return out
}

// newDatasource builds a backend instance the way Grafana does.
func newDatasource(t *testing.T, jsonData map[string]any) backend.QueryDataHandler {
	t.Helper()
	raw, err := json.Marshal(jsonData)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := plugin.NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
		UID: "lens-e2e", Name: "Latency Lens e2e", JSONData: raw, DecryptedSecureJSONData: map[string]string{},
	})
	if err != nil {
		t.Fatal(err)
	}
	h, ok := inst.(backend.QueryDataHandler)
	if !ok {
		t.Fatalf("instance %T does not handle QueryData", inst)
	}
	return h
}

// runQuery sends one query; a transport error, a response error or an error notice on a
// frame is returned as an error.
func runQuery(ds backend.QueryDataHandler, from, to time.Time, interval time.Duration, maxPoints int64, q map[string]any) (backend.DataResponse, error) {
	q["version"] = 1
	raw, _ := json.Marshal(q)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, err := ds.QueryData(ctx, &backend.QueryDataRequest{
		Queries: []backend.DataQuery{{
			RefID: "A", QueryType: q["queryType"].(string), JSON: raw,
			TimeRange: backend.TimeRange{From: from, To: to}, Interval: interval, MaxDataPoints: maxPoints,
		}},
	})
	if err != nil {
		return backend.DataResponse{}, fmt.Errorf("QueryData: %w", err)
	}
	r := resp.Responses["A"]
	if r.Error != nil {
		return r, fmt.Errorf("%s query: %v (query %s)", q["queryType"], r.Error, raw)
	}
	for _, f := range r.Frames {
		if f.Meta == nil {
			continue
		}
		for _, n := range f.Meta.Notices {
			if n.Severity == data.NoticeSeverityError {
				return r, fmt.Errorf("%s query: frame %q carries an error notice: %s", q["queryType"], f.Name, n.Text)
			}
		}
	}
	return r, nil
}

// queryData is runQuery that fails the test on any error.
func queryData(t *testing.T, ds backend.QueryDataHandler, from, to time.Time, interval time.Duration, maxPoints int64, q map[string]any) backend.DataResponse {
	t.Helper()
	r, err := runQuery(ds, from, to, interval, maxPoints, q)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// framesOfKind returns the frames whose meta.custom.lensKind is kind.
func framesOfKind(fs data.Frames, kind string) []*data.Frame {
	var out []*data.Frame
	for _, f := range fs {
		if f.Meta == nil || f.Meta.Custom == nil {
			continue
		}
		b, _ := json.Marshal(f.Meta.Custom)
		var m map[string]any
		if json.Unmarshal(b, &m) == nil && m[frames.LensKindKey] == kind {
			out = append(out, f)
		}
	}
	return out
}

// column returns field name of f as strings (nil if absent), for string or *string fields.
func column(f *data.Frame, name string) []string {
	fld, _ := f.FieldByName(name)
	if fld == nil {
		return nil
	}
	out := make([]string, fld.Len())
	for i := range out {
		switch v := fld.At(i).(type) {
		case string:
			out[i] = v
		case *string:
			if v != nil {
				out[i] = *v
			}
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}

// floats returns a numeric field as float64 (NaN for nulls).
func floats(f *data.Frame, name string) []float64 {
	fld, _ := f.FieldByName(name)
	if fld == nil {
		return nil
	}
	out := make([]float64, fld.Len())
	for i := range out {
		v, ok := fld.ConcreteAt(i)
		if !ok {
			out[i] = math.NaN()
			continue
		}
		switch x := v.(type) {
		case float64:
			out[i] = x
		case float32:
			out[i] = float64(x)
		case int64:
			out[i] = float64(x)
		case int32:
			out[i] = float64(x)
		case uint64:
			out[i] = float64(x)
		case int:
			out[i] = float64(x)
		default:
			out[i] = math.NaN()
		}
	}
	return out
}

// runWindow is the time range of a one-step latency query over the whole load run:
// from a little before the first request to a scrape after the last. Both ends are
// whole milliseconds, so a step equal to the range lands exactly on the end.
func runWindow(gt *GroundTruth, settled time.Time) (from, to time.Time) {
	return gt.Start().Add(-5 * time.Second).Truncate(time.Millisecond), settled.Truncate(time.Millisecond)
}
