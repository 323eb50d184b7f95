package tempo

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/storetest"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseTrace(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		parse   func([]byte) (*model.Trace, error)
		spans   int
		partial bool
	}{
		{"v2 scopeSpans base64 enum names", "trace_v2.json", ParseTraceV2, 3, false},
		{"v1 batches instrumentationLibrarySpans", "trace_v1.json", ParseTraceV1, 3, false},
		{"v2 partial", "trace_v2_partial.json", ParseTraceV2, 2, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := tc.parse(read(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if tr.Partial != tc.partial {
				t.Errorf("partial = %t", tr.Partial)
			}
			if tc.partial {
				if len(tr.Spans) != tc.spans || len(tr.Warnings) == 0 || !strings.Contains(tr.Warnings[0], "larger than max size") {
					t.Errorf("partial trace: %d spans, warnings %q", len(tr.Spans), tr.Warnings)
				}
				return
			}
			storetest.AssertCheckoutTrace(t, tr, storetest.CheckoutSpans)
			for _, s := range tr.Spans {
				if s.SpanID == storetest.PaySpanID {
					if len(s.Tags) != 1 || s.Tags[0].Value != int64(500) {
						t.Errorf("quoted int64 attribute = %#v", s.Tags)
					}
				}
			}
		})
	}
}

func TestParseTraceErrors(t *testing.T) {
	for _, in := range []string{``, `{}`, `{"batches":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"x"}]}]}]}`, `[]`} {
		if _, err := ParseTraceV1([]byte(in)); err == nil {
			t.Errorf("ParseTraceV1(%q): want error", in)
		}
	}
	if _, err := ParseTraceV2([]byte(`{"status":"COMPLETE"}`)); err == nil {
		t.Error("v2 without trace: want error")
	}
}

func TestParseSearch(t *testing.T) {
	hits, dropped, err := ParseSearch(read(t, "search.json"))
	if err != nil || dropped != 0 || len(hits) != 2 {
		t.Fatalf("hits %d dropped %d err %v", len(hits), dropped, err)
	}
	h := hits[0]
	if h.TraceID != storetest.CheckoutTraceID || h.RootService != "frontend" || h.SpanCount != 3 || !h.HasError || h.DurationMs != 120 || h.StartUnixNano != storetest.BaseUnixNano {
		t.Errorf("hit 0 = %+v", h)
	}
	// Leading zeros stripped by Tempo come back.
	if hits[1].TraceID != "00002f3577b34da6a3ce929d0e0e4736" || hits[1].SpanCount != 2 || hits[1].HasError {
		t.Errorf("hit 1 = %+v", hits[1])
	}
}

func TestParseMetrics(t *testing.T) {
	series, err := ParseMetrics(read(t, "metrics.json"))
	if err != nil || len(series) != 2 {
		t.Fatalf("%d series, %v", len(series), err)
	}
	if series[0].Labels["p"] != "0.99" || series[0].Samples[0].TimeMs != 1700000000000 || series[0].Samples[1].Value != 0.25 {
		t.Errorf("series 0 = %+v (want sorted by time)", series[0])
	}
	if series[1].Samples[0].Value != 0 {
		t.Errorf("omitted value must read as 0: %+v", series[1])
	}
}

func TestTraceQLBuilders(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"selector", SpanSelector("api", `GET "x"`, map[string]string{"http.status_code": "500"}, 100*time.Millisecond, 0, "span.retry = true"),
			`{ resource.service.name = "api" && name = "GET \"x\"" && .http.status_code = "500" && duration >= 100ms && (span.retry = true) }`},
		{"empty", SpanSelector("", "", nil, 0, 0, ""), "{}"},
		{"quantiles", QuantileOverTime(`{ name = "a" }`, []float64{0.5, 0.99}, []string{"resource.service.name"}),
			`{ name = "a" } | quantile_over_time(duration, 0.5, 0.99) by (resource.service.name)`},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, tc.got, tc.want)
		}
	}
}

func FuzzParseTraceV2(f *testing.F) {
	f.Add(read(f, "trace_v2.json"))
	f.Add(read(f, "trace_v2_partial.json"))
	f.Add([]byte(`{"trace":{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"AA==","kind":7,"status":{"code":"X"}}]}]}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := ParseTraceV2(b)
		if err == nil {
			for _, s := range tr.Spans {
				if len(s.TraceID) != 32 || len(s.SpanID) != 16 || s.DurationNano < 0 {
					t.Fatalf("bad span %+v", s)
				}
			}
		}
	})
}

func FuzzParseTraceV1(f *testing.F) {
	f.Add(read(f, "trace_v1.json"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseTraceV1(b) })
}

func FuzzParseSearch(f *testing.F) {
	f.Add(read(f, "search.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		hits, _, err := ParseSearch(b)
		if err == nil {
			for _, h := range hits {
				if len(h.TraceID) != 32 {
					t.Fatalf("bad trace ID %q", h.TraceID)
				}
			}
		}
	})
}

func FuzzParseMetrics(f *testing.F) {
	f.Add(read(f, "metrics.json"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseMetrics(b) })
}
