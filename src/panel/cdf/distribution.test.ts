import { makeDurations, makeRng } from '../testing/random';
import { distribution, rankOf, selectInPlace, SORT_LIMIT, upperBound } from './distribution';

function sortedCopy(a: Float64Array) {
  return Float64Array.from(a).sort();
}

describe('selectInPlace', () => {
  it.each([1, 2, 10, 601, 5000])('finds every k-th value of %i seeded values', (n) => {
    const values = makeDurations(n, n);
    const sorted = sortedCopy(values);
    const rng = makeRng(7);
    for (let t = 0; t < 20; t++) {
      const k = rng.int(n);
      expect(selectInPlace(Float64Array.from(values), k)).toBe(sorted[k]);
    }
  });

  it('copes with many equal values', () => {
    const a = new Float64Array(3000).fill(5);
    a[17] = 1;
    expect(selectInPlace(Float64Array.from(a), 0)).toBe(1);
    expect(selectInPlace(Float64Array.from(a), 2999)).toBe(5);
  });
});

describe('distribution', () => {
  const ps = [0.5, 0.9, 0.99, 0.999];

  it.each([
    ['sorted path', 2_000, true],
    ['binned path, log grid', SORT_LIMIT * 4, true],
    ['binned path, linear grid', SORT_LIMIT * 4, false],
  ])('%s: exact nearest-rank quantiles and exact F at every curve point', (_name, n, log) => {
    const values = makeDurations(n as number, 42);
    const sorted = sortedCopy(values);
    const d = distribution(values, ps, log as boolean);
    expect(d.n).toBe(n);
    expect(d.quantiles).toEqual(ps.map((p) => sorted[rankOf(p, n as number)]));
    for (let i = 0; i < d.x.length; i += Math.max(1, Math.floor(d.x.length / 50))) {
      expect(d.f[i]).toBeCloseTo(upperBound(sorted, d.x[i]) / (n as number), 12);
    }
    expect(d.f[d.f.length - 1]).toBe(1);
    expect(d.x.length).toBeLessThanOrEqual(Math.max(2048, (n as number) <= SORT_LIMIT ? (n as number) : 0));
  });

  it('does not modify its input', () => {
    const values = makeDurations(SORT_LIMIT * 2, 3);
    const before = Float64Array.from(values);
    distribution(values, ps, true);
    expect(values.every((v, i) => v === before[i])).toBe(true);
  });

  it('first curve point reaching p is within one grid step of the p-quantile', () => {
    const values = makeDurations(200_000, 9);
    const d = distribution(values, [0.99], true);
    const k = d.f.findIndex((f) => f >= 0.99);
    expect(d.x[k]).toBeGreaterThanOrEqual(d.quantiles[0]);
    expect(d.x[k - 1]).toBeLessThan(d.quantiles[0]);
  });

  it('fractionAt counts values ≤ t', () => {
    const values = Float64Array.from([1, 2, 2, 3, 10]);
    expect(distribution(values, [], false).fractionAt(2)).toBe(0.6);
  });

  it('handles empty input', () => {
    expect(distribution(new Float64Array(0), [0.5], true).quantiles).toEqual([NaN]);
  });
});
