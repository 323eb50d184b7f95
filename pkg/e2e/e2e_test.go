package e2e

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/traceid"
)

// producerMessages is how many producer→consumer messages the e2e run sends.
const producerMessages = 20

// fullEnv is every store fed by the seed services after one load run.
type fullEnv struct {
	*metricsEnv
	stores storeEndpoints
	began  time.Time
	msgs   []Message
	// exemplarReq is a load-driver request whose exemplar Prometheus stored.
	exemplarReq LoadRequest
}

// from and to bound every query of the run.
func (e *fullEnv) from() time.Time { return e.began.Add(-time.Minute) }
func (e *fullEnv) to() time.Time   { return time.Now().Add(time.Minute) }

// settings is the data source configuration for one trace store kind and one
// trace-ID extraction rule.
func (e *fullEnv) settings(kind string, extraction map[string]any) map[string]any {
	s := metricsSettings(e.prom.URL)
	traceURL := e.stores.TempoURL
	if kind != "tempo" {
		traceURL = e.stores.JaegerURL
	}
	s["traces"] = map[string]any{"url": traceURL, "kind": kind, "timeout": "20s"}
	s["logs"] = map[string]any{
		"url": e.stores.LokiURL, "timeout": "20s",
		"traceLogSelector": `{service_name=~"shop-web|order-producer|order-consumer"}`,
		"extraction":       extraction,
	}
	return s
}

// structuredMetadata is how Loki's OTLP ingestion stores the IDs of a log record.
var structuredMetadata = map[string]any{"mode": "structuredMetadata", "traceIdKey": "trace_id", "spanIdKey": "span_id"}

// TestEndToEnd starts Prometheus, Tempo, Jaeger and Loki, feeds them with the seed
// services and the load driver, checks that the telemetry arrived as sent, then
// queries it through the backend's QueryData.
func TestEndToEnd(t *testing.T) {
	requireE2E(t)
	began := time.Now()
	stores := startStores(t)
	m := startMetricsEnv(t, SeedOptions{
		TracesEndpoints: []string{stores.TempoOTLP, stores.JaegerOTLP},
		LogsEndpoints:   []string{stores.LokiOTLP},
		Messages:        producerMessages,
		MessageInterval: 100 * time.Millisecond,
	}, DefaultLoad())
	env := &fullEnv{metricsEnv: m, stores: stores, began: began}
	env.msgs = m.seed.WaitMessages(t, producerMessages, time.Minute)
	env.exemplarReq = storedExemplarRequest(t, env)

	t.Run("stores received the telemetry", func(t *testing.T) { checkStoresRaw(t, env) })
	t.Run("metrics", func(t *testing.T) {
		checkHistogramFaithful(t, env.metricsEnv)
		checkExemplars(t, env.metricsEnv)
		checkLatencyQuery(t, env.metricsEnv)
		checkMetricsQueryExemplars(t, env.metricsEnv)
	})
	for _, kind := range []string{"tempo", "jaeger-v1", "jaeger-v3"} {
		t.Run("trace/"+kind+"/producer to consumer", func(t *testing.T) { checkMessageTrace(t, env, kind) })
		t.Run("trace/"+kind+"/web request with its exemplar", func(t *testing.T) { checkRequestTrace(t, env, kind) })
		t.Run("search/"+kind, func(t *testing.T) { checkSearch(t, env, kind) })
	}
	t.Run("latency from spans (TraceQL metrics)", func(t *testing.T) { checkSpanLatency(t, env) })
	t.Run("latency from logs", func(t *testing.T) { checkLogLatency(t, env) })
	t.Run("logs", func(t *testing.T) { checkLogExtraction(t, env) })
}

// storedExemplarRequest returns a load-driver request whose exemplar Prometheus kept.
func storedExemplarRequest(t *testing.T, env *fullEnv) LoadRequest {
	t.Helper()
	byTrace := map[string]LoadRequest{}
	for _, r := range env.gt.Requests {
		byTrace[r.TraceID] = r
	}
	v := url.Values{
		"query": {histogramMetric + `_bucket{job="shop-web",route="/api/checkout",status="200"}`},
		"start": {strconv.FormatInt(env.gt.Start().Add(-time.Minute).Unix(), 10)},
		"end":   {strconv.FormatInt(env.settled.Add(time.Minute).Unix(), 10)},
	}
	var resp struct {
		Data []struct {
			Exemplars []struct {
				Labels map[string]string `json:"labels"`
			} `json:"exemplars"`
		} `json:"data"`
	}
	if err := getJSON(context.Background(), env.prom.URL+"/api/v1/query_exemplars?"+v.Encode(), &resp); err != nil {
		t.Fatal(err)
	}
	for _, s := range resp.Data {
		for _, e := range s.Exemplars {
			if r, ok := byTrace[e.Labels["trace_id"]]; ok {
				return r
			}
		}
	}
	t.Fatal("no stored exemplar of a checkout request")
	return LoadRequest{}
}

// otlpSpan is a span read from Tempo's (base64 IDs) or Jaeger v3's (hex IDs) OTLP JSON.
type otlpSpan struct {
	Service, Name, TraceID, SpanID, ParentSpanID string
}

type otlpTrace struct {
	ResourceSpans []struct {
		Resource struct {
			Attributes []struct {
				Key   string `json:"key"`
				Value struct {
					StringValue string `json:"stringValue"`
				} `json:"value"`
			} `json:"attributes"`
		} `json:"resource"`
		ScopeSpans []struct {
			Spans []struct {
				TraceID      string `json:"traceId"`
				SpanID       string `json:"spanId"`
				ParentSpanID string `json:"parentSpanId"`
				Name         string `json:"name"`
			} `json:"spans"`
		} `json:"scopeSpans"`
	} `json:"resourceSpans"`
}

func (o otlpTrace) spans() ([]otlpSpan, error) {
	var out []otlpSpan
	for _, rs := range o.ResourceSpans {
		svc := ""
		for _, a := range rs.Resource.Attributes {
			if a.Key == "service.name" {
				svc = a.Value.StringValue
			}
		}
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				tid, err := traceid.Normalize(s.TraceID)
				if err != nil {
					return nil, err
				}
				sid, err := traceid.NormalizeSpan(s.SpanID)
				if err != nil {
					return nil, err
				}
				out = append(out, otlpSpan{Service: svc, Name: s.Name, TraceID: tid, SpanID: sid,
					ParentSpanID: traceid.MustNormalizeOrEmpty(s.ParentSpanID, true)})
			}
		}
	}
	return out, nil
}

// checkMessageSpans: the four spans of a message, with their services and parent links.
func checkMessageSpans(spans []otlpSpan, m Message) error {
	byID := map[string]otlpSpan{}
	for _, s := range spans {
		byID[s.SpanID] = s
	}
	want := []struct{ id, service, name, parent string }{
		{m.RootSpanID, "order-producer", "place order", ""},
		{m.SendSpanID, "order-producer", "orders publish", m.RootSpanID},
		{m.ProcessSpanID, "order-consumer", "orders process", m.SendSpanID},
		{m.DBSpanID, "order-consumer", "INSERT shipments", m.ProcessSpanID},
	}
	for _, w := range want {
		s, ok := byID[w.id]
		if !ok {
			return fmt.Errorf("span %s (%s) missing among %d spans", w.id, w.name, len(spans))
		}
		if s.Service != w.service || s.Name != w.name || s.ParentSpanID != w.parent || s.TraceID != m.TraceID {
			return fmt.Errorf("span %s = %+v, want service %s, name %q, parent %q", w.id, s, w.service, w.name, w.parent)
		}
	}
	return nil
}

// checkStoresRaw reads the stores' own APIs: the seed's traces are in Tempo and Jaeger
// with both services and the parent links, and the consumer's log line is in Loki with
// the IDs in structured metadata. These checks do not involve the backend.
func checkStoresRaw(t *testing.T, env *fullEnv) {
	ctx := context.Background()
	m := env.msgs[len(env.msgs)/2]
	if m.ParentSpanID != m.SendSpanID {
		t.Fatalf("consumer read parent %s from traceparent, producer sent %s", m.ParentSpanID, m.SendSpanID)
	}
	t.Run("tempo", func(t *testing.T) {
		err := eventually(30*time.Second, func() error {
			var r struct {
				Trace otlpTrace `json:"trace"`
			}
			if err := getJSON(ctx, env.stores.TempoURL+"/api/v2/traces/"+m.TraceID, &r); err != nil {
				return err
			}
			spans, err := r.Trace.spans()
			if err != nil {
				return err
			}
			return checkMessageSpans(spans, m)
		})
		if err != nil {
			t.Error(err)
		}
	})
	t.Run("jaeger v3", func(t *testing.T) {
		err := eventually(30*time.Second, func() error {
			var r struct {
				Result otlpTrace `json:"result"`
			}
			if err := getJSON(ctx, env.stores.JaegerURL+"/api/v3/traces/"+m.TraceID, &r); err != nil {
				return err
			}
			spans, err := r.Result.spans()
			if err != nil {
				return err
			}
			return checkMessageSpans(spans, m)
		})
		if err != nil {
			t.Error(err)
		}
	})
	t.Run("loki", func(t *testing.T) {
		err := eventually(30*time.Second, func() error {
			v := url.Values{
				"query":     {fmt.Sprintf(`{service_name="order-consumer"} | trace_id=%q`, m.TraceID)},
				"start":     {strconv.FormatInt(env.from().UnixNano(), 10)},
				"end":       {strconv.FormatInt(env.to().UnixNano(), 10)},
				"limit":     {"10"},
				"direction": {"forward"},
			}
			var r struct {
				Data struct {
					Result []struct {
						Stream map[string]string `json:"stream"`
						Values [][]string        `json:"values"`
					} `json:"result"`
				} `json:"data"`
			}
			if err := getJSON(ctx, env.stores.LokiURL+"/loki/api/v1/query_range?"+v.Encode(), &r); err != nil {
				return err
			}
			var lines []string
			for _, s := range r.Data.Result {
				if s.Stream["span_id"] != m.ProcessSpanID {
					return fmt.Errorf("stream %v: span_id is not the process span %s", s.Stream, m.ProcessSpanID)
				}
				for _, v := range s.Values {
					lines = append(lines, v[1])
				}
			}
			if len(lines) != 1 || !strings.Contains(lines[0], "order processed") {
				return fmt.Errorf("want the one consumer line of trace %s, got %q", m.TraceID, lines)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	})
}

// spanRow is one row of a spans frame.
type spanRow struct{ traceID, spanID, parent, service, op string }

func spanRows(t *testing.T, res backend.DataResponse) []spanRow {
	t.Helper()
	fs := framesOfKind(res.Frames, frames.KindSpans)
	if len(fs) != 1 {
		t.Fatalf("want one spans frame, got %d of %d frames", len(fs), len(res.Frames))
	}
	f := fs[0]
	tid, sid, par := column(f, frames.SpanTraceID), column(f, frames.SpanSpanID), column(f, frames.SpanParentSpanID)
	svc, op := column(f, frames.SpanServiceName), column(f, frames.SpanOperationName)
	if tid == nil || sid == nil || par == nil || svc == nil || op == nil {
		t.Fatalf("spans frame lacks a column: %v", fieldNames(f))
	}
	out := make([]spanRow, f.Rows())
	for i := range out {
		out[i] = spanRow{tid[i], sid[i], par[i], svc[i], op[i]}
	}
	return out
}

// logRow is one row of a logs frame.
type logRow struct{ body, traceID, spanID string }

func logRows(t *testing.T, fs []*data.Frame) []logRow {
	t.Helper()
	var out []logRow
	for _, f := range fs {
		body, tid, sid := column(f, frames.LogBody), column(f, frames.LogTraceID), column(f, frames.LogSpanID)
		if body == nil || tid == nil || sid == nil {
			t.Fatalf("logs frame lacks a column: %v", fieldNames(f))
		}
		for i := range body {
			out = append(out, logRow{body[i], tid[i], sid[i]})
		}
	}
	return out
}

func fieldNames(f *data.Frame) []string {
	var n []string
	for _, fld := range f.Fields {
		n = append(n, fld.Name)
	}
	return n
}

// traceQuery runs a `trace` query, retrying while the stores are still catching up
// (the first call can come before the trace store has indexed the trace).
func traceQuery(t *testing.T, env *fullEnv, kind, id string, ok func(backend.DataResponse) error) backend.DataResponse {
	t.Helper()
	ds := newDatasource(t, env.settings(kind, structuredMetadata))
	var res backend.DataResponse
	err := eventually(30*time.Second, func() error {
		var err error
		res, err = runQuery(ds, env.from(), env.to(), time.Second, 1000, map[string]any{"queryType": "trace", "traceId": id})
		if err != nil {
			return err
		}
		return ok(res)
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkMessageTrace: one `trace` query returns the spans of both services with the
// right parent links, and each log line attached to the span it was written in.
func checkMessageTrace(t *testing.T, env *fullEnv, kind string) {
	m := env.msgs[len(env.msgs)/2]
	res := traceQuery(t, env, kind, m.TraceID, func(r backend.DataResponse) error {
		if n := len(framesOfKind(r.Frames, frames.KindLogs)); n == 0 {
			return fmt.Errorf("no logs frame yet")
		}
		return nil
	})
	rows := spanRows(t, res)
	got := make([]otlpSpan, len(rows))
	spanIDs := map[string]bool{}
	for i, r := range rows {
		got[i] = otlpSpan{Service: r.service, Name: r.op, TraceID: r.traceID, SpanID: r.spanID, ParentSpanID: r.parent}
		spanIDs[r.spanID] = true
	}
	if err := checkMessageSpans(got, m); err != nil {
		t.Error(err)
	}
	if len(rows) != 4 {
		t.Errorf("got %d spans, want the message's 4", len(rows))
	}

	logs := logRows(t, framesOfKind(res.Frames, frames.KindLogs))
	want := map[string]string{ // phrase -> span it was written in
		`msg="placing order"`:   m.RootSpanID,
		`msg="order published"`: m.SendSpanID,
		`msg="order processed"`: m.ProcessSpanID,
	}
	for phrase, span := range want {
		found := false
		for _, l := range logs {
			if strings.Contains(l.body, phrase) && strings.Contains(l.body, m.MessageID) {
				found = true
				if l.spanID != span || l.traceID != m.TraceID {
					t.Errorf("line %q attached to trace %s span %s, want %s / %s", l.body, l.traceID, l.spanID, m.TraceID, span)
				}
			}
		}
		if !found {
			t.Errorf("log line %s of %s missing among %d lines", phrase, m.MessageID, len(logs))
		}
	}
	for _, l := range logs {
		if l.traceID != m.TraceID || !spanIDs[l.spanID] {
			t.Errorf("line %q (trace %s span %s) is not attached to a span of this trace", l.body, l.traceID, l.spanID)
		}
	}
	if len(logs) != len(want) {
		t.Errorf("got %d log lines, want %d", len(logs), len(want))
	}
}

// checkRequestTrace: a web request's trace comes with its server and DB spans, its log
// line on the server span, and the exemplar that points at it.
func checkRequestTrace(t *testing.T, env *fullEnv, kind string) {
	r := env.exemplarReq
	res := traceQuery(t, env, kind, r.TraceID, func(res backend.DataResponse) error {
		if len(framesOfKind(res.Frames, frames.KindLogs)) == 0 || len(framesOfKind(res.Frames, frames.KindExemplars)) == 0 {
			return fmt.Errorf("logs or exemplars frame missing")
		}
		return nil
	})
	rows := spanRows(t, res)
	var server *spanRow
	children := 0
	for i := range rows {
		if rows[i].spanID == r.SpanID {
			server = &rows[i]
		}
	}
	if server == nil {
		t.Fatalf("server span %s missing among %d spans", r.SpanID, len(rows))
	}
	if server.service != "shop-web" || server.op != "POST /api/checkout" || server.parent != "" {
		t.Errorf("server span = %+v", *server)
	}
	for _, s := range rows {
		if s.parent == r.SpanID {
			children++
			if s.service != "shop-web" {
				t.Errorf("child span %+v has service %q", s, s.service)
			}
		}
	}
	if children != 3 {
		t.Errorf("server span has %d children, want 3 (SELECT carts, INSERT orders, payments.charge)", children)
	}

	spanIDs := map[string]bool{}
	for _, s := range rows {
		spanIDs[s.spanID] = true
	}
	found := false
	for _, l := range logRows(t, framesOfKind(res.Frames, frames.KindLogs)) {
		if l.traceID != r.TraceID || !spanIDs[l.spanID] {
			t.Errorf("line %q (trace %s span %s) is not attached to a span of this trace", l.body, l.traceID, l.spanID)
		}
		if strings.Contains(l.body, `"request_id":"`+r.ID+`"`) {
			found = true
			if l.spanID != r.SpanID || l.traceID != r.TraceID {
				t.Errorf("request line attached to %s/%s, want the server span %s/%s", l.traceID, l.spanID, r.TraceID, r.SpanID)
			}
		}
	}
	if !found {
		t.Errorf("request log line of %s missing", r.ID)
	}

	ex := framesOfKind(res.Frames, frames.KindExemplars)
	hit := false
	for _, f := range ex {
		vals := floats(f, frames.ExemplarValue)
		for i, tid := range column(f, frames.ExemplarTraceID) {
			if tid != r.TraceID {
				t.Errorf("exemplar of trace %s returned for trace %s", tid, r.TraceID)
				continue
			}
			hit = true
			if math.Abs(vals[i]-*r.ObservedMs/1000) > 2e-6 {
				t.Errorf("exemplar value %v, server observed %vms", vals[i], *r.ObservedMs)
			}
		}
	}
	if !hit {
		t.Errorf("no exemplar pointing at trace %s", r.TraceID)
	}
}

// checkSearch: searching the consumer's traces finds the messages' traces.
func checkSearch(t *testing.T, env *fullEnv, kind string) {
	ds := newDatasource(t, env.settings(kind, structuredMetadata))
	want := map[string]bool{}
	for _, m := range env.msgs {
		want[m.TraceID] = true
	}
	queries := map[string]map[string]any{
		"builder": {"queryType": "search", "editorMode": "builder", "service": "order-consumer",
			"operation": "orders process", "limit": 100},
	}
	if kind == "tempo" {
		queries["traceql"] = map[string]any{"queryType": "search", "editorMode": "code", "limit": 100,
			"traceql": `{ resource.service.name = "order-consumer" && name = "orders process" }`}
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			res := queryData(t, ds, env.from(), env.to(), time.Second, 1000, q)
			fs := framesOfKind(res.Frames, frames.KindSearch)
			if len(fs) != 1 {
				t.Fatalf("want one search frame, got %d", len(fs))
			}
			ids := column(fs[0], frames.SearchTraceID)
			got := 0
			for _, id := range ids {
				n, err := traceid.Normalize(id)
				if err != nil || !want[n] {
					t.Errorf("search returned trace %q, not one of the %d messages", id, len(want))
					continue
				}
				got++
			}
			if got != len(want) {
				t.Errorf("search found %d of %d message traces", got, len(want))
			}
		})
	}
}

// checkSpanLatency: p99 of the web app's server spans from TraceQL metrics. Tempo's
// quantile_over_time keeps durations in power-of-two buckets, so the answer is
// within a factor of two of the true p99.
func checkSpanLatency(t *testing.T, env *fullEnv) {
	ds := newDatasource(t, env.settings("tempo", structuredMetadata))
	from, to := runWindow(env.gt, env.settled)
	res := queryData(t, ds, from, to, to.Sub(from), 1, map[string]any{
		"queryType": "latency", "source": "spans", "editorMode": "builder", "service": "shop-web",
		"spanFilter": "kind = server", "percentiles": []float64{0.99}, "cdf": false, "summary": false,
	})
	p99 := lastQuantile(t, res, "0.99")
	want := env.gt.Summary.All.ObservedMs.P99 / 1000
	if p99 < want/2 || p99 > want*2 {
		t.Errorf("span p99 %.4fs, ground truth %.4fs: not within a factor of 2", p99, want)
	}
}

// checkLogLatency: p99 of duration_ms unwrapped from the web app's JSON lines. Loki's
// quantile_over_time is exact on raw values (the ground truth's definition).
func checkLogLatency(t *testing.T, env *fullEnv) {
	ds := newDatasource(t, env.settings("tempo", structuredMetadata))
	from, to := runWindow(env.gt, env.settled)
	res := queryData(t, ds, from, to, to.Sub(from), 1, map[string]any{
		"queryType": "latency", "source": "logs", "editorMode": "builder",
		"logSelector": `{service_name="shop-web"} |= "request_id" | json`, "logField": "duration_ms", "valueUnit": "ms",
		"percentiles": []float64{0.99}, "cdf": false, "summary": false,
	})
	p99 := lastQuantile(t, res, "0.99")
	want := env.gt.Summary.All.ObservedMs.P99 / 1000
	if math.Abs(p99-want) > 0.01*want {
		t.Errorf("log p99 %.5fs, ground truth %.5fs", p99, want)
	}
}

// lastQuantile returns the last positive value of the percentile frame for q, in seconds.
func lastQuantile(t *testing.T, res backend.DataResponse, q string) float64 {
	t.Helper()
	last := math.NaN()
	for _, f := range framesOfKind(res.Frames, frames.KindPercentile) {
		fld, _ := f.FieldByName(frames.PercentileValue)
		if fld == nil || fld.Labels[frames.QuantileLabel] != q {
			continue
		}
		scale := 1.0
		if fld.Config != nil && fld.Config.Unit == "ms" {
			scale = 1e-3
		}
		for _, v := range floats(f, frames.PercentileValue) {
			// A step after the data ends comes back as 0 (Tempo omits zero values);
			// no latency quantile of real requests is 0.
			if !math.IsNaN(v) && v > 0 {
				last = v * scale
			}
		}
	}
	if math.IsNaN(last) {
		t.Fatalf("no p%s value among %d frames", q, len(res.Frames))
	}
	return last
}

// checkLogExtraction: a `logs` query with each trace-ID extraction rule that the
// seed's real Loki data supports puts the right trace and span ID on every line.
// Loki's OTLP ingestion keeps trace_id/span_id in structured metadata; the web app's
// bodies are JSON (traceID, spanID), the consumer's and producer's logfmt (trace_id,
// span_id). The `label` rule has no real data: OTLP ingestion does not index IDs.
func checkLogExtraction(t *testing.T, env *fullEnv) {
	reqByID := map[string]LoadRequest{}
	for _, r := range env.gt.Requests {
		reqByID[r.ID] = r
	}
	msgByID := map[string]Message{}
	for _, m := range env.msgs {
		msgByID[m.MessageID] = m
	}
	// expect returns the IDs a line must carry, from the ground truth or the records.
	expect := func(body string) (tid, sid string, ok bool) {
		if i := strings.Index(body, `"request_id":"`); i >= 0 {
			id := body[i+len(`"request_id":"`):]
			id = id[:strings.IndexByte(id, '"')]
			r, ok := reqByID[id]
			return r.TraceID, r.SpanID, ok
		}
		if i := strings.Index(body, "order_id="); i >= 0 {
			id := strings.Fields(body[i+len("order_id="):])[0]
			m, ok := msgByID[id]
			switch {
			case strings.Contains(body, `msg="placing order"`):
				return m.TraceID, m.RootSpanID, ok
			case strings.Contains(body, `msg="order published"`):
				return m.TraceID, m.SendSpanID, ok
			case strings.Contains(body, `msg="order processed"`):
				return m.TraceID, m.ProcessSpanID, ok
			}
		}
		return "", "", false
	}
	cases := []struct {
		name       string
		extraction map[string]any
		expr       string
		minLines   int
	}{
		{"structuredMetadata", structuredMetadata, `{service_name="order-consumer"}`, producerMessages},
		{"json", map[string]any{"mode": "json", "traceIdPath": "traceID", "spanIdPath": "spanID"},
			`{service_name="shop-web"} |= "request_id"`, 500},
		{"logfmt", map[string]any{"mode": "logfmt", "traceIdKey": "trace_id", "spanIdKey": "span_id"},
			`{service_name=~"order-producer|order-consumer"}`, 3 * producerMessages},
		{"regex", map[string]any{"mode": "regex", "traceIdRegex": `trace_id=([0-9a-f]{32})`, "spanIdRegex": `span_id=([0-9a-f]{16})`},
			`{service_name="order-producer"}`, 2 * producerMessages},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := newDatasource(t, env.settings("tempo", c.extraction))
			res := queryData(t, ds, env.from(), env.to(), time.Second, 1000, map[string]any{
				"queryType": "logs", "expr": c.expr, "limit": 1000,
			})
			rows := logRows(t, framesOfKind(res.Frames, frames.KindLogs))
			checked := 0
			for _, l := range rows {
				tid, sid, ok := expect(l.body)
				if !ok {
					continue
				}
				checked++
				if l.traceID != tid || l.spanID != sid {
					t.Errorf("%q: extracted %s/%s, want %s/%s", l.body, l.traceID, l.spanID, tid, sid)
				}
			}
			if checked < c.minLines {
				t.Errorf("%d lines checked (of %d returned), want at least %d", checked, len(rows), c.minLines)
			}
		})
	}
}
