import { createDataFrame, FieldType } from '@grafana/data';

import { makeLogsFrame, makeSpan, makeTrace, traceToFrame } from '../testing/factories';
import { LENS_KIND, LINES_IN_SPAN_LOGS, LogFields } from '../../shared/frames';
import { buildTraceModel, logLinesOf } from './traceModel';

const id = (i: number) => i.toString(16).padStart(16, '0');

/** Descendants of `spanID` by walking parent links of the raw rows (the definition, not the model). */
function descendants(rows: Array<{ spanID: string; parentSpanID: string }>, spanID: string): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of rows) {
      if (!out.has(r.spanID) && (r.parentSpanID === spanID || out.has(r.parentSpanID))) {
        out.add(r.spanID);
        grew = true;
      }
    }
  }
  return out;
}

describe('buildTraceModel', () => {
  it.each([1, 2, 3])('lays a shuffled trace out in pre-order (seed %i)', (seed) => {
    const rows = makeTrace({ spans: 400, seed, shuffle: true });
    const m = buildTraceModel(traceToFrame(rows));
    expect(m.n).toBe(400);
    expect(m.warnings).toEqual([]);
    const byId = new Map(rows.map((r) => [r.spanID, r]));
    for (let p = 0; p < m.n; p++) {
      const row = byId.get(m.spanId[p])!;
      // parent before child, depth = parent depth + 1
      if (m.parent[p] >= 0) {
        expect(m.parent[p]).toBeLessThan(p);
        expect(m.spanId[m.parent[p]]).toBe(row.parentSpanID);
        expect(m.depth[p]).toBe(m.depth[m.parent[p]] + 1);
      }
      // subtree range is exactly the descendants
      const sub = new Set(m.spanId.slice(p + 1, m.subtreeEnd[p]));
      expect(sub).toEqual(descendants(rows, m.spanId[p]));
    }
  });

  it('orders siblings by start time', () => {
    const root = makeSpan({ spanID: id(1), startTime: 0, duration: 100 });
    const late = makeSpan({ spanID: id(2), parentSpanID: id(1), startTime: 50, duration: 10 });
    const early = makeSpan({ spanID: id(3), parentSpanID: id(1), startTime: 5, duration: 10 });
    const m = buildTraceModel(traceToFrame([late, root, early]));
    expect(m.spanId).toEqual([id(1), id(3), id(2)]);
    expect(Array.from(m.start)).toEqual([0, 5, 50]);
    expect(m.durationMs).toBe(100);
  });

  it('shows spans with a missing parent as roots and says so', () => {
    const rows = [makeSpan({ spanID: id(1) }), makeSpan({ spanID: id(2), parentSpanID: id(99) })];
    const m = buildTraceModel(traceToFrame(rows));
    expect(Array.from(m.parent)).toEqual([-1, -1]);
    expect(m.warnings[0]).toMatch(/1 spans point at a parent/);
  });

  it('cuts parent cycles and keeps every span', () => {
    const rows = [
      makeSpan({ spanID: id(1), parentSpanID: id(2), startTime: 1 }),
      makeSpan({ spanID: id(2), parentSpanID: id(1), startTime: 2 }),
      makeSpan({ spanID: id(3), startTime: 0 }),
    ];
    const m = buildTraceModel(traceToFrame(rows));
    expect(m.n).toBe(3);
    expect(new Set(m.spanId)).toEqual(new Set([id(1), id(2), id(3)]));
    expect(m.warnings.join()).toMatch(/cycles/);
  });

  it('tolerates repeated span IDs', () => {
    const rows = [makeSpan({ spanID: id(1) }), makeSpan({ spanID: id(1), startTime: 5 }), makeSpan({ spanID: id(2), parentSpanID: id(1) })];
    const m = buildTraceModel(traceToFrame(rows));
    expect(m.n).toBe(3);
    expect(m.warnings[0]).toMatch(/repeat a span ID/);
  });

  it('marks errors from status code 2 and from error=true tags', () => {
    const rows = [
      makeSpan({ spanID: id(1), startTime: 0 }),
      makeSpan({ spanID: id(2), parentSpanID: id(1), statusCode: 2, startTime: 1 }),
      makeSpan({ spanID: id(3), parentSpanID: id(1), tags: [{ key: 'error', value: true }], startTime: 2 }),
    ];
    expect(Array.from(buildTraceModel(traceToFrame(rows)).error)).toEqual([0, 1, 1]);
  });

  it('indexes log lines from the span logs column and from a joined logs frame, by time', () => {
    const rows = makeTrace({ spans: 30, seed: 4, logsPerSpan: 1 });
    const logsFrame = makeLogsFrame(rows, 2, 3);
    const m = buildTraceModel(traceToFrame(rows), [logsFrame]);
    const p = m.spanId.indexOf(rows[3].spanID);
    const lines = logLinesOf(m, p);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.timeMs)).toEqual([...lines.map((l) => l.timeMs)].sort((a, b) => a - b));
    expect(lines.some((l) => l.body.includes('handled'))).toBe(true);
    expect(lines.some((l) => l.body.includes('step 0'))).toBe(true);
    const q = m.spanId.indexOf(rows[4].spanID);
    expect(m.logs.count(q)).toBe(1);
  });

  it('reads joined lines of this trace only, from any frame order, time-ordered with the span events', () => {
    const rows = makeTrace({ spans: 20, seed: 5, logsPerSpan: 2 });
    const logsFrame = makeLogsFrame(rows, 3, 1);
    // Reverse the frame's rows, and point one line at another trace and one at an unknown span.
    const rev = <T,>(v: T[]) => [...v].reverse();
    const fields = logsFrame.fields.map((f) => ({ ...f, values: rev(f.values as unknown[]) }));
    const traceField = fields.find((f) => f.name === 'traceID')!;
    const spanField = fields.find((f) => f.name === 'spanID')!;
    (traceField.values as string[])[0] = 'ffffffffffffffffffffffffffffffff';
    (spanField.values as string[])[1] = 'feedfeedfeedfeed';
    const m = buildTraceModel(traceToFrame(rows), [{ ...logsFrame, fields }]);
    let total = 0;
    for (let p = 0; p < m.n; p++) {
      total += m.logs.count(p);
    }
    expect(total).toBe(rows.reduce((a, r) => a + r.logs.length, 0) + rows.length * 3 - 2);
    for (let p = 0; p < m.n; p++) {
      const times = logLinesOf(m, p).map((l) => l.timeMs);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    const p0 = m.spanId.indexOf(rows[0].spanID);
    const bodies = logLinesOf(m, p0).map((l) => l.body);
    expect(bodies.filter((b) => b.includes('handled'))).toHaveLength(3);
  });

  it('orders a span’s lines by time, span events before frame lines at equal times; no logs anywhere counts 0', () => {
    const t = Date.UTC(2026, 10, 1);
    const rows = [
      makeSpan({ spanID: id(1), startTime: t, logs: [{ timestamp: t + 5, fields: [{ key: 'message', value: 'event at 5' }] }, { timestamp: t + 1, fields: [{ key: 'message', value: 'event at 1' }] }] }),
      makeSpan({ spanID: id(2), parentSpanID: id(1), startTime: t + 1 }),
    ];
    const logsFrame = makeLogsFrame(rows, 1, 1);
    // makeLogsFrame puts span 1's line at start + duration / 2 = t + 5: the same time as its second event.
    const m = buildTraceModel(traceToFrame(rows), [logsFrame]);
    expect(logLinesOf(m, 0).map((l) => l.body)).toEqual(['event at 1', 'event at 5', expect.stringContaining('handled')]);
    expect([m.logs.count(0), m.logs.count(1)]).toEqual([3, 1]);
    expect(m.logs.line(0, 2)).toEqual(logLinesOf(m, 0)[2]);
    const bare = buildTraceModel(traceToFrame(makeTrace({ spans: 10, seed: 2 }), { lens: false }));
    expect(Array.from({ length: bare.n }, (_, p) => bare.logs.count(p))).toEqual(new Array(bare.n).fill(0));
  });

  it('shows the joined lines once when the spans frame says its logs cells already hold them', () => {
    const t = Date.UTC(2026, 10, 1);
    const rows = [makeSpan({ spanID: id(1), startTime: t }), makeSpan({ spanID: id(2), parentSpanID: id(1), startTime: t + 1 })];
    const logsFrame = makeLogsFrame(rows, 2, 1);
    // The data source's default trace query: each span's lines copied into its logs cell, and the logs frame.
    const cells = rows.map((r) => ({
      ...r,
      logs: [0, 1].map((l) => ({ timestamp: r.startTime + (r.duration * (l + 1)) / 3, fields: [{ key: 'message', value: `cell line ${l}` }] })),
    }));
    const flagged = traceToFrame(cells);
    flagged.meta = { ...flagged.meta, custom: { ...flagged.meta?.custom, [LINES_IN_SPAN_LOGS]: true } };
    const once = buildTraceModel(flagged, [logsFrame]);
    expect([once.logs.count(0), once.logs.count(1)]).toEqual([2, 2]);
    expect(logLinesOf(once, 0).map((l) => l.body)).toEqual(['cell line 0', 'cell line 1']);
    // Without the flag the cells are span events of another source: both are shown.
    const both = buildTraceModel(traceToFrame(cells), [logsFrame]);
    expect([both.logs.count(0), both.logs.count(1)]).toEqual([4, 4]);
  });

  it.each([
    ['a null trace ID (a line the log store found for this trace without one)', null, 1],
    ['an empty trace ID', '', 1],
    ['the trace ID in upper case', 'A1B2C3D4E5F60718293A4B5C6D7E8F90', 1],
    ['the trace ID of another trace', 'ffffffffffffffffffffffffffffffff', 0],
  ])('a logs-frame line naming span 2 with %s', (_name, traceId, want) => {
    const t = Date.UTC(2026, 10, 1);
    const rows = [makeSpan({ spanID: id(1), startTime: t }), makeSpan({ spanID: id(2), parentSpanID: id(1), startTime: t + 1 })];
    const logs = createDataFrame({
      name: 'Logs',
      meta: { preferredVisualisationType: 'logs', custom: { [LENS_KIND]: 'logs' } },
      fields: [
        { name: LogFields.time, type: FieldType.time, values: [t + 2] },
        { name: LogFields.body, type: FieldType.string, values: ['charged card'] },
        { name: LogFields.level, type: FieldType.string, values: ['info'] },
        { name: LogFields.traceId, type: FieldType.string, values: [traceId] },
        { name: LogFields.spanId, type: FieldType.string, values: [id(2)] },
      ],
    });
    const m = buildTraceModel(traceToFrame(rows), [logs]);
    const p = m.spanId.indexOf(id(2));
    expect(m.logs.count(p)).toBe(want);
    expect(logLinesOf(m, p).map((l) => l.body)).toEqual(want ? ['charged card'] : []);
  });
});
