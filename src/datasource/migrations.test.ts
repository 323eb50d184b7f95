import { QUERY_MODEL_VERSION } from '../shared/queryModel';
import { migrateQuery, needsMigration } from './migrations';

describe('migrateQuery', () => {
  it.each([
    ['bare trace ID', { refId: 'A', traceId: 'abc' }, { refId: 'A', version: 1, queryType: 'trace', traceId: 'abc' }],
    ['nothing at all', { refId: 'A' }, { refId: 'A', version: 1, queryType: 'trace', traceId: '' }],
    ['legacy query string as metrics', { refId: 'B', query: 'up' }, { refId: 'B', version: 1, queryType: 'metrics', expr: 'up' }],
    ['expr as metrics', { refId: 'B', expr: 'up' }, { refId: 'B', version: 1, queryType: 'metrics', expr: 'up' }],
    ['logs keeps expr', { refId: 'C', queryType: 'logs', query: '{a="b"}' }, { refId: 'C', version: 1, queryType: 'logs', expr: '{a="b"}' }],
    [
      'search with traceql becomes code',
      { refId: 'D', traceql: '{ duration > 1s }' },
      { refId: 'D', version: 1, queryType: 'search', editorMode: 'code', traceql: '{ duration > 1s }' },
    ],
    [
      'search with service stays builder',
      { refId: 'D', queryType: 'search', service: 'api' },
      { refId: 'D', version: 1, queryType: 'search', editorMode: 'builder', service: 'api' },
    ],
    [
      'latency percentiles as a string with percents, cdf as string',
      { refId: 'E', queryType: 'latency', histogramMetric: 'm', percentiles: '50, 0.9,99', cdf: 'false' },
      {
        refId: 'E',
        version: 1,
        queryType: 'latency',
        source: 'histogram',
        editorMode: 'builder',
        histogramMetric: 'm',
        percentiles: [0.5, 0.9, 0.99],
        cdf: false,
      },
    ],
    [
      'latency with expr and unknown source',
      { refId: 'F', queryType: 'latency', source: 'magic', query: 'm{a="b"}', percentiles: 'x' },
      { refId: 'F', version: 1, queryType: 'latency', source: 'histogram', editorMode: 'code', expr: 'm{a="b"}' },
    ],
    // Left from a latency query before the type changed; the backend reads them only on
    // latency queries, and refuses a version 1 query that holds them as strings.
    [
      'stale latency fields on another type are dropped',
      { refId: 'G', queryType: 'metrics', expr: 'up', percentiles: '0.5, 0.99', cdf: 'false' },
      { refId: 'G', version: 1, queryType: 'metrics', expr: 'up' },
    ],
  ])('%s', (_n, input, want) => {
    const frozen = Object.freeze({ ...input });
    expect(migrateQuery(frozen)).toEqual(want);
  });

  it('leaves current and future queries as they are', () => {
    const current = { refId: 'A', version: QUERY_MODEL_VERSION, queryType: 'trace', traceId: 'x' };
    expect(migrateQuery(current)).toBe(current);
    const future = { refId: 'A', version: QUERY_MODEL_VERSION + 1, queryType: 'newthing' };
    expect(migrateQuery(future)).toBe(future);
  });

  it('is idempotent', () => {
    const once = migrateQuery({ refId: 'A', queryType: 'latency', percentiles: '0.5,0.99' });
    expect(migrateQuery(once)).toEqual(once);
    expect(needsMigration(once)).toBe(false);
    expect(needsMigration({ refId: 'A' })).toBe(true);
  });
});
