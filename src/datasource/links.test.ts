import { FieldType, toDataFrame, type DataFrame } from '@grafana/data';

import { LENS_KIND } from '../shared/frames';
import type { LensJsonData } from '../shared/settings';
import { addLinks, spanLogsExpr } from './links';

const target = { datasourceUid: 'lens-uid', datasourceName: 'Lens' };
const logsOn: LensJsonData = { logs: { url: 'http://loki:3100' } };

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
      { name: 'traceID', values: ['t'] },
      { name: 'spanID', values: ['s'] },
    ]);
    const [out] = addLinks([frame], target, logsOn);
    expect(out).not.toBe(frame);
    expect(out.fields[1].config.links?.[0]).toMatchObject({
      title: 'Logs for this span',
      internal: { datasourceUid: 'lens-uid', query: { queryType: 'logs', expr: '{service_name=~".+"} | span_id="${__value.raw}"' } },
    });
    expect(frame.fields[1].config.links).toBeUndefined();
    expect(addLinks([frame], target, {})[0]).toBe(frame);
  });

  it('leaves frames that are not ours', () => {
    const frame = toDataFrame({ fields: [{ name: 'traceID', type: FieldType.string, values: ['x'] }] });
    expect(addLinks([frame], target, logsOn)[0]).toBe(frame);
  });
});

describe('spanLogsExpr', () => {
  it.each<[string, LensJsonData, string]>([
    ['default', {}, '{service_name=~".+"} | span_id="${__value.raw}"'],
    [
      'label without span key filters the trace',
      { logs: { traceLogSelector: '{app="x"}', extraction: { mode: 'label', traceIdKey: 'tid' } } },
      '{app="x"} | tid="${__data.fields.traceID}"',
    ],
    ['logfmt', { logs: { extraction: { mode: 'logfmt', traceIdKey: 't', spanIdKey: 'sid' } } }, '{service_name=~".+"} | logfmt | sid="${__value.raw}"'],
    ['json', { logs: { extraction: { mode: 'json', traceIdPath: 'a.b', spanIdPath: 'a.c' } } }, '{service_name=~".+"} |= "${__value.raw}"'],
    ['regex', { logs: { extraction: { mode: 'regex', traceIdRegex: 'x' } } }, '{service_name=~".+"} |= "${__value.raw}"'],
    [
      'a key that is not a label name falls back to a line filter',
      { logs: { extraction: { mode: 'label', traceIdKey: 'a"b' } } },
      '{service_name=~".+"} |= "${__value.raw}"',
    ],
  ])('%s', (_n, jd, want) => {
    expect(spanLogsExpr(jd)).toBe(want);
  });
});
