import { formatMs } from './prepareCdfData';

describe('formatMs', () => {
  it.each([
    [1234.5, '1.23 s'],
    [12.345, '12.3 ms'],
    [0.5, '500 µs'],
    [Infinity, 'Infinity'],
  ])('without Decimals: %p → %s (three significant digits)', (ms, want) => {
    expect(formatMs(ms)).toBe(want);
  });

  it.each([
    [1234.5, 0, '1 s'],
    [1234.5, 3, '1.235 s'],
    [12.345, 0, '12 ms'],
    [12.345, 2, '12.35 ms'],
    [250, 1, '250.0 ms'],
    [0.5, 1, '500.0 µs'],
    [0.0004, 2, '0.40 µs'],
    [Infinity, 2, 'Infinity'],
  ])('with Decimals: %p at %p decimals → %s', (ms, decimals, want) => {
    expect(formatMs(ms, decimals)).toBe(want);
  });
});
