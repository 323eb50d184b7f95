import { createDataFrame, FieldType } from '@grafana/data';

import { LENS_KIND } from '../../shared/frames';

import {
  makeDurationsFrame,
  makeExemplarsFrame,
  makeHeatmapFrame,
  makeHistogramFrames,
  makePercentileFrames,
  makeTrace,
  traceToFrame,
} from '../testing/factories';
import { makeDurations } from '../testing/random';
import { chooseView } from './chooseView';

const lensCdf = () =>
  createDataFrame({
    meta: { custom: { [LENS_KIND]: 'cdf' } },
    fields: [
      { name: 'durationMs', type: FieldType.number, values: [10, 20] },
      { name: 'fraction', type: FieldType.number, values: [0.5, 1] },
    ],
  });

describe('chooseView', () => {
  it.each([
    ['our spans frame', () => [traceToFrame(makeTrace({ spans: 3 }))], 'waterfall'],
    ['a Tempo/Jaeger trace frame', () => [traceToFrame(makeTrace({ spans: 3 }), { lens: false })], 'waterfall'],
    ['percentile series + exemplars', () => [...makePercentileFrames({ points: 3 }), makeExemplarsFrame([])], 'bands'],
    ['Prometheus le buckets', () => makeHistogramFrames(makeDurations(50, 1), [0.01, 0.1]), 'cdf'],
    ['raw numbers', () => [makeDurationsFrame([1, 2, 3])], 'cdf'],
    ['a single quantile series', () => makePercentileFrames({ points: 3, quantiles: [0.99] }), 'cdf'],
    ['nothing', () => [], 'cdf'],
    ['one-step percentiles next to a CDF frame (a snapshot)', () => [...makePercentileFrames({ points: 1 }), lensCdf()], 'cdf'],
    ['percentiles over time next to a CDF frame', () => [...makePercentileFrames({ points: 5 }), lensCdf()], 'bands'],
    [
      'Prometheus series with p50/p99 legends',
      () =>
        ['p50', 'p99'].map((l) =>
          createDataFrame({
            fields: [
              { name: 'Time', type: FieldType.time, values: [1] },
              { name: 'Value', type: FieldType.number, values: [1], config: { displayNameFromDS: l } },
            ],
          })
        ),
      'bands',
    ],
  ])('%s → %s', (_name, frames, want) => {
    expect(chooseView(frames())).toBe(want);
  });
});

describe('chooseView on Prometheus buckets named by their le (legend {{le}})', () => {
  const bounds = ['0.1', '0.25', '0.5', '+Inf'];
  const perStep = bounds.map((_, i) => [i, i + 1]);
  it.each([
    ['heatmap format', () => [makeHeatmapFrame(bounds, perStep)]],
    [
      'time series format',
      () =>
        bounds.map((le, i) =>
          createDataFrame({
            refId: 'A',
            name: le,
            fields: [
              { name: 'Time', type: FieldType.time, values: [1000, 2000, 3000] },
              { name: 'Value', type: FieldType.number, values: [i, i + 1, i + 2], labels: { le }, config: { displayNameFromDS: le } },
            ],
          })
        ),
    ],
  ])('%s: the CDF, not bands of quantiles read from the bucket bounds', (_name, frames) => {
    expect(chooseView(frames())).toBe('cdf');
  });
});
