package query

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
)

// jaegerSpan is one span of the replayed trace: service, operation, HTTP status and
// duration in ms; each starts 1 s after the last from 1700000010 s.
type jaegerSpan struct {
	service, op string
	code, durMs int
}

var jaegerTrace = []jaegerSpan{
	{"frontend", "GET /cart", 500, 900},
	{"checkout", "GET /cart", 200, 100},
	{"checkout", "POST /pay", 500, 300},
}

// jaegerV1Search is a v1 /api/traces answer (µs times, processes, typed tags).
func jaegerV1Search(spans []jaegerSpan) string {
	var out []string
	for i, s := range spans {
		out = append(out, fmt.Sprintf(`{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"%016x","flags":1,"operationName":%q,
			"references":[],"startTime":%d,"duration":%d,"tags":[{"key":"span.kind","type":"string","value":"server"},
			{"key":"http.status_code","type":"int64","value":%d}],"logs":[],"processID":"%s","warnings":null}`,
			i+1, s.op, int64(1700000010+i)*1e6, s.durMs*1000, s.code, s.service))
	}
	return `{"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[` + strings.Join(out, ",") + `],
		"processes":{"frontend":{"serviceName":"frontend","tags":[]},"checkout":{"serviceName":"checkout","tags":[{"key":"hostname","type":"string","value":"checkout-1"}]}},
		"warnings":null}],"total":0,"limit":0,"offset":0,"errors":null}`
}

// jaegerV3Search is a v3 /api/v3/traces answer (OTLP/JSON: hex IDs, integer enums,
// int64 as strings).
func jaegerV3Search(spans []jaegerSpan) string {
	var rs []string
	for i, s := range spans {
		start := int64(1700000010+i) * 1e9
		rs = append(rs, fmt.Sprintf(`{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":%q}}]},
			"scopeSpans":[{"scope":{"name":"manual"},"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"%016x",
			"name":%q,"kind":2,"startTimeUnixNano":"%d","endTimeUnixNano":"%d",
			"attributes":[{"key":"http.status_code","value":{"intValue":"%d"}}],"status":{"code":0}}]}]}`,
			s.service, i+1, s.op, start, start+int64(s.durMs)*1e6, s.code))
	}
	return `{"result":{"resourceSpans":[` + strings.Join(rs, ",") + `]}}`
}

func jaegerLatencyReplay(t *testing.T, kind string) (*storeReplay, string) {
	if kind == settings.TraceKindJaegerV3 {
		return newStoreReplay(t, map[string]answer{"/api/v3/traces": jsonAnswer(jaegerV3Search(jaegerTrace))}), "/api/v3/traces"
	}
	return newStoreReplay(t, map[string]answer{"/api/traces": jsonAnswer(jaegerV1Search(jaegerTrace))}), "/api/traces"
}

func TestLatencyFromJaegerSpansAppliesTheSelection(t *testing.T) {
	tests := []struct {
		name          string
		q             Query
		wantService   string
		wantOperation string
		wantCount     float64
		wantMean      float64
	}{
		{name: "builder: service only", q: Query{EditorMode: "builder", Service: "checkout"},
			wantService: "checkout", wantCount: 2, wantMean: 200},
		{name: "builder: span filter", q: Query{EditorMode: "builder", Service: "checkout", SpanFilter: "span.http.status_code >= 500"},
			wantService: "checkout", wantCount: 1, wantMean: 300},
		{name: "builder: operation and a filter with || and parentheses",
			q:           Query{EditorMode: "builder", Service: "checkout", Operation: "GET /cart", SpanFilter: `(span.http.status_code = 200 || duration > 1s) && kind = server`},
			wantService: "checkout", wantOperation: "GET /cart", wantCount: 1, wantMean: 100},
		{name: "code: TraceQL selector",
			q:           Query{EditorMode: ModeCode, Expr: `{ resource.service.name = "checkout" && span.http.status_code >= 500 }`},
			wantService: "checkout", wantCount: 1, wantMean: 300},
		{name: "code: the operation narrows the search",
			q:           Query{EditorMode: ModeCode, Expr: `{ name = "GET /cart" && resource.service.name = "frontend" }`, Service: "stale builder value"},
			wantService: "frontend", wantOperation: "GET /cart", wantCount: 1, wantMean: 900},
	}
	for _, kind := range []string{settings.TraceKindJaegerV1, settings.TraceKindJaegerV3} {
		for _, tt := range tests {
			t.Run(kind+" "+tt.name, func(t *testing.T) {
				js, path := jaegerLatencyReplay(t, kind)
				q := tt.q
				q.Source, q.Percentiles = SourceSpans, []float64{0.5}
				res := Latency(context.Background(), replayEnv(t, nil, js, kind, ""), latencyRequest(&q))
				if res.Error != nil {
					t.Fatal(res.Error)
				}
				svc, op := "service", "operation"
				if kind == settings.TraceKindJaegerV3 {
					svc, op = "query.service_name", "query.operation_name"
				}
				if got := js.params(path, svc); len(got) != 1 || got[0] != tt.wantService {
					t.Errorf("searched service %q, want %q", got, tt.wantService)
				}
				if got := js.params(path, op); len(got) != 1 || got[0] != tt.wantOperation {
					t.Errorf("searched operation %q, want %q", got, tt.wantOperation)
				}
				count, mean := summaryOf(t, res.Frames)
				if count != tt.wantCount || mean != tt.wantMean {
					t.Errorf("count %v mean %v ms, want %v and %v", count, mean, tt.wantCount, tt.wantMean)
				}
				for _, f := range res.Frames {
					if n := noticeText(f); n != "" {
						t.Errorf("%s frame: unexpected notice %q", f.Name, n)
					}
				}
				if p := framesOfKind(res.Frames, frames.KindPercentile); len(p) != 1 {
					t.Errorf("%d percentile frames", len(p))
				}
			})
		}
	}
}

func TestLatencyFromJaegerSpansRefusesWhatItCannotEvaluate(t *testing.T) {
	tests := []struct {
		name    string
		q       Query
		wantErr string
	}{
		{"code without a service", Query{EditorMode: ModeCode, Expr: `{ span.http.status_code >= 500 }`},
			`needs a resource.service.name = "…" condition`},
		{"service only under ||", Query{EditorMode: ModeCode, Expr: `{ resource.service.name = "a" || resource.service.name = "b" }`},
			`needs a resource.service.name = "…" condition`},
		{"pipeline", Query{EditorMode: ModeCode, Expr: `{ resource.service.name = "a" } | count() > 2`},
			`"| count() > 2" after the span selector is not supported`},
		{"negation in the span filter", Query{EditorMode: "builder", Service: "a", SpanFilter: `!(span.http.status_code = 200)`},
			"negation with `!`"},
		{"trace intrinsic in the span filter", Query{EditorMode: "builder", Service: "a", SpanFilter: `traceDuration > 1s`},
			`this intrinsic ("traceDuration"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js, _ := jaegerLatencyReplay(t, settings.TraceKindJaegerV1)
			q := tt.q
			q.Source = SourceSpans
			res := Latency(context.Background(), replayEnv(t, nil, js, settings.TraceKindJaegerV1, ""), latencyRequest(&q))
			if res.Error == nil || res.Status != backend.StatusBadRequest || !strings.Contains(res.Error.Error(), tt.wantErr) {
				t.Fatalf("%v %v, want a 400 containing %q", res.Status, res.Error, tt.wantErr)
			}
			if !strings.Contains(res.Error.Error(), "Jaeger") {
				t.Errorf("the error does not say the limit is Jaeger's: %v", res.Error)
			}
			if n := js.calls(); n != 0 {
				t.Errorf("Jaeger was called %d times", n)
			}
		})
	}
}

// Jaeger's v3 gateway answers a search without hits with 404 "No traces found": latency
// from its spans is then empty (no spans counted), not a failed query.
func TestLatencyFromJaegerV3SpansWithoutHits(t *testing.T) {
	js := newStoreReplay(t, map[string]answer{"/api/v3/traces": func(*http.Request) (int, string, string) {
		return http.StatusNotFound, "text/plain; charset=utf-8", `{"error":{"httpCode":404,"message":"No traces found"}}` + "\n"
	}})
	q := Query{EditorMode: "builder", Service: "checkout", Source: SourceSpans, Percentiles: []float64{0.5}}
	res := Latency(context.Background(), replayEnv(t, nil, js, settings.TraceKindJaegerV3, ""), latencyRequest(&q))
	if res.Error != nil {
		t.Fatalf("%v %v, want an empty answer", res.Status, res.Error)
	}
	if count, _ := summaryOf(t, res.Frames); count != 0 {
		t.Errorf("count %v, want 0", count)
	}
	if js.calls() != 1 {
		t.Errorf("Jaeger was called %d times", js.calls())
	}
}
