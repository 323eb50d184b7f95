// Package model holds the store-agnostic records the parsers produce and the joins and
// frame builders consume.
//
// Guarantees to the next stage: IDs are normalised by pkg/traceid (trace 32 hex, span
// 16 hex, "" when absent), times are Unix nanoseconds, durations nanoseconds.
package model

// BigInt is an integer attribute value beyond ±2^53, kept as its decimal digits: JSON
// numbers (and the JavaScript that reads the frames) lose digits there. It is written
// into frames as a JSON string, and compared as an integer by span filters; a string
// attribute that happens to hold digits stays a string.
type BigInt string

// KeyValue is one attribute or tag, value as JSON would carry it.
type KeyValue struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// SpanEvent is a span event (OTLP) or span log (Jaeger).
type SpanEvent struct {
	TimeUnixNano int64
	Name         string
	Fields       []KeyValue
}

// SpanRef is a reference (Jaeger) or link (OTLP) to another span, maybe of another trace.
type SpanRef struct {
	TraceID string
	SpanID  string
	RefType string
	Tags    []KeyValue
}

// Span status codes, as OTLP and Grafana's trace view number them.
const (
	StatusUnset = 0
	StatusOK    = 1
	StatusError = 2
)

// Span is one span from any trace store.
type Span struct {
	TraceID       string
	SpanID        string
	ParentSpanID  string
	Operation     string
	Service       string
	ServiceTags   []KeyValue
	StartUnixNano int64
	DurationNano  int64
	Tags          []KeyValue
	Events        []SpanEvent
	References    []SpanRef
	// Kind is lower-case: client, server, producer, consumer, internal, or "".
	Kind          string
	StatusCode    int64
	StatusMessage string
	// ScopeName and ScopeVersion name the instrumentation scope (library) that recorded
	// the span.
	ScopeName    string
	ScopeVersion string
	// TraceState is the span's W3C tracestate header value.
	TraceState string
	Warnings   []string
}

// EndUnixNano is the span's end time.
func (s *Span) EndUnixNano() int64 { return s.StartUnixNano + s.DurationNano }

// Trace is the spans of one trace as a store returned them.
type Trace struct {
	TraceID string
	Spans   []Span
	// Partial is set when the store said the trace is incomplete (Tempo status PARTIAL).
	Partial bool
	// Warnings are the store's own warnings about the trace.
	Warnings []string
}

// Bounds returns the earliest start and latest end of the trace's spans that have a start
// time (0,0 if none has). A span without one (0, or before 1970) is left out, as Grafana's
// trace view leaves it out: its end would be its duration, and its start would stretch
// the trace back to 1970.
func (t *Trace) Bounds() (start, end int64) {
	found := false
	for i := range t.Spans {
		s := &t.Spans[i]
		if s.StartUnixNano <= 0 {
			continue
		}
		if !found || s.StartUnixNano < start {
			start = s.StartUnixNano
		}
		if e := s.EndUnixNano(); !found || e > end {
			end = e
		}
		found = true
	}
	return start, end
}

// LogLine is one log line with the IDs extracted from it.
type LogLine struct {
	TimeUnixNano int64
	Body         string
	Level        string
	Labels       map[string]string
	TraceID      string
	SpanID       string
}

// Exemplar is a metric exemplar.
type Exemplar struct {
	TimeUnixNano int64
	Value        float64
	TraceID      string
	SpanID       string
	SeriesLabels map[string]string
}

// TraceSummary is one search hit.
type TraceSummary struct {
	TraceID       string
	RootService   string
	RootName      string
	StartUnixNano int64
	DurationMs    float64
	SpanCount     int
	HasError      bool
	// MatchedSpans is how many spans of the trace the search matched, which may be more
	// than it returned (Tempo caps the spans per span set); 0 when the store does not say.
	MatchedSpans int
}
