import { dateTime, type DataQueryRequest } from '@grafana/data';

import { goDuration, LENS_DATASOURCE_TYPE, searchTargetOf, traceSearchLink } from './traceSearchLink';

const pane = (href: string) => {
  const url = new URL(href, 'http://x');
  expect(url.pathname).toBe('/explore');
  return JSON.parse(url.searchParams.get('panes')!).lens;
};

describe('traceSearchLink', () => {
  it.each([
    [0.5, '500us'],
    [120, '120ms'],
    [1500, '1.5s'],
  ])('goDuration(%p) = %s', (ms, want) => expect(goDuration(ms)).toBe(want));

  it('builds our search query with the duration window and service', () => {
    const p = pane(traceSearchLink({ uid: 'ds1', type: LENS_DATASOURCE_TYPE }, 108, 132, 'cart')!);
    expect(p.datasource).toBe('ds1');
    expect(p.queries[0]).toMatchObject({ queryType: 'search', minDuration: '108ms', maxDuration: '132ms', service: 'cart', editorMode: 'builder' });
  });

  it('builds TraceQL for Tempo', () => {
    const p = pane(traceSearchLink({ uid: 't', type: 'tempo' }, 100, 200, undefined, { from: dateTime(1), to: dateTime(2), raw: { from: 'now-1h', to: 'now' } })!);
    expect(p.queries[0].query).toBe('{ duration >= 100ms && duration <= 200ms }');
    expect(p.range).toEqual({ from: '1', to: '2' });
  });

  it('has no link for data sources that cannot search traces', () => {
    expect(traceSearchLink({ uid: 'p', type: 'prometheus' }, 1, 2)).toBeUndefined();
    expect(traceSearchLink(undefined, 1, 2)).toBeUndefined();
  });

  it('finds the target of the series refId in the request', () => {
    const request = { targets: [{ refId: 'A', datasource: { uid: 'a', type: 'tempo' } }, { refId: 'B', datasource: { uid: 'b', type: 'jaeger' } }] } as unknown as DataQueryRequest;
    expect(searchTargetOf(request, 'B')).toEqual({ uid: 'b', type: 'jaeger' });
    expect(searchTargetOf(request)).toEqual({ uid: 'a', type: 'tempo' });
  });
});
