/**
 * Which view fits the frames (the `auto` option). A trace → waterfall; at least two quantile
 * series → percentile bands; anything else numeric (raw values, `le` buckets, CDF) → CDF.
 */
import { type DataFrame } from '@grafana/data';

import { isExemplarFrame, isNumeric, isTime, isTraceFrame, lensKindOf, quantileOf } from './classify';

export type ConcreteView = 'cdf' | 'bands' | 'waterfall';

export function chooseView(frames: DataFrame[]): ConcreteView {
  if (frames.some(isTraceFrame)) {
    return 'waterfall';
  }
  const quantiles = new Set<number>();
  for (const frame of frames) {
    const kind = lensKindOf(frame);
    if ((kind && kind !== 'percentile' && kind !== 'metrics') || isExemplarFrame(frame) || !frame.fields.some(isTime)) {
      continue;
    }
    for (const field of frame.fields) {
      const q = isNumeric(field) ? quantileOf(field, frame) : undefined;
      if (q !== undefined) {
        quantiles.add(q);
      }
    }
  }
  return quantiles.size >= 2 ? 'bands' : 'cdf';
}
