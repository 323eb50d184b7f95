/**
 * Stage 2: template variables in a whole query, field by field, each in its own language.
 * Guarantees to the next stage: code fields (PromQL / LogQL / TraceQL / tags) are
 * interpolated with position-aware escaping (language/interpolate.ts); builder fields are
 * plain values that must resolve to exactly one value (group-by labels: one or more, a
 * multi-value variable naming several), and the backend quotes them where it builds a query. Any value that cannot be placed safely throws InterpolationError.
 */
import type { LatencyQuery, LensQuery } from '../shared/queryModel';
import { interpolate, InterpolationError, type QueryLanguage, type ResolveVariable } from './language/interpolate';

const REFERENCE = /\$(\w+)|\[\[(\w+?)(?::\w+)?\]\]|\$\{(\w+)(?:\.[^:^}]+)?(?::[^}]+)?\}/g;

/** A builder field: every reference must have one value; the value is inserted as it is (it is data, not code). */
export function interpolateValue(text: string, field: string, resolve: ResolveVariable): string {
  return text.replace(REFERENCE, (whole, a, b, c) => {
    const name = a ?? b ?? c;
    const v = resolve(name);
    if (!v) {
      return whole;
    }
    if (v.allValue !== undefined || v.values.length !== 1) {
      throw new InterpolationError(
        `variable $${name} has ${v.values.length === 0 ? 'no value' : 'several values'}; the ${field} field takes exactly one`
      );
    }
    return v.values[0];
  });
}

const WHOLE_REFERENCE = new RegExp(`^(?:${REFERENCE.source})$`);

/**
 * A list field whose entries are names (group-by labels): an entry that is one variable
 * reference becomes one entry per value, so a multi-value variable (or "All" without a
 * custom all value) names several labels; any other entry is a one-value field.
 */
export function interpolateList(entries: string[], field: string, resolve: ResolveVariable): string[] {
  return entries.flatMap((entry) => {
    const m = WHOLE_REFERENCE.exec(entry.trim());
    const v = m ? resolve(m[1] ?? m[2] ?? m[3]) : undefined;
    if (!m || !v) {
      return [interpolateValue(entry, field, resolve)];
    }
    if (v.allValue !== undefined) {
      throw new InterpolationError(
        `variable ${entry.trim()} is "All" with a custom all value (${JSON.stringify(v.allValue)}); the ${field} field needs the names themselves`
      );
    }
    if (v.values.length === 0) {
      throw new InterpolationError(`variable ${entry.trim()} has no value; the ${field} field needs at least one`);
    }
    return v.values;
  });
}

const LATENCY_CODE_LANGUAGE: Record<LatencyQuery['source'], QueryLanguage> = {
  histogram: 'promql',
  spans: 'traceql',
  logs: 'logql',
};

/**
 * A text field through f; a value of another type (a number in a query provisioned by
 * hand) is sent as it is, for the backend to name the field.
 */
function opt<T extends object, K extends keyof T>(obj: T, key: K, f: (v: string) => string): Partial<T> {
  const v = obj[key];
  return typeof v === 'string' ? ({ [key]: f(v) } as unknown as Partial<T>) : {};
}

/** A list of names through interpolateList; as opt, anything else is sent as it is. */
const optList = (v: unknown, field: string, resolve: ResolveVariable): { groupBy?: string[] } =>
  Array.isArray(v) && v.every((e) => typeof e === 'string') ? { groupBy: interpolateList(v, field, resolve) } : {};

export function interpolateQuery(query: LensQuery, resolve: ResolveVariable): LensQuery {
  const value = (field: string) => (s: string) => interpolateValue(s, field, resolve);
  const code = (lang: QueryLanguage) => (s: string) => interpolate(s, lang, resolve);
  switch (query.queryType) {
    case 'trace':
      return { ...query, ...opt({ traceId: query.traceId ?? '' }, 'traceId', (id) => interpolateValue(id, 'trace ID', resolve).trim()) };
    case 'search':
      return {
        ...query,
        ...opt(query, 'traceql', code('traceql')),
        ...opt(query, 'service', value('service')),
        ...opt(query, 'operation', value('operation')),
        ...opt(query, 'tags', code('logfmt')),
        ...opt(query, 'minDuration', value('min duration')),
        ...opt(query, 'maxDuration', value('max duration')),
      };
    case 'latency':
      return {
        ...query,
        ...opt(query, 'expr', code(LATENCY_CODE_LANGUAGE[query.source] ?? 'promql')),
        ...opt(query, 'service', value('service')),
        ...opt(query, 'operation', value('operation')),
        ...opt(query, 'histogramMetric', value('histogram metric')),
        ...opt(query, 'spanFilter', code('traceql')),
        ...opt(query, 'logSelector', code('logql')),
        ...opt(query, 'logField', value('log field')),
        ...optList(query.groupBy, 'group by', resolve),
      };
    case 'logs':
      return { ...query, ...opt({ expr: query.expr ?? '' }, 'expr', code('logql')) };
    case 'metrics':
      return {
        ...query,
        ...opt({ expr: query.expr ?? '' }, 'expr', code('promql')),
        ...opt(query, 'step', value('step')),
      };
    default:
      return query;
  }
}

/**
 * Whether a trace query asks for nothing once its variables are filled in: its trace ID is
 * an empty variable (the Trace dashboard before an ID is typed). Grafana's filterQuery sees
 * the query as written, so such a query passes it; it is not sent either, and its panel
 * shows no data instead of the backend's "trace ID is empty". A trace ID whose variables
 * cannot be filled in is not empty: interpolateQuery names its problem.
 */
export function traceIdEmptyOnceInterpolated(query: LensQuery, resolve: ResolveVariable): boolean {
  if (query.queryType !== 'trace') {
    return false;
  }
  const id = query.traceId ?? '';
  if (typeof id !== 'string') {
    return false;
  }
  try {
    return interpolateValue(id, 'trace ID', resolve).trim() === '';
  } catch (e) {
    if (e instanceof InterpolationError) {
      return false;
    }
    throw e;
  }
}
