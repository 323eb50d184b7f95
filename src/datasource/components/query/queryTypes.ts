/**
 * Stage 2 for the query editor: a fresh query of another type keeps only what every query
 * has (refId, datasource, hide); each type starts from its defaults.
 */
import { QUERY_MODEL_VERSION, type LensQuery, type QueryType } from '../../../shared/queryModel';

export const QUERY_TYPES: Array<{ value: QueryType; label: string; description: string }> = [
  { value: 'trace', label: 'Trace', description: 'One trace by ID, with its logs and exemplars' },
  { value: 'search', label: 'Search', description: 'Find traces' },
  { value: 'latency', label: 'Latency', description: 'Percentiles and CDF' },
  { value: 'logs', label: 'Logs', description: 'LogQL' },
  { value: 'metrics', label: 'Metrics', description: 'PromQL with exemplars' },
];

export function changeQueryType(q: LensQuery, queryType: QueryType): LensQuery {
  if (q.queryType === queryType) {
    return q;
  }
  const base = { refId: q.refId, datasource: q.datasource, hide: q.hide, version: QUERY_MODEL_VERSION };
  switch (queryType) {
    case 'trace':
      return { ...base, queryType, traceId: '' };
    case 'search':
      return { ...base, queryType, editorMode: 'builder' };
    case 'latency':
      return { ...base, queryType, source: 'histogram', editorMode: 'builder', cdf: true };
    case 'logs':
      return { ...base, queryType, expr: '' };
    case 'metrics':
      return { ...base, queryType, expr: '', exemplars: true };
  }
}
