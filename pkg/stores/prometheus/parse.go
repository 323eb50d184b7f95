// Package prometheus talks to a Prometheus-compatible metrics store: query builders,
// a client behind the API interface, and pure parsers of the HTTP API's JSON.
//
// Guarantees to the next stage: sample values are float64 (NaN and ±Inf kept), times
// are Unix milliseconds, native histogram buckets carry their bounds and boundary
// rule, exemplars carry normalised trace IDs.
package prometheus

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/traceid"
)

// Result types of the query API.
const (
	ResultMatrix = "matrix"
	ResultVector = "vector"
	ResultScalar = "scalar"
	ResultString = "string"
)

// Envelope is the HTTP API's answer wrapper.
type Envelope struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Warnings  []string        `json:"warnings"`
	Infos     []string        `json:"infos"`
}

// Point is one float sample.
type Point struct {
	TimeMs int64
	Value  float64
}

// Bucket boundary rules of native histograms.
const (
	BoundaryOpenLeft  = 0
	BoundaryOpenRight = 1
	BoundaryOpenBoth  = 2
	BoundaryClosed    = 3
)

// Bucket is one native histogram bucket.
type Bucket struct {
	Boundary     int
	Lower, Upper float64
	Count        float64
}

// Histogram is one native histogram sample.
type Histogram struct {
	TimeMs  int64
	Count   float64
	Sum     float64
	Buckets []Bucket
}

// Series is one labelled series of a matrix or vector (a vector series has one sample).
type Series struct {
	Labels     map[string]string
	Points     []Point
	Histograms []Histogram
}

// Data is a parsed query answer.
type Data struct {
	ResultType string
	Series     []Series
	// Scalar is set for scalar results.
	Scalar *Point
	// Warnings and Infos are the store's annotations of the answer (the envelope's
	// `warnings` and, from Prometheus 2.52 on, `infos`).
	Warnings []string
	Infos    []string
}

// APIError is an error envelope ({"status":"error",...}).
type APIError struct {
	Type    string
	Message string
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "the store answered status error without a message"
	}
	if e.Type == "" {
		return msg
	}
	return e.Type + ": " + msg
}

// ErrorMessage pulls errorType and error out of an error envelope; other bodies (a
// proxy in front of the store) come back as httpx.PlainMessage gives them.
func ErrorMessage(status int, contentType string, body []byte) string {
	var env Envelope
	if err := json.Unmarshal(body, &env); err == nil && env.Status == "error" {
		return (&APIError{Type: env.ErrorType, Message: env.Error}).Error()
	}
	return httpx.PlainMessage(status, contentType, body)
}

// parseEnvelope checks status and returns data.
func parseEnvelope(body []byte) (*Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("answer is not the API's JSON envelope: %w", err)
	}
	switch env.Status {
	case "success":
		return &env, nil
	case "error":
		return nil, &APIError{Type: env.ErrorType, Message: env.Error}
	default:
		return nil, fmt.Errorf("answer has status %q, want success or error", env.Status)
	}
}

// ParseQuery parses an answer of /api/v1/query or /api/v1/query_range.
func ParseQuery(body []byte) (*Data, error) {
	env, err := parseEnvelope(body)
	if err != nil {
		return nil, err
	}
	var raw struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(env.Data, &raw); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	d := &Data{ResultType: raw.ResultType, Warnings: env.Warnings, Infos: env.Infos}
	switch raw.ResultType {
	case ResultMatrix, ResultVector:
		if d.Series, err = ParseSeries(raw.Result); err != nil {
			return nil, fmt.Errorf("%s result: %w", raw.ResultType, err)
		}
	case ResultScalar:
		var p sampleJSON
		if err := json.Unmarshal(raw.Result, &p); err != nil {
			return nil, fmt.Errorf("scalar result: %w", err)
		}
		pt := Point(p)
		d.Scalar = &pt
	case ResultString:
		// A string result has no numbers to plot; keep the type only.
	default:
		return nil, fmt.Errorf("unknown resultType %q", raw.ResultType)
	}
	return d, nil
}

// ParseSeries parses the `result` of a matrix or vector (also Loki's metric answers).
func ParseSeries(result json.RawMessage) ([]Series, error) {
	var rs []struct {
		Metric     map[string]string `json:"metric"`
		Values     []sampleJSON      `json:"values"`
		Value      *sampleJSON       `json:"value"`
		Histograms []histSampleJSON  `json:"histograms"`
		Histogram  *histSampleJSON   `json:"histogram"`
	}
	if len(result) > 0 && string(result) != "null" {
		if err := json.Unmarshal(result, &rs); err != nil {
			return nil, err
		}
	}
	out := make([]Series, 0, len(rs))
	for _, r := range rs {
		s := Series{Labels: r.Metric}
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		for _, v := range r.Values {
			s.Points = append(s.Points, Point(v))
		}
		if r.Value != nil {
			s.Points = append(s.Points, Point(*r.Value))
		}
		for _, h := range r.Histograms {
			s.Histograms = append(s.Histograms, Histogram(h))
		}
		if r.Histogram != nil {
			s.Histograms = append(s.Histograms, Histogram(*r.Histogram))
		}
		out = append(out, s)
	}
	return out, nil
}

// sampleJSON decodes [<unix seconds>, "<value>"].
type sampleJSON Point

func (p *sampleJSON) UnmarshalJSON(b []byte) error {
	var tuple []json.RawMessage
	if err := json.Unmarshal(b, &tuple); err != nil {
		return err
	}
	if len(tuple) != 2 {
		return fmt.Errorf("sample has %d elements, want 2", len(tuple))
	}
	t, err := parseTime(tuple[0])
	if err != nil {
		return err
	}
	v, err := parseValue(tuple[1])
	if err != nil {
		return err
	}
	p.TimeMs, p.Value = t, v
	return nil
}

// histSampleJSON decodes [<unix seconds>, {"count","sum","buckets"}].
type histSampleJSON Histogram

func (h *histSampleJSON) UnmarshalJSON(b []byte) error {
	var tuple []json.RawMessage
	if err := json.Unmarshal(b, &tuple); err != nil {
		return err
	}
	if len(tuple) != 2 {
		return fmt.Errorf("histogram sample has %d elements, want 2", len(tuple))
	}
	t, err := parseTime(tuple[0])
	if err != nil {
		return err
	}
	var body struct {
		Count   json.RawMessage     `json:"count"`
		Sum     json.RawMessage     `json:"sum"`
		Buckets [][]json.RawMessage `json:"buckets"`
	}
	if err := json.Unmarshal(tuple[1], &body); err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	out := Histogram{TimeMs: t}
	if out.Count, err = parseValue(body.Count); err != nil {
		return fmt.Errorf("histogram count: %w", err)
	}
	if len(body.Sum) > 0 {
		if out.Sum, err = parseValue(body.Sum); err != nil {
			return fmt.Errorf("histogram sum: %w", err)
		}
	}
	for _, bk := range body.Buckets {
		if len(bk) != 4 {
			return fmt.Errorf("histogram bucket has %d elements, want 4", len(bk))
		}
		var rule int
		if err := json.Unmarshal(bk[0], &rule); err != nil || rule < 0 || rule > 3 {
			return fmt.Errorf("histogram bucket boundary rule %s is not 0..3", bk[0])
		}
		var c Bucket
		c.Boundary = rule
		if c.Lower, err = parseValue(bk[1]); err != nil {
			return err
		}
		if c.Upper, err = parseValue(bk[2]); err != nil {
			return err
		}
		if c.Count, err = parseValue(bk[3]); err != nil {
			return err
		}
		out.Buckets = append(out.Buckets, c)
	}
	*h = histSampleJSON(out)
	return nil
}

// parseTime reads a Unix time in float seconds into milliseconds.
func parseTime(b json.RawMessage) (int64, error) {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return 0, fmt.Errorf("timestamp %s: %w", b, err)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e13 {
		return 0, fmt.Errorf("timestamp %v out of range", f)
	}
	return int64(math.Round(f * 1000)), nil
}

// parseValue reads a sample value: a JSON string ("1.5", "NaN", "+Inf", "-Inf") or,
// from lenient implementations, a JSON number.
func parseValue(b json.RawMessage) (float64, error) {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var f float64
		if err2 := json.Unmarshal(b, &f); err2 != nil {
			return 0, fmt.Errorf("value %s is neither a string nor a number", b)
		}
		return f, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("value %q is not a number", s)
	}
	return f, nil
}

// TraceIDLabels are exemplar label names that carry a trace ID, tried in order; then
// any other spelling of the same name (idLabel).
var TraceIDLabels = []string{"trace_id", "traceID", "traceId", "TraceID"}

// SpanIDLabels are exemplar label names that carry a span ID, as TraceIDLabels.
var SpanIDLabels = []string{"span_id", "spanID", "spanId", "SpanID"}

// ExemplarSet is the result of ParseExemplars.
type ExemplarSet struct {
	Exemplars []model.Exemplar
	// Invalid counts exemplars whose trace ID label was missing or did not normalise.
	Invalid int
	// Warnings and Infos are the store's annotations of the answer, as on Data.
	Warnings []string
	Infos    []string
}

// ParseExemplars parses /api/v1/query_exemplars. Exemplars without a usable trace ID
// are counted, not returned.
func ParseExemplars(body []byte) (*ExemplarSet, error) {
	env, err := parseEnvelope(body)
	if err != nil {
		return nil, err
	}
	var data []struct {
		SeriesLabels map[string]string `json:"seriesLabels"`
		Exemplars    []struct {
			Labels    map[string]string `json:"labels"`
			Value     json.RawMessage   `json:"value"`
			Timestamp json.RawMessage   `json:"timestamp"`
		} `json:"exemplars"`
	}
	if len(env.Data) > 0 && string(env.Data) != "null" {
		if err := json.Unmarshal(env.Data, &data); err != nil {
			return nil, fmt.Errorf("exemplars: %w", err)
		}
	}
	out := &ExemplarSet{Warnings: env.Warnings, Infos: env.Infos}
	for _, s := range data {
		for _, e := range s.Exemplars {
			tid := idLabel(e.Labels, TraceIDLabels)
			norm, err := traceid.Normalize(tid)
			if err != nil {
				out.Invalid++
				continue
			}
			v, err := parseValue(e.Value)
			if err != nil {
				return nil, fmt.Errorf("exemplar value: %w", err)
			}
			ms, err := parseTime(e.Timestamp)
			if err != nil {
				return nil, fmt.Errorf("exemplar: %w", err)
			}
			out.Exemplars = append(out.Exemplars, model.Exemplar{
				TimeUnixNano: ms * 1e6,
				Value:        v,
				TraceID:      norm,
				SpanID:       traceid.MustNormalizeOrEmpty(idLabel(e.Labels, SpanIDLabels), true),
				SeriesLabels: s.SeriesLabels,
			})
		}
	}
	return out, nil
}

// idLabel is the value of the first of keys in m, else of a label spelled like keys[0]
// in another case or with other underscores (Trace_Id, traceid, TRACE_ID for trace_id):
// the instrumented app chose the name.
func idLabel(m map[string]string, keys []string) string {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	want := foldLabel(keys[0])
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if foldLabel(k) == want {
			return m[k]
		}
	}
	return ""
}

// foldLabel is a label name in lower case without underscores.
func foldLabel(name string) string { return strings.ToLower(strings.ReplaceAll(name, "_", "")) }

// ParseLabelValues parses /api/v1/label/<name>/values and /api/v1/labels.
func ParseLabelValues(body []byte) ([]string, error) {
	env, err := parseEnvelope(body)
	if err != nil {
		return nil, err
	}
	var out []string
	if err := json.Unmarshal(env.Data, &out); err != nil {
		return nil, errors.New("label values: data is not a list of strings")
	}
	return out, nil
}

// MetricTypeHistogram is the metadata type of classic and native histograms.
const MetricTypeHistogram = "histogram"

// ParseMetadataNames parses /api/v1/metadata
// ({"data":{"<metric>":[{"type","help","unit"}…]}}) and returns, sorted, the names of the
// metrics with at least one entry of type metricType. Prometheus keeps one entry per
// distinct metadata its targets expose, so a name can carry several entries.
func ParseMetadataNames(body []byte, metricType string) ([]string, error) {
	env, err := parseEnvelope(body)
	if err != nil {
		return nil, err
	}
	var data map[string][]struct {
		Type string `json:"type"`
		Help string `json:"help"`
		Unit string `json:"unit"`
	}
	if len(env.Data) > 0 && string(env.Data) != "null" {
		if err := json.Unmarshal(env.Data, &data); err != nil {
			return nil, fmt.Errorf("metadata: data is not an object of metric names to lists of {type, help, unit}: %w", err)
		}
	}
	var out []string
	for name, entries := range data {
		if name == "" {
			return nil, errors.New("metadata: an entry has an empty metric name")
		}
		for _, e := range entries {
			if e.Type == metricType {
				out = append(out, name)
				break
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
