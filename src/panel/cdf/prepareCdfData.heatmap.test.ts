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
