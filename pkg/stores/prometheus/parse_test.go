package prometheus

import (
	"github.com/latencylens/lens/pkg/stores/storetest"
	"math"
	"strings"
	"testing"
	"time"
)

// read loads a recorded store answer from testdata/.
var read = storetest.Testdata

func TestParseQuery(t *testing.T) {
	d, err := ParseQuery(read(t, "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := d.Series[0].Points
	if d.ResultType != ResultMatrix || len(p) != 4 || p[0].TimeMs != 1700000000500 || p[0].Value != 1 ||
		!math.IsNaN(p[1].Value) || !math.IsInf(p[2].Value, 1) || !math.IsInf(p[3].Value, -1) {
		t.Fatalf("matrix = %+v", d.Series)
	}
	d, err = ParseQuery(read(t, "native_vector.json"))
	if err != nil {
		t.Fatal(err)
	}
	h := d.Series[0].Histograms
	if len(h) != 1 || h[0].Count != 10 || h[0].Sum != 3.5 || len(h[0].Buckets) != 2 || h[0].Buckets[1] != (Bucket{BoundaryClosed, 1, 2, 6}) {
		t.Fatalf("native = %+v", h)
	}
	d, err = ParseQuery(read(t, "scalar.json"))
	if err != nil || d.Scalar == nil || d.Scalar.Value != 42 {
		t.Fatalf("scalar = %+v %v", d, err)
	}
	_, err = ParseQuery(read(t, "error.json"))
	if err == nil || !strings.Contains(err.Error(), "bad_data: 1:5: parse error") {
		t.Fatalf("error envelope: %v", err)
	}
	if msg := ErrorMessage(400, "application/json", read(t, "error.json")); !strings.HasPrefix(msg, "bad_data:") {
		t.Errorf("ErrorMessage = %q", msg)
	}
}

func TestParseExemplars(t *testing.T) {
	set, err := ParseExemplars(read(t, "exemplars.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Exemplars) != 2 || set.Invalid != 1 {
		t.Fatalf("%d exemplars, %d invalid", len(set.Exemplars), set.Invalid)
	}
	if e := set.Exemplars[1]; e.TraceID != "0000000000000000a3ce929d0e0e4736" || e.SpanID != "a2fb4a1d1a96d312" || e.Value != 0.09 {
		t.Errorf("exemplar 1 = %+v", e)
	}
	if e := set.Exemplars[0]; e.TimeUnixNano != 1700000000050*1e6 || e.SeriesLabels["service"] != "checkout" {
		t.Errorf("exemplar 0 = %+v", e)
	}
	if set, err := ParseExemplars([]byte(`{"status":"success","data":null}`)); err != nil || len(set.Exemplars) != 0 {
		t.Errorf("null data: %v", err)
	}
}

func TestBuilders(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"classic", HistogramQuantile(0.99, "http_duration_seconds", `{service="a"}`, 90*time.Second, []string{"service"}, false),
			`histogram_quantile(0.99, sum by (le, service) (rate(http_duration_seconds_bucket{service="a"}[90s])))`},
		{"native", HistogramQuantile(0.5, "h", "", time.Minute, nil, true), `histogram_quantile(0.5, sum by () (rate(h[60s])))`},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, tc.got, tc.want)
		}
	}
}

func TestStep(t *testing.T) {
	start := time.Unix(0, 0)
	tests := []struct {
		name          string
		end           time.Duration
		interval, min time.Duration
		maxPoints     int64
		want          time.Duration
	}{
		{"interval", time.Hour, 15 * time.Second, 0, 1000, 15 * time.Second},
		{"min step wins", time.Hour, time.Second, 30 * time.Second, 1000, 30 * time.Second},
		{"max points", 10 * time.Hour, time.Second, 0, 100, 6 * time.Minute},
		{"store limit", 100 * 24 * time.Hour, time.Second, 0, 0, 785455 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := Step(start, start.Add(tc.end), tc.interval, tc.min, tc.maxPoints); got != tc.want {
			t.Errorf("%s: step %s want %s", tc.name, got, tc.want)
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, n := range []string{"matrix.json", "native_vector.json", "scalar.json", "error.json"} {
		f.Add(read(f, n))
	}
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseQuery(b) })
}

func FuzzParseExemplars(f *testing.F) {
	f.Add(read(f, "exemplars.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		set, err := ParseExemplars(b)
		if err == nil {
			for _, e := range set.Exemplars {
				if len(e.TraceID) != 32 {
					t.Fatalf("trace ID %q", e.TraceID)
				}
			}
		}
	})
}
