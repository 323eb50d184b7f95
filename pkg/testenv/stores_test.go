package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const readBackTimeout = 60 * time.Second

func TestJaegerAcceptsOTLPAndServesV1AndV3Traces(t *testing.T) {
	j := StartJaeger(t, JaegerOptions{})
	PostOTLP(t, j.OTLPTracesURL, otlpTracesJSON(time.Now().Add(-time.Second)))

	v1URL := j.URL + "/api/traces/" + testTraceID
	v1 := getUntil(t, v1URL, nil, readBackTimeout, status200(func(b []byte) error {
		var r struct {
			Data []struct {
				TraceID string `json:"traceID"`
				Spans   []struct {
					SpanID        string `json:"spanID"`
					OperationName string `json:"operationName"`
				} `json:"spans"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if len(r.Data) != 1 || len(r.Data[0].Spans) != 2 {
			return fmt.Errorf("want 1 trace with 2 spans")
		}
		if r.Data[0].TraceID != testTraceID {
			return fmt.Errorf("traceID %q", r.Data[0].TraceID)
		}
		return wantSpanIDs(r.Data[0].Spans[0].SpanID, r.Data[0].Spans[1].SpanID)
	}))
	fixtures.save(t, "jaeger_v1_trace.json", StoreJaeger, v1URL, nil, v1)

	// A 64-bit trace ID comes back as 16 hex characters in v1.
	short := strings.TrimLeft(testShortTraceID, "0")
	getUntil(t, j.URL+"/api/traces/"+testShortTraceID, nil, readBackTimeout, status200(func(b []byte) error {
		if !strings.Contains(string(b), `"traceID":"`+short+`"`) {
			return fmt.Errorf("no traceID %q", short)
		}
		return nil
	}))

	v3URL := j.URL + "/api/v3/traces/" + testTraceID
	v3 := getUntil(t, v3URL, nil, readBackTimeout, status200(func(b []byte) error {
		var r struct {
			Result otlpTraceDoc `json:"result"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		return r.Result.check(testTraceID)
	}))
	fixtures.save(t, "jaeger_v3_trace.json", StoreJaeger, v3URL, nil, v3)

	missing := "11111111111111111111111111111111"
	for _, c := range []struct{ file, url string }{
		{"jaeger_v1_not_found.json", j.URL + "/api/traces/" + missing},
		{"jaeger_v3_not_found.json", j.URL + "/api/v3/traces/" + missing},
	} {
		r := getUntil(t, c.url, nil, readBackTimeout, func(r *response) error {
			if r.Status != http.StatusNotFound {
				return fmt.Errorf("status %d, want 404", r.Status)
			}
			return nil
		})
		fixtures.save(t, c.file, StoreJaeger, c.url, nil, r)
	}

	assertStopped(t, "jaeger", j.Pid(), j.Stop)
}

func TestTempoAcceptsOTLPAndServesTracesSearchAndMetrics(t *testing.T) {
	tp := StartTempo(t, TempoOptions{})
	start := time.Now().Add(-2 * time.Second)
	PostOTLP(t, tp.OTLPTracesURL, otlpTracesJSON(start))

	// v1 keeps "batches"; IDs are base64 (gogo jsonpb), not hex.
	v1URL := tp.URL + "/api/traces/" + testTraceID
	v1 := getUntil(t, v1URL, nil, readBackTimeout, status200(func(b []byte) error {
		var r struct {
			Batches []otlpResourceSpans `json:"batches"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		return otlpTraceDoc{ResourceSpans: r.Batches}.check(testTraceID)
	}))
	fixtures.save(t, "tempo_v1_trace.json", StoreTempo, v1URL, nil, v1)

	v2URL := tp.URL + "/api/v2/traces/" + testTraceID
	v2 := getUntil(t, v2URL, nil, readBackTimeout, status200(func(b []byte) error {
		var r struct {
			Trace otlpTraceDoc `json:"trace"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		return r.Trace.check(testTraceID)
	}))
	fixtures.save(t, "tempo_v2_trace.json", StoreTempo, v2URL, nil, v2)

	from, to := start.Add(-time.Hour), time.Now().Add(time.Minute)
	search := url.Values{
		"q":     {`{resource.service.name="` + testService + `"}`},
		"start": {fmt.Sprint(from.Unix())}, "end": {fmt.Sprint(to.Unix())},
		"limit": {"20"}, "spss": {"3"},
	}
	searchURL := tp.URL + "/api/search?" + search.Encode()
	sr := getUntil(t, searchURL, nil, readBackTimeout, status200(func(b []byte) error {
		var r struct {
			Traces []struct {
				TraceID         string `json:"traceID"`
				RootServiceName string `json:"rootServiceName"`
			} `json:"traces"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		for _, tr := range r.Traces {
			// Tempo strips leading zeros from the trace ID in search results.
			if tr.TraceID == strings.TrimLeft(testTraceID, "0") && tr.RootServiceName == testService {
				return nil
			}
		}
		return fmt.Errorf("trace not in %d search results", len(r.Traces))
	}))
	fixtures.save(t, "tempo_search.json", StoreTempo, searchURL, nil, sr)

	metrics := url.Values{
		"q":     {`{resource.service.name="` + testService + `"} | quantile_over_time(duration, .5, .99) by (name)`},
		"start": {fmt.Sprint(time.Now().Add(-10 * time.Minute).Unix())}, "end": {fmt.Sprint(to.Unix())},
		"step": {"60s"},
	}
	metricsURL := tp.URL + "/api/metrics/query_range?" + metrics.Encode()
	mr := getUntil(t, metricsURL, nil, 2*readBackTimeout, status200(func(b []byte) error {
		var r struct {
			Series []struct {
				Labels []struct {
					Key   string         `json:"key"`
					Value map[string]any `json:"value"`
				} `json:"labels"`
				Samples []json.RawMessage `json:"samples"`
			} `json:"series"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		withSamples := 0
		for _, s := range r.Series {
			if len(s.Samples) > 0 {
				withSamples++
			}
		}
		// Two span names times two quantiles.
		if withSamples < 4 {
			return fmt.Errorf("%d series with samples, want 4", withSamples)
		}
		return nil
	}))
	fixtures.save(t, "tempo_metrics_query_range.json", StoreTempo, metricsURL, nil, mr)

	nfURL := tp.URL + "/api/traces/11111111111111111111111111111111"
	nf := getUntil(t, nfURL, nil, readBackTimeout, func(r *response) error {
		if r.Status != http.StatusNotFound {
			return fmt.Errorf("status %d, want 404", r.Status)
		}
		return nil
	})
	fixtures.save(t, "tempo_not_found.txt", StoreTempo, nfURL, nil, nf)

	assertStopped(t, "tempo", tp.Pid(), tp.Stop)
}

func TestLokiAcceptsOTLPLogsWithStructuredMetadata(t *testing.T) {
	l := StartLoki(t, LokiOptions{})
	at := time.Now().Add(-time.Second).Truncate(time.Millisecond)
	PostOTLP(t, l.OTLPLogsURL, otlpLogsJSON(at))

	q := url.Values{
		"query": {`{service_name="` + testService + `"}`},
		"start": {fmt.Sprint(at.Add(-time.Hour).UnixNano())},
		"end":   {fmt.Sprint(time.Now().Add(time.Minute).UnixNano())},
		"limit": {"100"},
	}
	rangeURL := l.URL + "/loki/api/v1/query_range?" + q.Encode()

	// Without the encoding flag, structured metadata is merged into the
	// stream labels.
	plain := getUntil(t, rangeURL, nil, readBackTimeout, status200(func(b []byte) error {
		var r lokiStreams
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if r.Status != "success" || r.Data.ResultType != "streams" || len(r.Data.Result) != 1 {
			return fmt.Errorf("want one stream, got %d", len(r.Data.Result))
		}
		s := r.Data.Result[0]
		if s.Stream["trace_id"] != testTraceID || s.Stream["span_id"] != testChildSpanID {
			return fmt.Errorf("stream labels %v lack trace_id/span_id", s.Stream)
		}
		if len(s.Values) != 1 {
			return fmt.Errorf("%d entries", len(s.Values))
		}
		var ts, line string
		if err := json.Unmarshal(s.Values[0][0], &ts); err != nil {
			return err
		}
		if err := json.Unmarshal(s.Values[0][1], &line); err != nil {
			return err
		}
		if ts != fmt.Sprint(at.UnixNano()) || !strings.Contains(line, "deadlock detected") {
			return fmt.Errorf("entry %s %q", ts, line)
		}
		return nil
	}))
	fixtures.save(t, "loki_streams.json", StoreLoki, rangeURL, nil, plain)

	// With it, each entry is [ts, line, {structuredMetadata, parsed}].
	hdr := http.Header{"X-Loki-Response-Encoding-Flags": {"categorize-labels"}}
	cat := getUntil(t, rangeURL, hdr, readBackTimeout, status200(func(b []byte) error {
		var r lokiStreams
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if len(r.Data.EncodingFlags) != 1 || r.Data.EncodingFlags[0] != "categorize-labels" {
			return fmt.Errorf("encodingFlags %v", r.Data.EncodingFlags)
		}
		if len(r.Data.Result) != 1 || len(r.Data.Result[0].Values) != 1 || len(r.Data.Result[0].Values[0]) != 3 {
			return fmt.Errorf("want one stream with one [ts, line, meta] entry")
		}
		if _, ok := r.Data.Result[0].Stream["trace_id"]; ok {
			return fmt.Errorf("trace_id is a stream label despite categorize-labels")
		}
		var meta struct {
			StructuredMetadata map[string]string `json:"structuredMetadata"`
		}
		if err := json.Unmarshal(r.Data.Result[0].Values[0][2], &meta); err != nil {
			return err
		}
		if meta.StructuredMetadata["trace_id"] != testTraceID || meta.StructuredMetadata["span_id"] != testChildSpanID {
			return fmt.Errorf("structuredMetadata %v", meta.StructuredMetadata)
		}
		return nil
	}))
	fixtures.save(t, "loki_streams_categorized.json", StoreLoki, rangeURL, hdr, cat)

	// The IDs can be filtered on as structured metadata.
	q.Set("query", `{service_name="`+testService+`"} | trace_id="`+testTraceID+`"`)
	getUntil(t, l.URL+"/loki/api/v1/query_range?"+q.Encode(), nil, readBackTimeout, status200(func(b []byte) error {
		if !strings.Contains(string(b), "deadlock detected") {
			return fmt.Errorf("log line not returned by trace_id filter")
		}
		return nil
	}))

	// Errors are plain text.
	q.Set("query", `{service_name=`)
	errURL := l.URL + "/loki/api/v1/query_range?" + q.Encode()
	er := getUntil(t, errURL, nil, readBackTimeout, func(r *response) error {
		if r.Status != http.StatusBadRequest {
			return fmt.Errorf("status %d, want 400", r.Status)
		}
		if !strings.HasPrefix(r.ContentType, "text/plain") {
			return fmt.Errorf("content type %q, want text/plain", r.ContentType)
		}
		return nil
	})
	fixtures.save(t, "loki_error.txt", StoreLoki, errURL, nil, er)

	assertStopped(t, "loki", l.Pid(), l.Stop)
}

type lokiStreams struct {
	Status string `json:"status"`
	Data   struct {
		ResultType    string   `json:"resultType"`
		EncodingFlags []string `json:"encodingFlags"`
		Result        []struct {
			Stream map[string]string   `json:"stream"`
			Values [][]json.RawMessage `json:"values"`
		} `json:"result"`
	} `json:"data"`
}

// otlpTraceDoc is the part of an OTLP trace (Tempo's base64 jsonpb or
// Jaeger v3's hex OTLP/JSON) that the checks need.
type otlpTraceDoc struct {
	ResourceSpans []otlpResourceSpans `json:"resourceSpans"`
}

type otlpResourceSpans struct {
	ScopeSpans []struct {
		Spans []struct {
			TraceID string `json:"traceId"`
			SpanID  string `json:"spanId"`
			Name    string `json:"name"`
		} `json:"spans"`
	} `json:"scopeSpans"`
}

// check wants exactly the two spans of traceID, IDs in hex or base64.
func (d otlpTraceDoc) check(traceID string) error {
	var ids []string
	for _, rs := range d.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				if normalizeID(s.TraceID) != traceID {
					return fmt.Errorf("span of trace %q", s.TraceID)
				}
				ids = append(ids, normalizeID(s.SpanID))
			}
		}
	}
	if len(ids) != 2 {
		return fmt.Errorf("%d spans, want 2", len(ids))
	}
	return wantSpanIDs(ids[0], ids[1])
}

func wantSpanIDs(a, b string) error {
	got := map[string]bool{a: true, b: true}
	if !got[testRootSpanID] || !got[testChildSpanID] {
		return fmt.Errorf("span IDs %s, %s", a, b)
	}
	return nil
}

// normalizeID turns a base64 ID (Tempo) into hex; hex passes through.
func normalizeID(s string) string {
	if len(s)%4 == 0 && strings.ContainsAny(s, "+/=GHIJKLMNOPQRSTUVWXYZghijklmnopqrstuvwxyz") {
		if b, err := base64Decode(s); err == nil {
			return fmt.Sprintf("%x", b)
		}
	}
	return strings.ToLower(s)
}
