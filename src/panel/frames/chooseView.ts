/**
 * Which view fits the frames (the `auto` option). A trace → waterfall; at least two quantile
 * series over at least two time steps → percentile bands (a single step is a snapshot: with a
 * CDF frame beside it, the CDF says more); anything else numeric (raw values, `le`, CDF) → CDF.
 */
import { type DataFrame } from '@grafana/data';

import { isExemplarFrame, isNumeric, isTime, isTraceFrame, lensKindOf, quantileOf } from './classify';

export type ConcreteView = 'cdf' | 'bands' | 'waterfall';

export function chooseView(frames: DataFrame[]): ConcreteView {
  if (frames.some(isTraceFrame)) {
    return 'waterfall';
  }
  const quantiles = new Set<number>();
  let steps = 0;
  for (const frame of frames) {
    const kind = lensKindOf(frame);
    if ((kind && kind !== 'percentile' && kind !== 'metrics') || isExemplarFrame(frame) || !frame.fields.some(isTime)) {
      continue;
    }
    for (const field of frame.fields) {
      const q = isNumeric(field) ? quantileOf(field, frame) : undefined;
      if (q !== undefined) {
        quantiles.add(q);
        steps = Math.max(steps, frame.length);
      }
    }
  }
  if (quantiles.size < 2) {
    return 'cdf';
  }
  return steps >= 2 || !frames.some((f) => lensKindOf(f) === 'cdf') ? 'bands' : 'cdf';
}
