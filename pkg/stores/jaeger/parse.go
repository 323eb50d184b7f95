// Package jaeger talks to Jaeger's query service: the v1 JSON API (`/api/traces`,
// µs times, `processes`) and the v3 API (OTLP/JSON with hex IDs and integer enums),
// each behind tracestore.Store, with pure parsers.
//
// Guarantees to the next stage: spans with normalised IDs and nanosecond times; a parent
// is set only from a reference into the same trace; the store's errors keep its message.
package jaeger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/otlp"
	"github.com/latencylens/lens/pkg/traceid"
)

// v1 wire types.
type v1Envelope struct {
	Data   json.RawMessage `json:"data"`
	Total  int             `json:"total"`
	Errors []struct {
		Code    int    `json:"code"`
		Msg     string `json:"msg"`
		TraceID string `json:"traceID"`
	} `json:"errors"`
}

type v1KV struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

type v1Trace struct {
	TraceID string `json:"traceID"`
	Spans   []struct {
		TraceID       string `json:"traceID"`
		SpanID        string `json:"spanID"`
		OperationName string `json:"operationName"`
		References    []struct {
			RefType string `json:"refType"`
			TraceID string `json:"traceID"`
			SpanID  string `json:"spanID"`
		} `json:"references"`
		StartTime otlp.Int64 `json:"startTime"`
		Duration  otlp.Int64 `json:"duration"`
		Tags      []v1KV     `json:"tags"`
		Logs      []struct {
			Timestamp otlp.Int64 `json:"timestamp"`
			Fields    []v1KV     `json:"fields"`
		} `json:"logs"`
		ProcessID string   `json:"processID"`
		Warnings  []string `json:"warnings"`
	} `json:"spans"`
	Processes map[string]struct {
		ServiceName string `json:"serviceName"`
		Tags        []v1KV `json:"tags"`
	} `json:"processes"`
	Warnings []string `json:"warnings"`
}

// ErrorMessage extracts the store's message from v1 ({"errors":[{"code","msg"}]}) and
// v3 ({"error":{"httpCode","message"}}) error bodies.
func ErrorMessage(status int, contentType string, body []byte) string {
	var doc struct {
		Errors []struct {
			Msg string `json:"msg"`
		} `json:"errors"`
		Error *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) == nil {
		if doc.Error != nil && doc.Error.Message != "" {
			return doc.Error.Message
		}
		msgs := make([]string, 0, len(doc.Errors))
		for _, e := range doc.Errors {
			msgs = append(msgs, e.Msg)
		}
		if len(msgs) > 0 {
			return strings.Join(msgs, "; ")
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 512 {
		s = s[:512]
	}
	return s
}

// ParseV1Traces parses the v1 envelope holding traces (/api/traces/<id>, /api/traces?…).
func ParseV1Traces(body []byte) ([]model.Trace, error) {
	var env v1Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("traces (v1): %w", err)
	}
	if len(env.Errors) > 0 && (len(env.Data) == 0 || string(env.Data) == "null") {
		return nil, errors.New(ErrorMessage(0, "", body))
	}
	var traces []v1Trace
	if len(env.Data) > 0 && string(env.Data) != "null" {
		if err := json.Unmarshal(env.Data, &traces); err != nil {
			return nil, fmt.Errorf("traces (v1) data: %w", err)
		}
	}
	out := make([]model.Trace, 0, len(traces))
	for i := range traces {
		out = append(out, convertV1(&traces[i]))
	}
	return out, nil
}

func convertV1(t *v1Trace) model.Trace {
	tr := model.Trace{Warnings: t.Warnings}
	tr.TraceID = traceid.MustNormalizeOrEmpty(t.TraceID, false)
	dropped := 0
	for _, s := range t.Spans {
		tid, err1 := traceid.Normalize(s.TraceID)
		sid, err2 := traceid.NormalizeSpan(s.SpanID)
		if err1 != nil || err2 != nil {
			dropped++
			continue
		}
		proc := t.Processes[s.ProcessID]
		sp := model.Span{
			TraceID:       tid,
			SpanID:        sid,
			Operation:     s.OperationName,
			Service:       proc.ServiceName,
			StartUnixNano: int64(s.StartTime) * 1000,
			DurationNano:  max(int64(s.Duration), 0) * 1000,
			Warnings:      s.Warnings,
		}
		for _, kv := range proc.Tags {
			sp.ServiceTags = append(sp.ServiceTags, model.KeyValue{Key: kv.Key, Value: kv.Value})
		}
		for _, kv := range s.Tags {
			switch kv.Key {
			case "span.kind":
				sp.Kind = strings.ToLower(fmt.Sprint(kv.Value))
			case "otel.status_code":
				switch strings.ToUpper(fmt.Sprint(kv.Value)) {
				case "ERROR":
					sp.StatusCode = model.StatusError
				case "OK":
					if sp.StatusCode == model.StatusUnset {
						sp.StatusCode = model.StatusOK
					}
				}
			case "otel.status_description":
				sp.StatusMessage = fmt.Sprint(kv.Value)
			case "error":
				if b, ok := kv.Value.(bool); (ok && b) || fmt.Sprint(kv.Value) == "true" {
					sp.StatusCode = model.StatusError
				}
			}
			sp.Tags = append(sp.Tags, model.KeyValue{Key: kv.Key, Value: kv.Value})
		}
		for _, l := range s.Logs {
			ev := model.SpanEvent{TimeUnixNano: int64(l.Timestamp) * 1000}
			for _, f := range l.Fields {
				if f.Key == "event" && ev.Name == "" {
					ev.Name = fmt.Sprint(f.Value)
					continue
				}
				ev.Fields = append(ev.Fields, model.KeyValue{Key: f.Key, Value: f.Value})
			}
			sp.Events = append(sp.Events, ev)
		}
		// A parent comes only from a reference into the same trace, CHILD_OF first.
		for _, want := range []string{"CHILD_OF", "FOLLOWS_FROM"} {
			for _, r := range s.References {
				if r.RefType == want && sp.ParentSpanID == "" && traceid.MustNormalizeOrEmpty(r.TraceID, false) == tid {
					sp.ParentSpanID = traceid.MustNormalizeOrEmpty(r.SpanID, true)
				}
			}
		}
		for _, r := range s.References {
			sp.References = append(sp.References, model.SpanRef{
				TraceID: traceid.MustNormalizeOrEmpty(r.TraceID, false),
				SpanID:  traceid.MustNormalizeOrEmpty(r.SpanID, true),
				RefType: r.RefType,
			})
		}
		tr.Spans = append(tr.Spans, sp)
	}
	if dropped > 0 {
		tr.Warnings = append(tr.Warnings, fmt.Sprintf("jaeger: %d spans with unreadable IDs were left out", dropped))
	}
	if tr.TraceID == "" && len(tr.Spans) > 0 {
		tr.TraceID = tr.Spans[0].TraceID
	}
	return tr
}

// ParseV1Strings parses {"data":["…"]} (services, operations).
func ParseV1Strings(body []byte) ([]string, error) {
	var env v1Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("list (v1): %w", err)
	}
	var out []string
	if len(env.Data) > 0 && string(env.Data) != "null" {
		if err := json.Unmarshal(env.Data, &out); err != nil {
			return nil, fmt.Errorf("list (v1): data is not a list of strings")
		}
	}
	sort.Strings(out)
	return out, nil
}

// ParseV3Traces parses /api/v3/traces answers: one or more concatenated documents
// {"result":{"resourceSpans":[…]}} (the gateway streams one per chunk), or an error
// document {"error":{"httpCode","message"}}. Spans are grouped into traces by ID in
// order of first appearance.
func ParseV3Traces(body []byte) ([]model.Trace, int, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var rss []otlp.ResourceSpans
	for {
		var doc struct {
			Result *struct {
				ResourceSpans []otlp.ResourceSpans `json:"resourceSpans"`
			} `json:"result"`
			Error *struct {
				HTTPCode int    `json:"httpCode"`
				Message  string `json:"message"`
			} `json:"error"`
		}
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("traces (v3): %w", err)
		}
		if doc.Error != nil {
			return nil, 0, fmt.Errorf("%s (code %d)", doc.Error.Message, doc.Error.HTTPCode)
		}
		if doc.Result == nil {
			return nil, 0, errors.New("traces (v3): document has neither result nor error")
		}
		rss = append(rss, doc.Result.ResourceSpans...)
	}
	res := otlp.Spans(rss)
	return GroupTraces(res.Spans), res.Dropped, nil
}

// GroupTraces splits spans into traces by trace ID, keeping first-appearance order.
func GroupTraces(spans []model.Span) []model.Trace {
	idx := map[string]int{}
	var out []model.Trace
	for _, s := range spans {
		i, ok := idx[s.TraceID]
		if !ok {
			i = len(out)
			idx[s.TraceID] = i
			out = append(out, model.Trace{TraceID: s.TraceID})
		}
		out[i].Spans = append(out[i].Spans, s)
	}
	return out
}

// ParseV3Services parses {"services":[…]}.
func ParseV3Services(body []byte) ([]string, error) {
	var doc struct {
		Services []string `json:"services"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("services (v3): %w", err)
	}
	sort.Strings(doc.Services)
	return doc.Services, nil
}

// ParseV3Operations parses {"operations":[{"name","spanKind"}]}.
func ParseV3Operations(body []byte) ([]string, error) {
	var doc struct {
		Operations []struct {
			Name string `json:"name"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("operations (v3): %w", err)
	}
	seen := map[string]bool{}
	var out []string
	for _, o := range doc.Operations {
		if !seen[o.Name] {
			seen[o.Name] = true
			out = append(out, o.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Summarize turns a trace into a search hit: root = the earliest span without a parent
// inside the trace (or the earliest span), duration = earliest start to latest end.
func Summarize(t *model.Trace) model.TraceSummary {
	s := model.TraceSummary{TraceID: t.TraceID, SpanCount: len(t.Spans)}
	if len(t.Spans) == 0 {
		return s
	}
	ids := make(map[string]bool, len(t.Spans))
	for i := range t.Spans {
		ids[t.Spans[i].SpanID] = true
	}
	root := -1
	for i := range t.Spans {
		sp := &t.Spans[i]
		if sp.StatusCode == model.StatusError {
			s.HasError = true
		}
		isRoot := sp.ParentSpanID == "" || !ids[sp.ParentSpanID]
		if isRoot && (root < 0 || sp.StartUnixNano < t.Spans[root].StartUnixNano) {
			root = i
		}
	}
	if root < 0 {
		root = 0
	}
	start, end := t.Bounds()
	s.RootService, s.RootName = t.Spans[root].Service, t.Spans[root].Operation
	s.StartUnixNano = start
	s.DurationMs = float64(end-start) / 1e6
	return s
}
