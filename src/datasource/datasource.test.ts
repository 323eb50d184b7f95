// plugin-ui's config wizard imports this ESM-only package at load time; the data source never uses it.
jest.mock('@marcbachmann/cel-js', () => ({}));

import type { DataQueryRequest } from '@grafana/data';
import { DataSourceWithBackend, setTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { lastValueFrom, of } from 'rxjs';

import { QUERY_MODEL_VERSION, type LensQuery } from '../shared/queryModel';
import { ResourcePaths } from '../shared/resources';
import type { LensJsonData } from '../shared/settings';
import { realDatasource } from './testing/makeDatasource';

describe('canLookup', () => {
  const metricsOnly = realDatasource({ metrics: { url: 'http://prometheus:9090' } });
  const logsOnly = realDatasource({ logs: { url: 'http://loki:3100' } });
  const tracesOnly = realDatasource({ traces: { url: 'http://tempo:3200' } });
  const jaegerOnly = realDatasource({ traces: { url: 'http://jaeger:16686', kind: 'jaeger-v1' } });

  it.each([
    ['services from metrics, metrics configured', metricsOnly, ResourcePaths.services, { source: 'metrics' }, true],
    ['operations from metrics, metrics configured', metricsOnly, ResourcePaths.operations, { source: 'metrics', service: 'api' }, true],
    ['services from traces, only metrics configured', metricsOnly, ResourcePaths.services, { source: 'traces' }, false],
    ['services, no source, only metrics configured', metricsOnly, ResourcePaths.services, {}, false],
    ['services from logs, logs configured', logsOnly, ResourcePaths.services, { source: 'logs' }, true],
    ['operations from logs, only traces configured', tracesOnly, ResourcePaths.operations, { source: 'logs', service: 'api' }, false],
    ['services, no source, traces configured', tracesOnly, ResourcePaths.services, {}, true],
    ['services from metrics, only traces configured', tracesOnly, ResourcePaths.services, { source: 'metrics' }, false],
    ['loki labels, logs configured', logsOnly, ResourcePaths.logLabels, {}, true],
    ['prometheus histograms, only logs configured', logsOnly, ResourcePaths.histogramMetrics, {}, false],
    ['traceql tags on Tempo', tracesOnly, ResourcePaths.traceTags, {}, true],
    ['traceql tags on Jaeger', jaegerOnly, ResourcePaths.traceTags, {}, false],
  ])('%s', (_name, ds, path, params, want) => {
    expect(ds.canLookup(path, params)).toBe(want);
  });
});

// Grafana fills a panel's dashboard variables into its queries through
// interpolateVariablesInQueries when it makes an alert rule from the panel (and when it
// opens the panel in Explore); a rule keeps what it gets, and alert evaluation never sees
// the dashboard's variables.
describe('interpolateVariablesInQueries', () => {
  const vars: Record<string, string | string[]> = { service: 'checkout', metric: 'http_server_duration_seconds', routes: ['/a', '/b'] };
  beforeAll(() => {
    setTemplateSrv({
      replace: (target = '', _scoped?: unknown, format?: unknown) =>
        target.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole: string, a?: string, b?: string) => {
          const name = (a ?? b) as string;
          const value = vars[name];
          if (value === undefined) {
            return whole;
          }
          return typeof format === 'function' ? format(value, { name, current: { value } }) : String(value);
        }),
      getVariables: () => [],
      containsTemplate: () => true,
      updateTimeRange: () => {},
    } as unknown as TemplateSrv);
  });
  const ds = realDatasource({ metrics: { url: 'http://prometheus:9090' } });

  it('fills the variables in, as the query would be sent', () => {
    const [q] = ds.interpolateVariablesInQueries(
      [{ refId: 'A', version: QUERY_MODEL_VERSION, queryType: 'latency', source: 'histogram', editorMode: 'builder', service: '$service', histogramMetric: '${metric}' }],
      {}
    );
    expect(q).toMatchObject({ refId: 'A', service: 'checkout', histogramMetric: 'http_server_duration_seconds', datasource: { uid: 'lens-uid' } });
  });

  it('keeps a query whose variables cannot be filled in as it is, for the backend to name the problem', () => {
    const q = { refId: 'A', version: QUERY_MODEL_VERSION, queryType: 'latency', source: 'histogram', service: '$routes' } as LensQuery;
    expect(ds.interpolateVariablesInQueries([q], {})[0]).toMatchObject({ service: '$routes' });
  });

  // The operations picker of a query on `$service` asks for the operations of the
  // service the variable holds, not of a service named "$service".
  it.each([
    ['checkout', 'checkout'],
    ['$service', 'checkout'],
    ['${service}', 'checkout'],
    ['$routes', undefined],
    ['$unknown', undefined],
    [undefined, undefined],
  ])('picker parameter %s is %s', (value, want) => {
    expect(ds.lookupParam(value)).toBe(want);
  });
});

// A panel's queries run together; a query whose variables cannot be filled in must not
// take the others down with it, and its error must say which query it is.
describe('query: a query whose variables cannot be filled in', () => {
  const vars: Record<string, string | string[]> = { service: 'checkout', routes: ['/a', '/b'] };
  let sent: LensQuery[][] = [];
  beforeAll(() => {
    setTemplateSrv({
      replace: (target = '', _scoped?: unknown, format?: unknown) =>
        target.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole: string, a?: string, b?: string) => {
          const name = (a ?? b) as string;
          const value = vars[name];
          if (value === undefined) {
            return whole;
          }
          return typeof format === 'function' ? format(value, { name }) : String(value);
        }),
      getVariables: () => [],
      containsTemplate: () => true,
      updateTimeRange: () => {},
    } as unknown as TemplateSrv);
    // As the real one: each query's variables are filled in before anything is sent.
    jest.spyOn(DataSourceWithBackend.prototype, 'query').mockImplementation(function (this: DataSourceWithBackend, req: DataQueryRequest) {
      sent.push(req.targets.map((t) => this.applyTemplateVariables(t, req.scopedVars)) as LensQuery[]);
      return of({ data: req.targets.map((t) => ({ refId: t.refId, fields: [], length: 0 })) });
    });
  });
  afterAll(() => jest.restoreAllMocks());
  beforeEach(() => {
    sent = [];
  });

  const ds = realDatasource({ metrics: { url: 'http://prometheus:9090' } });
  const request = (targets: LensQuery[]) => ({ targets, scopedVars: {}, range: undefined }) as unknown as DataQueryRequest<LensQuery>;

  it('runs the others and names the failing query in its error', async () => {
    const bad: LensQuery = { refId: 'A', version: QUERY_MODEL_VERSION, queryType: 'metrics', expr: 'up{route="$routes"}' };
    const good: LensQuery = { refId: 'B', version: QUERY_MODEL_VERSION, queryType: 'metrics', expr: 'up{service="$service"}' };
    const res = await lastValueFrom(ds.query(request([bad, good])));
    expect(sent).toEqual([[{ ...good, expr: 'up{service="checkout"}' }]]);
    expect(res.data.map((f: { refId?: string }) => f.refId)).toEqual(['B']);
    expect(res.errors).toEqual([expect.objectContaining({ refId: 'A', message: expect.stringMatching(/^A: variable \$routes has several values/) })]);
  });

  it('sends nothing when no query can run, and says why', async () => {
    const bad: LensQuery = { refId: 'A', version: QUERY_MODEL_VERSION, queryType: 'trace', traceId: '$routes' };
    const res = await lastValueFrom(ds.query(request([bad])));
    expect(sent.flat()).toEqual([]);
    expect(res.errors).toEqual([expect.objectContaining({ refId: 'A', message: expect.stringContaining('trace ID') })]);
  });
});

// Explore's query history and the query library show a query by getQueryDisplayText;
// without it they show the query's JSON.
describe('getQueryDisplayText', () => {
  const ds = realDatasource({ metrics: { url: 'http://prometheus:9090' } });
  const v = QUERY_MODEL_VERSION;
  it.each<[string, unknown, string]>([
    ['trace', { refId: 'A', version: v, queryType: 'trace', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }, 'Trace: 4bf92f3577b34da6a3ce929d0e0e4736'],
    ['search in TraceQL', { refId: 'A', version: v, queryType: 'search', editorMode: 'code', traceql: '{ status = error }' }, 'Search: { status = error }'],
    [
      'search builder',
      { refId: 'A', version: v, queryType: 'search', editorMode: 'builder', service: 'api', operation: 'GET /', tags: 'error=true', minDuration: '100ms', limit: 5 },
      'Search: service=api operation="GET /" tags="error=true" minDuration=100ms limit=5',
    ],
    ['search builder, nothing chosen', { refId: 'A', version: v, queryType: 'search', editorMode: 'builder' }, 'Search: all traces'],
    [
      'latency builder',
      { refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', histogramMetric: 'rpc_seconds', service: 'api', percentiles: [0.5, 0.99], groupBy: ['route'] },
      'Latency (histogram): rpc_seconds{service="api"} p50, p99 by route',
    ],
    [
      'latency code',
      { refId: 'A', version: v, queryType: 'latency', source: 'spans', editorMode: 'code', expr: '{ name = "x" }' },
      'Latency (spans): { name = "x" }',
    ],
    ['logs', { refId: 'A', version: v, queryType: 'logs', expr: '{app="x"} |= "err"' }, 'Logs: {app="x"} |= "err"'],
    ['metrics', { refId: 'A', version: v, queryType: 'metrics', expr: 'up' }, 'Metrics: up'],
    ['an old saved query', { refId: 'A', query: 'up' }, 'Metrics: up'],
    [
      'fields of another type',
      { refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', histogramMetric: 5, groupBy: 'route' },
      'Latency (histogram): metric=5 by route',
    ],
  ])('%s', (_n, q, want) => {
    expect(ds.getQueryDisplayText(q as LensQuery)).toBe(want);
  });
});

describe('filterQuery', () => {
  const ds = realDatasource({});
  const v = QUERY_MODEL_VERSION;
  it.each<[string, unknown, boolean]>([
    ['trace without ID', { refId: 'A', version: v, queryType: 'trace', traceId: ' ' }, false],
    ['trace with ID', { refId: 'A', version: v, queryType: 'trace', traceId: 'abc' }, true],
    ['empty PromQL', { refId: 'A', version: v, queryType: 'metrics', expr: '' }, false],
    ['empty LogQL', { refId: 'A', version: v, queryType: 'logs', expr: ' ' }, false],
    ['search in code mode, empty TraceQL', { refId: 'A', version: v, queryType: 'search', editorMode: 'code', traceql: ' ' }, false],
    ['search in code mode, TraceQL', { refId: 'A', version: v, queryType: 'search', editorMode: 'code', traceql: '{}' }, true],
    ['search builder, nothing chosen (all traces)', { refId: 'A', version: v, queryType: 'search', editorMode: 'builder' }, true],
    ['latency in code mode, empty expression', { refId: 'A', version: v, queryType: 'latency', source: 'spans', editorMode: 'code' }, false],
    ['latency in code mode', { refId: 'A', version: v, queryType: 'latency', source: 'spans', editorMode: 'code', expr: '{}' }, true],
    ['latency builder', { refId: 'A', version: v, queryType: 'latency', source: 'spans', editorMode: 'builder' }, true],
    // A new latency query starts as an empty histogram builder: nothing to ask yet.
    ['latency histogram builder, no metric chosen', { refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', cdf: true }, false],
    ['latency histogram builder, metric blank', { refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', histogramMetric: ' ', service: 'api' }, false],
    ['latency histogram builder, metric chosen', { refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', histogramMetric: 'rpc_seconds' }, true],
    ['latency histogram builder, metric a variable', { refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', histogramMetric: '$metric' }, true],
    ['latency logs builder, no field', { refId: 'A', version: v, queryType: 'latency', source: 'logs', editorMode: 'builder', logSelector: '{a="b"}' }, false],
    ['latency logs builder, no selector nor service', { refId: 'A', version: v, queryType: 'latency', source: 'logs', editorMode: 'builder', logField: 'dur' }, false],
    ['latency logs builder, service and field', { refId: 'A', version: v, queryType: 'latency', source: 'logs', editorMode: 'builder', service: 'api', logField: 'dur' }, true],
    ['latency logs builder, selector and field', { refId: 'A', version: v, queryType: 'latency', source: 'logs', editorMode: 'builder', logSelector: '{a="b"}', logField: 'dur' }, true],
    ['hidden', { refId: 'A', version: v, queryType: 'metrics', expr: 'up', hide: true }, false],
    // Sent, for the backend to name the field of the wrong type.
    ['trace ID a number (provisioned)', { refId: 'A', version: v, queryType: 'trace', traceId: 12345 }, true],
    ['PromQL a number (provisioned)', { refId: 'A', version: v, queryType: 'metrics', expr: 5 }, true],
  ])('%s', (_n, q, want) => {
    expect(ds.filterQuery(q as LensQuery)).toBe(want);
  });
});

// Jaeger searches by service and refuses a search without one ("search needs a service"):
// a new search query, or a latency query on spans, has nothing to ask until one is chosen.
describe('filterQuery on Jaeger', () => {
  const ds = realDatasource({ traces: { url: 'http://jaeger:16686', kind: 'jaeger-v1' } as LensJsonData['traces'] });
  const tempo = realDatasource({ traces: { url: 'http://tempo:3200' } });
  const v = QUERY_MODEL_VERSION;
  it.each<[string, unknown, boolean, boolean]>([
    ['search builder, no service', { refId: 'A', version: v, queryType: 'search', editorMode: 'builder' }, false, true],
    ['search builder, a service', { refId: 'A', version: v, queryType: 'search', editorMode: 'builder', service: 'api' }, true, true],
    ['search builder, a service variable', { refId: 'A', version: v, queryType: 'search', editorMode: 'builder', service: '$service' }, true, true],
    ['latency on spans, no service', { refId: 'A', version: v, queryType: 'latency', source: 'spans', editorMode: 'builder' }, false, true],
    ['latency on spans, a service', { refId: 'A', version: v, queryType: 'latency', source: 'spans', editorMode: 'builder', service: 'api' }, true, true],
  ])('%s', (_n, q, onJaeger, onTempo) => {
    expect(ds.filterQuery(q as LensQuery)).toBe(onJaeger);
    expect(tempo.filterQuery(q as LensQuery)).toBe(onTempo);
  });
});

describe('query: fields of another type (provisioned by hand)', () => {
  let sent: LensQuery[][] = [];
  beforeAll(() => {
    setTemplateSrv({
      replace: (target = '') => target,
      getVariables: () => [],
      containsTemplate: () => false,
      updateTimeRange: () => {},
    } as unknown as TemplateSrv);
    jest.spyOn(DataSourceWithBackend.prototype, 'query').mockImplementation(function (this: DataSourceWithBackend, req: DataQueryRequest) {
      sent.push(req.targets.map((t) => this.applyTemplateVariables(t, req.scopedVars)) as LensQuery[]);
      return of({ data: [] });
    });
  });
  afterAll(() => jest.restoreAllMocks());

  it('are sent as they are, for the backend to name the field', async () => {
    const ds = realDatasource({});
    const queries = [
      { refId: 'A', version: QUERY_MODEL_VERSION, queryType: 'trace', traceId: 12345 },
      { refId: 'B', version: QUERY_MODEL_VERSION, queryType: 'metrics', expr: 'up', step: 15 },
      { refId: 'C', version: QUERY_MODEL_VERSION, queryType: 'latency', source: 'histogram', editorMode: 'builder', groupBy: 'route', service: 7 },
    ] as unknown as LensQuery[];
    await lastValueFrom(ds.query({ targets: queries, scopedVars: {} } as unknown as DataQueryRequest<LensQuery>));
    expect(sent).toEqual([queries]);
  });
});
