import { QUERY_MODEL_VERSION, type LensQuery } from '../shared/queryModel';
import { InterpolationError, resolverFrom } from './language/interpolate';
import { traceIdEmptyOnceInterpolated, interpolateQuery, interpolateValue } from './templateVariables';

const v = QUERY_MODEL_VERSION;
const hostile = '"} or vector(1) or {a="\\|\n';

describe('interpolateQuery', () => {
  const r = resolverFrom({ svc: hostile, op: 'GET /', id: ' 4bf92f3577b34da6a3ce929d0e0e4736 ', many: ['a', 'b'], w: '5m' });

  it('trace: one value, trimmed', () => {
    expect(interpolateQuery({ refId: 'A', version: v, queryType: 'trace', traceId: '$id' }, r)).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(() => interpolateQuery({ refId: 'A', version: v, queryType: 'trace', traceId: '$many' }, r)).toThrow(InterpolationError);
  });

  it('metrics: PromQL escaped by position', () => {
    const q: LensQuery = { refId: 'A', version: v, queryType: 'metrics', expr: 'rate(x{service="$svc", op=~"$many"}[$w])' };
    expect(interpolateQuery(q, r)).toMatchObject({
      expr: 'rate(x{service="\\"} or vector(1) or {a=\\"\\\\|\\n", op=~"(?:a|b)"}[5m])',
    });
  });

  it('logs: LogQL line filter keeps the value inside its string', () => {
    const q: LensQuery = { refId: 'A', version: v, queryType: 'logs', expr: '{app="x"} |= "$svc" |~ "$op"' };
    expect(interpolateQuery(q, r)).toMatchObject({
      expr: '{app="x"} |= "\\"} or vector(1) or {a=\\"\\\\|\\n" |~ "GET /"',
    });
  });

  it('search: TraceQL code and builder values', () => {
    const q: LensQuery = {
      refId: 'A',
      version: v,
      queryType: 'search',
      editorMode: 'code',
      traceql: '{ resource.service.name = "$svc" }',
      service: '$svc',
      tags: 'http.route=$op',
    };
    expect(interpolateQuery(q, r)).toMatchObject({
      traceql: '{ resource.service.name = "\\"} or vector(1) or {a=\\"\\\\|\\n" }',
      service: hostile,
      tags: 'http.route="GET /"',
    });
  });

  it('latency: code language follows the source', () => {
    const base = { refId: 'A', version: v, queryType: 'latency' as const, editorMode: 'code' as const };
    expect(interpolateQuery({ ...base, source: 'histogram', expr: 'm{s="$svc"}' }, r)).toMatchObject({
      expr: 'm{s="\\"} or vector(1) or {a=\\"\\\\|\\n"}',
    });
    expect(interpolateQuery({ ...base, source: 'spans', expr: '{ name = "$op" }' }, r)).toMatchObject({ expr: '{ name = "GET /" }' });
    expect(() => interpolateQuery({ ...base, source: 'logs', expr: '{a="b"} | unwrap $svc' }, r)).toThrow(InterpolationError);
  });

  it('latency builder: several values are refused in a one-value field', () => {
    expect(() =>
      interpolateQuery({ refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', service: '$many' }, r)
    ).toThrow(/service field takes exactly one/);
  });

  it.each([
    ['$many', ['a', 'b']],
    ['${many:csv}', ['a', 'b']],
    ['[[many]]', ['a', 'b']],
    ['$w', ['5m']],
  ])('latency group by: %s becomes one label per value', (ref, want) => {
    const q: LensQuery = {
      refId: 'A',
      version: v,
      queryType: 'latency',
      source: 'histogram',
      editorMode: 'builder',
      groupBy: ['service', ref],
    };
    expect(interpolateQuery(q, r)).toMatchObject({ groupBy: ['service', ...want] });
  });

  it('latency group by: "All" with a custom all value cannot name labels', () => {
    const all = (name: string) => (name === 'dims' ? { values: ['a', 'b'], allValue: '.*' } : undefined);
    const q: LensQuery = { refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', groupBy: ['$dims'] };
    expect(() => interpolateQuery(q, all)).toThrow(/group by/);
  });

  // Switching modes keeps the other mode's fields (switching back shows them again), and
  // a latency query keeps the fields of the sources it had; the backend reads only the
  // ones of its mode and source, so those others must not stop the query.
  it.each<[string, LensQuery, Partial<LensQuery>]>([
    [
      'latency code mode, builder service left from the builder',
      { refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'code', expr: 'm{service=~"$many"}', service: '$many' },
      { expr: 'm{service=~"(?:a|b)"}', service: '$many' },
    ],
    [
      'latency builder, code left from code mode',
      { refId: 'A', version: v, queryType: 'latency', source: 'spans', editorMode: 'builder', service: '$op', expr: '{ name = "$many" }' },
      { service: 'GET /', expr: '{ name = "$many" }' },
    ],
    [
      'latency builder, a field of another source',
      { refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', histogramMetric: 'm', logSelector: '{a="$many"}' },
      { histogramMetric: 'm', logSelector: '{a="$many"}' },
    ],
    [
      'search code mode, builder fields left from the builder',
      { refId: 'A', version: v, queryType: 'search', editorMode: 'code', traceql: '{ resource.service.name =~ "$many" }', service: '$many', tags: 'k=$many' },
      { traceql: '{ resource.service.name =~ "(?:a|b)" }', service: '$many', tags: 'k=$many' },
    ],
    [
      'search builder, TraceQL left from code mode',
      { refId: 'A', version: v, queryType: 'search', editorMode: 'builder', service: '$op', traceql: '{ name = "$many" }' },
      { service: 'GET /', traceql: '{ name = "$many" }' },
    ],
  ])('a field the query does not read never stops it: %s', (_name, q, want) => {
    expect(interpolateQuery(q, r)).toMatchObject(want);
  });

  // Grafana's $__interval is its own interval; the backend runs the query at a step that
  // honours the query's Min step and the range's point limit, and fills the macros in with
  // that step, as alert rules get them. Filled in here, the window would not be the step.
  it.each<[string, LensQuery]>([
    ['metrics with a min step', { refId: 'A', version: v, queryType: 'metrics', step: '1m', expr: 'rate(x{a="$op"}[$__interval]) * ${__interval_ms} / $__range_s' }],
    ['logs', { refId: 'A', version: v, queryType: 'logs', expr: 'sum(count_over_time({a="$op"}[$__interval])) / ${__range_ms} + $__auto' }],
  ])('%s: the interval and range macros are left to the backend', (_name, q) => {
    const grafana = (name: string) =>
      ({ __interval: { values: ['15s'] }, __interval_ms: { values: ['15000'] }, __range_s: { values: ['3600'] }, __range_ms: { values: ['3600000'] }, __auto: { values: ['15s'] } })[
        name
      ] ?? r(name);
    const out = interpolateQuery(q, grafana) as { expr: string };
    expect(out.expr).toBe(String((q as { expr: string }).expr).replace('$op', 'GET /'));
  });

  // The Min step may hold the interval macros too; the backend reads them there as the
  // interval (a millisecond macro included), where Grafana's "15000" would be read as that
  // many seconds. Other variables in it are filled in.
  it.each(['$__interval', '${__interval_ms}', '$__rate_interval', '$__interval_ms'])('metrics: a min step of %s is left to the backend', (step) => {
    const grafana = (name: string) => ({ __interval: { values: ['15s'] }, __interval_ms: { values: ['15000'] }, __rate_interval: { values: ['1m'] } })[name] ?? r(name);
    const out = interpolateQuery({ refId: 'A', version: v, queryType: 'metrics', step, expr: 'up' }, grafana) as { step: string };
    expect(out.step).toBe(step);
  });

  it('metrics: a min step variable is filled in', () => {
    const out = interpolateQuery({ refId: 'A', version: v, queryType: 'metrics', step: '$res', expr: 'up' }, (name) =>
      name === 'res' ? { values: ['5m'] } : undefined
    ) as { step: string };
    expect(out.step).toBe('5m');
  });

  // The span link's ID filters are the backend's macros; a variable as their ID is filled in
  // where it stands (bare, or escaped inside quotes).
  it('logs: the ID filter macros are left to the backend', () => {
    const grafana = (name: string) => (name.startsWith('__') ? { values: ['grafana would not know this'] } : r(name));
    const q: LensQuery = { refId: 'A', version: v, queryType: 'logs', expr: '{a="$op"} $__traceFilter($tid) $__spanFilter("$sid")' };
    const withIds = (n: string) => ({ tid: { values: ['4bf92f3577b34da6a3ce929d0e0e4736'] }, sid: { values: ['a"b'] } })[n] ?? grafana(n);
    expect((interpolateQuery(q, withIds) as { expr: string }).expr).toBe(
      '{a="GET /"} $__traceFilter(4bf92f3577b34da6a3ce929d0e0e4736) $__spanFilter("a\\"b")'
    );
  });

  it('does not change the input', () => {
    const q: LensQuery = Object.freeze({ refId: 'A', version: v, queryType: 'metrics', expr: 'up{a="$op"}' });
    interpolateQuery(q, r);
    expect(q.expr).toBe('up{a="$op"}');
  });
});

describe('interpolateValue', () => {
  it('leaves unknown references', () => {
    expect(interpolateValue('$nope-${op}', 'x', resolverFrom({ op: 'o' }))).toBe('$nope-o');
  });
});

describe('traceIdEmptyOnceInterpolated', () => {
  const r = resolverFrom({ blank: '', id: '4bf92f3577b34da6a3ce929d0e0e4736', many: ['a', 'b'], sel: '' });
  const q = (over: Partial<LensQuery> & Pick<LensQuery, 'queryType'>) => ({ refId: 'A', version: v, ...over }) as LensQuery;

  it.each([
    ['a trace ID that is an empty variable', q({ queryType: 'trace', traceId: '$blank' }), true],
    ['one that is only blanks around it', q({ queryType: 'trace', traceId: ' ${blank} ' }), true],
    ['a trace ID variable with a value', q({ queryType: 'trace', traceId: '$id' }), false],
    ['a trace ID variable of several values (sent, to be refused by name)', q({ queryType: 'trace', traceId: '$many' }), false],
    ['an unknown variable (sent as written)', q({ queryType: 'trace', traceId: '$nope' }), false],
    ['a metrics query', q({ queryType: 'metrics', expr: 'up' }), false],
    ['a search query', q({ queryType: 'search', service: '$blank' }), false],
  ])('%s: %s', (_name, query, want) => {
    expect(traceIdEmptyOnceInterpolated(query, r)).toBe(want);
  });
});
