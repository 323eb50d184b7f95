import { createDataFrame, createTheme, FieldType, type DataFrame } from '@grafana/data';

import { makeDurationsFrame, makeHeatmapFrame, makeNativeHistogramFrame } from '../testing/factories';
import { defaultOptions } from '../types';
import { amountText, prepareCdfData, type CdfData, type CdfResult } from './prepareCdfData';

const theme = createTheme();

function ok(r: CdfResult): CdfData {
  if ('warning' in r) {
    throw new Error(r.warning);
  }
  return r;
}

const T0 = Date.UTC(2026, 10, 1);

/** One frame per bucket as Grafana's Prometheus data source returns a range query; its query in meta as Grafana's backend puts it. */
function bucketFrames(perBucket: Record<string, number[]>, expr?: string): DataFrame[] {
  return Object.entries(perBucket).map(([le, values]) =>
    createDataFrame({
      refId: 'A',
      meta: expr ? { executedQueryString: `Expr: ${expr}\nStep: 1m0s` } : undefined,
      fields: [
        { name: 'Time', type: FieldType.time, values: values.map((_, k) => T0 + k * 60_000) },
        { name: 'Value', type: FieldType.number, values, labels: { le } },
      ],
    })
  );
}

/**
 * A native histogram from Grafana's `sum(rate(x_seconds[5m]))` over two steps, buckets (0, 0.1]
 * and (0.1, 0.2]: `counts` are the per-second rates of the cells, step by step.
 */
function nativeRateFrame(counts: number[]): DataFrame {
  const bounds = [
    [0, 0.1],
    [0.1, 0.2],
  ];
  const cells = counts.map((count, i) => ({
    t: T0 + Math.floor(i / 2) * 60_000,
    lo: bounds[i % 2][0],
    hi: bounds[i % 2][1],
    count,
  }));
  return makeNativeHistogramFrame(cells, { executedQueryString: 'Expr: sum(rate(x_seconds[5m]))\nStep: 1m0s' });
}

describe('the amount a CDF curve stands on', () => {
  it('per-second rates of a rate() query: the mean rate over the steps, no observation count', () => {
    const frames = bucketFrames(
      { '0.1': [0.5, 0.7, 0.6], '0.5': [1.5, 1.7, 1.6], '+Inf': [2.0, 2.4, 2.2] },
      'sum by (le) (rate(http_request_duration_seconds_bucket[5m]))'
    );
    const s = ok(prepareCdfData(frames, defaultOptions.cdf, theme)).series[0];
    expect(s.amount).toEqual({ kind: 'rate', perSecond: expect.closeTo(2.2, 9) });
    expect(amountText(s)).toBe('2.2/s');
    expect(amountText(s)).not.toMatch(/n[=≈]/);
  });

  it('irate() is a rate too', () => {
    const frames = bucketFrames({ '0.1': [0.25], '+Inf': [0.5] }, 'sum by (le) (irate(x_bucket[1m]))');
    expect(ok(prepareCdfData(frames, defaultOptions.cdf, theme)).series[0].amount.kind).toBe('rate');
  });

  it('increase() is a count, even with the non-integer values of its extrapolation', () => {
    const frames = bucketFrames({ '0.1': [10.4, 11.2], '+Inf': [40.3, 41.9] }, 'sum by (le) (increase(x_bucket[5m]))');
    const s = ok(prepareCdfData(frames, defaultOptions.cdf, theme)).series[0];
    expect(s.amount.kind).toBe('count');
    expect(amountText(s)).toBe('n≈82');
  });

  it('integral bucket values without a known query are counts', () => {
    const frames = bucketFrames({ '0.1': [10, 11], '+Inf': [40, 42] });
    const s = ok(prepareCdfData(frames, defaultOptions.cdf, theme)).series[0];
    expect(amountText(s)).toBe('n=82');
  });

  it('non-integer bucket values without a known query say no count', () => {
    const frames = bucketFrames({ '0.1': [0.5, 0.7], '+Inf': [2.0, 2.4] });
    const s = ok(prepareCdfData(frames, defaultOptions.cdf, theme)).series[0];
    expect(s.amount.kind).toBe('unknown');
    expect(amountText(s)).toBe('');
  });

  it('a rate() query in heatmap format', () => {
    const frame = makeHeatmapFrame(['0.1', '+Inf'], [
      [0.5, 0.7],
      [1.5, 1.7],
    ]);
    frame.meta = { ...frame.meta, executedQueryString: 'Expr: sum by (le) (rate(x_bucket[5m]))\nStep: 1m0s' };
    const s = ok(prepareCdfData([frame], defaultOptions.cdf, theme)).series[0];
    expect(s.amount).toEqual({ kind: 'rate', perSecond: expect.closeTo(2.2, 9) });
  });

  it('a native histogram rate() from Grafana (heatmap-cells)', () => {
    const frame = nativeRateFrame([0.3, 0.2, 0.5, 0.2]);
    const s = ok(prepareCdfData([frame], defaultOptions.cdf, theme)).series[0];
    expect(s.amount).toEqual({ kind: 'rate', perSecond: expect.closeTo(0.6, 9) });
  });

  it('a native histogram step without traffic (every count 0) counts in the mean rate', () => {
    const frame = nativeRateFrame([0.3, 0.2, 0, 0]);
    const s = ok(prepareCdfData([frame], defaultOptions.cdf, theme)).series[0];
    expect(s.amount).toEqual({ kind: 'rate', perSecond: expect.closeTo(0.25, 9) });
  });

  it('raw durations keep their exact count', () => {
    const s = ok(prepareCdfData([makeDurationsFrame([1, 2, 3])], defaultOptions.cdf, theme)).series[0];
    expect(amountText(s)).toBe('n=3');
  });
});
