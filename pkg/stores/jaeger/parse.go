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
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/otlp"
	"github.com/latencylens/lens/pkg/traceid"
)

// v1 wire types.
type v1Envelope struct {
	Data   json.RawMessage `json:"data"`
	Total  int             `json:"total"`
	Errors []v1Error       `json:"errors"`
}

// v1Error is one entry of the envelope's `errors`: a failure of the whole request (with
// `data` null) or of one trace of an answer that still carries the others.
type v1Error struct {
	Code    int    `json:"code"`
	Msg     string `json:"msg"`
	TraceID string `json:"traceID"`
}

// String reads "<msg> (code <code>, trace <traceID>)", leaving out what the store left out.
func (e v1Error) String() string {
	msg := strings.TrimSpace(e.Msg)
	if msg == "" {
		msg = "an error without a message"
	}
	var detail []string
	if e.Code != 0 {
		detail = append(detail, fmt.Sprintf("code %d", e.Code))
	}
	if id := strings.TrimSpace(e.TraceID); id != "" {
		detail = append(detail, "trace "+id)
	}
	if len(detail) > 0 {
		msg += " (" + strings.Join(detail, ", ") + ")"
	}
	return msg
}

// v1Errors joins the envelope's errors into one message.
func v1Errors(errs []v1Error) string {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.String()
	}
	return strings.Join(msgs, "; ")
}

// hasData reports whether the envelope's `data` is present and not null.
func (e *v1Envelope) hasData() bool { return len(e.Data) > 0 && string(e.Data) != "null" }

type v1KV struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// UnmarshalJSON reads a tag as JSON would, except an integer beyond ±2^53, which a float64
// cannot hold: it is kept as a model.BigInt with every digit. Jaeger writes such an int64
// tag as a JSON string (beyond JavaScript's safe integers); with type int64 that string is
// the integer too.
func (kv *v1KV) UnmarshalJSON(b []byte) error {
	var raw struct {
		Key   string          `json:"key"`
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	kv.Key, kv.Type, kv.Value = raw.Key, raw.Type, nil
	if len(raw.Value) == 0 {
		return nil
	}
	if n, err := strconv.ParseInt(string(raw.Value), 10, 64); err == nil && (n > 1<<53 || n < -(1<<53)) {
		kv.Value = model.BigInt(strconv.FormatInt(n, 10))
		return nil
	}
	if raw.Type == "int64" && len(raw.Value) > 1 && raw.Value[0] == '"' {
		var digits string
		if json.Unmarshal(raw.Value, &digits) == nil {
			if n, err := strconv.ParseInt(digits, 10, 64); err == nil {
				if n > 1<<53 || n < -(1<<53) {
					kv.Value = model.BigInt(strconv.FormatInt(n, 10))
				} else {
					kv.Value = float64(n)
				}
				return nil
			}
		}
	}
	return json.Unmarshal(raw.Value, &kv.Value)
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
		if doc.Error != nil && strings.TrimSpace(doc.Error.Message) != "" {
			return strings.TrimSpace(doc.Error.Message)
		}
		msgs := make([]string, 0, len(doc.Errors))
		for _, e := range doc.Errors {
			if m := strings.TrimSpace(e.Msg); m != "" {
				msgs = append(msgs, m)
			}
		}
		if len(msgs) > 0 {
			return strings.Join(msgs, "; ")
		}
	}
	// Not one of the store's error documents (a proxy's page), or one without a message.
	return httpx.PlainMessage(status, contentType, body)
}

// ParseV1Traces parses the v1 envelope holding traces (/api/traces/<id>, /api/traces?…).
// An envelope with `errors` and no trace is an error carrying the store's messages. When
// `errors` come with traces (some traces of a search could not be read), the traces are
// kept and each error comes back in warnings, prefixed "jaeger: ".
func ParseV1Traces(body []byte) (traces []model.Trace, warnings []string, err error) {
	var env v1Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, nil, fmt.Errorf("traces (v1): %w", err)
	}
	var raw []v1Trace
	if env.hasData() {
		if err := json.Unmarshal(env.Data, &raw); err != nil {
			return nil, nil, fmt.Errorf("traces (v1) data: %w", err)
		}
	}
	if len(env.Errors) > 0 && len(raw) == 0 {
		return nil, nil, errors.New(v1Errors(env.Errors))
	}
	out := make([]model.Trace, 0, len(raw))
	for i := range raw {
		out = append(out, convertV1(&raw[i]))
	}
	for _, e := range env.Errors {
		warnings = append(warnings, "jaeger: "+e.String())
	}
	return out, warnings, nil
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
			Warnings:      slices.Clone(s.Warnings),
		}
		for _, kv := range proc.Tags {
			sp.ServiceTags = append(sp.ServiceTags, model.KeyValue{Key: kv.Key, Value: kv.Value})
		}
		var scopeName, scopeVersion bool
		var libName, libVersion string
		for _, kv := range s.Tags {
			switch kv.Key {
			case v3WarningsAttribute:
				// Jaeger v2's v1 API moves this attribute into the warnings of one span per
				// span ID: a span whose ID repeats keeps it as a tag holding a JSON list.
				sp.Warnings = append(sp.Warnings, v1WarningsTag(kv.Value)...)
				continue
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
			// Jaeger's OTLP translator writes the instrumentation scope as these tags
			// (otel.library.* before OpenTelemetry renamed libraries to scopes); the
			// newer spelling wins when a span carries both.
			case "otel.scope.name":
				sp.ScopeName, scopeName = tagText(kv.Value), true
			case "otel.scope.version":
				sp.ScopeVersion, scopeVersion = tagText(kv.Value), true
			case "otel.library.name":
				libName = tagText(kv.Value)
			case "otel.library.version":
				libVersion = tagText(kv.Value)
			case errorTag:
				if isTrue(kv.Value) {
					sp.StatusCode = model.StatusError
				}
			}
			sp.Tags = append(sp.Tags, model.KeyValue{Key: kv.Key, Value: kv.Value})
		}
		sp.Warnings = distinct(sp.Warnings)
		if !scopeName {
			sp.ScopeName = libName
		}
		if !scopeVersion {
			sp.ScopeVersion = libVersion
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
		// A parent comes only from a reference into the same trace, CHILD_OF first. That
		// reference is the parentSpanID and not also a reference: Grafana's trace view
		// links parentSpanID itself, and would show the parent twice.
		parentRef := -1
		for _, want := range []string{"CHILD_OF", "FOLLOWS_FROM"} {
			for k, r := range s.References {
				if r.RefType == want && parentRef < 0 && traceid.MustNormalizeOrEmpty(r.TraceID, false) == tid {
					if id := traceid.MustNormalizeOrEmpty(r.SpanID, true); id != "" {
						sp.ParentSpanID, parentRef = id, k
					}
				}
			}
		}
		for k, r := range s.References {
			if k == parentRef {
				continue
			}
			sp.References = append(sp.References, model.SpanRef{
				TraceID: traceid.MustNormalizeOrEmpty(r.TraceID, false),
				SpanID:  traceid.MustNormalizeOrEmpty(r.SpanID, true),
				RefType: r.RefType,
			})
		}
		tr.Spans = append(tr.Spans, sp)
	}
	tr.Spans = dropCopies(tr.Spans)
	if dropped > 0 {
		tr.Warnings = append(tr.Warnings, fmt.Sprintf("jaeger: %d spans with unreadable IDs were left out", dropped))
	}
	if tr.TraceID == "" && len(tr.Spans) > 0 {
		tr.TraceID = tr.Spans[0].TraceID
	}
	return tr
}

// v1WarningsTag reads the @jaeger@warnings tag of a v1 span: a JSON list of strings in a
// string tag, or else one warning.
func v1WarningsTag(v any) []string {
	text := tagText(v)
	var ws []string
	if json.Unmarshal([]byte(text), &ws) == nil {
		return ws
	}
	if text == "" {
		return nil
	}
	return []string{text}
}

// tagText is a tag value as text ("" for a tag without a value).
func tagText(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// ParseV1Strings parses {"data":["…"]} (services, operations). An envelope with
// `errors` and no data is an error carrying the store's messages.
func ParseV1Strings(body []byte) ([]string, error) {
	var env v1Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("list (v1): %w", err)
	}
	var out []string
	if env.hasData() {
		if err := json.Unmarshal(env.Data, &out); err != nil {
			return nil, fmt.Errorf("list (v1): data is not a list of strings")
		}
	}
	if len(env.Errors) > 0 && len(out) == 0 {
		return nil, errors.New(v1Errors(env.Errors))
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
	for i := range res.Spans {
		liftWarnings(&res.Spans[i])
		markErrorTag(&res.Spans[i])
	}
	ts := GroupTraces(res.Spans)
	for i := range ts {
		ts[i].Spans = dropCopies(ts[i].Spans)
	}
	return ts, res.Dropped, nil
}

// dropCopies leaves out each span that copies an earlier span of the trace in all but
// its warnings, which go to the span kept. An exporter that retries sends a span again;
// Jaeger drops such copies itself by hashing each span, but its v2 memory store appends
// its adjusters' warnings to the stored copies on every read, so once their warnings
// differ it returns every copy (v1.76.0), and each would count as a span of its own. A
// span that only shares the ID (Zipkin's shared client and server spans) is kept.
func dropCopies(spans []model.Span) []model.Span {
	byID := make(map[string][]int, len(spans))
	out := spans[:0]
	for _, sp := range spans {
		copyOf := -1
		for _, k := range byID[sp.SpanID] {
			if sameButWarnings(&out[k], &sp) {
				copyOf = k
				break
			}
		}
		if copyOf >= 0 {
			out[copyOf].Warnings = distinct(append(slices.Clip(out[copyOf].Warnings), sp.Warnings...))
			continue
		}
		byID[sp.SpanID] = append(byID[sp.SpanID], len(out))
		out = append(out, sp)
	}
	return out
}

// sameButWarnings tells whether two spans are the same in all but their warnings.
func sameButWarnings(a, b *model.Span) bool {
	x, y := *a, *b
	x.Warnings, y.Warnings = nil, nil
	return reflect.DeepEqual(x, y)
}

// errorTag is OpenTracing's error flag: a span whose tag error is true failed, whatever
// its status says. Jaeger's UI marks such a span an error, and its v1 API gives an OTLP
// span with an error attribute that tag as it is.
const errorTag = "error"

// isTrue tells whether a tag value is true: the boolean, or the text "true".
func isTrue(v any) bool {
	b, ok := v.(bool)
	return (ok && b) || fmt.Sprint(v) == "true"
}

// markErrorTag makes a span with the attribute error=true an error span, as the v1 API's
// reading of the same span does.
func markErrorTag(sp *model.Span) {
	if hasErrorTag(sp.Tags) {
		sp.StatusCode = model.StatusError
	}
}

// hasErrorTag tells whether kvs hold the error tag set to true.
func hasErrorTag(kvs []model.KeyValue) bool {
	for _, kv := range kvs {
		if kv.Key == errorTag && isTrue(kv.Value) {
			return true
		}
	}
	return false
}

// v3WarningsAttribute is the span attribute in which Jaeger v2 keeps a span's warnings,
// a list of strings (internal/jptrace WarningsAttribute, v1.76.0); its v1 API gives them
// as the span's `warnings`.
const v3WarningsAttribute = "@jaeger@warnings"

// liftWarnings moves the span's @jaeger@warnings attribute into its warnings.
func liftWarnings(sp *model.Span) {
	kept := sp.Tags[:0]
	for _, kv := range sp.Tags {
		if kv.Key != v3WarningsAttribute {
			kept = append(kept, kv)
			continue
		}
		switch v := kv.Value.(type) {
		case []any:
			for _, w := range v {
				sp.Warnings = append(sp.Warnings, tagText(w))
			}
		case nil:
		default:
			sp.Warnings = append(sp.Warnings, tagText(v))
		}
	}
	if len(kept) == 0 {
		kept = nil
	}
	sp.Tags = kept
	sp.Warnings = distinct(sp.Warnings)
}

// distinct is ws with each warning once, in first-seen order. Jaeger v2's memory store
// adds its adjusters' warnings to the stored span on every read (v1.76.0), so a span read
// n times carries the same warning n times.
func distinct(ws []string) []string {
	if len(ws) < 2 {
		return ws
	}
	seen := make(map[string]bool, len(ws))
	out := ws[:0:0]
	for _, w := range ws {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
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

// v3Error is the v3 API's error document, {"error":{"httpCode","message"}}.
type v3Error struct {
	Error *struct {
		HTTPCode int    `json:"httpCode"`
		Message  string `json:"message"`
	} `json:"error"`
}

// err is the document's error, nil when it has none.
func (d *v3Error) err() error {
	if d.Error == nil {
		return nil
	}
	msg := strings.TrimSpace(d.Error.Message)
	if msg == "" {
		msg = "an error without a message"
	}
	return fmt.Errorf("%s (code %d)", msg, d.Error.HTTPCode)
}

// ParseV3Services parses {"services":[…]} (or the error document).
func ParseV3Services(body []byte) ([]string, error) {
	var doc struct {
		v3Error
		Services []string `json:"services"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("services (v3): %w", err)
	}
	if err := doc.err(); err != nil {
		return nil, err
	}
	sort.Strings(doc.Services)
	return doc.Services, nil
}

// ParseV3Operations parses {"operations":[{"name","spanKind"}]} (or the error document).
func ParseV3Operations(body []byte) ([]string, error) {
	var doc struct {
		v3Error
		Operations []struct {
			Name string `json:"name"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("operations (v3): %w", err)
	}
	if err := doc.err(); err != nil {
		return nil, err
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

// Summarize turns a trace into a search hit: root = the earliest span without a parent;
// when no span lacks one, the earliest span whose parent is not in the trace (a lost
// root); else the first span. A span without a parent wins over an orphan that starts
// earlier, as in Tempo's rootServiceName and Jaeger UI's trace name (fewest references
// first, start time only between equals). Duration = earliest start to latest end.
func Summarize(t *model.Trace) model.TraceSummary {
	s := model.TraceSummary{TraceID: t.TraceID, SpanCount: len(t.Spans)}
	if len(t.Spans) == 0 {
		return s
	}
	ids := make(map[string]bool, len(t.Spans))
	for i := range t.Spans {
		ids[t.Spans[i].SpanID] = true
	}
	root, orphan := -1, -1
	earliest := func(cur, i int) int {
		if cur < 0 || t.Spans[i].StartUnixNano < t.Spans[cur].StartUnixNano {
			return i
		}
		return cur
	}
	for i := range t.Spans {
		sp := &t.Spans[i]
		if sp.StatusCode == model.StatusError {
			s.HasError = true
		}
		switch {
		case sp.ParentSpanID == "":
			root = earliest(root, i)
		case !ids[sp.ParentSpanID]:
			orphan = earliest(orphan, i)
		}
	}
	if root < 0 {
		root = max(orphan, 0)
	}
	start, end := t.Bounds()
	s.RootService, s.RootName = t.Spans[root].Service, t.Spans[root].Operation
	s.StartUnixNano = start
	s.DurationMs = float64(end-start) / 1e6
	return s
}
