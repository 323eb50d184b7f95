/**
 * Stage 2: one line that says what a query asks, for Explore's query history and the query
 * library (which otherwise show the query's JSON).
 * Guarantees: a single line, prefixed with the query type; builder queries show the
 * expression the builder makes when it can, else their fields.
 */
import type { LensQuery } from '../shared/queryModel';
import { logfmtValue } from './language/escape';
import { latencyToCode, type BuilderSettings } from './queryBuilders/editorModes';

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

function fields(pairs: Array<[string, unknown]>): string {
  return pairs
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${logfmtValue(String(v))}`)
    .join(' ');
}

const percent = (p: number) => `p${Number((p * 100).toPrecision(6))}`;

export function queryDisplayText(q: LensQuery, settings: BuilderSettings): string {
  switch (q.queryType) {
    case 'trace':
      return `Trace: ${String(q.traceId ?? '').trim()}`;
    case 'search': {
      if (q.editorMode === 'code') {
        return `Search: ${oneLine(String(q.traceql ?? ''))}`;
      }
      const text = fields([
        ['service', q.service],
        ['operation', q.operation],
        ['tags', q.tags],
        ['minDuration', q.minDuration],
        ['maxDuration', q.maxDuration],
        ['limit', q.limit],
      ]);
      return `Search: ${text || 'all traces'}`;
    }
    case 'latency': {
      let what: string;
      if (q.editorMode === 'code') {
        what = oneLine(String(q.expr ?? ''));
      } else {
        const built = latencyToCode(q, settings);
        what = built.ok
          ? built.expr
          : fields([
              ['metric', q.histogramMetric],
              ['service', q.service],
              ['operation', q.operation],
              ['filter', q.spanFilter],
              ['selector', q.logSelector],
              ['field', q.logField],
            ]);
      }
      const parts = [`Latency (${q.source}):`, what];
      if (Array.isArray(q.percentiles) && q.percentiles.length) {
        parts.push(q.percentiles.map(percent).join(', '));
      }
      if (Array.isArray(q.groupBy) && q.groupBy.length) {
        parts.push(`by ${q.groupBy.join(', ')}`);
      }
      return parts.filter(Boolean).join(' ');
    }
    case 'logs':
      return `Logs: ${oneLine(String(q.expr ?? ''))}`;
    case 'metrics':
      return `Metrics: ${oneLine(String(q.expr ?? ''))}`;
    default:
      return JSON.stringify(q);
  }
}
