/**
 * "Traces near this percentile": an Explore link running a trace search with a duration window,
 * in the query language of the data source that produced the panel's data (ours, Tempo,
 * Jaeger). Pure; undefined when the data source cannot search traces.
 */
import { type DataQueryRequest, type TimeRange } from '@grafana/data';

import { QUERY_MODEL_VERSION, type SearchQuery } from '../../shared/queryModel';
import { exploreUrl } from '../frames/links';

export const LENS_DATASOURCE_TYPE = 'latencylens-lens-datasource';

export interface SearchTarget {
  uid: string;
  type: string;
}

export function searchTargetOf(request: DataQueryRequest | undefined, refId?: string): SearchTarget | undefined {
  const targets = request?.targets ?? [];
  const t = targets.find((q) => q.refId === refId) ?? targets[0];
  const ds = t?.datasource ?? undefined;
  if (ds && typeof ds === 'object' && ds.uid && ds.type) {
    return { uid: ds.uid, type: ds.type };
  }
  return undefined;
}

/** Go-style duration the backends parse ("120ms", "1.5s"). */
export function goDuration(ms: number): string {
  if (ms >= 1000) {
    return `${+(ms / 1000).toFixed(3)}s`;
  }
  if (ms >= 1) {
    return `${+ms.toFixed(3)}ms`;
  }
  return `${Math.max(1, Math.round(ms * 1000))}us`;
}

export function traceSearchLink(
  target: SearchTarget | undefined,
  minMs: number,
  maxMs: number,
  service?: string,
  range?: TimeRange
): string | undefined {
  if (!target) {
    return undefined;
  }
  const r = range ? { from: String(range.from.valueOf()), to: String(range.to.valueOf()) } : undefined;
  const min = goDuration(minMs);
  const max = goDuration(maxMs);
  switch (target.type) {
    case LENS_DATASOURCE_TYPE: {
      const q: Omit<SearchQuery, 'refId'> = {
        queryType: 'search',
        version: QUERY_MODEL_VERSION,
        editorMode: 'builder',
        minDuration: min,
        maxDuration: max,
        ...(service ? { service } : {}),
        limit: 20,
      };
      return exploreUrl(target.uid, q as unknown as Record<string, unknown>, r);
    }
    case 'tempo': {
      const svc = service ? ` && resource.service.name = "${service.replace(/"/g, '\\"')}"` : '';
      return exploreUrl(target.uid, { queryType: 'traceql', query: `{ duration >= ${min} && duration <= ${max}${svc} }`, limit: 20 }, r);
    }
    case 'jaeger':
      return exploreUrl(target.uid, { queryType: 'search', service, minDuration: min, maxDuration: max, limit: 20 }, r);
    default:
      return undefined;
  }
}
