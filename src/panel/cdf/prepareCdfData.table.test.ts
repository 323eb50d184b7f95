import { createDataFrame, createTheme, FieldType, type DataFrame } from '@grafana/data';

import { defaultOptions } from '../types';
import { prepareCdfData, type CdfData, type CdfResult } from './prepareCdfData';

const theme = createTheme();

function ok(r: CdfResult): CdfData {
  if ('warning' in r) {
    throw new Error(r.warning);
  }
  return r;
}

interface Row {
  time: number;
  le: string;
  job?: string;
  value: number | null;
}

/**
 * Grafana's Prometheus data source with Format "Table": one frame per query, Time, one column
 * per label (sorted; `le` a number column in some Grafana versions, a string one in others),
 * then `Value` (`Value #A` when the request holds several queries). One row per sample.
 */
function tableFrame(rows: Row[], opts: { leType: 'number' | 'string'; valueName?: string; name?: string } = { leType: 'string' }): DataFrame {
  const leValues = rows.map((r) => (opts.leType === 'number' ? (r.le === '+Inf' ? Infinity : Number(r.le)) : r.le));
  const withJob = rows.some((r) => r.job !== undefined);
  return createDataFrame({
    refId: 'A',
    meta: { preferredVisualisationType: 'rawPrometheus' },
    fields: [
      { name: 'Time', type: FieldType.time, values: rows.map((r) => r.time) },
      ...(opts.name ? [{ name: '__name__', type: FieldType.string, values: rows.map(() => opts.name!) }] : []),
      ...(withJob ? [{ name: 'job', type: FieldType.string, values: rows.map((r) => r.job ?? '') }] : []),
      { name: 'le', type: opts.leType === 'number' ? FieldType.number : FieldType.string, values: leValues },
      { name: opts.valueName ?? 'Value', type: FieldType.number, values: rows.map((r) => r.value) },
    ],
  });
}

const T0 = Date.UTC(2026, 10, 1);

describe('prepareCdfData on Prometheus table-format buckets', () => {
  it.each(['number', 'string'] as const)('an instant table (le a %s column) is one histogram of cumulative counts', (leType) => {
    // sum by (le) (increase(x_bucket[1h])): 10 ≤ 100 ms, 30 ≤ 500 ms, 40 in all.
    const rows: Row[] = [
      { time: T0, le: '0.1', value: 10 },
      { time: T0, le: '0.5', value: 30 },
      { time: T0, le: '+Inf', value: 40 },
    ];
    const data = ok(prepareCdfData([tableFrame(rows, { leType })], defaultOptions.cdf, theme));
    expect(data.series).toHaveLength(1);
    const s = data.series[0];
    expect(s.source).toBe('histogram');
    expect(s.count).toBe(40);
    expect(Array.from(s.x)).toEqual([100, 500]);
    expect(Array.from(s.f)).toEqual([0.25, 0.75]);
    expect(s.overflow).toBe(10);
  });

  it('a table named "Value #A" (several queries) reads the same', () => {
    const rows: Row[] = [
      { time: T0, le: '0.1', value: 10 },
      { time: T0, le: '0.5', value: 30 },
      { time: T0, le: '+Inf', value: 40 },
    ];
    const s = ok(prepareCdfData([tableFrame(rows, { leType: 'string', valueName: 'Value #A' })], defaultOptions.cdf, theme)).series;
    expect(s).toHaveLength(1);
    expect(Array.from(s[0].f)).toEqual([0.25, 0.75]);
  });

  it('one histogram per label set, the other label columns naming it', () => {
    const rows: Row[] = [
      { time: T0, job: 'api', le: '0.1', value: 1 },
      { time: T0, job: 'api', le: '+Inf', value: 4 },
      { time: T0, job: 'web', le: '0.1', value: 3 },
      { time: T0, job: 'web', le: '+Inf', value: 4 },
    ];
    const data = ok(prepareCdfData([tableFrame(rows, { leType: 'number' })], defaultOptions.cdf, theme));
    expect(data.series.map((s) => s.name)).toEqual(['job="api"', 'job="web"']);
    expect(data.series.map((s) => Array.from(s.f))).toEqual([[0.25], [0.75]]);
    expect(data.series.map((s) => s.labels)).toEqual([{ job: 'api' }, { job: 'web' }]);
  });

  it('a range table of raw bucket counters counts the increase over the range', () => {
    const counters: Record<string, number[]> = { '0.1': [100, 104, 110], '0.5': [300, 310, 330], '+Inf': [400, 415, 440] };
    const rows: Row[] = [0, 1, 2].flatMap((k) =>
      Object.entries(counters).map(([le, v]) => ({ time: T0 + k * 60_000, le, value: v[k] }))
    );
    const s = ok(prepareCdfData([tableFrame(rows, { leType: 'string', name: 'http_request_duration_seconds_bucket' })], defaultOptions.cdf, theme))
      .series;
    expect(s).toHaveLength(1);
    expect(s[0].count).toBe(40);
    expect(Array.from(s[0].x)).toEqual([100, 500]);
    expect(Array.from(s[0].f)).toEqual([0.25, 0.75]);
  });

  it('bounds of a metric in milliseconds stay milliseconds', () => {
    const rows: Row[] = [
      { time: T0, le: '100', value: 10 },
      { time: T0, le: '+Inf', value: 20 },
    ];
    const s = ok(prepareCdfData([tableFrame(rows, { leType: 'string', name: 'rpc_latency_ms_bucket' })], defaultOptions.cdf, theme)).series;
    expect(Array.from(s[0].x)).toEqual([100]);
  });
});
