/** Seeded random numbers for tests, fixtures and benchmarks (mulberry32): same seed, same data. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  normal(): number;
  /** Log-normal with the given median and log-space sigma (latency-like). */
  logNormal(median: number, sigma: number): number;
  pick<T>(items: readonly T[]): T;
}

export function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    int: (max) => Math.floor(next() * max),
    normal,
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

/** n latency-like durations (ms): log-normal body with a slow tail. */
export function makeDurations(n: number, seed: number, medianMs = 40, sigma = 0.6): Float64Array {
  const rng = makeRng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const slow = rng.next() < 0.02 ? 8 : 1;
    out[i] = rng.logNormal(medianMs * slow, sigma);
  }
  return out;
}
