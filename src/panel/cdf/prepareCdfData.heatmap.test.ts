import { createTheme } from '@grafana/data';

import { makeHeatmapFrame } from '../testing/factories';
import { defaultOptions } from '../types';
import { prepareCdfData, type CdfData, type CdfResult } from './prepareCdfData';

const theme = createTheme();

function ok(r: CdfResult): CdfData {
  if ('warning' in r) {
    throw new Error(r.warning);
  }
  return r;
}

describe('prepareCdfData on Prometheus heatmap-format buckets', () => {
  it.each([
    // Bucket counts that grow with the bucket look cumulative, but each is its own bucket's.
    [
      'growing bucket counts',
      [
        [4, 6],
        [8, 12],
        [12, 18],
        [16, 24],
      ],
      [0.1, 0.3, 0.6, 1],
    ],
    [
      'shrinking bucket counts',
      [
        [16, 24],
        [12, 18],
        [8, 12],
        [4, 6],
      ],
      [0.4, 0.7, 0.9, 1],
    ],
    // Integral per-step counts that rise over time are increases per step, not a counter.
    [
      'integral counts rising over time',
      [
        [1, 2, 3],
        [2, 4, 6],
        [3, 6, 9],
        [0, 0, 0],
      ],
      [1 / 6, 1 / 2, 1, 1],
    ],
  ])('%s: F at each bound counts the buckets at or below it', (_name, perBucket, wantF) => {
    const frame = makeHeatmapFrame(['0.1', '0.25', '0.5', '+Inf'], perBucket);
    const data = ok(prepareCdfData([frame], defaultOptions.cdf, theme));
    expect(data.series).toHaveLength(1);
    const s = data.series[0];
    const total = perBucket.flat().reduce((a, b) => a + b, 0);
    expect(s.count).toBeCloseTo(total, 9);
    expect(Array.from(s.x)).toEqual([100, 250, 500]);
    Array.from(s.f).forEach((v, i) => expect(v).toBeCloseTo(wantF[i], 9));
    expect(s.overflow).toBeCloseTo(total * (1 - wantF[2]), 9);
  });
});

describe('prepareCdfData on heatmap-format buckets with a missing sample', () => {
  // Grafana subtracts the bucket below at every step even when one side has no sample: a bucket
  // without a sample at a step becomes minus the bucket below, and the bucket above keeps its
  // cumulative count. Such a step says nothing sure about the buckets.
  const bounds = ['0.1', '0.25', '0.5', '+Inf'];
  const clean = [
    [4, 6, 5],
    [8, 12, 10],
    [12, 18, 15],
    [16, 24, 20],
  ];

  it('a negative cell leaves its step out instead of lowering the curve', () => {
    // Step 3: bucket 0.25 had no sample (null − 5 = −5), bucket 0.5 kept 5 + 10 + 15 = 30.
    const broken = [
      [4, 6, 5],
      [8, 12, -5],
      [12, 18, 30],
      [16, 24, 20],
    ];
    const data = ok(prepareCdfData([makeHeatmapFrame(bounds, broken)], defaultOptions.cdf, theme));
    const s = data.series[0];
    const f = Array.from(s.f);
    f.forEach((v, i) => {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      if (i) {
        expect(v).toBeGreaterThanOrEqual(f[i - 1]);
      }
    });
    // The two clean steps only: 10 ≤ 100 ms, 30 ≤ 250 ms, 60 ≤ 500 ms, 100 in all.
    expect(s.count).toBeCloseTo(100, 9);
    [0.1, 0.3, 0.6].forEach((v, i) => expect(f[i]).toBeCloseTo(v, 9));
    expect(data.notes.join('\n')).toMatch(/1 time step left out.*missing/);
  });

  it('never a decreasing curve nor a negative count', () => {
    // Bucket 0.25 has a sample at step 1 only; at step 2 Grafana made it −4.
    const broken = [
      [4, 4],
      [1, -4],
      [2, 7],
      [3, 3],
    ];
    const s = ok(prepareCdfData([makeHeatmapFrame(bounds, broken)], defaultOptions.cdf, theme)).series[0];
    const f = Array.from(s.f);
    f.forEach((v, i) => i && expect(v).toBeGreaterThanOrEqual(f[i - 1]));
    expect(s.count).toBeCloseTo(10, 9);
    [0.4, 0.5, 0.7].forEach((v, i) => expect(f[i]).toBeCloseTo(v, 9));
  });

  it('clean steps are all kept, with no note', () => {
    const data = ok(prepareCdfData([makeHeatmapFrame(bounds, clean)], defaultOptions.cdf, theme));
    expect(data.series[0].count).toBeCloseTo(150, 9);
    expect(data.notes).toEqual([]);
  });
});
