/**
 * Stage 4: each span's percentile rank among spans of the same operation (service + name),
 * in [0,1]; NaN when fewer than `minGroup` spans share the operation and no latency data
 * for it came with the frames. With a CDF for the operation (`lookup`), rank = F(duration).
 *
 * Ranks are computed per operation when first asked for (the drawer asks for one span; the
 * percentile colouring asks for all), so a trace coloured by service never pays for them.
 */
import { type TraceModel } from './traceModel';

export type CdfLookup = (service: string, operation: string) => ((durationMs: number) => number) | undefined;

export interface RankTable {
  /** Percentile rank of the span at position p. */
  rankOf(p: number): number;
  /** Whether latency data (a CDF) came with the frames for any operation of the trace. */
  fromLatencyData: boolean;
}

export function rankTable(model: TraceModel, lookup?: CdfLookup, minGroup = 5): RankTable {
  const opCount = model.operations.length;
  const cdfs = model.operations.map((name, op) => lookup?.(model.services[model.operationService[op]], name));
  // Positions grouped by operation (CSR), and each position's slot in its group; built on first use.
  let groups: { start: Int32Array; members: Int32Array; slot: Int32Array } | undefined;
  const ranks: Array<Float32Array | undefined> = new Array(opCount);

  const group = () => {
    if (groups) {
      return groups;
    }
    const start = new Int32Array(opCount + 1);
    for (let p = 0; p < model.n; p++) {
      start[model.operation[p] + 1]++;
    }
    for (let op = 0; op < opCount; op++) {
      start[op + 1] += start[op];
    }
    const members = new Int32Array(model.n);
    const slot = new Int32Array(model.n);
    const fill = start.slice(0, opCount);
    for (let p = 0; p < model.n; p++) {
      const k = fill[model.operation[p]]++;
      members[k] = p;
      slot[p] = k - start[model.operation[p]];
    }
    groups = { start, members, slot };
    return groups;
  };

  const ranksOf = (op: number): Float32Array => {
    const { start, members } = group();
    const own = members.subarray(start[op], start[op + 1]);
    const out = new Float32Array(own.length).fill(NaN);
    const cdf = cdfs[op];
    if (cdf) {
      own.forEach((p, i) => (out[i] = cdf(model.duration[p])));
      return out;
    }
    if (own.length < minGroup) {
      return out;
    }
    const sorted = Float64Array.from(own, (p) => model.duration[p]).sort();
    own.forEach((p, i) => {
      const v = model.duration[p];
      const below = lowerBound(sorted, v);
      const equal = upperBound(sorted, v) - below;
      out[i] = (below + 0.5 * equal) / sorted.length;
    });
    return out;
  };

  return {
    rankOf(p) {
      const op = model.operation[p];
      const r = (ranks[op] ??= ranksOf(op));
      return r[group().slot[p]];
    },
    fromLatencyData: cdfs.some(Boolean),
  };
}

/** Every span's rank, by position. */
export function percentileRanks(model: TraceModel, lookup?: CdfLookup, minGroup = 5): { rank: Float32Array; fromLatencyData: boolean } {
  const table = rankTable(model, lookup, minGroup);
  const rank = new Float32Array(model.n);
  for (let p = 0; p < model.n; p++) {
    rank[p] = table.rankOf(p);
  }
  return { rank, fromLatencyData: table.fromLatencyData };
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

function upperBound(a: Float64Array, v: number): number {
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
