package query

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
)

// groupSpan is one span of the grouped fixture, all of service checkout in one trace:
// operation, HTTP status (>= 500 also sets the span's error status), duration,
// start in seconds after replayFrom, the resource attribute host.name and the span
// attribute user.tier ("" when the span lacks it).
type groupSpan struct {
	op         string
	code       int
	durMs      int
	atS        int64
	host, tier string
}

// groupedSpans spread over two 60 s steps; some spans lack host.name or user.tier.
var groupedSpans = []groupSpan{
	{"GET /cart", 200, 100, 10, "a", "gold"},
	{"GET /cart", 200, 300, 20, "a", ""},
	{"POST /pay", 500, 700, 30, "b", "gold"},
	{"POST /pay", 200, 500, 70, "b", ""},
	{"GET /cart", 500, 50, 75, "", "gold"},
}

const groupedTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"

func (s groupSpan) startNs() int64 { return replayFrom.UnixNano() + s.atS*1e9 }

// groupedJaegerV1 is a v1 /api/traces answer holding spans (µs times, one process per
// host, typed tags); errors is the envelope's `errors` value.
func groupedJaegerV1(spans []groupSpan, errors string) string {
	var out []string
	for i, s := range spans {
		tags := []string{`{"key":"span.kind","type":"string","value":"server"}`,
			fmt.Sprintf(`{"key":"http.status_code","type":"int64","value":%d}`, s.code)}
		if s.tier != "" {
			tags = append(tags, fmt.Sprintf(`{"key":"user.tier","type":"string","value":%q}`, s.tier))
		}
		if s.code >= 500 {
			tags = append(tags, `{"key":"otel.status_code","type":"string","value":"ERROR"}`)
		}
		out = append(out, fmt.Sprintf(`{"traceID":%q,"spanID":"%016x","flags":1,"operationName":%q,"references":[],
			"startTime":%d,"duration":%d,"tags":[%s],"logs":[],"processID":"p-%s","warnings":null}`,
			groupedTraceID, i+1, s.op, s.startNs()/1e3, s.durMs*1000, strings.Join(tags, ","), s.host))
	}
	return `{"data":[{"traceID":"` + groupedTraceID + `","spans":[` + strings.Join(out, ",") + `],
		"processes":{"p-a":{"serviceName":"checkout","tags":[{"key":"host.name","type":"string","value":"a"}]},
			"p-b":{"serviceName":"checkout","tags":[{"key":"host.name","type":"string","value":"b"}]},
			"p-":{"serviceName":"checkout","tags":[]}},
		"warnings":null}],"total":0,"limit":0,"offset":0,"errors":` + errors + `}`
}

// groupedJaegerV3 is the same spans as a v3 /api/v3/traces answer (OTLP/JSON).
func groupedJaegerV3(spans []groupSpan) string {
	var rs []string
	for i, s := range spans {
		res := `{"key":"service.name","value":{"stringValue":"checkout"}}`
		if s.host != "" {
			res += fmt.Sprintf(`,{"key":"host.name","value":{"stringValue":%q}}`, s.host)
		}
		attrs := fmt.Sprintf(`{"key":"http.status_code","value":{"intValue":"%d"}}`, s.code)
		if s.tier != "" {
			attrs += fmt.Sprintf(`,{"key":"user.tier","value":{"stringValue":%q}}`, s.tier)
		}
		status := 0
		if s.code >= 500 {
			status = 2
		}
		rs = append(rs, fmt.Sprintf(`{"resource":{"attributes":[%s]},"scopeSpans":[{"scope":{"name":"manual"},"spans":[
			{"traceId":%q,"spanId":"%016x","name":%q,"kind":2,"startTimeUnixNano":"%d","endTimeUnixNano":"%d",
			"attributes":[%s],"status":{"code":%d}}]}]}`,
			res, groupedTraceID, i+1, s.op, s.startNs(), s.startNs()+int64(s.durMs)*1e6, attrs, status))
	}
	return `{"result":{"resourceSpans":[` + strings.Join(rs, ",") + `]}}`
}

// groupedTempoSearch is a Tempo /api/search answer with the spans in one span set,
// each carrying what `| select(name, resource.host.name, span.user.tier, status)` brings
// back: the name, and attributes named without their scope (the query's condition on
// resource.service.name included).
func groupedTempoSearch(spans []groupSpan) string {
	var out []string
	for i, s := range spans {
		attrs := []string{`{"key":"service.name","value":{"stringValue":"checkout"}}`}
		if s.host != "" {
			attrs = append(attrs, fmt.Sprintf(`{"key":"host.name","value":{"stringValue":%q}}`, s.host))
		}
		if s.tier != "" {
			attrs = append(attrs, fmt.Sprintf(`{"key":"user.tier","value":{"stringValue":%q}}`, s.tier))
		}
		status := "unset"
		if s.code >= 500 {
			status = "error"
		}
		attrs = append(attrs, fmt.Sprintf(`{"key":"status","value":{"stringValue":%q}}`, status))
		out = append(out, fmt.Sprintf(`{"spanID":"%016x","name":%q,"startTimeUnixNano":"%d","durationNanos":"%d","attributes":[%s]}`,
			i+1, s.op, s.startNs(), int64(s.durMs)*1e6, strings.Join(attrs, ",")))
	}
	set := fmt.Sprintf(`{"spans":[%s],"matched":%d}`, strings.Join(out, ","), len(spans))
	return `{"traces":[{"traceID":"` + groupedTraceID + `","rootServiceName":"checkout","rootTraceName":"GET /cart",
		"startTimeUnixNano":"` + fmt.Sprint(spans[0].startNs()) + `","durationMs":65000,"spanSet":` + set + `,"spanSets":[` + set + `]}],
		"metrics":{"inspectedTraces":1,"completedJobs":1,"totalJobs":1}}`
}

// tempoGroupedReplay serves search with groupedSpans; metrics answers with metricsBody,
// or 404 (TraceQL metrics unavailable) when it is "".
func tempoGroupedReplay(t *testing.T, metricsBody string) *storeReplay {
	metrics := func(*http.Request) (int, string, string) { return 404, "text/plain", "404 page not found\n" }
	if metricsBody != "" {
		metrics = jsonAnswer(metricsBody)
	}
	return newStoreReplay(t, map[string]answer{
		"/api/search":              jsonAnswer(groupedTempoSearch(groupedSpans)),
		"/api/metrics/query_range": metrics,
	})
}

// point is one step of a percentile series: its time (s after replayFrom) and value (ms).
type point struct {
	atS int64
	ms  float64
}

// groupWant is the series a group should get, per percentile (0.5 and 0.9), worked out
// by hand from groupedSpans: type-7 quantiles of the durations starting in each step.
type groupWant struct {
	labels   data.Labels // the group's labels, without the quantile
	p50, p90 []point
}

// Steps end on multiples of the 60 s step: replayFrom is 20 s past one, so the spans'
// steps end 40 s and 100 s after it.
var (
	wantByName = []groupWant{
		{data.Labels{"name": "GET /cart"}, []point{{40, 200}, {100, 50}}, []point{{40, 280}, {100, 50}}},
		{data.Labels{"name": "POST /pay"}, []point{{40, 700}, {100, 500}}, []point{{40, 700}, {100, 500}}},
	}
	wantByHost = []groupWant{
		{data.Labels{"resource.host.name": "a"}, []point{{40, 200}}, []point{{40, 280}}},
		{data.Labels{"resource.host.name": "b"}, []point{{40, 700}, {100, 500}}, []point{{40, 700}, {100, 500}}},
		{data.Labels{}, []point{{100, 50}}, []point{{100, 50}}}, // no host.name: the label is left out
	}
	wantByStatusAndTier = []groupWant{
		{data.Labels{"status": "error", "span.user.tier": "gold"}, []point{{40, 700}, {100, 50}}, []point{{40, 700}, {100, 50}}},
		{data.Labels{"status": "unset", "span.user.tier": "gold"}, []point{{40, 100}}, []point{{40, 100}}},
		{data.Labels{"status": "unset"}, []point{{40, 300}, {100, 500}}, []point{{40, 300}, {100, 500}}},
	}
	// [100 300 700] then [50 500].
	wantAllOneGroup = func(l data.Labels) []groupWant {
		return []groupWant{{l, []point{{40, 300}, {100, 275}}, []point{{40, 620}, {100, 455}}}}
	}
)

// assertGroups checks the percentile frames: one per (percentile, group), each with a
// time field and one float64 value field labelled with the quantile and the group, and
// the values wanted.
func assertGroups(t *testing.T, fs data.Frames, want []groupWant) {
	t.Helper()
	pct := framesOfKind(fs, frames.KindPercentile)
	got := map[string]*data.Frame{}
	for _, f := range pct {
		if len(f.Fields) != 2 || f.Fields[1].Type() != data.FieldTypeFloat64 {
			t.Fatalf("frame %s: %d fields, want a time and one float64 value", f.Name, len(f.Fields))
		}
		got[f.Fields[1].Labels.String()] = f
	}
	if len(pct) != 2*len(want) || len(got) != len(pct) {
		var names []string
		for k := range got {
			names = append(names, k)
		}
		t.Fatalf("%d percentile frames (%q), want %d", len(pct), names, 2*len(want))
	}
	for _, w := range want {
		for _, q := range []struct {
			name string
			pts  []point
		}{{"0.5", w.p50}, {"0.9", w.p90}} {
			ls := data.Labels{frames.QuantileLabel: q.name}
			for k, v := range w.labels {
				ls[k] = v
			}
			f := got[ls.String()]
			if f == nil {
				t.Errorf("no frame labelled %s", ls)
				continue
			}
			if f.Fields[0].Len() != len(q.pts) {
				t.Errorf("%s: %d points, want %v", ls, f.Fields[0].Len(), q.pts)
				continue
			}
			for i, pt := range q.pts {
				at, _ := f.Fields[0].ConcreteAt(i)
				v := f.Fields[1].At(i).(float64)
				if wantAt := replayFrom.Unix() + pt.atS; at.(interface{ Unix() int64 }).Unix() != wantAt || math.Abs(v-pt.ms) > 1e-9 {
					t.Errorf("%s point %d: %v %v ms, want %d s %v ms", ls, i, at, v, wantAt, pt.ms)
				}
			}
		}
	}
}

func TestLatencyFromJaegerSpansGroupsBy(t *testing.T) {
	tests := []struct {
		name      string
		q         Query
		want      []groupWant
		wantCount float64
	}{
		{name: "operation name", q: Query{GroupBy: []string{"name"}}, want: wantByName, wantCount: 5},
		{name: "resource attribute some spans lack", q: Query{GroupBy: []string{"resource.host.name"}}, want: wantByHost, wantCount: 5},
		{name: "status and a span attribute", q: Query{GroupBy: []string{"status", "span.user.tier"}}, want: wantByStatusAndTier, wantCount: 5},
		{name: "service", q: Query{GroupBy: []string{"resource.service.name"}},
			want: wantAllOneGroup(data.Labels{"resource.service.name": "checkout"}), wantCount: 5},
		{name: "kind", q: Query{GroupBy: []string{"kind"}}, want: wantAllOneGroup(data.Labels{"kind": "server"}), wantCount: 5},
		{name: "root service (a trace intrinsic)", q: Query{GroupBy: []string{"rootServiceName"}},
			want: wantAllOneGroup(data.Labels{"rootServiceName": "checkout"}), wantCount: 5},
		{name: "after the span filter", q: Query{GroupBy: []string{"name"}, SpanFilter: "span.http.status_code >= 500"},
			want: []groupWant{
				{data.Labels{"name": "GET /cart"}, []point{{100, 50}}, []point{{100, 50}}},
				{data.Labels{"name": "POST /pay"}, []point{{40, 700}}, []point{{40, 700}}},
			}, wantCount: 2},
	}
	for _, kind := range []string{settings.TraceKindJaegerV1, settings.TraceKindJaegerV3} {
		for _, tt := range tests {
			t.Run(kind+" "+tt.name, func(t *testing.T) {
				body := groupedJaegerV1(groupedSpans, "null")
				path := "/api/traces"
				if kind == settings.TraceKindJaegerV3 {
					body, path = groupedJaegerV3(groupedSpans), "/api/v3/traces"
				}
				js := newStoreReplay(t, map[string]answer{path: jsonAnswer(body)})
				q := tt.q
				q.Source, q.EditorMode, q.Service, q.Percentiles = SourceSpans, ModeBuilder, "checkout", []float64{0.5, 0.9}
				res := Latency(context.Background(), replayEnv(t, nil, js, kind, ""), latencyRequest(&q))
				if res.Error != nil {
					t.Fatal(res.Error)
				}
				assertGroups(t, res.Frames, tt.want)
				// The CDF and summary stay over every selected span, as in the store-computed paths.
				if count, _ := summaryOf(t, res.Frames); count != tt.wantCount {
					t.Errorf("summary count %v, want %v", count, tt.wantCount)
				}
				if c := framesOfKind(res.Frames, frames.KindCDF); len(c) != 1 {
					t.Errorf("%d CDF frames, want 1", len(c))
				}
			})
		}
	}
}

func TestLatencyFromTempoSpansGroupsByWithoutTraceQLMetrics(t *testing.T) {
	tests := []struct {
		name       string
		groupBy    []string
		wantSelect string
		want       []groupWant
	}{
		{"operation name", []string{"name"}, " | select(status, name)", wantByName},
		{"resource attribute some spans lack", []string{"resource.host.name"}, " | select(status, resource.host.name)", wantByHost},
		{"status and a span attribute", []string{"status", "span.user.tier"}, " | select(status, span.user.tier)", wantByStatusAndTier},
		{"service, as the answer names it", []string{"resource.service.name"}, " | select(status, resource.service.name)",
			wantAllOneGroup(data.Labels{"resource.service.name": "checkout"})},
		{"root service (from the hit)", []string{"rootServiceName"}, " | select(status)", wantAllOneGroup(data.Labels{"rootServiceName": "checkout"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := tempoGroupedReplay(t, "")
			q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", Percentiles: []float64{0.5, 0.9}, GroupBy: tt.groupBy}
			res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), latencyRequest(q))
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			wantQ := `{ resource.service.name = "checkout" }` + tt.wantSelect
			if got := tr.params("/api/search", "q"); len(got) != 1 || got[0] != wantQ {
				t.Errorf("searched %q, want %q", got, wantQ)
			}
			assertGroups(t, res.Frames, tt.want)
			for _, f := range framesOfKind(res.Frames, frames.KindPercentile) {
				if !strings.Contains(noticeText(f), "TraceQL metrics unavailable") {
					t.Errorf("%s %s: notices %q", f.Name, f.Fields[1].Labels, noticeText(f))
				}
			}
		})
	}
}

// A panel or alert rule sees the same frames whether Tempo grouped the spans (TraceQL
// metrics) or they were grouped here: names, fields, types and labels.
func TestLatencyGroupedFramesMatchTraceQLMetrics(t *testing.T) {
	series := func(name string, p float64, points ...point) string {
		var samples []string
		for _, pt := range points {
			samples = append(samples, fmt.Sprintf(`{"timestampMs":"%d","value":%g}`, (replayFrom.Unix()+pt.atS)*1000, pt.ms/1e3))
		}
		return fmt.Sprintf(`{"labels":[{"key":"name","value":{"stringValue":%q}},{"key":"p","value":{"doubleValue":%g}}],"samples":[%s]}`,
			name, p, strings.Join(samples, ","))
	}
	var all []string
	for _, w := range wantByName {
		all = append(all, series(w.labels["name"], 0.5, w.p50...), series(w.labels["name"], 0.9, w.p90...))
	}
	inStore := tempoGroupedReplay(t, `{"series":[`+strings.Join(all, ",")+`]}`)
	here := tempoGroupedReplay(t, "")
	shape := func(tr *storeReplay) []string {
		q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", Percentiles: []float64{0.5, 0.9}, GroupBy: []string{"name"}}
		res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), latencyRequest(q))
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		assertGroups(t, res.Frames, wantByName)
		var out []string
		for _, f := range framesOfKind(res.Frames, frames.KindPercentile) {
			s := f.Name
			for _, fd := range f.Fields {
				s += fmt.Sprintf(" %s:%s%s", fd.Name, fd.Type(), fd.Labels)
			}
			out = append(out, s)
		}
		slices.Sort(out)
		return out
	}
	if a, b := shape(inStore), shape(here); !slices.Equal(a, b) {
		t.Errorf("TraceQL metrics frames\n%q\ngrouped here\n%q", a, b)
	}
}

func TestLatencyGroupByRefusesWhatCannotBeReadOffTheSpans(t *testing.T) {
	t.Run("jaeger: a scope its spans do not carry", func(t *testing.T) {
		js := newStoreReplay(t, map[string]answer{"/api/traces": jsonAnswer(groupedJaegerV1(groupedSpans, "null"))})
		q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", GroupBy: []string{"event.name"}}
		res := Latency(context.Background(), replayEnv(t, nil, js, settings.TraceKindJaegerV1, ""), latencyRequest(q))
		if res.Error == nil || !strings.Contains(res.Error.Error(), `cannot group spans by "event.name"`) {
			t.Fatalf("error %v", res.Error)
		}
		if n := js.calls(); n != 0 {
			t.Errorf("Jaeger was called %d times", n)
		}
	})
	t.Run("jaeger: a list attribute", func(t *testing.T) {
		body := strings.Replace(groupedJaegerV1(groupedSpans, "null"), `{"key":"user.tier","type":"string","value":"gold"}`,
			`{"key":"user.tier","type":"string","value":["gold","silver"]}`, 1)
		js := newStoreReplay(t, map[string]answer{"/api/traces": jsonAnswer(body)})
		q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", GroupBy: []string{"span.user.tier"}}
		res := Latency(context.Background(), replayEnv(t, nil, js, settings.TraceKindJaegerV1, ""), latencyRequest(q))
		if res.Error == nil || !strings.Contains(res.Error.Error(), `by "span.user.tier": attribute span.user.tier holds a list`) {
			t.Fatalf("error %v", res.Error)
		}
	})
	t.Run("tempo without metrics: names Tempo's answer cannot tell apart", func(t *testing.T) {
		tr := tempoGroupedReplay(t, "")
		q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", GroupBy: []string{"span.host.name", "resource.host.name"}}
		res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), latencyRequest(q))
		if res.Error == nil || !strings.Contains(res.Error.Error(), `TraceQL metrics unavailable`) ||
			!strings.Contains(res.Error.Error(), `cannot group by both "span.host.name" and "resource.host.name"`) {
			t.Fatalf("error %v", res.Error)
		}
	})
	t.Run("tempo without metrics: an attribute named like the span status", func(t *testing.T) {
		for _, key := range []string{"span.status", ".status", "resource.status"} {
			tr := tempoGroupedReplay(t, "")
			q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", GroupBy: []string{key}}
			res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), latencyRequest(q))
			if res.Error == nil || !strings.Contains(res.Error.Error(), `cannot group spans by "`+key+`" from Tempo's search`) {
				t.Errorf("%s: error %v", key, res.Error)
			}
		}
	})
	t.Run("tempo: a value that cannot be a label", func(t *testing.T) {
		body := strings.Replace(groupedTempoSearch(groupedSpans), `{"key":"user.tier","value":{"stringValue":"gold"}}`,
			`{"key":"user.tier","value":{"arrayValue":{"values":[{"stringValue":"gold"}]}}}`, -1)
		for _, metrics := range []string{"", `{"series":[]}`} {
			routes := map[string]answer{"/api/search": jsonAnswer(body),
				"/api/metrics/query_range": func(*http.Request) (int, string, string) { return 404, "text/plain", "404 page not found\n" }}
			if metrics != "" {
				routes["/api/metrics/query_range"] = jsonAnswer(metrics)
			}
			tr := newStoreReplay(t, routes)
			q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", Percentiles: []float64{0.5}, GroupBy: []string{"span.user.tier"}}
			res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), latencyRequest(q))
			if metrics == "" {
				// Without TraceQL metrics the groups are needed here: a clear error.
				if res.Error == nil || !strings.Contains(res.Error.Error(), `TraceQL metrics unavailable`) ||
					!strings.Contains(res.Error.Error(), `by "span.user.tier": attribute span.user.tier holds a list`) {
					t.Errorf("error %v", res.Error)
				}
				continue
			}
			// Tempo grouped the percentiles; the CDF and summary need no groups.
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			if count, _ := summaryOf(t, res.Frames); count != 5 {
				t.Errorf("summary count %v, want 5", count)
			}
			assertNotices(t, rawFrames(res.Frames, false), nil, []string{"cannot group"})
		}
	})
	t.Run("tempo with metrics: the store groups them", func(t *testing.T) {
		tr := tempoGroupedReplay(t, `{"series":[]}`)
		q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", GroupBy: []string{"span.host.name", "resource.host.name"}}
		res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), latencyRequest(q))
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		if got := tr.params("/api/metrics/query_range", "q"); len(got) != 1 || !strings.HasSuffix(got[0], " by (span.host.name, resource.host.name)") {
			t.Errorf("metrics query %q", got)
		}
	})
}

// Each percentile's frame is told apart from the others by its `quantile` label; a group
// of the same name would overwrite it, and the frames of one group would carry equal
// labels, which Grafana's alerting refuses as duplicate results.
func TestLatencyGroupByRefusesTheQuantileLabel(t *testing.T) {
	for _, src := range []string{SourceHistogram, SourceLogs} {
		t.Run(src, func(t *testing.T) {
			// Both stores answer nothing useful; the query must stop before calling either.
			ls := newStoreReplay(t, map[string]answer{})
			env := replayEnv(t, ls, nil, "", "")
			env.Metrics = promClient(t, env.Settings.Logs)
			q := &Query{Source: src, EditorMode: ModeBuilder, Service: "checkout", HistogramMetric: "http_server_duration_seconds",
				LogField: "duration_ms", Percentiles: []float64{0.5, 0.99}, GroupBy: []string{"pod", "quantile"}}
			res := Latency(context.Background(), env, latencyRequest(q))
			if res.Error == nil || !strings.Contains(res.Error.Error(), `cannot group by "quantile"`) ||
				!strings.Contains(res.Error.Error(), "names each percentile's series") {
				t.Fatalf("error %v", res.Error)
			}
			if n := ls.calls(); n != 0 {
				t.Errorf("the store was called %d times", n)
			}
		})
	}
}

// A trace whose root span Tempo has not received has rootServiceName
// "<root span not yet received>" in a search hit, and no rootTraceName; TraceQL metrics
// give its spans the labels rootServiceName="" and rootName="". Grouped here, its spans
// get the same labels, so the series is the same whichever way it was computed.
func TestLatencyFromTempoSpansGroupsARootlessTraceAsTraceQLMetrics(t *testing.T) {
	body := strings.Replace(groupedTempoSearch(groupedSpans), `"rootServiceName":"checkout","rootTraceName":"GET /cart",`,
		`"rootServiceName":"\u003croot span not yet received\u003e",`, 1)
	tr := newStoreReplay(t, map[string]answer{
		"/api/search":              jsonAnswer(body),
		"/api/metrics/query_range": func(*http.Request) (int, string, string) { return 404, "text/plain", "404 page not found\n" },
	})
	q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", Percentiles: []float64{0.5, 0.9},
		GroupBy: []string{"rootServiceName", "rootName"}}
	res := Latency(context.Background(), replayEnv(t, nil, tr, settings.TraceKindTempo, ""), latencyRequest(q))
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	assertGroups(t, res.Frames, wantAllOneGroup(data.Labels{"rootServiceName": "", "rootName": ""}))
}

// A Jaeger trace without a root span (each span's parent is missing from it) has no root
// service or name: grouped by rootServiceName and rootName, its spans get "" for both,
// as TraceQL metrics and Tempo's search give such a trace, not the names of the earliest
// orphan, which the search table shows.
func TestLatencyFromJaegerSpansGroupsARootlessTraceAsTraceQLMetrics(t *testing.T) {
	for _, kind := range []string{settings.TraceKindJaegerV1, settings.TraceKindJaegerV3} {
		t.Run(kind, func(t *testing.T) {
			body := strings.ReplaceAll(groupedJaegerV1(groupedSpans, "null"), `"references":[]`,
				`"references":[{"refType":"CHILD_OF","traceID":"`+groupedTraceID+`","spanID":"00000000000000ff"}]`)
			path := "/api/traces"
			if kind == settings.TraceKindJaegerV3 {
				body = strings.ReplaceAll(groupedJaegerV3(groupedSpans), `"kind":2,`, `"parentSpanId":"00000000000000ff","kind":2,`)
				path = "/api/v3/traces"
			}
			js := newStoreReplay(t, map[string]answer{path: jsonAnswer(body)})
			q := &Query{Source: SourceSpans, EditorMode: ModeBuilder, Service: "checkout", Percentiles: []float64{0.5, 0.9},
				GroupBy: []string{"rootServiceName", "rootName"}}
			res := Latency(context.Background(), replayEnv(t, nil, js, kind, ""), latencyRequest(q))
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			assertGroups(t, res.Frames, wantAllOneGroup(data.Labels{"rootServiceName": "", "rootName": ""}))
		})
	}
}
