import { QUERY_MODEL_VERSION, type LatencyQuery, type SearchQuery } from '../../shared/queryModel';
import { DEFAULT_BUILDER_SETTINGS, switchToCode } from './editorModes';
import { jaegerTagsJson, parseLogfmt } from './logfmt';
import { buildLogLatency } from './logql';
import { buildHistogramSelector, histogramQuantilePreview } from './promql';
import { buildTraceSelector, traceqlLiteral } from './traceql';

const HOSTILE = ['a"b', 'back\\slash', 'x} or {y', 'p|q', 'new\nline', '" || true || "', '"} or vector(1) or {a="'];

const makeLatency = (over: Partial<LatencyQuery> = {}): LatencyQuery => ({
  refId: 'A',
  version: QUERY_MODEL_VERSION,
  queryType: 'latency',
  source: 'histogram',
  editorMode: 'builder',
  ...over,
});

const makeSearch = (over: Partial<SearchQuery> = {}): SearchQuery => ({
  refId: 'A',
  version: QUERY_MODEL_VERSION,
  queryType: 'search',
  editorMode: 'builder',
  ...over,
});

describe('buildTraceSelector', () => {
  it.each([
    ['empty', {}, '{}'],
    ['service', { service: 'api' }, '{ resource.service.name = "api" }'],
    [
      'everything',
      {
        service: 'api',
        operation: 'GET /users',
        tags: 'http.status_code=500 error=true span.peer="db 1"',
        minDuration: '120ms',
        maxDuration: '1.5s',
      },
      '{ resource.service.name = "api" && name = "GET /users" && (.http.status_code = 500 || .http.status_code = "500") && (.error = true || .error = "true") && span.peer = "db 1" && duration >= 120ms && duration <= 1.5s }',
    ],
    [
      'filter',
      { service: 'api', filter: 'span.http.status_code >= 500' },
      '{ resource.service.name = "api" && (span.http.status_code >= 500) }',
    ],
  ])('%s', (_n, state, want) => {
    expect(buildTraceSelector(state)).toEqual({ ok: true, expr: want });
  });

  it.each(HOSTILE)('keeps hostile service %p inside one string literal', (value) => {
    const r = buildTraceSelector({ service: value, operation: value });
    expect(r.ok).toBe(true);
    if (r.ok) {
      const lits = Array.from(r.expr.matchAll(/"((?:[^"\\]|\\.)*)"/g), (m) => JSON.parse(`"${m[1]}"`));
      expect(lits).toEqual([value, value]);
      expect(r.expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')).toBe('{ resource.service.name = "" && name = "" }');
    }
  });

  it.each([
    ['bad duration', { minDuration: '1s } || { true' }, /min duration/],
    ['bad tag key', { tags: 'a}b=1' }, /not a TraceQL attribute/],
    ['unterminated tag', { tags: 'a="x' }, /unterminated/],
    // The builder matches a tag as a number or as text once the variable has a value
    // (the backend writes `(.k = 500 || .k = "500")`); TraceQL written now cannot know which.
    ['a variable as a tag value', { tags: 'http.status_code=$code' }, /http\.status_code.*variable/],
    ['a variable in a quoted tag value', { tags: 'k="${code}"' }, /k.*variable/],

  ])('refuses %s', (_n, state, err) => {
    const r = buildTraceSelector(state);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(err);
    }
  });
});

describe('logfmt tags', () => {
  it('parses quoted values with escapes and builds Jaeger JSON', () => {
    const r = parseLogfmt(' error=true  http.url="/a b?x=\\"1\\"" ');
    expect(r).toEqual({
      ok: true,
      pairs: [
        { key: 'error', value: 'true' },
        { key: 'http.url', value: '/a b?x="1"' },
      ],
    });
    if (r.ok) {
      expect(JSON.parse(jaegerTagsJson(r.pairs))).toEqual({ error: 'true', 'http.url': '/a b?x="1"' });
    }
  });

  it.each(HOSTILE)('round-trips hostile values through Jaeger JSON: %p', (value) => {
    const tags = `k=${JSON.stringify(value)}`;
    const r = parseLogfmt(tags);
    expect(r.ok && JSON.parse(jaegerTagsJson(r.pairs))).toEqual({ k: value });
  });

  it('separates pairs by ASCII whitespace only, as the backend does', () => {
    expect(parseLogfmt('http.method=GET\terror=true')).toEqual({
      ok: true,
      pairs: [
        { key: 'http.method', value: 'GET' },
        { key: 'error', value: 'true' },
      ],
    });
    // A no-break space is part of the value, not a separator.
    expect(parseLogfmt('team=a\u00a0b')).toEqual({ ok: true, pairs: [{ key: 'team', value: 'a\u00a0b' }] });
  });

  it.each(['novalue', '=x', 'a=b"c', 'a="x"y', 'k=a k=b'])('refuses %p', (tags) => {
    expect(parseLogfmt(tags).ok).toBe(false);
  });
});

describe('traceqlLiteral', () => {
  it.each([
    ['200', '200'],
    ['-1', '-1'],
    ['0', '0'],
    ['0.5', '0.5'],
    ['true', 'true'],
    ['9223372036854775807', '9223372036854775807'],
    ['-9223372036854775807', '-9223372036854775807'],
    ['-9223372036854775808', '"-9223372036854775808"'],
    // Tempo's lexer reads 08 as a bad octal literal and cannot hold more than int64.
    ['08540', '"08540"'],
    ['9223372036854775808', '"9223372036854775808"'],
    ['12345678901234567890', '"12345678901234567890"'],
    ['1e3', '"1e3"'],
    ['GET', '"GET"'],
  ])('%s', (value, want) => {
    expect(traceqlLiteral(value)).toBe(want);
  });
});

describe('buildHistogramSelector', () => {
  const base = { serviceLabel: 'service', operationLabel: 'operation' };
  it.each([
    ['name only', { metric: 'http_request_duration_seconds' }, 'http_request_duration_seconds'],
    [
      'service+operation',
      { metric: 'rpc_seconds', service: 'api', operation: 'GET /' },
      'rpc_seconds{service="api", operation="GET /"}',
    ],
  ])('%s', (_n, state, want) => {
    expect(buildHistogramSelector({ ...base, ...state })).toEqual({ ok: true, expr: want });
  });

  it.each(HOSTILE)('escapes hostile service %p', (value) => {
    const r = buildHistogramSelector({ ...base, metric: 'm', service: value });
    expect(r.ok && r.expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')).toBe('m{service=""}');
  });

  it.each([
    ['no metric', { metric: '' }],
    ['bad metric', { metric: 'up or vector(1)' }],
    ['bad label', { metric: 'm', service: 'x', serviceLabel: 'a}b' }],
  ])('refuses %s', (_n, state) => {
    expect(buildHistogramSelector({ ...base, ...state }).ok).toBe(false);
  });

  it('previews the percentile PromQL on the _bucket series', () => {
    expect(histogramQuantilePreview('rpc_seconds{service="api"}', 0.99)).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(rpc_seconds_bucket{service="api"}[$__rate_interval])))'
    );
  });
});

describe('buildLogLatency', () => {
  it.each([
    [
      'selector',
      { logSelector: '{app="api"} | json', logField: 'duration_ms' },
      '{app="api"} | json | unwrap duration_ms | __error__=""',
    ],
    ['from service', { service: 'a"b', logField: 'dur' }, '{service_name="a\\"b"} | unwrap dur | __error__=""'],
  ])('%s', (_n, state, want) => {
    expect(buildLogLatency(state)).toEqual({ ok: true, expr: want });
  });

  it.each([
    ['no field', { logSelector: '{a="b"}' }],
    ['bad field', { logSelector: '{a="b"}', logField: 'x | line_format "y"' }],
    ['no selector', { logField: 'd' }],
    ['not a selector', { logSelector: 'rate(x)', logField: 'd' }],
  ])('refuses %s', (_n, state) => {
    expect(buildLogLatency(state).ok).toBe(false);
  });
});

describe('switchToCode keeps the query', () => {
  it('latency histogram', () => {
    const q = makeLatency({ histogramMetric: 'rpc_seconds', service: 'api', percentiles: [0.9] });
    const { query, error } = switchToCode(q, DEFAULT_BUILDER_SETTINGS);
    expect(error).toBeUndefined();
    expect(query).toEqual({ ...q, editorMode: 'code', expr: 'rpc_seconds{service="api"}' });
  });

  it('latency spans', () => {
    const q = makeLatency({ source: 'spans', service: 'api', operation: 'op' });
    expect(switchToCode(q, DEFAULT_BUILDER_SETTINGS).query).toMatchObject({
      editorMode: 'code',
      expr: '{ resource.service.name = "api" && name = "op" }',
    });
  });

  it('uses the configured label names', () => {
    const q = makeLatency({ histogramMetric: 'm', service: 'api', operation: 'op' });
    const s = { ...DEFAULT_BUILDER_SETTINGS, serviceLabel: 'job', operationLabel: 'handler' };
    expect(switchToCode(q, s).query).toMatchObject({ expr: 'm{job="api", handler="op"}' });
  });

  it('search', () => {
    const q = makeSearch({ service: 'api', minDuration: '1s' });
    expect(switchToCode(q, DEFAULT_BUILDER_SETTINGS).query).toMatchObject({
      editorMode: 'code',
      traceql: '{ resource.service.name = "api" && duration >= 1s }',
      service: 'api',
    });
  });

  it('refuses an incomplete builder without changing the query', () => {
    const q = makeLatency({ histogramMetric: '' });
    const { query, error } = switchToCode(q, DEFAULT_BUILDER_SETTINGS);
    expect(query).toBe(q);
    expect(error).toMatch(/histogram metric/);
  });
});
