import { resolverFrom } from '../language/interpolate';
import { interpolateVariableQuery } from './interpolateVariableQuery';
import { toLookup } from './variableQuery';

const range = { start: 1000, end: 2000 };

describe('toLookup', () => {
  it.each([
    [{ refId: 'v', kind: 'services' as const }, { kind: 'resource', path: 'services', params: { start: 1000, end: 2000, source: 'traces' } }],
    [
      { refId: 'v', kind: 'operations' as const, source: 'metrics' as const, service: 'api' },
      { kind: 'resource', path: 'operations', params: { start: 1000, end: 2000, source: 'metrics', service: 'api' } },
    ],
    [
      { refId: 'v', kind: 'logLabelValues' as const, label: 'app', selector: '{a="b"}' },
      { kind: 'resource', path: 'loki/label-values', params: { start: 1000, end: 2000, label: 'app', selector: '{a="b"}' } },
    ],
    [
      { refId: 'v', kind: 'metricLabelValues' as const, label: 'job', selector: 'up' },
      { kind: 'resource', path: 'prometheus/label-values', params: { start: 1000, end: 2000, label: 'job', match: 'up' } },
    ],
    [{ refId: 'v', kind: 'operations' as const }, { kind: 'invalid', error: 'choose a service' }],
  ])('%p', (q, want) => {
    expect(toLookup(q, range)).toEqual(want);
  });

  it('trace IDs run a search query', () => {
    expect(toLookup({ refId: 'v', kind: 'traceIds', traceql: '{ status = error }', limit: 5 }, undefined)).toEqual({
      kind: 'search',
      query: { refId: 'variable', version: 1, queryType: 'search', editorMode: 'code', traceql: '{ status = error }', limit: 5 },
    });
  });
});

// The editor offers the TraceQL box on every data source, and says that Jaeger, which has
// no TraceQL, searches the service instead: a variable made on Tempo and moved to Jaeger.
describe('toLookup: trace IDs on Jaeger', () => {
  it('searches the service, not the TraceQL', () => {
    const q = { refId: 'v', kind: 'traceIds' as const, traceql: '{ status = error }', service: 'api', limit: 5 };
    expect(toLookup(q, undefined, { traceql: false })).toEqual({
      kind: 'search',
      query: { refId: 'variable', version: 1, queryType: 'search', editorMode: 'builder', service: 'api', limit: 5 },
    });
  });
});

describe('toLookup: trace IDs without a service', () => {
  it('is a search of every trace on Tempo, and asks for a service on Jaeger, which searches by one', () => {
    const q = { refId: 'v', kind: 'traceIds' as const };
    expect(toLookup(q, undefined)).toMatchObject({ kind: 'search', query: { editorMode: 'builder' } });
    expect(toLookup(q, undefined, { traceql: false })).toEqual({ kind: 'invalid', error: 'choose a service (Jaeger searches by service)' });
  });
});

describe('interpolateVariableQuery', () => {
  it('escapes selectors by language and keeps plain values', () => {
    const r = resolverFrom({ s: 'a"}', many: ['x', 'y'] });
    expect(
      interpolateVariableQuery({ refId: 'v', kind: 'logLabelValues', label: 'app', selector: '{svc="$s", env=~"$many"}' }, r)
    ).toEqual({ refId: 'v', kind: 'logLabelValues', label: 'app', selector: '{svc="a\\"}", env=~"(?:x|y)"}' });
    expect(interpolateVariableQuery({ refId: 'v', kind: 'operations', service: '$s' }, r).service).toBe('a"}');
  });
});
