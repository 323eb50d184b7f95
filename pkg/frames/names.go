// Package frames builds the data frames the panel and Grafana read, with the field
// names of src/shared/frames.ts.
//
// Guarantees to the next stage: every frame carries meta.custom.lensKind; times of the
// trace view are float milliseconds; every trace-ID field links to a `trace` query of
// this data source.
package frames

// LensKindKey is the key in meta.custom that names the frame kind (frames.ts LENS_KIND).
const LensKindKey = "lensKind"

// LinesInSpanLogsKey is set (true) in a spans frame's meta.custom when its `logs` column
// holds the joined log lines besides the spans' events (frames.ts LINES_IN_SPAN_LOGS): a
// reader that also has the logs frame must not show those lines twice.
const LinesInSpanLogsKey = "linesInSpanLogs"

// Frame kinds (frames.ts LensFrameKind).
const (
	KindSpans      = "spans"
	KindLogs       = "logs"
	KindExemplars  = "exemplars"
	KindSearch     = "search"
	KindPercentile = "percentile"
	KindCDF        = "cdf"
	KindSummary    = "summary"
	KindMetrics    = "metrics"
)

// Span fields (frames.ts SpanFields).
const (
	SpanTraceID       = "traceID"
	SpanSpanID        = "spanID"
	SpanParentSpanID  = "parentSpanID"
	SpanOperationName = "operationName"
	SpanServiceName   = "serviceName"
	SpanServiceTags   = "serviceTags"
	SpanStartTime     = "startTime"
	SpanDuration      = "duration"
	SpanLogs          = "logs"
	SpanReferences    = "references"
	SpanTags          = "tags"
	SpanKind          = "kind"
	SpanStatusCode    = "statusCode"
	SpanStatusMessage = "statusMessage"
	// The instrumentation scope (library) that recorded the span, and the span's W3C
	// tracestate, under the names Grafana's Tempo data source gives them (its trace view
	// shows them as Library Name, Library Version and Trace State).
	SpanLibraryName    = "instrumentationLibraryName"
	SpanLibraryVersion = "instrumentationLibraryVersion"
	SpanTraceState     = "traceState"
	SpanWarnings       = "warnings"
)

// Log fields (frames.ts LogFields).
const (
	LogTime    = "timestamp"
	LogBody    = "body"
	LogLevel   = "level"
	LogLabels  = "labels"
	LogTraceID = "traceID"
	LogSpanID  = "spanID"
	// LogID is each line's own ID, by which Grafana's logs panel and Explore tell lines
	// apart (permalinks, pinned lines, merging results).
	LogID = "id"
)

// Exemplar fields (frames.ts ExemplarFields). Time and Value are the names by which
// Grafana's time series panel places the markers of an "exemplar" annotations frame.
// Each series label follows as a string field of its own (seriesLabelFields).
const (
	ExemplarTime         = "Time"
	ExemplarValue        = "Value"
	ExemplarTraceID      = "traceID"
	ExemplarSpanID       = "spanID"
	ExemplarSeriesLabels = "seriesLabels"
)

// Search fields (frames.ts SearchFields).
const (
	SearchTraceID     = "traceID"
	SearchRootService = "rootServiceName"
	SearchRootName    = "rootTraceName"
	SearchStartTime   = "startTime"
	SearchDurationMs  = "durationMs"
	SearchSpanCount   = "spanCount"
	SearchHasError    = "hasError"
)

// Percentile fields (frames.ts PercentileFields, QUANTILE_LABEL).
const (
	PercentileTime  = "time"
	PercentileValue = "value"
	QuantileLabel   = "quantile"
)

// CDF fields (frames.ts CdfFields).
const (
	CDFDurationMs = "durationMs"
	CDFFraction   = "fraction"
	CDFLowerMs    = "lowerMs"
	CDFUpperMs    = "upperMs"
	CDFCount      = "count"
)

// Summary fields (frames.ts SummaryFields).
const (
	SummaryCount     = "count"
	SummaryMeanMs    = "meanMs"
	SummaryTPS       = "tps"
	SummaryErrorRate = "errorRate"
	SummaryRho       = "rho"
)
