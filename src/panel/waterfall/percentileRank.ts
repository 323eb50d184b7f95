/**
 * Stage 4: each span's percentile rank among spans of the same operation (service + name),
 * in [0,1]; NaN when fewer than `minGroup` spans share the operation and no latency data
 * for it came with the frames. With a CDF for the operation (`lookup`), rank = F(duration).
 */
import { type TraceModel } from './traceModel';

export type CdfLookup = (service: string, operation: string) => ((durationMs: number) => number) | undefined;

export function percentileRanks(model: TraceModel, lookup?: CdfLookup, minGroup = 5): { rank: Float32Array; fromLatencyData: boolean } {
  const n = model.n;
  const rank = new Float32Array(n).fill(NaN);
  const groups: number[][] = model.operations.map(() => []);
  for (let p = 0; p < n; p++) {
    groups[model.operation[p]].push(p);
  }
  let fromLatencyData = false;
  groups.forEach((members, op) => {
    const cdf = lookup?.(model.services[model.operationService[op]], model.operations[op]);
    if (cdf) {
      fromLatencyData = true;
      for (const p of members) {
        rank[p] = cdf(model.duration[p]);
      }
      return;
    }
    if (members.length < minGroup) {
      return;
    }
    const d = Float64Array.from(members, (p) => model.duration[p]).sort();
    const count = d.length;
    for (const p of members) {
      const v = model.duration[p];
      const below = lowerBound(d, v);
      const equal = upper(d, v) - below;
      rank[p] = (below + 0.5 * equal) / count;
    }
  });
  return { rank, fromLatencyData };
}

function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] < v) {
      lo = m + 1;
    } else {
      hi = m;
    }
  }
  return lo;
}

function upper(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] <= v) {
      lo = m + 1;
    } else {
      hi = m;
    }
  }
  return lo;
}
