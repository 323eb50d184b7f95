/**
 * Stage 1-2: template-variable queries (services, operations, label values, trace IDs).
 * Guarantees: `toLookup` names one resource path of shared/resources.ts with its params,
 * or says that the variable needs a search query (trace IDs) instead.
 */
import type { DataQuery } from '@grafana/schema';

import { QUERY_MODEL_VERSION, type SearchQuery } from '../../shared/queryModel';
import { ResourcePaths, type ServiceSource } from '../../shared/resources';

export type VariableKind = 'services' | 'operations' | 'logLabelValues' | 'metricLabelValues' | 'traceIds';

export interface LensVariableQuery extends DataQuery {
  kind: VariableKind;
  /** services / operations: which store lists them. */
  source?: ServiceSource;
  /** operations: the service (a variable like `$service` is fine). */
  service?: string;
  /** label values: the label name. */
  label?: string;
  /** logLabelValues: LogQL stream selector; metricLabelValues: PromQL series selector. */
  selector?: string;
  /** traceIds: TraceQL (Tempo); empty = the service above (Jaeger). */
  traceql?: string;
  /** traceIds: how many. */
  limit?: number;
}

export const VARIABLE_KINDS: Array<{ value: VariableKind; label: string; description: string }> = [
  { value: 'services', label: 'Services', description: 'Service names from the trace, metrics or log store' },
  { value: 'operations', label: 'Operations', description: 'Operation names of one service' },
  { value: 'logLabelValues', label: 'Log label values', description: 'Values of a Loki label' },
  { value: 'metricLabelValues', label: 'Metric label values', description: 'Values of a Prometheus label' },
  { value: 'traceIds', label: 'Trace IDs', description: 'Trace IDs of a trace search' },
];

export type Lookup =
  | { kind: 'resource'; path: string; params: Record<string, string | number> }
  | { kind: 'search'; query: SearchQuery }
  | { kind: 'invalid'; error: string };

type Range = { start: number; end: number } | undefined;

/** What the trace store can do: Jaeger has no TraceQL, and searches the service instead. */
export interface TraceStore {
  traceql: boolean;
}

/** The variable query (already interpolated) as a look-up. */
export function toLookup(q: LensVariableQuery, range: Range, store: TraceStore = { traceql: true }): Lookup {
  const time: Record<string, number> = range ? { start: range.start, end: range.end } : {};
  switch (q.kind) {
    case 'services':
      return { kind: 'resource', path: ResourcePaths.services, params: { ...time, source: q.source ?? 'traces' } };
    case 'operations':
      if (!q.service) {
        return { kind: 'invalid', error: 'choose a service' };
      }
      return {
        kind: 'resource',
        path: ResourcePaths.operations,
        params: { ...time, source: q.source ?? 'traces', service: q.service },
      };
    case 'logLabelValues':
    case 'metricLabelValues': {
      if (!q.label) {
        return { kind: 'invalid', error: 'choose a label' };
      }
      const logs = q.kind === 'logLabelValues';
      const params: Record<string, string | number> = { ...time, label: q.label };
      if (q.selector) {
        params[logs ? 'selector' : 'match'] = q.selector;
      }
      return { kind: 'resource', path: logs ? ResourcePaths.logLabelValues : ResourcePaths.metricLabelValues, params };
    }
    case 'traceIds': {
      const traceql = store.traceql ? q.traceql : undefined;
      if (!store.traceql && !q.service) {
        return { kind: 'invalid', error: 'choose a service (Jaeger searches by service)' };
      }
      return {
        kind: 'search',
        query: {
          refId: 'variable',
          version: QUERY_MODEL_VERSION,
          queryType: 'search',
          editorMode: traceql ? 'code' : 'builder',
          ...(traceql ? { traceql } : {}),
          ...(q.service ? { service: q.service } : {}),
          limit: q.limit ?? 20,
        },
      };
    }
    default:
      return { kind: 'invalid', error: `unknown variable kind ${JSON.stringify((q as LensVariableQuery).kind)}` };
  }
}
