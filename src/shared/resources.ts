/**
 * Stage 1 (types): the data source's resource endpoints (CallResource) and the shape of
 * its CheckHealth details. pkg/plugin serves exactly these paths; the editors and the
 * template-variable support call them through `DataSourceWithBackend.getResource`.
 *
 * Guarantees to the next stage: every look-up answers `200 {"values": string[]}` with the
 * values sorted and unique (possibly empty), or a non-2xx status with `{"error": string}`
 * naming the store, its HTTP status and its message (never a secret).
 *
 * Paths are relative to `/api/datasources/uid/<uid>/resources/`. Every look-up takes the
 * optional query parameters `start` and `end` (Unix milliseconds, as integers); without
 * them the backend looks at the last hour.
 */

export const ResourcePaths = {
  /**
   * Service names. `source=traces` (default): Tempo `resource.service.name` values or Jaeger
   * services; `source=metrics`: values of the configured service label (jsonData.latency.serviceLabel)
   * on Prometheus; `source=logs`: values of Loki's `service_name` label.
   */
  services: 'services',
  /**
   * Operation names of one service. Params: `service` (required), `source` as for services.
   * traces: Tempo span names / Jaeger operations; metrics: values of the operation label among
   * series that carry `<serviceLabel>="<service>"`.
   */
  operations: 'operations',
  /** Loki label names. Param `selector` (optional LogQL stream selector) narrows the streams. */
  logLabels: 'logs/labels',
  /** Loki values of one label. Params: `label` (required), `selector` (optional). */
  logLabelValues: 'logs/label-values',
  /** Prometheus label values. Params: `label` (required), `match` (optional series selector). */
  metricLabelValues: 'metrics/label-values',
  /**
   * Prometheus histogram base names: classic histograms as the name without `_bucket`
   * (only when a `le` label exists), native histograms by their own name. Configured
   * jsonData.latency.histogramMetrics come first.
   */
  histogramMetrics: 'metrics/histograms',
  /**
   * TraceQL tag names, fully scoped (`span.http.status_code`, `resource.service.name`).
   * Param `scope`: span | resource (optional, both by default). Jaeger answers an empty list.
   */
  traceTags: 'traces/tags',
  /** Values of one TraceQL tag. Param `tag` (fully scoped, required). Jaeger: empty list. */
  traceTagValues: 'traces/tag-values',
} as const;

export type ResourcePath = (typeof ResourcePaths)[keyof typeof ResourcePaths];

export type ServiceSource = 'traces' | 'metrics' | 'logs';

interface TimeParams {
  /** Unix milliseconds. */
  start?: number;
  end?: number;
}

/** Query parameters per path. */
export interface ResourceParams {
  services: TimeParams & { source?: ServiceSource };
  operations: TimeParams & { service: string; source?: ServiceSource };
  'logs/labels': TimeParams & { selector?: string };
  'logs/label-values': TimeParams & { label: string; selector?: string };
  'metrics/label-values': TimeParams & { label: string; match?: string };
  'metrics/histograms': TimeParams;
  'traces/tags': TimeParams & { scope?: 'span' | 'resource' };
  'traces/tag-values': TimeParams & { tag: string };
}

/** Every successful look-up. */
export interface ValuesResponse {
  values: string[];
}

/** Every failed look-up (non-2xx). */
export interface ResourceError {
  error: string;
}

export type StoreName = 'metrics' | 'logs' | 'traces';

/**
 * CheckHealth: `status` is OK when every configured store answered and at least one is
 * configured, ERROR when any configured store failed (the others are still reported),
 * UNKNOWN when no store is configured. `message` is a one-line summary; `jsonDetails`
 * is a HealthDetails with one entry per store, always in the order metrics, logs, traces.
 */
export interface HealthDetails {
  stores: StoreHealth[];
}

export interface StoreHealth {
  store: StoreName;
  status: 'ok' | 'error' | 'unconfigured';
  /** What was checked and what came back, e.g. `Prometheus 2.42.0 answered buildinfo` or the store's error. */
  message: string;
  /** The store's HTTP status when it answered. */
  httpStatus?: number;
  /** Round trip of the check. */
  latencyMs?: number;
  /** traces only: tempo | jaeger-v1 | jaeger-v3. */
  kind?: string;
}

export const isHealthDetails = (v: unknown): v is HealthDetails =>
  typeof v === 'object' && v !== null && Array.isArray((v as HealthDetails).stores);
