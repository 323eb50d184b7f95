/**
 * Stage 1→2: saved queries of any version become the current query model.
 * Guarantees to the next stage: the result has `version === QUERY_MODEL_VERSION`, a known
 * `queryType`, and the fields of that type; the input object is never changed. A query
 * from a newer version than this build knows is returned as it is.
 *
 * Version history
 *  - 0 (no `version`): early saves. `queryType` may be missing (a bare `traceId` meant a
 *    trace query, a bare `expr` a metrics query, `traceql` a search); `query` held the raw
 *    expression; latency `percentiles` could be a comma-separated string ("0.5, 0.99") and
 *    `cdf` the strings "true"/"false"; search and latency queries had no `editorMode`.
 *    On other query types `percentiles` and `cdf` are left from a latency query and dropped.
 *  - 1: the model in src/shared/queryModel.ts.
 */
import {
  QUERY_MODEL_VERSION,
  type LatencySource,
  type LensQuery,
  type QueryType,
} from '../shared/queryModel';

type Raw = Record<string, unknown> & { refId?: string };

const QUERY_TYPES: QueryType[] = ['trace', 'search', 'latency', 'logs', 'metrics'];
const SOURCES: LatencySource[] = ['histogram', 'spans', 'logs'];

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function guessType(q: Raw): QueryType {
  const t = str(q.queryType);
  if (t && (QUERY_TYPES as string[]).includes(t)) {
    return t as QueryType;
  }
  if (str(q.traceId) !== undefined) {
    return 'trace';
  }
  if (str(q.traceql) !== undefined || str(q.service) !== undefined) {
    return 'search';
  }
  if (str(q.expr) !== undefined || str(q.query) !== undefined) {
    return 'metrics';
  }
  return 'trace';
}

function percentiles(v: unknown): number[] | undefined {
  const list = typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean).map(Number) : Array.isArray(v) ? v.map(Number) : undefined;
  if (!list) {
    return undefined;
  }
  // Old saves sometimes held percent values (99 for p99).
  const fractions = list.map((p) => (p >= 1 && p < 100 ? p / 100 : p)).filter((p) => p > 0 && p < 1);
  return fractions.length ? Array.from(new Set(fractions)) : undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') {
    return v;
  }
  if (v === 'true' || v === 'false') {
    return v === 'true';
  }
  return undefined;
}

function fromV0(q: Raw): LensQuery {
  const queryType = guessType(q);
  const { query: legacyExpr, ...rest } = q;
  if (queryType !== 'latency') {
    // Left from a latency query: unused here, and a string in them would fail the query.
    delete rest.percentiles;
    delete rest.cdf;
  }
  const base = { ...rest, refId: q.refId ?? 'A', version: QUERY_MODEL_VERSION, queryType };
  const expr = str(q.expr) ?? str(legacyExpr);
  switch (queryType) {
    case 'trace':
      return { ...base, queryType, traceId: str(q.traceId) ?? expr ?? '' } as LensQuery;
    case 'search': {
      const traceql = str(q.traceql) ?? expr;
      return {
        ...base,
        queryType,
        editorMode: q.editorMode === 'code' || q.editorMode === 'builder' ? q.editorMode : traceql ? 'code' : 'builder',
        ...(traceql !== undefined ? { traceql } : {}),
      } as LensQuery;
    }
    case 'latency': {
      const source = (SOURCES as string[]).includes(str(q.source) ?? '') ? (q.source as LatencySource) : 'histogram';
      const out: Raw = {
        ...base,
        queryType,
        source,
        editorMode: q.editorMode === 'code' || q.editorMode === 'builder' ? q.editorMode : expr ? 'code' : 'builder',
      };
      if (expr !== undefined) {
        out.expr = expr;
      }
      const ps = percentiles(q.percentiles);
      if (ps) {
        out.percentiles = ps;
      } else {
        delete out.percentiles;
      }
      const cdf = bool(q.cdf);
      if (cdf !== undefined) {
        out.cdf = cdf;
      } else {
        delete out.cdf;
      }
      return out as unknown as LensQuery;
    }
    case 'logs':
    case 'metrics':
      return { ...base, queryType, expr: expr ?? '' } as LensQuery;
  }
}

/** Upgrades one saved query. Safe to call on an already current query (returns it unchanged). */
export function migrateQuery(query: unknown): LensQuery {
  const q = (query ?? {}) as Raw;
  const version = typeof q.version === 'number' ? q.version : 0;
  if (version >= QUERY_MODEL_VERSION) {
    return q as unknown as LensQuery;
  }
  let out = q;
  if (version < 1) {
    out = fromV0(out) as unknown as Raw;
  }
  return out as unknown as LensQuery;
}

export const needsMigration = (query: unknown): boolean =>
  typeof (query as Raw | undefined)?.version !== 'number' || ((query as Raw).version as number) < QUERY_MODEL_VERSION;
