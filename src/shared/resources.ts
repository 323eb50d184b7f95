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
 * optional query parameters `start` and `end` (Unix milliseconds; default the last 6 hours),
 * which the stores that can narrow by time honour (Jaeger's services and operations cannot).
 */

export const ResourcePaths = {
  /**
   * Service names. `source=traces` (default): the trace store's (Tempo `resource.service.name`
   * values, Jaeger services); `source=metrics`: values of jsonData.latency.serviceLabel on the
   * histogram series in Prometheus (the configured histograms, or every classic and native
   * one when none is configured); `source=logs`: Loki `service_name` values (an error
   * saying so when Loki has no `service_name` label in the range).
   */
  services: 'services',
  /** Operation names of one service. Params: `service` (required), `source` as for services. */
  operations: 'operations',
  /** Loki label names. Params: `selector` (optional LogQL stream selector: the names of its streams only). */
  logLabels: 'loki/labels',
  /** Loki values of one label. Params: `label` (required), `selector` (optional LogQL stream selector). */
  logLabelValues: 'loki/label-values',
  /**
   * Prometheus label names (`/api/v1/labels`). Params: `match` (optional series selector: the
   * names of its series only).
   */
  metricLabels: 'prometheus/labels',
  /**
   * Prometheus values of one label. Params: `label` (required), `match` (optional series
   * selector).
   */
  metricLabelValues: 'prometheus/label-values',
  /**
   * Prometheus histogram base names: jsonData.latency.histogramMetrics first, then classic
   * histograms as the name without `_bucket` and the histograms (native ones included) of
   * the metadata API.
   */
  histogramMetrics: 'prometheus/histograms',
  /** TraceQL tag names (Tempo); other trace stores answer an error. */
  traceTags: 'traceql/tags',
  /** Values of one TraceQL tag (Tempo). Param `tag` (required). */
  traceTagValues: 'traceql/tag-values',
} as const;

export type ResourcePath = (typeof ResourcePaths)[keyof typeof ResourcePaths];

export type ServiceSource = 'traces' | 'metrics' | 'logs';

/** Every successful look-up. */
export interface ValuesResponse {
  values: string[];
}

/**
 * Every failed look-up (non-2xx): 400 a required parameter missing or one invalid, the store
 * not configured or its settings invalid, the store refused the credentials (its 401: never
 * passed on, Grafana's frontend would take it for its own session ending), or a look-up the
 * configured store cannot do (TraceQL tags on Jaeger); 404 unknown path; 502 the store failed.
 */
export interface ResourceError {
  error: string;
}

/**
 * CheckHealth (pkg/plugin/health.go): `status` OK when every configured store answered,
 * ERROR when one failed, has invalid settings, or none is configured. `message` has one line
 * per store; `jsonDetails` is a HealthDetails, in the order metrics, logs, traces, then a
 * `latency settings` entry when that section is invalid. When jsonData is not a JSON object
 * at all, the only entry is `settings`.
 */
export interface HealthDetails {
  stores: StoreHealth[];
}

export interface StoreHealth {
  /** Store and kind, e.g. `metrics (prometheus)`, `traces (tempo)`; or a settings section. */
  store: string;
  status: 'ok' | 'error' | 'not configured';
  /** The store's error, when it failed. */
  detail?: string;
}

export const isHealthDetails = (v: unknown): v is HealthDetails =>
  typeof v === 'object' && v !== null && Array.isArray((v as HealthDetails).stores);
