/**
 * Stage 4: empirical distributions from raw durations without sorting them all.
 * Guarantees: `quantile(p)` is the nearest-rank value (smallest t with F(t) ≥ p), exact;
 * curve points are exact F(t) at every point they list; curves have ≤ maxPoints points.
 */

/** Rearranges a[lo..hi] so a[k] is the value a full sort would put there (Floyd–Rivest-style quickselect). */
export function selectInPlace(a: Float64Array, k: number, lo = 0, hi = a.length - 1): number {
  while (hi > lo) {
    if (hi - lo > 600) {
      const n = hi - lo + 1;
      const i = k - lo + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (i - n / 2 < 0 ? -1 : 1);
      const newLo = Math.max(lo, Math.floor(k - (i * s) / n + sd));
      const newHi = Math.min(hi, Math.floor(k + ((n - i) * s) / n + sd));
      selectInPlace(a, k, newLo, newHi);
    }
    const t = a[k];
    let i = lo;
    let j = hi;
    swap(a, lo, k);
    if (a[hi] > t) {
      swap(a, lo, hi);
    }
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (a[i] < t) {
        i++;
      }
      while (a[j] > t) {
        j--;
      }
    }
    if (a[lo] === t) {
      swap(a, lo, j);
    } else {
      j++;
      swap(a, j, hi);
    }
    if (j <= k) {
      lo = j + 1;
    }
    if (k <= j) {
      hi = j - 1;
    }
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number) {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** 0-based nearest-rank index of quantile p among n values. */
export function rankOf(p: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1));
}

export interface Curve {
  /** Ascending durations. */
  x: Float64Array;
  /** F(x[i]) = P(T ≤ x[i]), exact. */
  f: Float64Array;
}

export interface Distribution extends Curve {
  n: number;
  min: number;
  max: number;
  /** Exact nearest-rank quantiles, same order as asked. */
  quantiles: number[];
  /** Exact F(t) at each asked t. */
  fractionAt(t: number): number;
}

/** Below this many values a full sort is cheap and the curve lists every distinct value. */
export const SORT_LIMIT = 50_000;

/**
 * Exact CDF summary of `values` (not modified). Large inputs: one pass bins the values on a
 * grid of `maxPoints` edges (log or linear), F at each edge is an exact count; quantiles come
 * from a second pass that gathers only the values of the bins they fall in.
 */
export function distribution(values: Float64Array, ps: number[], log: boolean, maxPoints = 2048): Distribution {
  const n = values.length;
  if (n === 0) {
    return { n, min: NaN, max: NaN, x: new Float64Array(0), f: new Float64Array(0), quantiles: ps.map(() => NaN), fractionAt: () => NaN };
  }
  if (n <= SORT_LIMIT) {
    return sortedDistribution(values, ps);
  }
  let min = Infinity;
  let max = -Infinity;
  let minPos = Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < min) {
      min = v;
    }
    if (v > max) {
      max = v;
    }
    if (v > 0 && v < minPos) {
      minPos = v;
    }
  }
  const useLog = log && minPos < Infinity && minPos !== max;
  const lo = useLog ? minPos : min;
  const bins = maxPoints - 1;
  const scale = useLog ? bins / Math.log(max / lo) : max > lo ? bins / (max - lo) : 0;
  const edges = new Float64Array(maxPoints);
  for (let k = 0; k < maxPoints; k++) {
    edges[k] = useLog ? lo * Math.exp(k / scale) : scale ? lo + k / scale : lo;
  }
  edges[maxPoints - 1] = max;
  // counts[k] = #values in (edges[k-1], edges[k]]; counts[0] = #values ≤ edges[0].
  const counts = new Float64Array(maxPoints);
  for (let i = 0; i < n; i++) {
    counts[binOf(values[i], lo, scale, useLog, edges)]++;
  }
  const f = new Float64Array(maxPoints);
  let acc = 0;
  for (let k = 0; k < maxPoints; k++) {
    acc += counts[k];
    f[k] = acc / n;
  }
  const quantiles = bucketQuantiles(values, ps, counts, edges, lo, scale, useLog);
  return {
    n,
    min,
    max,
    x: edges,
    f,
    quantiles,
    fractionAt: (t: number) => {
      let c = 0;
      for (let i = 0; i < n; i++) {
        if (values[i] <= t) {
          c++;
        }
      }
      return c / n;
    },
  };
}

function binOf(v: number, lo: number, scale: number, log: boolean, edges: Float64Array): number {
  if (v <= lo) {
    return 0;
  }
  let k = Math.ceil(log ? Math.log(v / lo) * scale : (v - lo) * scale);
  const last = edges.length - 1;
  if (k > last) {
    k = last;
  }
  // Floating-point guard: keep v in (edges[k-1], edges[k]].
  while (k < last && v > edges[k]) {
    k++;
  }
  while (k > 0 && v <= edges[k - 1]) {
    k--;
  }
  return k;
}

function bucketQuantiles(
  values: Float64Array,
  ps: number[],
  counts: Float64Array,
  edges: Float64Array,
  lo: number,
  scale: number,
  log: boolean
): number[] {
  const n = values.length;
  // Which bin holds each asked rank, and the rank inside that bin.
  const want = ps.map((p) => {
    const r = rankOf(p, n);
    let before = 0;
    let k = 0;
    while (before + counts[k] <= r) {
      before += counts[k];
      k++;
    }
    return { k, inner: r - before };
  });
  const bins = new Map<number, Float64Array>();
  const fill = new Map<number, number>();
  for (const w of want) {
    if (!bins.has(w.k)) {
      bins.set(w.k, new Float64Array(counts[w.k]));
      fill.set(w.k, 0);
    }
  }
  if ([...bins.values()].reduce((s, b) => s + b.length, 0) > n / 4) {
    const copy = Float64Array.from(values);
    return ps.map((p) => selectInPlace(copy, rankOf(p, n)));
  }
  const keys = [...bins.keys()];
  const single = keys.length === 1 ? keys[0] : -1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const k = binOf(v, lo, scale, log, edges);
    if (single >= 0 ? k !== single : !bins.has(k)) {
      continue;
    }
    const j = fill.get(k)!;
    bins.get(k)![j] = v;
    fill.set(k, j + 1);
  }
  return want.map((w) => selectInPlace(bins.get(w.k)!, w.inner));
}

function sortedDistribution(values: Float64Array, ps: number[]): Distribution {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const xs: number[] = [];
  const fs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i === n - 1 || sorted[i + 1] !== sorted[i]) {
      xs.push(sorted[i]);
      fs.push((i + 1) / n);
    }
  }
  return {
    n,
    min: sorted[0],
    max: sorted[n - 1],
    x: Float64Array.from(xs),
    f: Float64Array.from(fs),
    quantiles: ps.map((p) => sorted[rankOf(p, n)]),
    fractionAt: (t: number) => upperBound(sorted, t) / n,
  };
}

/** Number of values ≤ t in an ascending array. */
export function upperBound(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
