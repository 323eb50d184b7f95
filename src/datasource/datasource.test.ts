// plugin-ui's config wizard imports this ESM-only package at load time; the data source never uses it.
jest.mock('@marcbachmann/cel-js', () => ({}));

import { setTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import { QUERY_MODEL_VERSION, type LensQuery } from '../shared/queryModel';
import { ResourcePaths } from '../shared/resources';
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
});
