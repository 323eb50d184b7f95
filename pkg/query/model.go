// Package query holds the query model (mirroring src/shared/queryModel.ts field for
// field) and one handler per queryType.
//
// Guarantees to the next stage: a parsed Query has a known QueryType and Version ==
// ModelVersion; handlers return one DataResponse whose failing parts carry an error
// notice naming their store while the other parts still come back.
package query

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// ModelVersion is queryModel.ts QUERY_MODEL_VERSION.
const ModelVersion = 1

// Query types (queryModel.ts QueryType).
const (
	TypeTrace   = "trace"
	TypeSearch  = "search"
	TypeLatency = "latency"
	TypeLogs    = "logs"
	TypeMetrics = "metrics"
)

// Editor modes and latency sources.
const (
	ModeBuilder = "builder"
	ModeCode    = "code"

	SourceHistogram = "histogram"
	SourceSpans     = "spans"
	SourceLogs      = "logs"
)

// Query is the union of every queryType's fields; QueryType picks the ones that apply.
type Query struct {
	RefID     string `json:"refId"`
	QueryType string `json:"queryType"`
	Version   int    `json:"version"`

	// trace
	TraceID          string `json:"traceId,omitempty"`
	IncludeLogs      *bool  `json:"includeLogs,omitempty"`
	IncludeExemplars *bool  `json:"includeExemplars,omitempty"`
	// LinesInSpanLogs copies each joined line into its span's `logs` column (span
	// details in Grafana's trace view); off, the lines are only in the logs frame.
	LinesInSpanLogs *bool `json:"linesInSpanLogs,omitempty"`

	// search
	EditorMode  string `json:"editorMode,omitempty"`
	TraceQL     string `json:"traceql,omitempty"`
	Service     string `json:"service,omitempty"`
	Operation   string `json:"operation,omitempty"`
	Tags        string `json:"tags,omitempty"`
	MinDuration string `json:"minDuration,omitempty"`
	MaxDuration string `json:"maxDuration,omitempty"`
	Limit       int    `json:"limit,omitempty"`

	// latency
	Source          string    `json:"source,omitempty"`
	HistogramMetric string    `json:"histogramMetric,omitempty"`
	SpanFilter      string    `json:"spanFilter,omitempty"`
	LogSelector     string    `json:"logSelector,omitempty"`
	LogField        string    `json:"logField,omitempty"`
	ValueUnit       string    `json:"valueUnit,omitempty"`
	Expr            string    `json:"expr,omitempty"`
	Percentiles     []float64 `json:"percentiles,omitempty"`
	CDF             *bool     `json:"cdf,omitempty"`
	Summary         *bool     `json:"summary,omitempty"`
	GroupBy         []string  `json:"groupBy,omitempty"`

	// metrics
	LegendFormat string `json:"legendFormat,omitempty"`
	Exemplars    *bool  `json:"exemplars,omitempty"`
	Step         string `json:"step,omitempty"`
}

// on reads an optional flag whose default is true.
func on(b *bool) bool { return b == nil || *b }

// Parse reads a query. A query without a numeric version, or with one below 1, is
// version 0 and is upgraded by fromV0 first, as the editor's migrateQuery does: alert
// rules and provisioned dashboards reach the backend as saved, without the editor.
// Newer versions than this backend knows are refused.
func Parse(dq backend.DataQuery) (*Query, error) {
	raw := map[string]any{}
	if len(dq.JSON) > 0 {
		d := json.NewDecoder(bytes.NewReader(dq.JSON))
		d.UseNumber()
		if err := d.Decode(&raw); err != nil {
			return nil, fmt.Errorf("query JSON is not valid: %w", err)
		}
		if _, err := d.Token(); err != io.EOF {
			return nil, fmt.Errorf("query JSON is not valid: more after the query object")
		}
	}
	if raw == nil {
		raw = map[string]any{} // the JSON was null
	}
	if dq.QueryType != "" {
		raw["queryType"] = dq.QueryType
	}
	q := &Query{}
	body := dq.JSON
	version, numeric := raw["version"].(json.Number)
	v0 := !numeric || below1(version)
	if v0 {
		up, err := fromV0(raw)
		if err != nil {
			return nil, fmt.Errorf("version 0 query: %w", err)
		}
		if body, err = json.Marshal(up); err != nil {
			return nil, fmt.Errorf("query JSON is not valid: %w", err)
		}
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, q); err != nil {
			return nil, fmt.Errorf("query JSON is not valid: %w", fieldTypeError(err))
		}
	}
	q.RefID = dq.RefID
	if dq.QueryType != "" && !v0 {
		q.QueryType = dq.QueryType // version 0: fromV0 read it, and guessed an unknown one
	}
	switch q.QueryType {
	case TypeTrace, TypeSearch, TypeLatency, TypeLogs, TypeMetrics:
	default:
		return nil, fmt.Errorf("unknown queryType %q (want trace, search, latency, logs or metrics)", q.QueryType)
	}
	if q.Version > ModelVersion {
		return nil, fmt.Errorf("query version %d is newer than this backend (%d); update the plugin", q.Version, ModelVersion)
	}
	q.Expr = strings.TrimSpace(q.Expr)
	return q, nil
}

// fromV0 upgrades a version 0 query (no `version`) to version 1, rule for rule as
// src/datasource/migrations.ts fromV0 does:
//   - a missing or unknown queryType is guessed: a `traceId` makes a trace query,
//     `traceql` or `service` a search, `expr` or `query` a metrics query; else trace;
//   - `query` held the expression: it is dropped, and `expr` (else `query`) becomes the
//     trace ID of a trace query without one, the TraceQL of a search without one, and
//     the `expr` of a latency, logs or metrics query (logs and metrics: "" without one);
//   - search and latency get an editorMode when theirs is neither "builder" nor "code":
//     "code" when they carry TraceQL (search) or an expression (latency), else "builder";
//   - latency: an unknown source becomes "histogram"; `percentiles` may be a string of
//     numbers split at commas and spaces, or a list, percent values in [1, 100) become
//     fractions, values outside (0,1) are dropped and repeats left out, none left means
//     the data source's defaults; `cdf` may be "true" or "false", other values mean the
//     default.
//
// Unlike the editor, which drops a percentile that is not a number and shows what is
// left, fromV0 refuses it, quoting the value: no one sees an alert rule's query before
// it runs, and it would be evaluated with other percentiles than it names. Outside
// latency queries `percentiles` and `cdf` are unused and dropped, so a stale string
// there does not fail the query.
func fromV0(q map[string]any) (map[string]any, error) {
	qt := guessV0Type(q)
	out := make(map[string]any, len(q)+3)
	for k, v := range q {
		if k != "query" {
			out[k] = v
		}
	}
	if _, ok := q["refId"]; !ok || q["refId"] == nil {
		out["refId"] = "A"
	}
	out["version"] = ModelVersion
	out["queryType"] = qt
	expr, hasExpr := str(q["expr"])
	if !hasExpr {
		expr, hasExpr = str(q["query"])
	}
	if qt != TypeLatency {
		delete(out, "percentiles")
		delete(out, "cdf")
	}
	switch qt {
	case TypeTrace:
		if id, ok := str(q["traceId"]); ok {
			out["traceId"] = id
		} else {
			out["traceId"] = expr // "" without one
		}
	case TypeSearch:
		traceql, ok := str(q["traceql"])
		if !ok && hasExpr {
			traceql, ok = expr, true
		}
		out["editorMode"] = v0EditorMode(q["editorMode"], traceql != "")
		if ok {
			out["traceql"] = traceql
		}
	case TypeLatency:
		if src, _ := str(q["source"]); src != SourceHistogram && src != SourceSpans && src != SourceLogs {
			out["source"] = SourceHistogram
		}
		out["editorMode"] = v0EditorMode(q["editorMode"], expr != "")
		if hasExpr {
			out["expr"] = expr
		}
		ps, err := v0Percentiles(q["percentiles"])
		if err != nil {
			return nil, err
		}
		if ps != nil {
			out["percentiles"] = ps
		} else {
			delete(out, "percentiles")
		}
		switch v := q["cdf"]; v {
		case true, false:
		case "true", "false":
			out["cdf"] = v == "true"
		default:
			delete(out, "cdf")
		}
	case TypeLogs, TypeMetrics:
		out["expr"] = expr // "" without one
	}
	return out, nil
}

// below1 says whether a numeric version is below 1, as migrateQuery compares it.
func below1(v json.Number) bool {
	f, err := v.Float64()
	return err == nil && f < 1
}

// str is v when it is a string.
func str(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

func guessV0Type(q map[string]any) string {
	switch t, _ := str(q["queryType"]); t {
	case TypeTrace, TypeSearch, TypeLatency, TypeLogs, TypeMetrics:
		return t
	}
	has := func(k string) bool { _, ok := str(q[k]); return ok }
	switch {
	case has("traceId"):
		return TypeTrace
	case has("traceql"), has("service"):
		return TypeSearch
	case has("expr"), has("query"):
		return TypeMetrics
	}
	return TypeTrace
}

func v0EditorMode(v any, code bool) string {
	if m, _ := str(v); m == ModeBuilder || m == ModeCode {
		return m
	}
	if code {
		return ModeCode
	}
	return ModeBuilder
}

// v0Percentiles reads version 0 percentiles: nil when absent, of another kind than a
// string or list, or when none is left in (0,1).
func v0Percentiles(v any) ([]float64, error) {
	var list []float64
	num := func(s string, in string) (float64, error) {
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return 0, fmt.Errorf("percentiles %q: %q is not a number", in, s)
		}
		return x, nil
	}
	switch v := v.(type) {
	case string:
		for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
			x, err := num(tok, v)
			if err != nil {
				return nil, err
			}
			list = append(list, x)
		}
	case []any:
		for _, e := range v {
			var x float64
			var err error
			switch e := e.(type) {
			case json.Number:
				x, err = num(e.String(), e.String())
			case string:
				x, err = num(e, e)
			default:
				err = fmt.Errorf("percentiles: %v is not a number", e)
			}
			if err != nil {
				return nil, err
			}
			list = append(list, x)
		}
	default:
		return nil, nil
	}
	var out []float64
	for _, p := range list {
		if p >= 1 && p < 100 {
			p /= 100 // a percent value (99 for p99)
		}
		if p > 0 && p < 1 && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// fieldTypeError says which query field holds a value of the wrong kind, by its JSON
// key, what it holds and what it takes; other errors are returned as they are.
func fieldTypeError(err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field == "" {
		return err
	}
	want, verb := kindName(te.Type), "is"
	if f, ok := queryFieldType(te.Field); ok && deref(f) != deref(te.Type) {
		want, verb = kindName(f), "holds" // an element of a list
	}
	got := te.Value
	switch {
	case strings.HasPrefix(got, "number "):
		got = strings.TrimPrefix(got, "number ")
	case got == "object" || got == "array":
		got = map[string]string{"object": "an object", "array": "a list"}[got]
	case got == "bool":
		got = "true or false"
	default:
		got = "a " + got
	}
	return fmt.Errorf("%q %s %s; want %s", te.Field, verb, got, want)
}

// queryFieldType is the type of the Query field with JSON key name.
func queryFieldType(name string) (reflect.Type, bool) {
	t := reflect.TypeOf(Query{})
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag == name {
			return t.Field(i).Type, true
		}
	}
	return nil, false
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// kindName names a Go type as a JSON value a dashboard author writes.
func kindName(t reflect.Type) string {
	switch t = deref(t); t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Slice:
		if e := kindName(t.Elem()); strings.HasPrefix(e, "a ") {
			return "a list of " + strings.TrimPrefix(e, "a ") + "s"
		}
		return "a list"
	}
	return t.String()
}
