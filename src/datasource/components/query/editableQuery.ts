/**
 * Stage 1→2 for the query editor: a saved query (already migrated) with each field in the
 * type pkg/query/model.go reads, so the editors can show it and what they store runs.
 * Provisioned dashboards and hand-edited JSON carry numbers where text is expected, a
 * string where a list is, or "false" for a switch; the backend refuses those by name.
 * Guarantees: text fields are strings (a number or true/false becomes its text, another
 * value its JSON), lists are arrays of their element type, switches are booleans, limit a
 * positive whole number; a query that needs none of this is returned as the same object.
 */
import type { LensQuery } from '../../../shared/queryModel';
import { wholeLimit } from '../../queryBuilders/buildResult';
import { parsePercentiles } from '../config/settingsUpdates';

type Raw = Record<string, unknown>;

const TEXT_FIELDS = [
  'traceId',
  'editorMode',
  'traceql',
  'service',
  'operation',
  'tags',
  'minDuration',
  'maxDuration',
  'source',
  'histogramMetric',
  'spanFilter',
  'logSelector',
  'logField',
  'valueUnit',
  'expr',
  'legendFormat',
  'step',
] as const;

const SWITCH_FIELDS = ['includeLogs', 'includeExemplars', 'linesInSpanLogs', 'cdf', 'summary', 'exemplars'] as const;

function text(v: unknown): string | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') {
    return String(v);
  }
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : undefined;
}

function groupBy(v: unknown): string[] | undefined {
  const list = typeof v === 'string' ? v.split(/[\s,]+/) : Array.isArray(v) ? v.map((e) => (typeof e === 'string' ? e : String(e))) : [];
  const names = list.filter(Boolean);
  return names.length ? names : undefined;
}

function percentiles(v: unknown): number[] | undefined {
  const r = parsePercentiles(Array.isArray(v) ? v.join(' ') : String(v));
  return r.ok && r.values.length ? r.values : undefined;
}

/** The query with its fields in the backend's types; the same object when they already are. */
export function editableQuery(query: LensQuery): LensQuery {
  const q = query as unknown as Raw;
  const fix: Raw = {};
  for (const key of TEXT_FIELDS) {
    const v = q[key];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      fix[key] = text(v);
    }
  }
  for (const key of SWITCH_FIELDS) {
    const v = q[key];
    if (v !== undefined && v !== null && typeof v !== 'boolean') {
      fix[key] = v === 'true' ? true : v === 'false' ? false : undefined;
    }
  }
  if (q.limit !== undefined && q.limit !== null && !(Number.isInteger(q.limit) && (q.limit as number) > 0)) {
    fix.limit = wholeLimit(String(q.limit));
  }
  if (q.groupBy !== undefined && q.groupBy !== null && !(Array.isArray(q.groupBy) && q.groupBy.every((g) => typeof g === 'string'))) {
    fix.groupBy = groupBy(q.groupBy);
  }
  const ps = q.percentiles;
  if (ps !== undefined && ps !== null && !(Array.isArray(ps) && ps.every((p) => typeof p === 'number'))) {
    fix.percentiles = percentiles(ps);
  }
  return Object.keys(fix).length ? ({ ...q, ...fix } as unknown as LensQuery) : query;
}
