// Package tempo talks to Grafana Tempo: a client behind tracestore.Store plus TraceQL
// metrics, and pure parsers of its JSON (gogo jsonpb: base64 IDs, enum names, quoted
// int64, zero fields omitted).
//
// Guarantees to the next stage: spans, summaries and series with normalised IDs; a
// PARTIAL trace is flagged, never silently passed as complete.
package tempo

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/otlp"
	"github.com/latencylens/lens/pkg/traceid"
)

// ParseTraceV1 parses GET /api/traces/<id>: {"batches":[resourceSpans…]}.
func ParseTraceV1(body []byte) (*model.Trace, error) {
	var doc struct {
		Batches *[]otlp.ResourceSpans `json:"batches"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("trace (v1): %w", err)
	}
	if doc.Batches == nil {
		return nil, fmt.Errorf("trace (v1): no batches in the answer")
	}
	return toTrace(otlp.Spans(*doc.Batches), false, ""), nil
}

// ParseTraceV2 parses GET /api/v2/traces/<id>:
// {"trace":{"resourceSpans":[…]},"status":"COMPLETE"|"PARTIAL","message":…}.
func ParseTraceV2(body []byte) (*model.Trace, error) {
	var doc struct {
		Trace *struct {
			ResourceSpans []otlp.ResourceSpans `json:"resourceSpans"`
			Batches       []otlp.ResourceSpans `json:"batches"`
		} `json:"trace"`
		Status  string `json:"status"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("trace (v2): %w", err)
	}
	if doc.Trace == nil {
		return nil, fmt.Errorf("trace (v2): no trace in the answer")
	}
	rss := doc.Trace.ResourceSpans
	if len(rss) == 0 {
		rss = doc.Trace.Batches
	}
	return toTrace(otlp.Spans(rss), strings.EqualFold(doc.Status, "PARTIAL"), doc.Message), nil
}

func toTrace(r otlp.Result, partial bool, message string) *model.Trace {
	t := &model.Trace{Spans: r.Spans, Partial: partial}
	if len(r.Spans) > 0 {
		t.TraceID = r.Spans[0].TraceID
	}
	if partial {
		msg := "tempo: the trace is partial"
		if message != "" {
			msg += ": " + message
		}
		t.Warnings = append(t.Warnings, msg)
	}
	if r.Dropped > 0 {
		t.Warnings = append(t.Warnings, fmt.Sprintf("tempo: %d spans with unreadable IDs were left out", r.Dropped))
	}
	return t
}

// RootNotReceived is the rootServiceName Tempo's search gives a trace whose root span it
// has not received (it then gives no rootTraceName); TraceQL metrics label such a
// trace's rootServiceName and rootName "".
const RootNotReceived = "<root span not yet received>"

// ParseSearch parses GET /api/search. Trace IDs there have leading zeros stripped; the
// normaliser restores them. A hit whose ID does not normalise is counted in dropped.
func ParseSearch(body []byte) (hits []model.TraceSummary, dropped int, err error) {
	hits, _, bad, err := ParseSearchSpans(body)
	return hits, len(bad), err
}

// ParseSearchSpans is ParseSearch that also returns the matched spans of each span set
// (trace and span ID, start, duration, and what the search selected: name, status,
// kind, status message) for exact latency statistics. Every attribute of a span is kept
// in Tags under the name the answer gives it, which drops the scope
// (resource.service.name comes back as service.name); intrinsics come back there too
// (status, kind, statusMessage). When a span holds one of those keys twice (an attribute
// of that name and the intrinsic), the first is read into the span's field and Tags
// keep both. badIDs are the hits' trace IDs, as written, that do not normalise; those
// hits are left out.
func ParseSearchSpans(body []byte) (hits []model.TraceSummary, spans []model.Span, badIDs []string, err error) {
	var doc struct {
		Traces []struct {
			TraceID           string      `json:"traceID"`
			RootServiceName   string      `json:"rootServiceName"`
			RootTraceName     string      `json:"rootTraceName"`
			StartTimeUnixNano otlp.Int64  `json:"startTimeUnixNano"`
			DurationMs        *otlp.Float `json:"durationMs"`
			SpanSet           *spanSet    `json:"spanSet"`
			SpanSets          []spanSet   `json:"spanSets"`
			ServiceStats      map[string]struct {
				SpanCount  int `json:"spanCount"`
				ErrorCount int `json:"errorCount"`
			} `json:"serviceStats"`
		} `json:"traces"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, nil, nil, fmt.Errorf("search: %w", err)
	}
	for _, tr := range doc.Traces {
		id, err := traceid.Normalize(tr.TraceID)
		if err != nil {
			badIDs = append(badIDs, tr.TraceID)
			continue
		}
		s := model.TraceSummary{
			TraceID:       id,
			RootService:   tr.RootServiceName,
			RootName:      tr.RootTraceName,
			StartUnixNano: int64(tr.StartTimeUnixNano),
		}
		if tr.DurationMs != nil {
			s.DurationMs = float64(*tr.DurationMs)
		}
		sets := tr.SpanSets
		if len(sets) == 0 && tr.SpanSet != nil {
			sets = []spanSet{*tr.SpanSet}
		}
		s.DurationMs = searchDurationMs(s.DurationMs, s.StartUnixNano, sets)
		if len(tr.ServiceStats) > 0 {
			for _, st := range tr.ServiceStats {
				s.SpanCount += st.SpanCount
				if st.ErrorCount > 0 {
					s.HasError = true
				}
			}
		} else {
			for _, ss := range sets {
				n := ss.Matched
				if n == 0 {
					n = len(ss.Spans)
				}
				s.SpanCount += n
			}
		}
		for _, ss := range sets {
			s.MatchedSpans += max(ss.Matched, len(ss.Spans))
			for _, sp := range ss.Spans {
				m := model.Span{TraceID: id, SpanID: traceid.MustNormalizeOrEmpty(sp.SpanID, true), Operation: sp.Name,
					StartUnixNano: int64(sp.StartTimeUnixNano), DurationNano: max(int64(sp.DurationNanos), 0)}
				// A key read into a field is read once: the first wins. The answer names
				// attributes without their scope, so an attribute called status (kind,
				// statusMessage) comes back under the intrinsic's name, and the key
				// appears twice; Tags keep both, so the ambiguity stays visible there.
				var read [len(searchFields)]bool
				for _, kv := range sp.Attributes {
					m.Tags = append(m.Tags, model.KeyValue{Key: kv.Key, Value: kv.Value.Go()})
					i := slices.Index(searchFields[:], kv.Key)
					if i < 0 || read[i] {
						continue
					}
					read[i] = true
					switch v := kv.Value.String(); kv.Key {
					case "status":
						switch strings.ToLower(v) {
						case "error":
							s.HasError = true
							m.StatusCode = model.StatusError
						case "ok":
							m.StatusCode = model.StatusOK
						}
					case "kind":
						if k := strings.ToLower(v); searchKinds[k] {
							m.Kind = k
						}
					case "statusMessage":
						m.StatusMessage = v
					}
				}
				spans = append(spans, m)
			}
		}
		hits = append(hits, s)
	}
	return hits, spans, badIDs, nil
}

// searchDurationMs is a hit's duration with the fraction of a millisecond Tempo's
// durationMs cuts off (it gives whole milliseconds rounded down, and none below 1 ms):
// the returned spans end no later than the trace, so the latest end among them, when it
// falls inside the millisecond Tempo names, is the closer figure. A span ending later
// than that contradicts Tempo's figure and is not used.
func searchDurationMs(ms float64, startNano int64, sets []spanSet) float64 {
	var end int64
	for _, ss := range sets {
		for _, sp := range ss.Spans {
			end = max(end, int64(sp.StartTimeUnixNano)+max(int64(sp.DurationNanos), 0))
		}
	}
	if end <= startNano {
		return ms
	}
	if d := float64(end-startNano) / 1e6; d > ms && d < math.Floor(ms)+1 {
		return d
	}
	return ms
}

// searchFields are the keys of a search answer's span attributes read into span fields.
var searchFields = [...]string{"status", "kind", "statusMessage"}

// searchKinds are the span kinds a search answer names ("unspecified" is left as "").
var searchKinds = map[string]bool{"internal": true, "server": true, "client": true, "producer": true, "consumer": true}

type spanSet struct {
	Spans []struct {
		SpanID            string          `json:"spanID"`
		Name              string          `json:"name"`
		StartTimeUnixNano otlp.Int64      `json:"startTimeUnixNano"`
		DurationNanos     otlp.Int64      `json:"durationNanos"`
		Attributes        []otlp.KeyValue `json:"attributes"`
	} `json:"spans"`
	Matched int `json:"matched"`
}

// Sample is one point of a TraceQL metrics series.
type Sample struct {
	TimeMs int64
	Value  float64
}

// Series is one TraceQL metrics series.
type Series struct {
	Labels  map[string]string
	Samples []Sample
}

// Metrics is a parsed TraceQL metrics answer.
type Metrics struct {
	Series []Series
	// Partial is set when Tempo said the answer is incomplete (`"status":"PARTIAL"`, for
	// instance more series than its max_response_series: it returns the first ones);
	// Message is its reason, "" when it gave none.
	Partial bool
	Message string
}

// ParseMetrics parses GET /api/metrics/query_range:
// {"series":[{"labels":[{"key","value":{…}}],"samples":[{"timestampMs":"…","value":…}]}],
// "status":"PARTIAL"?,"message":…}. A sample without a value is 0 (jsonpb omits zeros).
// Samples are sorted by time.
func ParseMetrics(body []byte) (*Metrics, error) {
	var doc struct {
		Series []struct {
			Labels  []otlp.KeyValue `json:"labels"`
			Samples []struct {
				TimestampMs otlp.Int64  `json:"timestampMs"`
				Value       *otlp.Float `json:"value"`
			} `json:"samples"`
		} `json:"series"`
		Status  otlp.Enum `json:"status"`
		Message string    `json:"message"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	// PartialStatus: COMPLETE = 0 (omitted by jsonpb), PARTIAL = 1.
	out := &Metrics{
		Series:  make([]Series, 0, len(doc.Series)),
		Partial: strings.EqualFold(doc.Status.Name, "PARTIAL") || doc.Status.Name == "" && doc.Status.Num == 1,
		Message: doc.Message,
	}
	for _, s := range doc.Series {
		ser := Series{Labels: map[string]string{}}
		for _, kv := range s.Labels {
			ser.Labels[kv.Key] = labelValue(kv.Value)
		}
		for _, sm := range s.Samples {
			v := 0.0
			if sm.Value != nil {
				v = float64(*sm.Value)
			}
			ser.Samples = append(ser.Samples, Sample{TimeMs: int64(sm.TimestampMs), Value: v})
		}
		sort.SliceStable(ser.Samples, func(i, j int) bool { return ser.Samples[i].TimeMs < ser.Samples[j].TimeMs })
		out.Series = append(out.Series, ser)
	}
	return out, nil
}

// labelValue renders a label; quantile labels (doubles) keep Go's shortest form.
func labelValue(v otlp.AnyValue) string {
	if v.DoubleValue != nil {
		f := float64(*v.DoubleValue)
		if !math.IsNaN(f) {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	}
	return v.String()
}

// ParseTagNames parses /api/v2/search/tags ({"scopes":[{"name","tags":[…]}]}) and
// /api/search/tags ({"tagNames":[…]}) into scope-qualified TraceQL names.
func ParseTagNames(body []byte) ([]string, error) {
	var doc struct {
		Scopes []struct {
			Name string   `json:"name"`
			Tags []string `json:"tags"`
		} `json:"scopes"`
		TagNames []string `json:"tagNames"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	var out []string
	for _, sc := range doc.Scopes {
		for _, t := range sc.Tags {
			if sc.Name == "" || sc.Name == "intrinsic" {
				out = append(out, t)
			} else {
				out = append(out, sc.Name+"."+t)
			}
		}
	}
	out = append(out, doc.TagNames...)
	sort.Strings(out)
	return out, nil
}

// ParseTagValues parses /api/v2/search/tag/<tag>/values ({"tagValues":[{"type","value"}]})
// and the v1 form ({"tagValues":["…"]}).
func ParseTagValues(body []byte) ([]string, error) {
	var doc struct {
		TagValues []json.RawMessage `json:"tagValues"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("tag values: %w", err)
	}
	out := make([]string, 0, len(doc.TagValues))
	for _, raw := range doc.TagValues {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			out = append(out, s)
			continue
		}
		var tv struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(raw, &tv); err != nil {
			return nil, fmt.Errorf("tag values: %w", err)
		}
		out = append(out, tv.Value)
	}
	sort.Strings(out)
	return out, nil
}
