/**
 * Stage 1 (types): the data source's jsonData and secureJsonData. pkg/settings mirrors it.
 * Secrets live only in secureJsonData; the frontend sees `secureJsonFields[key] === true`.
 */
import type { DataSourceJsonData } from '@grafana/data';

export type AuthMethod = 'none' | 'basic' | 'bearer';

export interface StoreConfig {
  /** Empty URL: the store is not configured; queries that need it return a clear error. */
  url?: string;
  auth?: AuthMethod;
  basicAuthUser?: string;
  /** Header names; values are secure (`<prefix>HeaderValue<i>`). */
  headerNames?: string[];
  tlsSkipVerify?: boolean;
  /** A CA certificate is secure (`<prefix>TlsCACert`). */
  tlsWithCACert?: boolean;
  /** Mutual TLS: the client certificate and key are secure (`<prefix>TlsClientCert`, `<prefix>TlsClientKey`). */
  tlsAuth?: boolean;
  /**
   * Per-call deadline: a Go duration ("30s"), or a number of seconds as Grafana and
   * provisioning files write it (`timeout: 30`); default 30s.
   */
  timeout?: string | number;
  /**
   * Metrics store only: how often it scrapes its targets, read like `timeout`; default 15s.
   * Rate windows ($__rate_interval, the histogram latency's) span at least four scrapes.
   */
  scrapeInterval?: string | number;
}

export type TraceStoreKind = 'tempo' | 'jaeger-v1' | 'jaeger-v3';

/** How a Loki line carries its trace and span IDs. */
export type TraceIdExtraction =
  | { mode: 'label'; traceIdKey: string; spanIdKey?: string }
  | { mode: 'structuredMetadata'; traceIdKey: string; spanIdKey?: string }
  | { mode: 'json'; traceIdPath: string; spanIdPath?: string }
  | { mode: 'logfmt'; traceIdKey: string; spanIdKey?: string }
  | { mode: 'regex'; traceIdRegex: string; spanIdRegex?: string };

export interface LensJsonData extends DataSourceJsonData {
  metrics?: StoreConfig;
  logs?: StoreConfig & {
    /** LogQL stream selector used to find a trace's lines, e.g. `{service_name=~".+"}`. */
    traceLogSelector?: string;
    extraction?: TraceIdExtraction;
  };
  traces?: StoreConfig & { kind?: TraceStoreKind };
  latency?: {
    /** Default quantiles, e.g. [0.5, 0.9, 0.95, 0.99]. */
    percentiles?: number[];
    /** Histogram base names offered first in the editors. */
    histogramMetrics?: string[];
    /** Prometheus label names for service / operation. */
    serviceLabel?: string;
    operationLabel?: string;
    /** Requests per second one instance can serve (mu), to report rho = lambda / mu. */
    serviceRate?: number;
    /** Prometheus label that marks failed requests (e.g. `status`); no label: error rate unknown. */
    errorLabel?: string;
    /** Regex (fully anchored) of errorLabel values that count as errors; default `5..|error|ERROR|STATUS_CODE_ERROR`. */
    errorValues?: string;
  };
  limits?: {
    maxSpans?: number;
    maxLogLines?: number;
    /** Go duration added before and after a trace's own time range when fetching its logs. */
    logWindowPadding?: string;
  };
}

/** Keys of secureJsonData: `${store}${Suffix}` with store in metrics|logs|traces. */
export type SecureKey =
  | `${'metrics' | 'logs' | 'traces'}BasicAuthPassword`
  | `${'metrics' | 'logs' | 'traces'}BearerToken`
  | `${'metrics' | 'logs' | 'traces'}TlsCACert`
  | `${'metrics' | 'logs' | 'traces'}TlsClientCert`
  | `${'metrics' | 'logs' | 'traces'}TlsClientKey`
  | `${'metrics' | 'logs' | 'traces'}HeaderValue${number}`;

export type LensSecureJsonData = Partial<Record<SecureKey, string>>;

export const DEFAULT_PERCENTILES = [0.5, 0.9, 0.95, 0.99];

/** limits.maxLogLines when unset (pkg/settings DefaultMaxLogLines): the most lines a logs query returns. */
export const DEFAULT_MAX_LOG_LINES = 5000;
