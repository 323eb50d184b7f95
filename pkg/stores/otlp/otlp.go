// Package otlp parses OTLP-shaped `resourceSpans` as two stores send them: Tempo's gogo
// jsonpb (base64 IDs, enum names, quoted int64, `instrumentationLibrarySpans` in older
// payloads) and Jaeger v3's OTLP/JSON (hex IDs, integer enums).
//
// Guarantees to the next stage: spans with normalised IDs, lower-case kinds, status
// codes 0/1/2, Unix-nanosecond times; a span whose trace or span ID does not normalise
// is dropped and counted, never guessed.
package otlp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/traceid"
)

// ResourceSpans is one resource's spans.
type ResourceSpans struct {
	Resource struct {
		Attributes []KeyValue `json:"attributes"`
	} `json:"resource"`
	ScopeSpans                  []ScopeSpans `json:"scopeSpans"`
	InstrumentationLibrarySpans []ScopeSpans `json:"instrumentationLibrarySpans"`
}

// ScopeSpans is one instrumentation scope's spans. The scope is `scope` in
// `scopeSpans`, `instrumentationLibrary` in the older `instrumentationLibrarySpans`.
type ScopeSpans struct {
	Scope                  Scope  `json:"scope"`
	InstrumentationLibrary Scope  `json:"instrumentationLibrary"`
	Spans                  []Span `json:"spans"`
}

// Scope is an instrumentation scope (formerly instrumentation library).
type Scope struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Span is an OTLP span in either JSON dialect.
type Span struct {
	TraceID           string     `json:"traceId"`
	SpanID            string     `json:"spanId"`
	ParentSpanID      string     `json:"parentSpanId"`
	TraceState        string     `json:"traceState"`
	Name              string     `json:"name"`
	Kind              Enum       `json:"kind"`
	StartTimeUnixNano Int64      `json:"startTimeUnixNano"`
	EndTimeUnixNano   Int64      `json:"endTimeUnixNano"`
	Attributes        []KeyValue `json:"attributes"`
	Events            []struct {
		TimeUnixNano Int64      `json:"timeUnixNano"`
		Name         string     `json:"name"`
		Attributes   []KeyValue `json:"attributes"`
	} `json:"events"`
	Links []struct {
		TraceID    string     `json:"traceId"`
		SpanID     string     `json:"spanId"`
		Attributes []KeyValue `json:"attributes"`
	} `json:"links"`
	Status struct {
		Code    Enum   `json:"code"`
		Message string `json:"message"`
	} `json:"status"`
}

// KeyValue is an attribute.
type KeyValue struct {
	Key   string   `json:"key"`
	Value AnyValue `json:"value"`
}

// AnyValue is OTLP's attribute value.
type AnyValue struct {
	StringValue *string `json:"stringValue"`
	BoolValue   *bool   `json:"boolValue"`
	IntValue    *Int64  `json:"intValue"`
	DoubleValue *Float  `json:"doubleValue"`
	BytesValue  *string `json:"bytesValue"`
	ArrayValue  *struct {
		Values []AnyValue `json:"values"`
	} `json:"arrayValue"`
	KvlistValue *struct {
		Values []KeyValue `json:"values"`
	} `json:"kvlistValue"`
}

// Go returns the value as a JSON-ready Go value.
func (v AnyValue) Go() any {
	switch {
	case v.StringValue != nil:
		return *v.StringValue
	case v.BoolValue != nil:
		return *v.BoolValue
	case v.IntValue != nil:
		i := int64(*v.IntValue)
		if i > 1<<53 || i < -(1<<53) {
			return model.BigInt(strconv.FormatInt(i, 10)) // beyond JS precision: keep the digits
		}
		return i
	case v.DoubleValue != nil:
		f := float64(*v.DoubleValue)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		return f
	case v.BytesValue != nil:
		return *v.BytesValue
	case v.ArrayValue != nil:
		out := make([]any, len(v.ArrayValue.Values))
		for i, e := range v.ArrayValue.Values {
			out[i] = e.Go()
		}
		return out
	case v.KvlistValue != nil:
		out := make(map[string]any, len(v.KvlistValue.Values))
		for _, kv := range v.KvlistValue.Values {
			out[kv.Key] = kv.Value.Go()
		}
		return out
	}
	return nil
}

// String returns the value as text.
func (v AnyValue) String() string {
	if v.StringValue != nil {
		return *v.StringValue
	}
	switch g := v.Go().(type) {
	case nil:
		return ""
	case string:
		return g
	case model.BigInt:
		return string(g)
	default:
		b, _ := json.Marshal(g)
		return string(b)
	}
}

// Int64 reads a JSON number or a quoted number (jsonpb quotes 64-bit ints).
type Int64 int64

// UnmarshalJSON implements json.Unmarshaler.
func (i *Int64) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	if len(b) == 0 || string(b) == "null" {
		*i = 0
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		// Some writers emit uint64 nanoseconds; beyond int64 they are not real times.
		f, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil || math.IsNaN(f) || math.Abs(f) > math.MaxInt64 {
			return fmt.Errorf("%s is not a 64-bit integer", b)
		}
		n = int64(f)
	}
	*i = Int64(n)
	return nil
}

// Float reads a number or the jsonpb strings "NaN", "Infinity", "-Infinity".
type Float float64

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	switch s {
	case "Infinity":
		*f = Float(math.Inf(1))
		return nil
	case "-Infinity":
		*f = Float(math.Inf(-1))
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("%s is not a number", b)
	}
	*f = Float(v)
	return nil
}

// Enum reads an enum as its integer or its name.
type Enum struct {
	Num  int
	Name string
}

// UnmarshalJSON implements json.Unmarshaler.
func (e *Enum) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &e.Name)
	}
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, &e.Num)
}

var kindNames = map[string]string{
	"SPAN_KIND_INTERNAL": "internal", "SPAN_KIND_SERVER": "server", "SPAN_KIND_CLIENT": "client",
	"SPAN_KIND_PRODUCER": "producer", "SPAN_KIND_CONSUMER": "consumer", "SPAN_KIND_UNSPECIFIED": "",
}

var kindNums = []string{"", "internal", "server", "client", "producer", "consumer"}

// kind maps either spelling to Grafana's lower-case kind.
func (e Enum) kind() string {
	if e.Name != "" {
		return kindNames[strings.ToUpper(e.Name)]
	}
	if e.Num >= 0 && e.Num < len(kindNums) {
		return kindNums[e.Num]
	}
	return ""
}

// status maps either spelling to 0 unset, 1 ok, 2 error.
func (e Enum) status() int64 {
	switch strings.ToUpper(e.Name) {
	case "STATUS_CODE_OK":
		return model.StatusOK
	case "STATUS_CODE_ERROR":
		return model.StatusError
	case "":
		if e.Num == 1 || e.Num == 2 {
			return int64(e.Num)
		}
	}
	return model.StatusUnset
}

// Result is the outcome of Spans.
type Result struct {
	Spans []model.Span
	// Dropped counts spans whose IDs did not normalise.
	Dropped int
}

// Spans flattens resourceSpans into model spans.
func Spans(rss []ResourceSpans) Result {
	var res Result
	for _, rs := range rss {
		service := ""
		svcTags := make([]model.KeyValue, 0, len(rs.Resource.Attributes))
		for _, kv := range rs.Resource.Attributes {
			if kv.Key == "service.name" {
				service = kv.Value.String()
			}
			svcTags = append(svcTags, model.KeyValue{Key: kv.Key, Value: kv.Value.Go()})
		}
		if service == "" {
			service = "unknown_service"
		}
		scopes := rs.ScopeSpans
		if len(scopes) == 0 {
			scopes = rs.InstrumentationLibrarySpans
		}
		for _, ss := range scopes {
			scope := ss.Scope
			if scope == (Scope{}) {
				scope = ss.InstrumentationLibrary
			}
			for i := range ss.Spans {
				sp, ok := convert(&ss.Spans[i], service, svcTags)
				if !ok {
					res.Dropped++
					continue
				}
				sp.ScopeName, sp.ScopeVersion = scope.Name, scope.Version
				res.Spans = append(res.Spans, sp)
			}
		}
	}
	return res
}

func convert(s *Span, service string, svcTags []model.KeyValue) (model.Span, bool) {
	tid, err := traceid.Normalize(s.TraceID)
	if err != nil {
		return model.Span{}, false
	}
	sid, err := traceid.NormalizeSpan(s.SpanID)
	if err != nil {
		return model.Span{}, false
	}
	start, end := int64(s.StartTimeUnixNano), int64(s.EndTimeUnixNano)
	dur := end - start
	if dur < 0 || end == 0 {
		dur = 0
	}
	out := model.Span{
		TraceID:       tid,
		SpanID:        sid,
		ParentSpanID:  traceid.MustNormalizeOrEmpty(s.ParentSpanID, true),
		Operation:     s.Name,
		Service:       service,
		ServiceTags:   svcTags,
		StartUnixNano: start,
		DurationNano:  dur,
		Kind:          s.Kind.kind(),
		StatusCode:    s.Status.Code.status(),
		StatusMessage: s.Status.Message,
		TraceState:    s.TraceState,
	}
	if len(s.Attributes) > 0 {
		out.Tags = make([]model.KeyValue, len(s.Attributes))
		for i, kv := range s.Attributes {
			out.Tags[i] = model.KeyValue{Key: kv.Key, Value: kv.Value.Go()}
		}
	}
	for _, ev := range s.Events {
		e := model.SpanEvent{TimeUnixNano: int64(ev.TimeUnixNano), Name: ev.Name}
		for _, kv := range ev.Attributes {
			e.Fields = append(e.Fields, model.KeyValue{Key: kv.Key, Value: kv.Value.Go()})
		}
		out.Events = append(out.Events, e)
	}
	for _, l := range s.Links {
		ref := model.SpanRef{
			TraceID: traceid.MustNormalizeOrEmpty(l.TraceID, false),
			SpanID:  traceid.MustNormalizeOrEmpty(l.SpanID, true),
			RefType: "FOLLOWS_FROM",
		}
		for _, kv := range l.Attributes {
			ref.Tags = append(ref.Tags, model.KeyValue{Key: kv.Key, Value: kv.Value.Go()})
		}
		out.References = append(out.References, ref)
	}
	return out, true
}
