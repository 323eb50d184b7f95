import fs from 'fs';
import path from 'path';
import type { TraceIdExtraction } from '../shared/settings';
import { extractionRuleProblem, goRegex, jsonPath, parseLabelText, parseLogfmtLine, previewExtraction, type SampleEntry } from './extraction';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('previewExtraction', () => {
  it.each<[string, TraceIdExtraction, SampleEntry]>([
    [
      'label',
      { mode: 'label', traceIdKey: 'trace_id', spanIdKey: 'span_id' },
      { line: 'x', labels: { trace_id: TRACE, span_id: SPAN } },
    ],
    [
      'structured metadata',
      { mode: 'structuredMetadata', traceIdKey: 'trace_id', spanIdKey: 'span_id' },
      { line: 'x', structuredMetadata: { trace_id: TRACE }, labels: { span_id: SPAN } },
    ],
    [
      'json path',
      { mode: 'json', traceIdPath: '$.ctx.trace.id', spanIdPath: 'ctx.spans[1]' },
      { line: JSON.stringify({ ctx: { trace: { id: TRACE.toUpperCase() }, spans: ['x', SPAN] } }) },
    ],
    [
      'logfmt',
      { mode: 'logfmt', traceIdKey: 'traceID', spanIdKey: 'spanID' },
      { line: `level=info msg="hello \\"world\\"" traceID=${TRACE} spanID="${SPAN}"` },
    ],
    [
      'regex with groups',
      { mode: 'regex', traceIdRegex: 'trace=(\\w+)', spanIdRegex: '(?P<span>[0-9a-f]{16})$' },
      { line: `GET / trace=${TRACE} ${SPAN}` },
    ],
    [
      'regex whole match',
      { mode: 'regex', traceIdRegex: '(?i)[0-9A-F]{32}' },
      { line: `id ${TRACE.toUpperCase()} end` },
    ],
    ['base64 (tempo style)', { mode: 'logfmt', traceIdKey: 't' }, { line: 't=S/kvNXezTaajzpKdDg5HNg==' }],
    // The backend reads both IDs out of the propagation header a line carries, and an ID between brackets.
    [
      'one traceparent for both IDs',
      { mode: 'logfmt', traceIdKey: 'traceparent', spanIdKey: 'traceparent' },
      { line: `msg=done traceparent=00-${TRACE}-${SPAN}-01` },
    ],
    [
      'label in brackets',
      { mode: 'label', traceIdKey: 'trace_id', spanIdKey: 'span_id' },
      { line: 'x', labels: { trace_id: `[${TRACE}]`, span_id: `${SPAN},` } },
    ],
  ])('%s', (_n, rule, entry) => {
    const p = previewExtraction(rule, entry);
    expect(p.traceId).toMatchObject({ status: 'found', id: TRACE });
    if ('spanIdKey' in rule && rule.spanIdKey) {
      expect(p.spanId).toMatchObject({ status: 'found', id: SPAN });
    }
    expect(p.problem).toBeUndefined();
  });

  it('reports a value the normaliser refuses, quoting it', () => {
    const p = previewExtraction({ mode: 'logfmt', traceIdKey: 't' }, { line: 't=not-an-id' });
    expect(p.traceId).toMatchObject({ status: 'invalid', raw: 'not-an-id' });
    expect(p.traceId.status === 'invalid' && p.traceId.error).toContain('"not-an-id"');
  });

  it('reports missing keys, non-JSON lines and bad regexes without throwing', () => {
    expect(previewExtraction({ mode: 'label', traceIdKey: 'nope' }, { line: 'x', labels: {} }).traceId.status).toBe(
      'missing'
    );
    expect(previewExtraction({ mode: 'json', traceIdPath: 'a' }, { line: 'not json' }).problem).toMatch(/not JSON/);
    expect(previewExtraction({ mode: 'regex', traceIdRegex: '(' }, { line: 'x' }).problem).toMatch(/regex/);
  });

  it('a blank JSON span path is no span path, as the backend reads it', () => {
    const p = previewExtraction(
      { mode: 'json', traceIdPath: 'trace_id', spanIdPath: '  ' },
      { line: JSON.stringify({ trace_id: TRACE }) }
    );
    expect(p.traceId).toMatchObject({ status: 'found', id: TRACE });
    expect(p.spanId).toBeUndefined();
  });

  // The backend (Extract in pkg/stores/loki) reads a label-mode key from the stream labels,
  // then the structured metadata, as Loki gives them without categorize-labels and as the
  // trace query's label filter matches them.
  it('label mode reads structured metadata after the stream labels, as the backend does', () => {
    const other = '0af7651916cd43dd8448eb211c80319c';
    const fromMetadata = previewExtraction({ mode: 'label', traceIdKey: 't', spanIdKey: 's' }, { line: '', structuredMetadata: { t: TRACE, s: SPAN } });
    expect(fromMetadata.traceId).toMatchObject({ status: 'found', id: TRACE });
    expect(fromMetadata.spanId).toMatchObject({ status: 'found', id: SPAN });
    const both = previewExtraction({ mode: 'label', traceIdKey: 't' }, { line: '', labels: { t: TRACE }, structuredMetadata: { t: other } });
    expect(both.traceId).toMatchObject({ status: 'found', id: TRACE });
  });
});

describe('rules the backend refuses', () => {
  // pkg/settings (parseExtraction) refuses these rules, and with them the whole logs store;
  // the preview must say so even when the sample line would give an ID.
  it.each<[string, TraceIdExtraction, SampleEntry, RegExp]>([
    ['a label key with a dash', { mode: 'label', traceIdKey: 'trace-id' }, { line: '', labels: { 'trace-id': TRACE } }, /not a Loki label name/],
    [
      'a structured-metadata span key with a dot',
      { mode: 'structuredMetadata', traceIdKey: 'trace_id', spanIdKey: 'span.id' },
      { line: '', structuredMetadata: { trace_id: TRACE, 'span.id': SPAN } },
      /not a Loki label name/,
    ],
    ['no trace ID key', { mode: 'logfmt', traceIdKey: '' }, { line: `trace_id=${TRACE}` }, /trace ID key/i],
    ['a JSON path that names no field', { mode: 'json', traceIdPath: '$.' }, { line: JSON.stringify({ trace_id: TRACE }) }, /names no field/],
    [
      'a JSON span path that names no field',
      { mode: 'json', traceIdPath: 'trace_id', spanIdPath: '[]' },
      { line: JSON.stringify({ trace_id: TRACE }) },
      /names no field/,
    ],
    ['a regex that matches the empty string', { mode: 'regex', traceIdRegex: '[0-9a-f]*' }, { line: `${TRACE} done` }, /empty string/],
    [
      'a JSON path with an unclosed quoted key',
      { mode: 'json', traceIdPath: 'attributes["trace.id"' },
      { line: JSON.stringify({ attributes: { 'trace.id': TRACE } }) },
      /the key in brackets at \["trace\.id" is not closed/,
    ],
    [
      'a JSON span path whose quoted key is not a JSON string',
      { mode: 'json', traceIdPath: 'trace_id', spanIdPath: 'a["b\\q"]' },
      { line: JSON.stringify({ trace_id: TRACE }) },
      /the key in brackets \["b\\q"\] is not a JSON string/,
    ],
  ])('%s', (_n, rule, entry, want) => {
    expect(previewExtraction(rule, entry).problem).toMatch(want);
  });

  it.each<[string, TraceIdExtraction]>([
    ['label names', { mode: 'label', traceIdKey: 'traceID', spanIdKey: '_span_id' }],
    ['a logfmt key with a dot', { mode: 'logfmt', traceIdKey: 'trace.id' }],
    ['a JSON path with a dot in a name', { mode: 'json', traceIdPath: 'trace.id', spanIdPath: ' ' }],
    ['JSON paths with quoted keys in brackets', { mode: 'json', traceIdPath: 'attributes["trace.id"]', spanIdPath: "attributes.['span.id']" }],
    ['a regex that needs one character', { mode: 'regex', traceIdRegex: '[0-9a-f]+' }],
  ])('takes %s', (_n, rule) => {
    expect(extractionRuleProblem(rule)).toBeUndefined();
  });
});

describe('OpenTelemetry-style JSON lines', () => {
  // A log record as the OpenTelemetry collector's file exporter or a JSON logger writes it:
  // the IDs under keys with dots, nested in `attributes`.
  const line = JSON.stringify({ body: 'paid', attributes: { 'trace.id': TRACE, 'span.id': SPAN.toUpperCase() } });
  it.each([
    ['attributes["trace.id"]', 'attributes.["span.id"]'],
    ["$.attributes['trace.id']", "$['attributes']['span.id']"],
  ])('the preview finds %s and %s', (traceIdPath, spanIdPath) => {
    const p = previewExtraction({ mode: 'json', traceIdPath, spanIdPath }, { line });
    expect(p.problem).toBeUndefined();
    expect(p.traceId).toMatchObject({ status: 'found', id: TRACE });
    expect(p.spanId).toMatchObject({ status: 'found', id: SPAN });
  });
});

describe('helpers', () => {
  it('jsonPath takes strings and numbers only', () => {
    const doc = { a: { b: 12, c: true, d: [{ e: 'x' }] } };
    expect(jsonPath(doc, 'a.b')).toBe('12');
    expect(jsonPath(doc, 'a.c')).toBeUndefined();
    expect(jsonPath(doc, '$.a.d[0].e')).toBe('x');
    expect(jsonPath(doc, 'a.d.e')).toBeUndefined();
    expect(jsonPath(doc, '')).toBeUndefined();
  });

  it('parseLogfmtLine handles bare keys and first occurrence order', () => {
    expect(parseLogfmtLine('a=1 flag b="x y" a=2')).toEqual([
      ['a', '1'],
      ['flag', ''],
      ['b', 'x y'],
      ['a', '2'],
    ]);
  });

  it('parseLabelText reads Prometheus-style and logfmt labels', () => {
    expect(parseLabelText('{trace_id="abc", app="x y"}')).toEqual({ trace_id: 'abc', app: 'x y' });
    expect(parseLabelText('a=1 b=2')).toEqual({ a: '1', b: '2' });
  });

  it('goRegex converts RE2 named groups and leading flags', () => {
    const re = goRegex('(?i)(?P<id>ab)');
    expect(re instanceof RegExp && re.exec('xAB')?.groups?.id).toBe('AB');
    expect(typeof goRegex('[')).toBe('string');
  });
});

/** Cases the backend's tests (pkg/stores/loki/extract_test.go) run too: both read lines alike. */
const shared: {
  json: Array<{ name: string; line: string; path: string; want: string | null }>;
  logfmt: Array<{ name: string; line: string; key: string; want: string | null }>;
  regex: Array<{ name: string; line: string; regex: string; want: string | null }>;
} = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../pkg/stores/loki/testdata/extraction_cases.json'), 'utf8')
);

describe('extraction cases shared with the backend', () => {
  it.each(shared.json)('json: $name', ({ line, path: p, want }) => {
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      expect(want).toBeNull(); // not JSON: nothing is found
      return;
    }
    expect(jsonPath(doc, p) ?? null).toBe(want);
  });

  it.each(shared.logfmt)('logfmt: $name', ({ line, key, want }) => {
    expect(parseLogfmtLine(line).find(([k]) => k === key)?.[1] ?? null).toBe(want);
  });

  it.each(shared.regex)('regex: $name', ({ line, regex, want }) => {
    const p = previewExtraction({ mode: 'regex', traceIdRegex: regex }, { line });
    expect(p.problem).toBeUndefined();
    const raw = p.traceId.status === 'missing' ? undefined : p.traceId.raw;
    expect(raw || null).toBe(want);
  });

  it('the preview finds a `$.` path and a tab-separated logfmt key', () => {
    const json = previewExtraction({ mode: 'json', traceIdPath: ' $.trace_id ' }, { line: `{"trace_id":"${TRACE}"}` });
    expect(json.traceId).toMatchObject({ status: 'found', id: TRACE });
    const logfmt = previewExtraction(
      { mode: 'logfmt', traceIdKey: 'trace_id' },
      { line: `level=info\ttrace_id=${TRACE}` }
    );
    expect(logfmt.traceId).toMatchObject({ status: 'found', id: TRACE });
  });
});
