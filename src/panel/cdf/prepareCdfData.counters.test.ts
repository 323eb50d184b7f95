import { createDataFrame, createTheme, FieldType, type DataFrame } from '@grafana/data';

import { defaultOptions } from '../types';
import { prepareCdfData, type CdfData, type CdfResult } from './prepareCdfData';

const theme = createTheme();

function ok(r: CdfResult): CdfData {
  if ('warning' in r) {
    throw new Error(r.warning);
  }
  return r;
}

/**
 * A raw `x_bucket` counter per bucket over a range, as Grafana's Prometheus data source returns
 * it: one frame per bucket; steps before the series' first sample (a pod started inside the
 * range) are null.
 */
function counterFrames(perBucket: Array<Array<number | null>>, bounds: string[]): DataFrame[] {
  return bounds.map((le, i) =>
    createDataFrame({
      refId: 'A',
      fields: [
        { name: 'Time', type: FieldType.time, values: perBucket[i].map((_, k) => 60_000 * (k + 1)) },
        { name: 'Value', type: FieldType.number, values: perBucket[i], labels: { le } },
      ],
    })
  );
}

describe('prepareCdfData on raw bucket counters with empty steps', () => {
  it('counts the increase over the range from the first sample, not from 0', () => {
    const frames = counterFrames(
      [
        [null, null, 100, 104, 110],
        [null, null, 300, 310, 330],
        [null, null, 400, 415, 440],
      ],
      ['0.1', '0.5', '+Inf']
    );
    const s = ok(prepareCdfData(frames, defaultOptions.cdf, theme)).series[0];
    // Increases: 10 ≤ 100 ms, 30 ≤ 500 ms, 40 in all.
    expect(s.count).toBe(40);
    expect(Array.from(s.f)).toEqual([0.25, 0.75]);
  });

  it('an empty step inside the range does not reset the counter', () => {
    const frames = counterFrames(
      [
        [100, 104, null, 110],
        [300, 310, null, 330],
        [400, 415, null, 440],
      ],
      ['0.1', '0.5', '+Inf']
    );
    const s = ok(prepareCdfData(frames, defaultOptions.cdf, theme)).series[0];
    expect(s.count).toBe(40);
    expect(Array.from(s.f)).toEqual([0.25, 0.75]);
  });
});
