import { createDataFrame, createTheme, FieldType } from '@grafana/data';

import { LENS_KIND } from '../../shared/frames';
import { makeSpan, makeTrace, traceToFrame } from '../testing/factories';
import { defaultOptions, type WaterfallOptions } from '../types';
import { criticalPath } from './criticalPath';
import { percentileRanks, rankTable } from './percentileRank';
import { prepareWaterfallData, rankBucket, type WaterfallData, type WaterfallResult } from './prepareWaterfallData';
import { buildTraceModel } from './traceModel';

const theme = createTheme();
const opts = (over: Partial<WaterfallOptions> = {}): WaterfallOptions => ({ ...defaultOptions.waterfall, ...over });
const ok = (r: WaterfallResult): WaterfallData => {
  if ('warning' in r) {
    throw new Error(r.warning);
  }
  return r;
};

describe('prepareWaterfallData', () => {
  it('warns without a trace frame', () => {
    const frame = createDataFrame({ fields: [{ name: 'x', type: FieldType.number, values: [1] }] });
    expect(prepareWaterfallData([frame], opts(), theme)).toHaveProperty('warning');
  });

  it('summarises the trace in the header', () => {
    const rows = makeTrace({ spans: 200, seed: 2, errorRate: 0.1 });
    const d = ok(prepareWaterfallData([traceToFrame(rows, { lens: false })], opts(), theme));
    expect(d.header).toMatchObject({
      rootService: 'frontend',
      rootName: 'GET /checkout',
      spans: 200,
      services: new Set(rows.map((r) => r.serviceName)).size,
      errors: rows.filter((r) => r.statusCode === 2).length,
    });
    expect(d.header.durationMs).toBeCloseTo(Math.max(...rows.map((r) => r.startTime + r.duration)) - rows[0].startTime, 6);
  });

  it.each([
    [2, 2],
    [undefined, undefined],
  ])('the Decimals set on the duration field (%p) reach the waterfall', (decimals, want) => {
    const frame = traceToFrame(makeTrace({ spans: 5, seed: 3 }), { lens: false });
    const withDecimals = {
      ...frame,
      fields: frame.fields.map((f) => (f.name === 'duration' && decimals !== undefined ? { ...f, config: { ...f.config, decimals } } : f)),
    };
    expect(ok(prepareWaterfallData([withDecimals], opts(), theme)).decimals).toBe(want);
  });

  it('shows the first trace when a frame holds several', () => {
    const a = makeTrace({ spans: 5, seed: 1 });
    const b = makeTrace({ spans: 7, seed: 2 }).map((r) => ({ ...r, traceID: 'other' }));
    const d = ok(prepareWaterfallData([traceToFrame([...a, ...b])], opts(), theme));
    expect(d.model.n).toBe(5);
    expect(d.notes.join()).toMatch(/several traces/);
  });

  it('colours by service or by percentile bucket', () => {
    const frame = traceToFrame(makeTrace({ spans: 300, seed: 3 }));
    const bySvc = ok(prepareWaterfallData([frame], opts(), theme));
    for (let p = 0; p < bySvc.model.n; p++) {
      expect(bySvc.palette[bySvc.colorIndex[p]]).toBe(bySvc.serviceColors[bySvc.model.service[p]]);
    }
    const byRank = ok(prepareWaterfallData([frame], opts({ colorBy: 'percentile' }), theme));
    for (let p = 0; p < byRank.model.n; p++) {
      expect(byRank.colorIndex[p]).toBe(rankBucket(byRank.rankOf(p)));
    }
  });

  it('takes the rank from a CDF frame of the operation when there is one', () => {
    const rows = [makeSpan({ spanID: '1', serviceName: 'cart', operationName: 'get', duration: 30 })];
    const cdf = createDataFrame({
      meta: { custom: { [LENS_KIND]: 'cdf' } },
      fields: [
        { name: 'durationMs', type: FieldType.number, values: [10, 20, 40] },
        { name: 'fraction', type: FieldType.number, values: [0.5, 0.9, 1], labels: { service: 'cart' } },
      ],
    });
    const d = ok(prepareWaterfallData([traceToFrame(rows), cdf], opts({ colorBy: 'percentile' }), theme));
    expect(d.rankFromLatencyData).toBe(true);
    expect(d.rankOf(0)).toBeCloseTo(0.9, 6);
  });
});

describe('percentileRanks', () => {
  it('ranks spans within their operation; NaN for small groups', () => {
    const rows = [makeSpan({ spanID: 'r', operationName: 'root', duration: 100 })];
    for (let i = 1; i <= 10; i++) {
      rows.push(makeSpan({ spanID: `c${i}`, parentSpanID: 'r', operationName: 'q', duration: i, startTime: rows[0].startTime + i }));
    }
    const m = buildTraceModel(traceToFrame(rows));
    const { rank } = percentileRanks(m);
    expect(Number.isNaN(rank[0])).toBe(true);
    const byDuration = Array.from({ length: 10 }, (_, i) => rank[m.spanId.indexOf(`c${i + 1}`)]);
    byDuration.forEach((r, i) => expect(r).toBeCloseTo((i + 0.5) / 10, 6));
  });
  it('rankTable answers any position on its own like the definition', () => {
    const m = buildTraceModel(traceToFrame(makeTrace({ spans: 400, seed: 9, shuffle: true })));
    const table = rankTable(m);
    // Ask in an order unrelated to the operations, one position at a time.
    for (let k = 0; k < m.n; k++) {
      const p = (k * 7919) % m.n;
      const same = Array.from({ length: m.n }, (_, q) => q).filter((q) => m.operation[q] === m.operation[p]);
      const below = same.filter((q) => m.duration[q] < m.duration[p]).length;
      const equal = same.filter((q) => m.duration[q] === m.duration[p]).length;
      if (same.length < 5) {
        expect(table.rankOf(p)).toBeNaN();
      } else {
        expect(table.rankOf(p)).toBeCloseTo((below + 0.5 * equal) / same.length, 6);
      }
    }
    expect(table.fromLatencyData).toBe(false);
  });
});

describe('criticalPath', () => {
  it('follows the last-finishing child, then what ran before it', () => {
    // root 0–100: a 0–30, b 10–60, y 20–25 (hidden behind b), c 60–100 (last); c1 70–95 in c; x 12–17 in b
    const t = 1_000;
    const rows = [
      makeSpan({ spanID: 'root', startTime: t, duration: 100 }),
      makeSpan({ spanID: 'a', parentSpanID: 'root', startTime: t, duration: 30 }),
      makeSpan({ spanID: 'b', parentSpanID: 'root', startTime: t + 10, duration: 50 }),
      makeSpan({ spanID: 'c', parentSpanID: 'root', startTime: t + 60, duration: 40 }),
      makeSpan({ spanID: 'c1', parentSpanID: 'c', startTime: t + 70, duration: 25 }),
      makeSpan({ spanID: 'x', parentSpanID: 'b', startTime: t + 12, duration: 5 }),
      makeSpan({ spanID: 'y', parentSpanID: 'root', startTime: t + 20, duration: 5 }),
    ];
    const m = buildTraceModel(traceToFrame(rows));
    const on = criticalPath(m);
    const ids = m.spanId.filter((_, p) => on[p]).sort();
    expect(ids).toEqual(['a', 'b', 'c', 'c1', 'root', 'x']);
  });
});
