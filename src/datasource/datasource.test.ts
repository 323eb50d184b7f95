// plugin-ui's config wizard imports this ESM-only package at load time; the data source never uses it.
jest.mock('@marcbachmann/cel-js', () => ({}));

import type { DataSourceInstanceSettings, DataSourcePluginMeta } from '@grafana/data';

import { ResourcePaths } from '../shared/resources';
import type { LensJsonData } from '../shared/settings';
import { LensDataSource } from './datasource';

const makeReal = (jsonData: LensJsonData) =>
  new LensDataSource({
    id: 1,
    uid: 'lens-uid',
    type: 'latencylens-lens-datasource',
    name: 'Lens',
    access: 'proxy',
    readOnly: false,
    jsonData,
    meta: { id: 'latencylens-lens-datasource', info: { version: '0.1.0' } } as unknown as DataSourcePluginMeta<LensJsonData>,
  } as DataSourceInstanceSettings<LensJsonData>);

describe('canLookup', () => {
  const metricsOnly = makeReal({ metrics: { url: 'http://prometheus:9090' } });
  const logsOnly = makeReal({ logs: { url: 'http://loki:3100' } });
  const tracesOnly = makeReal({ traces: { url: 'http://tempo:3200' } });
  const jaegerOnly = makeReal({ traces: { url: 'http://jaeger:16686', kind: 'jaeger-v1' } });

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
