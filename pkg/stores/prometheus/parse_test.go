package prometheus

import (
	"encoding/json"
	"math"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/storetest"
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

func TestParseMetadataNames(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []string
		wantErr string
	}{
		{name: "classic and native histograms, a name with two entries",
			body: string(read(t, "metadata.json")),
			want: []string{"checkout_native_duration_seconds", "checkout_request_duration_seconds", "payment_wait_seconds"}},
		{name: "no metadata", body: `{"status":"success","data":{}}`},
		{name: "null data", body: `{"status":"success","data":null}`},
		{name: "null entry list", body: `{"status":"success","data":{"a":null}}`},
		{name: "error envelope", body: string(read(t, "error.json")), wantErr: "bad_data: 1:5: parse error"},
		{name: "error envelope without a message", body: `{"status":"error"}`, wantErr: "without a message"},
		{name: "data is a list", body: `{"status":"success","data":["a"]}`, wantErr: "metadata: data is not an object"},
		{name: "type is not a string", body: `{"status":"success","data":{"a":[{"type":1}]}}`, wantErr: "metadata: data is not an object"},
		{name: "empty metric name", body: `{"status":"success","data":{"":[{"type":"histogram"}]}}`, wantErr: "empty metric name"},
		{name: "not JSON", body: `<html>`, wantErr: "not the API's JSON envelope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMetadataNames([]byte(tc.body), MetricTypeHistogram)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("names %q, want %q", got, tc.want)
			}
		})
	}
	got, err := ParseMetadataNames(read(t, "metadata.json"), "counter")
	if err != nil || len(got) != 1 || got[0] != "checkout_requests_total" {
		t.Errorf("counters: %q %v", got, err)
	}
}

func TestParseLabelValues(t *testing.T) {
	got, err := ParseLabelValues(read(t, "label_values.json"))
	if err != nil || len(got) != 4 {
		t.Fatalf("%q %v", got, err)
	}
	if h := HistogramMetricNames(got); len(h) != 1 || h[0] != "checkout_request_duration_seconds" {
		t.Errorf("histogram names %q", h)
	}
	if _, err := ParseLabelValues([]byte(`{"status":"success","data":{"a":1}}`)); err == nil || !strings.Contains(err.Error(), "not a list of strings") {
		t.Errorf("object data: %v", err)
	}
}

func TestErrorMessage(t *testing.T) {
	long := strings.Repeat("é", 400) // 800 bytes: a cut at 512 bytes falls on a rune start
	tests := []struct{ name, body, want string }{
		{"envelope", string(read(t, "error.json")), "bad_data: 1:5: parse error: unclosed left parenthesis"},
		{"envelope without a message", `{"status":"error","errorType":"internal"}`, "internal: the store answered status error without a message"},
		{"plain body from a proxy, trimmed", "  upstream connect error\n", "upstream connect error"},
		{"long plain body cut on a rune boundary", "x" + long, "x" + strings.Repeat("é", 255) + "…"},
	}
	for _, tc := range tests {
		if got := ErrorMessage(502, "text/plain", []byte(tc.body)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// seeds are the package's recorded answers, for every parser's fuzz target.
func seeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, n := range []string{"matrix.json", "native_vector.json", "scalar.json", "error.json", "exemplars.json", "metadata.json", "label_values.json"} {
		out = append(out, read(f, n))
	}
	return out
}

func FuzzParseMetadataNames(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	f.Add([]byte(`{"status":"success","data":{"":[{"type":"histogram"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		names, err := ParseMetadataNames(b, MetricTypeHistogram)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			return
		}
		if !sort.StringsAreSorted(names) {
			t.Fatalf("names not sorted: %q", names)
		}
		for i, n := range names {
			if n == "" || (i > 0 && names[i-1] == n) {
				t.Fatalf("empty or repeated name in %q", names)
			}
		}
	})
}

func FuzzParseLabelValues(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		values, err := ParseLabelValues(b)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			return
		}
		for _, h := range HistogramMetricNames(values) {
			if h == "" {
				t.Fatalf("empty histogram name from %q", values)
			}
		}
	})
}

func FuzzErrorMessage(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	f.Add([]byte(`{"status":"error"}`))
	f.Add([]byte(strings.Repeat("é", 300)))
	f.Fuzz(func(t *testing.T, b []byte) {
		msg := ErrorMessage(500, "application/json", b)
		if utf8.Valid(b) && !utf8.ValidString(msg) {
			t.Fatalf("valid UTF-8 body gave invalid UTF-8 message %q", msg)
		}
		var env Envelope
		if json.Unmarshal(b, &env) == nil && env.Status == "error" {
			if msg == "" || !strings.Contains(msg, env.Error) || !strings.HasPrefix(msg, env.ErrorType) {
				t.Fatalf("envelope %+v gave message %q", env, msg)
			}
			return
		}
		if len(msg) > httpx.MaxMessage+len("…") || msg != strings.TrimSpace(msg) && !strings.HasSuffix(msg, "…") {
			t.Fatalf("plain body gave %d-byte message %q", len(msg), msg)
		}
	})
}
