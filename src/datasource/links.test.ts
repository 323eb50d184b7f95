import { FieldType, mapInternalLinkToExplore, toDataFrame, type DataFrame } from '@grafana/data';

import { LENS_KIND } from '../shared/frames';
import type { LensJsonData } from '../shared/settings';
import { addLinks, spanLogsExpr } from './links';

const target = { datasourceUid: 'lens-uid', datasourceName: 'Lens' };
const logsOn: LensJsonData = { logs: { url: 'http://loki:3100' } };

/** Grafana's variable syntaxes ($name, [[name]], ${name.path:format}), as its TemplateSrv reads them. */
const GRAFANA_VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/**
 * The query a click on row `row` of field `fieldIndex` opens, as Grafana builds it
 * (mapInternalLinkToExplore) with a TemplateSrv that knows the row's `${__value.raw}` and
 * `${__data.fields.<name>}` and leaves other variables as they are.
 */
function clicked(frame: DataFrame, fieldIndex: number, row: number): unknown {
  const field = frame.fields[fieldIndex];
  const link = field.config.links![0];
  const replaceVariables = (text: string) =>
    text.replace(GRAFANA_VARIABLE, (whole, _a, _b, _c, name?: string, path?: string) => {
      if (name === '__value' && path === 'raw') {
        return String(field.values[row]);
      }
      const f = name === '__data' && path?.startsWith('fields.') ? frame.fields.find((x) => x.name === path.slice(7)) : undefined;
      return f ? String(f.values[row]) : whole;
    });
  return mapInternalLinkToExplore({ link, internalLink: link.internal!, scopedVars: {}, field, replaceVariables }).interpolatedParams?.query;
}

const makeFrame = (kind: string, fields: Array<{ name: string; values: unknown[]; config?: object }>): DataFrame =>
  toDataFrame({
    meta: { custom: { [LENS_KIND]: kind } },
    fields: fields.map((f) => ({ type: FieldType.string, config: {}, ...f })),
  });

describe('addLinks', () => {
  it.each(['logs', 'exemplars', 'search'])('adds an internal trace link to the %s traceID field', (kind) => {
    const frame = makeFrame(kind, [{ name: 'traceID', values: ['abc'] }]);
    const [out] = addLinks([frame], target, logsOn);
    expect(out.fields[0].config.links).toEqual([
      expect.objectContaining({
        title: 'Open trace',
        internal: {
          datasourceUid: 'lens-uid',
          datasourceName: 'Lens',
          query: { refId: 'trace', queryType: 'trace', version: 1, traceId: '${__value.raw}' },
        },
      }),
    ]);
    expect(frame.fields[0].config.links).toBeUndefined();
  });

  it('keeps the links the backend set', () => {
    const backendLink = { title: 'Open trace', url: '', internal: { datasourceUid: 'x', datasourceName: 'x', query: {} } };
    const frame = makeFrame('logs', [{ name: 'traceID', values: ['abc'], config: { links: [backendLink] } }]);
    const [out] = addLinks([frame], target, logsOn);
    expect(out).toBe(frame);
  });

  it('links each span to its logs when a log store is configured', () => {
    const frame = makeFrame('spans', [
      { name: 'traceID', values: ['4bf92f3577b34da6a3ce929d0e0e4736', '4bf92f3577b34da6a3ce929d0e0e4736'] },
      { name: 'spanID', values: ['00f067aa0ba902b7', 'a3ce929d0e0e4736'] },
    ]);
    const [out] = addLinks([frame], target, logsOn);
    expect(out).not.toBe(frame);
    const link = out.fields[1].config.links?.[0];
    expect(link).toMatchObject({ title: 'Logs for this span', internal: { datasourceUid: 'lens-uid', datasourceName: 'Lens' } });
    expect(clicked(out, 1, 1)).toEqual({
      refId: 'logs',
      queryType: 'logs',
      version: 1,
      expr: '{service_name=~".+"} $__traceFilter(4bf92f3577b34da6a3ce929d0e0e4736) $__spanFilter(a3ce929d0e0e4736)',
      datasource: { uid: 'lens-uid' },
    });
    expect(frame.fields[1].config.links).toBeUndefined();
    expect(addLinks([frame], target, {})[0]).toBe(frame);
  });

  // Grafana's Explore and trace view show an internal link only when every variable its
  // query names is one Grafana knows (getVariableUsageInfo); the backend's LogQL macros are
  // not, so they must not stand in the query as the link carries it.
  it('names no variable Grafana does not know for a data link', () => {
    const frame = makeFrame('spans', [
      { name: 'traceID', values: ['4bf92f3577b34da6a3ce929d0e0e4736'] },
      { name: 'spanID', values: ['00f067aa0ba902b7'] },
    ]);
    const [out] = addLinks([frame], target, logsOn);
    const carried = JSON.stringify(out.fields[1].config.links);
    const names = Array.from(carried.matchAll(GRAFANA_VARIABLE), (m) => m[1] ?? m[2] ?? m[4]);
    expect(names.filter((n) => !['__value', '__data'].includes(n))).toEqual([]);
  });

  it('leaves frames that are not ours', () => {
    const frame = toDataFrame({ fields: [{ name: 'traceID', type: FieldType.string, values: ['x'] }] });
    expect(addLinks([frame], target, logsOn)[0]).toBe(frame);
  });
});

describe('spanLogsExpr', () => {
  // The spans frame's IDs (normalised hex) go into the backend's ID filters, which find every
  // spelling of them (pkg/query expandIDFilters): a filter written here on the hex as it is
  // (`span_id="00f067aa0ba902b7"`, `|= "…"`) misses the lines that write it otherwise.
  const T = '4bf92f3577b34da6a3ce929d0e0e4736';
  const S = '00f067aa0ba902b7';
  const both = (sel: string) => `${sel} $__traceFilter(${T}) $__spanFilter(${S})`;
  it.each<[string, LensJsonData, string]>([
    ['default (structured metadata with a span key)', {}, both('{service_name=~".+"}')],
    [
      'label with a span key',
      { logs: { traceLogSelector: ' {app="x"} ', extraction: { mode: 'label', traceIdKey: 'tid', spanIdKey: 'sid' } } },
      both('{app="x"}'),
    ],
    [
      'label without span key: the trace\'s lines',
      { logs: { traceLogSelector: '{app="x"}', extraction: { mode: 'label', traceIdKey: 'tid' } } },
      `{app="x"} $__traceFilter(${T})`,
    ],
    [
      'structured metadata without span key: the trace\'s lines',
      { logs: { extraction: { mode: 'structuredMetadata', traceIdKey: 'trace_id', spanIdKey: '' } } },
      `{service_name=~".+"} $__traceFilter(${T})`,
    ],
    ['logfmt', { logs: { extraction: { mode: 'logfmt', traceIdKey: 't', spanIdKey: 'sid' } } }, both('{service_name=~".+"}')],
    ['logfmt without span key: the span ID in the line', { logs: { extraction: { mode: 'logfmt', traceIdKey: 't' } } }, both('{service_name=~".+"}')],
    ['json', { logs: { extraction: { mode: 'json', traceIdPath: 'a.b', spanIdPath: 'a.c' } } }, both('{service_name=~".+"}')],
    ['regex', { logs: { extraction: { mode: 'regex', traceIdRegex: 'x' } } }, both('{service_name=~".+"}')],
  ])('%s', (_n, jd, want) => {
    expect(spanLogsExpr(jd, T, S)).toBe(want);
  });

  it('leaves out the filter of an ID it does not know, and quotes one that is no bare word', () => {
    const label: LensJsonData = { logs: { extraction: { mode: 'label', traceIdKey: 'tid' } } };
    expect(spanLogsExpr({}, '', S)).toBe(`{service_name=~".+"} $__spanFilter(${S})`);
    expect(spanLogsExpr(label, '', S)).toBe(`{service_name=~".+"} $__spanFilter(${S})`);
    expect(spanLogsExpr({}, T, 'a b"c')).toBe(`{service_name=~".+"} $__traceFilter(${T}) $__spanFilter("a b\\"c")`);
  });
});
