import { createDataFrame, createTheme, FieldType } from '@grafana/data';

import { makeExemplarsFrame, makePercentileFrames } from '../testing/factories';
import { goldenFrames } from '../testing/golden';
import { defaultOptions, type BandsOptions } from '../types';
import { prepareBandsData, type BandsData, type BandsResult } from './prepareBandsData';

const theme = createTheme();
const opts = (over: Partial<BandsOptions> = {}): BandsOptions => ({ ...defaultOptions.bands, ...over });

function ok(r: BandsResult): BandsData {
  if ('warning' in r) {
    throw new Error(r.warning);
  }
  return r;
}

/** Grafana core Prometheus: one query per quantile, legend "p50"/"p90"/"p99", no quantile label. */
function promQuantileFrames(legends: string[], times: number[], scale = 1) {
  return legends.map((legend, i) =>
    createDataFrame({
      refId: String.fromCharCode(65 + i),
      fields: [
        { name: 'Time', type: FieldType.time, values: times },
        {
          name: 'Value',
          type: FieldType.number,
          values: times.map((_, k) => (i + 1) * 0.01 * scale + k * 0.001),
          config: { displayNameFromDS: legend, unit: 's' },
          labels: { job: 'api' },
        },
      ],
    })
  );
}

describe('prepareBandsData', () => {
  it('warns when there are no percentile series', () => {
    const frame = createDataFrame({ fields: [{ name: 'Value', type: FieldType.number, values: [1] }] });
    expect(prepareBandsData([frame], opts(), theme)).toHaveProperty('warning');
  });

  it('pairs our percentile frames by the quantile label into nested bands around the median', () => {
    const frames = makePercentileFrames({ quantiles: [0.99, 0.5, 0.9], points: 50, seed: 3, labels: { service: 'cart' } });
    const d = ok(prepareBandsData(frames, opts(), theme));
    expect(d.groups).toHaveLength(1);
    const g = d.groups[0];
    expect(g.name).toBe('service="cart"');
    expect(g.quantiles).toEqual([0.5, 0.9, 0.99]);
    expect(g.medianIndex).toBe(0);
    expect(g.bands.map((b) => [b.lower, b.upper, b.ring])).toEqual([
      [0.5, 0.9, 0],
      [0.9, 0.99, 1],
    ]);
    expect(d.time).toHaveLength(50);
    for (let i = 0; i < 50; i++) {
      expect(g.values[0][i]).toBeLessThanOrEqual(g.values[1][i]);
      expect(g.values[1][i]).toBeLessThanOrEqual(g.values[2][i]);
    }
  });

  it.each([
    [['p50', 'p90', 'p99'], [0.5, 0.9, 0.99]],
    [['0.5', '0.9', '0.99'], [0.5, 0.9, 0.99]],
    [['checkout p50', 'checkout p99.9'], [0.5, 0.999]],
    [['quantile="0.25"', 'quantile="0.75"'], [0.25, 0.75]],
    [['50th percentile', '95th percentile', '99th percentile'], [0.5, 0.95, 0.99]],
    [['checkout 50th', 'checkout 99.9th'], [0.5, 0.999]],
    [['checkout 50%', 'checkout 99%'], [0.5, 0.99]],
    [['median', '90 percentile', 'quantile 0.99'], [0.5, 0.9, 0.99]],
  ])('pairs Grafana Prometheus series by legend %j', (legends, want) => {
    const d = ok(prepareBandsData(promQuantileFrames(legends, [1000, 2000, 3000]), opts(), theme));
    expect(d.groups).toHaveLength(1);
    expect(d.groups[0].quantiles).toEqual(want);
    // unit "s" → ms
    expect(d.groups[0].values[0][0]).toBeCloseTo(10, 9);
  });

  it('keeps groups apart by label and aligns different timestamps with NaN gaps', () => {
    const a = makePercentileFrames({ points: 3, labels: { service: 'a' }, startMs: 0, stepMs: 10 });
    const b = makePercentileFrames({ points: 3, labels: { service: 'b' }, startMs: 5, stepMs: 10 });
    const d = ok(prepareBandsData([...a, ...b], opts(), theme));
    expect(d.groups.map((g) => g.name)).toEqual(['service="a"', 'service="b"']);
    expect(Array.from(d.time)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(Number.isNaN(d.groups[0].values[0][1])).toBe(true);
    expect(Number.isNaN(d.groups[1].values[0][0])).toBe(true);
  });

  it('medians below and above: rings grow outwards on both sides', () => {
    const frames = makePercentileFrames({ quantiles: [0.1, 0.25, 0.5, 0.75, 0.9], points: 4 });
    const g = ok(prepareBandsData(frames, opts(), theme)).groups[0];
    expect(g.medianIndex).toBe(2);
    expect(g.bands.map((b) => b.ring)).toEqual([1, 0, 0, 1]);
  });

  it('notes a group with a single quantile', () => {
    const d = ok(prepareBandsData(makePercentileFrames({ quantiles: [0.99], points: 4 }), opts(), theme));
    expect(d.notes[0]).toMatch(/only one quantile/);
  });

  it('reads exemplars with their trace links, and skips them when switched off', () => {
    const frames = makePercentileFrames({ points: 10, startMs: 0, stepMs: 1000 });
    const ex = makeExemplarsFrame(
      [
        { time: 2500, value: 321, traceID: 'abc123' },
        { time: 3500, value: 400, traceID: 'def456', spanID: '00f067aa0ba902b7' },
      ],
      '/explore?trace=${__value.raw}'
    );
    const d = ok(prepareBandsData([...frames, ex], opts(), theme));
    expect(d.exemplars).toEqual([
      { time: 2500, valueMs: 321, traceId: 'abc123', spanId: undefined, links: [{ title: 'Open trace', href: '/explore?trace=abc123', target: undefined }] },
      { time: 3500, valueMs: 400, traceId: 'def456', spanId: '00f067aa0ba902b7', links: [{ title: 'Open trace', href: '/explore?trace=def456', target: undefined }] },
    ]);
    expect(d.yMax).toBeGreaterThanOrEqual(321);
    expect(ok(prepareBandsData([...frames, ex], opts({ showExemplars: false }), theme)).exemplars).toEqual([]);
  });

  it.each([
    ['an empty trace_id (Grafana Prometheus exemplars)', 'trace_id', ''],
    ['a null traceID (our exemplars frame)', 'traceID', null],
  ])('an exemplar with %s keeps its dot without a trace link', (_name, field, missing) => {
    const frames = makePercentileFrames({ points: 10, startMs: 0, stepMs: 1000 });
    const ex = createDataFrame({
      name: 'exemplar',
      meta: { custom: { resultType: 'exemplar' } },
      fields: [
        { name: 'Time', type: FieldType.time, values: [2000, 3000] },
        { name: 'Value', type: FieldType.number, values: [120, 130] },
        { name: field, type: FieldType.string, values: ['abc123', missing], config: { links: [{ title: 'Open trace', url: '/explore?trace=${__value.raw}' }] } },
      ],
    });
    const d = ok(prepareBandsData([...frames, ex], opts(), theme));
    expect(d.exemplars.map((e) => [e.traceId, e.links.map((l) => l.href)])).toEqual([
      ['abc123', ['/explore?trace=abc123']],
      ['', []],
    ]);
  });

  it.each(['TraceID', 'otel_trace_id', 'trace.id'])(
    'reads Prometheus exemplars whose trace ID label is %s, the field Grafana links to the trace (its exemplar destination)',
    (label) => {
      const frames = makePercentileFrames({ points: 10, startMs: 0, stepMs: 1000 });
      const ex = createDataFrame({
        name: 'exemplar',
        meta: { custom: { resultType: 'exemplar' } },
        fields: [
          { name: 'Time', type: FieldType.time, values: [2000] },
          { name: 'Value', type: FieldType.number, values: [120] },
          { name: 'job', type: FieldType.string, values: ['api'] },
          { name: label, type: FieldType.string, values: ['abc123'], config: { links: [{ title: 'Open trace', url: '/explore?trace=${__value.raw}' }] } },
        ],
      });
      const d = ok(prepareBandsData([...frames, ex], opts(), theme));
      expect(d.exemplars.map((e) => [e.traceId, e.links.map((l) => l.href)])).toEqual([['abc123', ['/explore?trace=abc123']]]);
    }
  );

  it('reads an exemplar value without a unit in the unit its metric name carries (a seconds histogram under ms percentiles)', () => {
    const frames = makePercentileFrames({ points: 10, startMs: 0, stepMs: 1000 });
    const ex = createDataFrame({
      name: 'exemplar',
      meta: { custom: { resultType: 'exemplar' } },
      fields: [
        { name: 'Time', type: FieldType.time, values: [2000, 3000, 4000] },
        { name: 'Value', type: FieldType.number, values: [0.321, 400, 250] },
        { name: 'traceID', type: FieldType.string, values: ['a1', 'b2', 'c3'] },
        { name: '__name__', type: FieldType.string, values: ['http_request_duration_seconds_bucket', 'rpc_latency_milliseconds_bucket', 'queue_wait_bucket'] },
      ],
    });
    const d = ok(prepareBandsData([...frames, ex], opts(), theme));
    // The percentiles are in ms: a name without a unit keeps their factor.
    expect(d.exemplars.map((e) => [e.traceId, e.valueMs])).toEqual([
      ['a1', 321],
      ['b2', 400],
      ['c3', 250],
    ]);
    expect(d.yMin).toBeGreaterThan(1);
  });

  it('shows the notices of the exemplars frame (Grafana keeps annotation frames out of the header)', () => {
    const frames = makePercentileFrames({ points: 10, startMs: 0, stepMs: 1000 });
    const base = makeExemplarsFrame([{ time: 2500, value: 321, traceID: 'abc123' }]);
    const ex = { ...base, meta: { ...base.meta, notices: [{ severity: 'info' as const, text: '3 exemplars without a valid trace ID were left out' }] } };
    expect(ok(prepareBandsData([...frames, ex], opts(), theme)).notes).toContain('Exemplars: 3 exemplars without a valid trace ID were left out');
    expect(ok(prepareBandsData([...frames, ex], opts({ showExemplars: false }), theme)).notes).toEqual([]);
  });

  it('extends the y range to thresholds', () => {
    const d = ok(prepareBandsData(makePercentileFrames({ points: 5 }), opts({ thresholdsMs: [5000] }), theme));
    expect(d.yMax).toBe(5000);
    expect(d.thresholdsMs).toEqual([5000]);
  });

  it('keeps two latency queries without a group-by apart (the backend answers of two queries)', () => {
    const a = goldenFrames('latency_tempo_traceql', 'A');
    const b = goldenFrames('latency_tempo_traceql', 'B').map((f) => ({
      ...f,
      fields: f.fields.map((x) => (x.name === 'value' ? { ...x, values: x.values.map((v: number | null) => (v == null ? v : v * 10)) } : x)),
    }));
    const d = ok(prepareBandsData([...a, ...b], opts(), theme));
    expect(d.groups.map((g) => g.name)).toEqual(['latency A', 'latency B']);
    expect(d.notes).toEqual([]);
    // Query B's series are its own, not dropped as repeats of A's.
    const p99 = (g: number) => Array.from(d.groups[g].values[d.groups[g].quantiles.indexOf(0.99)]);
    expect(p99(1)).toEqual(p99(0).map((v) => v * 10));
  });

  it('still pairs Prometheus quantiles that come from one query each', () => {
    const d = ok(prepareBandsData(promQuantileFrames(['p50', 'p99'], [1000, 2000]), opts(), theme));
    expect(d.groups).toHaveLength(1);
    expect(d.groups[0].quantiles).toEqual([0.5, 0.99]);
  });

  it('never mutates the frames', () => {
    const frames = makePercentileFrames({ points: 5, lens: false });
    const before = JSON.stringify(frames);
    prepareBandsData(frames, opts(), theme);
    expect(JSON.stringify(frames)).toBe(before);
  });
});

describe('prepareBandsData on steps without a value', () => {
  /** histogram_quantile per percentile from Grafana's Prometheus data source: a NaN step arrives as null. */
  const series = (legend: string, values: Array<number | null>) =>
    createDataFrame({
      refId: legend,
      fields: [
        { name: 'Time', type: FieldType.time, values: values.map((_, i) => 60_000 * (i + 1)) },
        { name: 'Value', type: FieldType.number, values, labels: { job: legend.startsWith('b') ? 'b' : 'a' }, config: { displayNameFromDS: legend.replace(/^b /, '') } },
      ],
    });

  it.each([
    ['null', null],
    ['NaN', NaN],
  ])('every step %s: a warning, not an empty chart with an infinite axis', (_n, empty) => {
    const d = prepareBandsData([series('p50', [empty, empty]), series('p99', [empty, empty])], opts(), theme);
    expect(d).toEqual({ warning: expect.stringContaining('no value') });
  });

  it('a group without values is noted; the axis spans the values there are', () => {
    const d = ok(prepareBandsData([series('p50', [1, 2]), series('p99', [3, 4]), series('b p50', [null, null]), series('b p99', [null, null])], opts(), theme));
    expect([d.yMin, d.yMax]).toEqual([1, 4]);
    expect(d.notes).toEqual([expect.stringContaining('no value in this time range')]);
  });
});
