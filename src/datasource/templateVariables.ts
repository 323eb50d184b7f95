/**
 * Stage 2: template variables in a whole query, field by field, each in its own language.
 * Guarantees to the next stage: code fields (PromQL / LogQL / TraceQL / tags) are
 * interpolated with position-aware escaping (language/interpolate.ts); builder fields are
 * plain values that must resolve to exactly one value (group-by labels: one or more, a
 * multi-value variable naming several), and the backend quotes them where it builds a query. Any value that cannot be placed safely in a field the query reads
 * throws InterpolationError; the fields of its other mode or source stay as written then.
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

/**
 * A field the query does not read in its mode and source (the other mode's fields, kept so
 * that switching back shows them; a latency query's fields of another source): filled in
 * when it can be, else kept as written, since the backend ignores it and it must not stop
 * the query.
 */
function unread(f: (v: string) => string): (v: string) => string {
  return (v) => {
    try {
      return f(v);
    } catch (e) {
      if (e instanceof InterpolationError) {
        return v;
      }
      throw e;
    }
  };
}

/**
 * Grafana's interval and range macros in PromQL and LogQL, which the backend fills in
 * (pkg/query/macros.go, and `$__auto` for LogQL) with the step it runs the query at: the
 * query's Min step and the range's point limit raise that step above Grafana's own
 * `$__interval`, which the dashboard hands over as a variable. Left to the backend, a
 * `[$__interval]` window is the step on a dashboard as in an alert rule. The LogQL ID
 * filters (`$__traceFilter(…)`, `$__spanFilter(…)`, written by the span link) are the
 * backend's too.
 */
const BACKEND_MACROS = new Set([
  '__interval',
  '__interval_ms',
  '__rate_interval',
  '__range',
  '__range_s',
  '__range_ms',
  '__auto',
  '__traceFilter',
  '__spanFilter',
]);

const withoutBackendMacros =
  (resolve: ResolveVariable): ResolveVariable =>
  (name, format) =>
    BACKEND_MACROS.has(name) ? undefined : resolve(name, format);

/** Which fields the backend reads for a latency query (pkg/query/latency.go). */
function latencyReads(q: LatencyQuery): { expr: boolean; builder: Set<string> } {
  // Code mode reads the expression; on spans a blank one falls back to the builder.
  const code = q.editorMode === 'code' && (q.source !== 'spans' || String(q.expr ?? '').trim() !== '');
  if (code) {
    return { expr: true, builder: new Set() };
  }
  switch (q.source) {
    case 'spans':
      return { expr: false, builder: new Set(['service', 'operation', 'spanFilter']) };
    case 'logs':
      return { expr: false, builder: new Set(['service', 'logSelector', 'logField']) };
    default:
      return { expr: false, builder: new Set(['service', 'operation', 'histogramMetric']) };
  }
}

export function interpolateQuery(query: LensQuery, resolve: ResolveVariable): LensQuery {
  const value = (field: string) => (s: string) => interpolateValue(s, field, resolve);
  const code = (lang: QueryLanguage) => (s: string) => interpolate(s, lang, resolve);
  const when = (read: boolean, f: (v: string) => string) => (read ? f : unread(f));
  switch (query.queryType) {
    case 'trace':
      return { ...query, ...opt({ traceId: query.traceId ?? '' }, 'traceId', (id) => interpolateValue(id, 'trace ID', resolve).trim()) };
    case 'search': {
      const inCode = query.editorMode === 'code';
      return {
        ...query,
        ...opt(query, 'traceql', when(inCode, code('traceql'))),
        ...opt(query, 'service', when(!inCode, value('service'))),
        ...opt(query, 'operation', when(!inCode, value('operation'))),
        ...opt(query, 'tags', when(!inCode, code('logfmt'))),
        ...opt(query, 'minDuration', when(!inCode, value('min duration'))),
        ...opt(query, 'maxDuration', when(!inCode, value('max duration'))),
      };
    }
    case 'latency': {
      const reads = latencyReads(query);
      const b = (field: string) => reads.builder.has(field);
      return {
        ...query,
        ...opt(query, 'expr', when(reads.expr, code(LATENCY_CODE_LANGUAGE[query.source] ?? 'promql'))),
        ...opt(query, 'service', when(b('service'), value('service'))),
        ...opt(query, 'operation', when(b('operation'), value('operation'))),
        ...opt(query, 'histogramMetric', when(b('histogramMetric'), value('histogram metric'))),
        ...opt(query, 'spanFilter', when(b('spanFilter'), code('traceql'))),
        ...opt(query, 'logSelector', when(b('logSelector'), code('logql'))),
        ...opt(query, 'logField', when(b('logField'), value('log field'))),
        ...optList(query.groupBy, 'group by', resolve),
      };
    }
    case 'logs':
      return { ...query, ...opt({ expr: query.expr ?? '' }, 'expr', (s) => interpolate(s, 'logql', withoutBackendMacros(resolve))) };
    case 'metrics':
      return {
        ...query,
        ...opt({ expr: query.expr ?? '' }, 'expr', (s) => interpolate(s, 'promql', withoutBackendMacros(resolve))),
        // The backend reads the interval macros in the Min step too (pkg/query minStep).
        ...opt(query, 'step', (s) => interpolateValue(s, 'step', withoutBackendMacros(resolve))),
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
