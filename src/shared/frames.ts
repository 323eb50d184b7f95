/**
 * Stage 1 (types): names of the frames and fields the backend emits and the panel reads.
 * pkg/frames/names.go holds the same strings. Units live in the field names.
 */

/** `frame.meta.custom.lensKind` tells the panel what a frame is without guessing. */
export const LENS_KIND = 'lensKind';

/**
 * `frame.meta.custom.linesInSpanLogs` is true on a spans frame whose `logs` column holds the
 * joined log lines besides the span events: a reader that also has the logs frame must not
 * show those lines twice.
 */
export const LINES_IN_SPAN_LOGS = 'linesInSpanLogs';

export type LensFrameKind =
  | 'spans'
  | 'logs'
  | 'exemplars'
  | 'search'
  | 'percentile'
  | 'cdf'
  | 'summary'
  | 'metrics';

/** Spans: Grafana's trace columns (times in ms, as its trace view expects). */
export const SpanFields = {
  traceId: 'traceID',
  spanId: 'spanID',
  parentSpanId: 'parentSpanID',
  operationName: 'operationName',
  serviceName: 'serviceName',
  serviceTags: 'serviceTags',
  startTime: 'startTime',
  duration: 'duration',
  logs: 'logs',
  references: 'references',
  tags: 'tags',
  kind: 'kind',
  statusCode: 'statusCode',
  statusMessage: 'statusMessage',
  /** The instrumentation scope (library) that recorded the span (Grafana's Tempo data source names). */
  libraryName: 'instrumentationLibraryName',
  libraryVersion: 'instrumentationLibraryVersion',
  /** The span's W3C tracestate. */
  traceState: 'traceState',
  /** Extra: the span's events and links as the store sent them. */
  warnings: 'warnings',
} as const;

/** Logs frame (preferredVisualisationType "logs"). */
export const LogFields = {
  time: 'timestamp',
  body: 'body',
  level: 'level',
  labels: 'labels',
  /** Null for a line without a trace ID (Grafana then shows no "Open trace" link). */
  traceId: 'traceID',
  /** Null for a line without a span ID that joined no span. */
  spanId: 'spanID',
  /** Each line's own ID; only in the `logs` query's frame (a trace's logs frame has none). */
  id: 'id',
} as const;

/**
 * Exemplars frame: one row per exemplar pointing at a trace. Time and Value are the names by
 * which Grafana's time series panel places the markers of an "exemplar" annotations frame.
 * After these fields, each series label is a string field of its own (Grafana matches them
 * with the visible series' labels); `seriesLabels` holds all of them as one JSON object.
 */
export const ExemplarFields = {
  time: 'Time',
  value: 'Value',
  traceId: 'traceID',
  /** Null for an exemplar without a span ID. */
  spanId: 'spanID',
  seriesLabels: 'seriesLabels',
} as const;

/** Search results. */
export const SearchFields = {
  traceId: 'traceID',
  rootService: 'rootServiceName',
  rootName: 'rootTraceName',
  startTime: 'startTime',
  durationMs: 'durationMs',
  spanCount: 'spanCount',
  hasError: 'hasError',
} as const;

/**
 * Percentile series: one frame per percentile and group, fields `time` and `value`
 * (seconds or ms per `unit` in field config); the value field carries label `quantile` ("0.99").
 */
export const PercentileFields = { time: 'time', value: 'value' } as const;
export const QUANTILE_LABEL = 'quantile';

/**
 * CDF: rows sorted by `durationMs`; `fraction` = F(t) = P(T <= t) in [0,1].
 * From histogram buckets, `lowerMs`/`upperMs` bound where the values counted in a step may lie,
 * and the last row is the +Inf bucket (`durationMs` and `upperMs` +Inf, `fraction` 1).
 * `count` is cumulative: the observations ≤ `durationMs` (the last row's is the total).
 */
export const CdfFields = {
  durationMs: 'durationMs',
  fraction: 'fraction',
  lowerMs: 'lowerMs',
  upperMs: 'upperMs',
  count: 'count',
} as const;

/** Summary: one row. `rho` only when a service rate is configured. */
export const SummaryFields = {
  count: 'count',
  meanMs: 'meanMs',
  tps: 'tps',
  errorRate: 'errorRate',
  rho: 'rho',
} as const;
