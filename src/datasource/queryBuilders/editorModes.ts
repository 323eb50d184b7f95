/**
 * Stage 2: switching a builder query to code mode. The builder fields stay in the query
 * (switching back shows them again); code mode reads only `expr` / `traceql`.
 * Guarantees: the code is exactly what the builder state means, or the switch is refused
 * with the builder's error (nothing is half-converted).
 */
import type { LatencyQuery, LensQuery, SearchQuery } from '../../shared/queryModel';
import { failed, type BuildResult } from './buildResult';
import { buildLogLatency } from './logql';
import { buildHistogramSelector } from './promql';
import { buildTraceSelector } from './traceql';

export interface BuilderSettings {
  serviceLabel: string;
  operationLabel: string;
  /** Loki label holding the service, for a latency-from-logs query without selector. */
  logServiceLabel: string;
}

export const DEFAULT_BUILDER_SETTINGS: BuilderSettings = {
  serviceLabel: 'service',
  operationLabel: 'operation',
  logServiceLabel: 'service_name',
};

export function latencyToCode(q: LatencyQuery, s: BuilderSettings): BuildResult {
  switch (q.source) {
    case 'histogram':
      return buildHistogramSelector({
        metric: q.histogramMetric,
        service: q.service,
        operation: q.operation,
        serviceLabel: s.serviceLabel,
        operationLabel: s.operationLabel,
      });
    case 'spans':
      return buildTraceSelector({ service: q.service, operation: q.operation, filter: q.spanFilter });
    case 'logs':
      return buildLogLatency({
        logSelector: q.logSelector,
        service: q.service,
        serviceLabel: s.logServiceLabel,
        logField: q.logField,
      });
    default:
      return failed(`unknown latency source ${JSON.stringify((q as LatencyQuery).source)}`);
  }
}

export function searchToCode(q: SearchQuery): BuildResult {
  return buildTraceSelector({
    service: q.service,
    operation: q.operation,
    tags: q.tags,
    minDuration: q.minDuration,
    maxDuration: q.maxDuration,
  });
}

/** The query in code mode, or the reason it cannot switch. Queries without modes come back unchanged. */
export function switchToCode(q: LensQuery, s: BuilderSettings): { query: LensQuery; error?: string } {
  if (q.queryType === 'latency') {
    if (q.editorMode === 'code') {
      return { query: q };
    }
    const r = latencyToCode(q, s);
    return r.ok ? { query: { ...q, editorMode: 'code', expr: r.expr } } : { query: q, error: r.error };
  }
  if (q.queryType === 'search') {
    if (q.editorMode === 'code') {
      return { query: q };
    }
    const r = searchToCode(q);
    return r.ok ? { query: { ...q, editorMode: 'code', traceql: r.expr } } : { query: q, error: r.error };
  }
  return { query: q };
}
