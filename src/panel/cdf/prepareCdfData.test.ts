import { createDataFrame, createTheme, FieldType } from '@grafana/data';

import { LENS_KIND } from '../../shared/frames';
import { makeDurationsFrame, makeHistogramFrames, makeLensBucketCdfFrame, makeTrace, traceToFrame } from '../testing/factories';
import { goldenFrames } from '../testing/golden';
import { makeDurations } from '../testing/random';
import { defaultOptions, type CdfOptions } from '../types';
import { rankOf } from './distribution';
import { prepareCdfData, type CdfData, type CdfResult } from './prepareCdfData';

const theme = createTheme();
const opts = (over: Partial<CdfOptions> = {}): CdfOptions => ({ ...defaultOptions.cdf, ...over });

function ok(r: CdfResult): CdfData {
  if ('warning' in r) {
    throw new Error(r.warning);
  }
  return r;
}

const sorted = (a: Float64Array) => Float64Array.from(a).sort();

describe('prepareCdfData', () => {
  it('returns a warning when nothing numeric is there', () => {
    const frame = createDataFrame({ fields: [{ name: 'msg', type: FieldType.string, values: ['a'] }] });
    expect(prepareCdfData([frame], opts(), theme)).toEqual({ warning: expect.stringContaining('No durations') });
    expect(prepareCdfData([], opts(), theme)).toHaveProperty('warning');
  });

  it.each([
    ['ms', 1],
    ['s', 1000],
    ['µs', 0.001],
  ])('raw values in %s: exact quantiles in ms', (unit, factor) => {
    const ms = makeDurations(5000, 11);
    const frame = makeDurationsFrame(
      ms.map((v) => v / factor),
      { unit }
    );
    const data = ok(prepareCdfData([frame], opts(), theme));
    const s = sorted(ms);
    expect(data.series).toHaveLength(1);
    data.series[0].quantiles.forEach((q) => expect(q.valueMs).toBeCloseTo(s[rankOf(q.p, s.length)], 6));
  });

  it('drops NaN and negative values with a note', () => {
    const frame = makeDurationsFrame([1, 2, NaN, -3, 4]);
    const data = ok(prepareCdfData([frame], opts(), theme));
    expect(data.series[0].count).toBe(3);
    expect(data.notes[0]).toMatch(/2 non-finite or negative/);
  });

  it('complementary plots 1 − F', () => {
    const frame = makeDurationsFrame(makeDurations(1000, 2));
    const plain = ok(prepareCdfData([frame], opts(), theme)).series[0];
    const tail = ok(prepareCdfData([frame], opts({ complementary: true }), theme)).series[0];
    tail.y.forEach((v, i) => expect(v).toBeCloseTo(1 - plain.f[i], 12));
  });

  it('overlays one curve per frame/field with distinct colours', () => {
    const a = makeDurationsFrame(makeDurations(500, 1), { name: 'now', refId: 'A' });
    const b = makeDurationsFrame(makeDurations(500, 2, 80), { name: '1 week ago', refId: 'B' });
    const data = ok(prepareCdfData([a, b], opts(), theme));
    expect(data.series.map((s) => s.name)).toEqual(['now', '1 week ago']);
    expect(data.series[0].color).not.toEqual(data.series[1].color);
  });

  it('takes span durations from a Tempo/Jaeger trace frame, not the other numeric columns', () => {
    const rows = makeTrace({ spans: 300, seed: 5 });
    const data = ok(prepareCdfData([traceToFrame(rows, { lens: false })], opts(), theme));
    expect(data.series).toHaveLength(1);
    expect(data.series[0].count).toBe(300);
    const s = sorted(Float64Array.from(rows.map((r) => r.duration)));
    expect(data.series[0].quantiles[2].valueMs).toBe(s[rankOf(0.99, 300)]);
  });

  it('evaluates SLO lines exactly on raw values', () => {
    const frame = makeDurationsFrame([10, 20, 30, 40, 500]);
    const data = ok(prepareCdfData([frame], opts({ slos: [{ target: 0.8, thresholdMs: 40 }, { target: 0.99, thresholdMs: 100 }] }), theme));
    const [a, b] = data.series[0].slos;
    expect(a).toMatchObject({ achieved: 0.8, met: true });
    expect(a.text).toBe('80% of requests under 40 ms: 80% met');
    expect(b).toMatchObject({ achieved: 0.8, met: false });
  });

  describe('Prometheus le buckets', () => {
    const ms = makeDurations(4000, 21);
    const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    it.each([
      ['cumulative (classic)', true],
      ['de-accumulated (heatmap format)', false],
    ])('%s: F at each bound equals the share of values ≤ bound', (_n, cumulative) => {
      const frames = makeHistogramFrames(ms, bounds, { cumulative, labels: { service: 'cart' } });
      const data = ok(prepareCdfData(frames, opts(), theme));
      expect(data.series).toHaveLength(1);
      const s = data.series[0];
      expect(s.source).toBe('histogram');
      expect(s.name).toBe('service="cart"');
      expect(s.count).toBeCloseTo(4000, 6);
      bounds.forEach((b, i) => {
        const want = ms.filter((v) => v <= b * 1000).length / 4000;
        expect(s.x[i]).toBeCloseTo(b * 1000, 9);
        expect(s.f[i]).toBeCloseTo(want, 9);
      });
    });

    it('quantiles are intervals holding the true value; boxes span each bucket', () => {
      const data = ok(prepareCdfData(makeHistogramFrames(ms, bounds), opts(), theme));
      const s = data.series[0];
      const exact = sorted(ms);
      s.quantiles.forEach((q) => {
        const truth = exact[rankOf(q.p, exact.length)];
        expect(truth).toBeGreaterThanOrEqual(q.lowMs);
        expect(truth).toBeLessThanOrEqual(q.highMs);
        expect(q.valueMs).toBeGreaterThanOrEqual(q.lowMs);
        expect(q.valueMs).toBeLessThanOrEqual(q.highMs);
      });
      const b = s.boxes!;
      for (let i = 1; i < b.x0.length; i++) {
        expect(b.x0[i]).toBe(s.x[i - 1]);
        expect(b.y0[i]).toBe(s.f[i - 1]);
      }
    });

    it('an SLO threshold inside a bucket is reported as unclear with its range', () => {
      const data = ok(prepareCdfData(makeHistogramFrames(ms, bounds), opts({ slos: [{ target: 0.5, thresholdMs: 35 }] }), theme));
      const slo = data.series[0].slos[0];
      expect(slo.low).toBeLessThan(slo.high);
      const truth = ms.filter((v) => v <= 35).length / ms.length;
      expect(truth).toBeGreaterThanOrEqual(slo.low);
      expect(truth).toBeLessThanOrEqual(slo.high);
    });

    it('notes a missing +Inf bucket', () => {
      const frames = makeHistogramFrames(ms, bounds).slice(0, -1);
      expect(ok(prepareCdfData(frames, opts(), theme)).notes[0]).toMatch(/no \+Inf bucket/);
    });
  });

  it('reads our backend CDF frame with bucket bounds', () => {
    const frame = createDataFrame({
      meta: { custom: { [LENS_KIND]: 'cdf' } },
      fields: [
        { name: 'durationMs', type: FieldType.number, values: [10, 20, 40] },
        { name: 'fraction', type: FieldType.number, values: [0.5, 0.9, 1] },
        { name: 'lowerMs', type: FieldType.number, values: [0, 10, 20] },
        { name: 'upperMs', type: FieldType.number, values: [10, 20, 40] },
        { name: 'count', type: FieldType.number, values: [50, 90, 100] },
      ],
    });
    const s = ok(prepareCdfData([frame], opts({ percentiles: [0.9] }), theme)).series[0];
    expect(s.source).toBe('lens');
    expect(s.count).toBe(100);
    expect(s.quantiles[0]).toEqual({ p: 0.9, valueMs: 20, lowMs: 10, highMs: 20 });
    expect(s.boxes).toBeDefined();
  });

  describe('our backend CDF frame from histogram buckets', () => {
    // Buckets le=10, 20, 40 ms and +Inf; 2 of 100 observations above 40 ms.
    const frame = () => makeLensBucketCdfFrame([10, 20, 40, Infinity], [50, 90, 98, 100]);

    it('counts the observations once: count is cumulative', () => {
      expect(ok(prepareCdfData([frame()], opts(), theme)).series[0].count).toBe(100);
    });

    it.each([
      // p, value interpolated in its bucket as histogram_quantile does, bucket bounds
      [0.25, 5, 0, 10],
      [0.7, 15, 10, 20],
      [0.94, 30, 20, 40],
      // in the +Inf bucket: the highest finite bound, the upper end open
      [0.99, 40, 40, Infinity],
    ])('p%s lies at %s ms in (%s, %s]', (p, value, low, high) => {
      const q = ok(prepareCdfData([frame()], opts({ percentiles: [p] }), theme)).series[0].quantiles[0];
      expect(q.valueMs).toBeCloseTo(value, 9);
      expect(q.lowMs).toBe(low);
      expect(q.highMs).toBe(high);
    });

    it('plots the finite bounds and keeps the +Inf bucket as overflow', () => {
      const d = ok(prepareCdfData([frame()], opts(), theme));
      const s = d.series[0];
      expect(Array.from(s.x)).toEqual([10, 20, 40]);
      expect(Array.from(s.f)).toEqual([0.5, 0.9, 0.98]);
      expect(s.overflow).toBe(2);
      expect(Array.from(s.boxes!.x1).every(Number.isFinite)).toBe(true);
      expect(d.xMax).toBe(40);
    });
  });

  it('reads null durations as missing, not as 0 ms', () => {
    const frame = createDataFrame({ fields: [{ name: 'duration', type: FieldType.number, values: [null, 10, 20, null, 30], config: { unit: 'ms' } }] });
    const s = ok(prepareCdfData([frame], opts({ percentiles: [0.25] }), theme)).series[0];
    expect(s.count).toBe(3);
    expect(s.quantiles[0].valueMs).toBe(10);
    expect(s.x[0]).toBe(10);
  });

  it('never mutates the frames', () => {
    const values = [5, 3, 1, 4];
    const frame = makeDurationsFrame(values);
    const snapshot = JSON.stringify(frame);
    prepareCdfData([frame], opts({ complementary: true }), theme);
    expect(JSON.stringify(frame)).toBe(snapshot);
  });

  it('names the CDFs of two latency queries apart (the backend answers of two queries)', () => {
    const frames = [...goldenFrames('latency_histogram', 'A'), ...goldenFrames('latency_tempo_traceql', 'B')];
    const d = ok(prepareCdfData(frames, opts(), theme));
    expect(d.series.map((s) => [s.name, s.refId, s.count])).toEqual([
      ['CDF A', 'A', 40],
      ['CDF B', 'B', 2],
    ]);
  });

  it('keeps the name of a single CDF as the backend gives it', () => {
    const d = ok(prepareCdfData(goldenFrames('latency_histogram', 'A'), opts(), theme));
    expect(d.series.map((s) => s.name)).toEqual(['CDF']);
  });
});
