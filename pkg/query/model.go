// Package query holds the query model (mirroring src/shared/queryModel.ts field for
// field) and one handler per queryType.
//
// Guarantees to the next stage: a parsed Query has a known QueryType and Version ==
// ModelVersion; handlers return one DataResponse whose failing parts carry an error
// notice naming their store while the other parts still come back.
package query

import (
	"encoding/json"
	"fmt"
	"strings"

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

// Parse reads a query. A missing version is the first saved shape, which equals
// version 1; newer versions than this backend knows are refused.
func Parse(dq backend.DataQuery) (*Query, error) {
	q := &Query{}
	if len(dq.JSON) > 0 {
		if err := json.Unmarshal(dq.JSON, q); err != nil {
			return nil, fmt.Errorf("query JSON is not valid: %w", err)
		}
	}
	q.RefID = dq.RefID
	if dq.QueryType != "" {
		q.QueryType = dq.QueryType
	}
	switch q.QueryType {
	case TypeTrace, TypeSearch, TypeLatency, TypeLogs, TypeMetrics:
	default:
		return nil, fmt.Errorf("unknown queryType %q (want trace, search, latency, logs or metrics)", q.QueryType)
	}
	switch {
	case q.Version == 0:
		q.Version = ModelVersion
	case q.Version > ModelVersion:
		return nil, fmt.Errorf("query version %d is newer than this backend (%d); update the plugin", q.Version, ModelVersion)
	case q.Version < 0:
		return nil, fmt.Errorf("query version %d is not valid", q.Version)
	}
	q.Expr = strings.TrimSpace(q.Expr)
	return q, nil
}
