// plugin-ui's config wizard imports this ESM-only package at load time; the data source never uses it.
jest.mock('@marcbachmann/cel-js', () => ({}));

import type { DataQueryRequest } from '@grafana/data';
import { setTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { lastValueFrom, of } from 'rxjs';

import type { LensJsonData } from '../../shared/settings';
import { realDatasource } from '../testing/makeDatasource';
import { LensVariableSupport } from './LensVariableSupport';
import type { LensVariableQuery } from './variableQuery';

beforeAll(() => {
  setTemplateSrv({
    replace: (target = '') => target,
    getVariables: () => [],
    containsTemplate: () => false,
    updateTimeRange: () => {},
  } as unknown as TemplateSrv);
});

// A trace-ID variable runs a search query; Jaeger has no TraceQL and refuses one, so the
// variable's TraceQL (written on Tempo) gives way to its service there.
describe('LensVariableSupport: trace IDs', () => {
  const variable: LensVariableQuery = {
    refId: 'v',
    kind: 'traceIds',
    traceql: '{ status = error }',
    service: 'api',
    limit: 5,
  };

  it.each<[string, LensJsonData, object, boolean]>([
    [
      'Tempo runs the TraceQL',
      { traces: { url: 'http://tempo:3200' } },
      { editorMode: 'code', traceql: '{ status = error }' },
      true,
    ],
    [
      'Jaeger searches the service',
      { traces: { url: 'http://jaeger:16686', kind: 'jaeger-v1' } as LensJsonData['traces'] },
      { editorMode: 'builder', service: 'api' },
      false,
    ],
  ])('%s', async (_n, jsonData, want, withTraceql) => {
    const ds = realDatasource(jsonData);
    const sent: unknown[] = [];
    ds.query = jest.fn((req: DataQueryRequest) => {
      sent.push(...req.targets);
      return of({ data: [] });
    }) as typeof ds.query;
    await lastValueFrom(
      new LensVariableSupport(ds).query({
        targets: [variable],
        scopedVars: {},
      } as unknown as DataQueryRequest<LensVariableQuery>)
    );
    expect(sent).toEqual([expect.objectContaining({ queryType: 'search', ...want })]);
    expect('traceql' in (sent[0] as object)).toBe(withTraceql);
  });
});
