import { createTheme } from '@grafana/data';

import { makeNativeHistogramFrame, type NativeCell } from '../testing/factories';
import { defaultOptions } from '../types';
import { prepareCdfData, type CdfData, type CdfResult } from './prepareCdfData';

const theme = createTheme();

function ok(r: CdfResult): CdfData {
  if ('warning' in r) {
    throw new Error(r.warning);
  }
  return r;
}

// Two steps; buckets (0.1, 0.2], (0.2, 0.4], (0.8, 1.6] seconds (one empty bucket in between).
const cells: NativeCell[] = [
  { t: 1000, lo: 0.1, hi: 0.2, count: 3 },
  { t: 1000, lo: 0.2, hi: 0.4, count: 4 },
  { t: 1000, lo: 0.8, hi: 1.6, count: 1 },
  { t: 2000, lo: 0.1, hi: 0.2, count: 2 },
  { t: 2000, lo: 0.2, hi: 0.4, count: 6 },
  { t: 2000, lo: 0.8, hi: 1.6, count: 4 },
];

describe('prepareCdfData on Prometheus native histograms (heatmap-cells)', () => {
  it('one curve over the bucket bounds, counts summed over the steps, no overflow', () => {
    const data = ok(prepareCdfData([makeNativeHistogramFrame(cells)], defaultOptions.cdf, theme));
    expect(data.series).toHaveLength(1);
    const s = data.series[0];
    expect(s.source).toBe('histogram');
    expect(s.name).toBe('service="cart"');
    expect(s.count).toBe(20);
    expect(Array.from(s.x)).toEqual([200, 400, 1600]);
    expect(Array.from(s.f)).toEqual([0.25, 0.75, 1]);
    expect(s.overflow).toBe(0);
    expect(data.notes).toEqual([]);
  });

  it('a quantile interpolates inside its bucket between the bucket’s own bounds', () => {
    const data = ok(
      prepareCdfData([makeNativeHistogramFrame(cells)], { ...defaultOptions.cdf, percentiles: [0.9] }, theme)
    );
    // p90: rank 18 of 20 lies in (800, 1600] ms, 3 of its 5 observations in.
    expect(data.series[0].quantiles).toEqual([{ p: 0.9, valueMs: 800 + 800 * (3 / 5), lowMs: 800, highMs: 1600 }]);
  });

  it('a metric in milliseconds is read in milliseconds', () => {
    const data = ok(
      prepareCdfData([makeNativeHistogramFrame(cells, { name: 'rpc_latency_milliseconds' })], defaultOptions.cdf, theme)
    );
    expect(Array.from(data.series[0].x)).toEqual([0.2, 0.4, 1.6]);
  });
});
