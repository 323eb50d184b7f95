import { QUERY_MODEL_VERSION, type LensQuery } from '../../../shared/queryModel';
import { migrateQuery } from '../../migrations';
import { editableQuery } from './editableQuery';

const v = QUERY_MODEL_VERSION;

describe('editableQuery', () => {
  it.each<LensQuery>([
    { refId: 'A', version: v, queryType: 'trace', traceId: 'abc', includeLogs: false },
    { refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', percentiles: [0.5], groupBy: ['a'], cdf: true },
    { refId: 'A', version: v, queryType: 'search', editorMode: 'builder', limit: 20 },
  ])('returns a query in the right types as it is: %p', (q) => {
    expect(editableQuery(q)).toBe(q);
  });

  it.each([
    ['null fields are left alone', { queryType: 'trace', traceId: null }, { traceId: null }],
    ['an object as text shows its JSON', { queryType: 'search', service: { a: 1 } }, { service: '{"a":1}' }],
    ['a switch that is not true or false means its default', { queryType: 'trace', includeLogs: 'yes' }, { includeLogs: undefined }],
    ['a limit that is not a number means the default', { queryType: 'logs', expr: 'x', limit: 'abc' }, { limit: undefined }],
    ['group-by names that are numbers', { queryType: 'latency', groupBy: [1, 'b'] }, { groupBy: ['1', 'b'] }],
    ['percentiles that are not percentiles mean the defaults', { queryType: 'latency', percentiles: 'x' }, { percentiles: undefined }],
  ])('%s', (_n, fields, want) => {
    const q = { refId: 'A', version: v, ...fields } as unknown as LensQuery;
    const out = editableQuery(q);
    expect(out).toMatchObject(want);
    expect(editableQuery(out)).toBe(out);
  });

  it('a version 0 query whose group by is a string', () => {
    expect(editableQuery(migrateQuery({ refId: 'A', queryType: 'latency', groupBy: 'service' }))).toMatchObject({
      version: v,
      groupBy: ['service'],
    });
  });
});
