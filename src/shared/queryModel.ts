/**
 * Stage 1 (types): the query model shared by the data source editors, the Go backend
 * (pkg/query/model.go mirrors it field for field) and the panel.
 * Guarantees to the next stage: every saved query carries `version`, and `queryType`
 * selects exactly one variant; `migrations.ts` turns any older shape into this one.
 */
import type { DataQuery } from '@grafana/schema';

export const QUERY_MODEL_VERSION = 1;

export type QueryType = 'trace' | 'search' | 'latency' | 'logs' | 'metrics';

/** Editing mode: the builder fills the structured fields, code mode sends the raw expression. */
export type EditorMode = 'builder' | 'code';

interface BaseQuery extends DataQuery {
  version: number;
}

/** One trace by ID, with the log lines of each span and the exemplars that point at it. */
export interface TraceQuery extends BaseQuery {
  queryType: 'trace';
  traceId: string;
  /** Default true. */
  includeLogs?: boolean;
  /** Default true. */
  includeExemplars?: boolean;
  /**
   * Default true: each joined log line is also copied into its span's `logs` column, which
   * Grafana's trace view shows in span details. Off: the lines are only in the logs frame,
   * each with its span's ID (all the Latency Lens panel needs; a much smaller response).
   */
  linesInSpanLogs?: boolean;
}

/** Traces matching TraceQL (Tempo) or service/operation/tags/duration (Tempo or Jaeger). */
export interface SearchQuery extends BaseQuery {
  queryType: 'search';
  editorMode: EditorMode;
  /** Code mode (Tempo only). */
  traceql?: string;
  service?: string;
  operation?: string;
  /** logfmt: `http.status_code=500 error=true` */
  tags?: string;
  /** Go-style durations: `120ms`, `1.5s`. */
  minDuration?: string;
  maxDuration?: string;
  limit?: number;
}

/** Where latency values come from. */
export type LatencySource = 'histogram' | 'spans' | 'logs';

export interface LatencyQuery extends BaseQuery {
  queryType: 'latency';
  source: LatencySource;
  editorMode: EditorMode;
  service?: string;
  operation?: string;
  /** source=histogram, builder: base name of a classic (`<name>_bucket`) or native histogram. */
  histogramMetric?: string;
  /** source=spans, builder: extra TraceQL conditions ANDed into the span selector, e.g. `span.http.status_code >= 500`. */
  spanFilter?: string;
  /** source=logs, builder: LogQL stream selector + pipeline, and the field to unwrap. */
  logSelector?: string;
  logField?: string;
  /** Unit of the unwrapped log field / histogram: 's' | 'ms' | 'us' | 'ns'. Default: 's' for histograms, 'ms' for logs. */
  valueUnit?: DurationUnit;
  /** Code mode: PromQL selector of the histogram (source=histogram), TraceQL span selector (spans), LogQL with `| unwrap` (logs). */
  expr?: string;
  /** Quantiles in (0,1); default comes from the data source settings. */
  percentiles?: number[];
  /** Emit the CDF frame. Default true. */
  cdf?: boolean;
  /** Emit the summary frame (count, mean, TPS, error rate, rho). Default true. */
  summary?: boolean;
  /** Labels to split series by (e.g. `service`). */
  groupBy?: string[];
}

export type DurationUnit = 's' | 'ms' | 'us' | 'ns';

/** LogQL; the trace ID is extracted into its own field using the data source's extraction rule. */
export interface LogsQuery extends BaseQuery {
  queryType: 'logs';
  expr: string;
  limit?: number;
}

/** PromQL, plus the exemplars of the same selector. */
export interface MetricsQuery extends BaseQuery {
  queryType: 'metrics';
  expr: string;
  legendFormat?: string;
  /** Default true. */
  exemplars?: boolean;
  /** Minimum step, as Prometheus reads a step (`15s`, `1h30m`, `1d`, a number of seconds), or `$__interval`. */
  step?: string;
}

export type LensQuery = TraceQuery | SearchQuery | LatencyQuery | LogsQuery | MetricsQuery;

export const isTraceQuery = (q: LensQuery): q is TraceQuery => q.queryType === 'trace';
export const isSearchQuery = (q: LensQuery): q is SearchQuery => q.queryType === 'search';
export const isLatencyQuery = (q: LensQuery): q is LatencyQuery => q.queryType === 'latency';
export const isLogsQuery = (q: LensQuery): q is LogsQuery => q.queryType === 'logs';
export const isMetricsQuery = (q: LensQuery): q is MetricsQuery => q.queryType === 'metrics';
