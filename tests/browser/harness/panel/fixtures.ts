/**
 * Fixture frames for the panel, built by the same seeded factories the unit tests use
 * (src/panel/testing). `?fixture=<name>`; numeric knobs via `fixtureArgs` in
 * window.__harness.panel.render() (e.g. { spans: 100000 }).
 */
import { type DataFrame } from '@grafana/data';

import {
  makeDurationsFrame,
  makeExemplarsFrame,
  makeHistogramFrames,
  makeLogsFrame,
  makePercentileFrames,
  makeTrace,
  traceToFrame,
} from '../../../../src/panel/testing/factories';
import { makeDurations, makeRng } from '../../../../src/panel/testing/random';

type Builder = (args: Record<string, number>) => DataFrame[];

const T0 = Date.UTC(2026, 10, 1);

const builders: Record<string, Builder> = {
  empty: () => [],
  /** Raw durations (any numeric field), one series. */
  'cdf-raw': (a) => [makeDurationsFrame(makeDurations(a.n ?? 20_000, a.seed ?? 7), { name: 'checkout', unit: 'ms' })],
  /** Two windows of the same service: now vs 1 week ago. */
  'cdf-overlay': (a) => [
    makeDurationsFrame(makeDurations(a.n ?? 20_000, 7, 40), { name: 'now', refId: 'A', unit: 'ms' }),
    makeDurationsFrame(makeDurations(a.n ?? 20_000, 8, 55, 0.5), { name: '1 week ago', refId: 'B', unit: 'ms' }),
  ],
  /** Prometheus classic histogram (`le`), two services. */
  'cdf-histogram': () => {
    const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    return [
      ...makeHistogramFrames(makeDurations(5000, 3, 30), bounds, { labels: { service: 'cart' } }),
      ...makeHistogramFrames(makeDurations(5000, 4, 70), bounds, { labels: { service: 'checkout' } }),
    ];
  },
  /** Our percentile frames + an exemplars frame whose traceID field links to the trace. */
  bands: (a) => {
    const points = a.points ?? 240;
    const frames = makePercentileFrames({ points, seed: 5, labels: { service: 'checkout' }, startMs: T0, stepMs: 15_000 });
    const p99 = frames[2].fields[1].values as unknown as Float64Array;
    const rng = makeRng(11);
    const rows = Array.from({ length: a.exemplars ?? 12 }, (_, i) => {
      const k = Math.floor(((i + 0.5) / (a.exemplars ?? 12)) * points);
      return { time: T0 + k * 15_000, value: p99[k] * (0.9 + rng.next() * 0.4), traceID: `4bf92f3577b34da6a3ce929d0e0e${(4736 + i).toString(16)}` };
    });
    return [...frames, makeExemplarsFrame(rows, '/explore?trace=${__value.raw}')];
  },
  /** Grafana core Prometheus: one query per quantile, legend p50/p90/p99, seconds. */
  'bands-prom': (a) =>
    makePercentileFrames({ points: a.points ?? 240, seed: 9, lens: false, unit: 's', startMs: T0 }).map((f, i) => ({
      ...f,
      refId: 'ABC'[i],
      fields: f.fields.map((x) =>
        x.name === 'value'
          ? { ...x, name: 'Value', labels: { job: 'api' }, values: (x.values as number[]).map((v) => v / 1000), config: { ...x.config, displayNameFromDS: ['p50', 'p90', 'p99'][i] } }
          : { ...x, name: 'Time' }
      ),
    })),
  /** Our trace frame (shuffled rows) + joined logs frame. */
  waterfall: (a) => {
    const rows = makeTrace({ spans: a.spans ?? 300, seed: a.seed ?? 3, shuffle: true, logsPerSpan: a.logs ?? 1, errorRate: 0.03 });
    return [traceToFrame(rows), makeLogsFrame(rows, 2, 7)];
  },
  /** A Tempo/Jaeger-shaped trace frame, no lens metadata. */
  'waterfall-tempo': (a) => [traceToFrame(makeTrace({ spans: a.spans ?? 120, seed: 4, shuffle: true }), { lens: false })],
};

export const fixtureNames = Object.keys(builders);

export function buildFixture(name: string, args: Record<string, number>): DataFrame[] {
  const b = builders[name];
  if (!b) {
    throw new Error(`unknown fixture ${name}; known: ${fixtureNames.join(', ')}`);
  }
  return b(args);
}
