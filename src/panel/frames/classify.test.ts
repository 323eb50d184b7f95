import { FieldType, type Field, type Labels } from '@grafana/data';

import { msFactor, quantileOf } from './classify';

const field = (name: string, opts: { unit?: string; labels?: Labels } = {}): Field => ({
  name,
  type: FieldType.number,
  values: [1],
  config: opts.unit ? { unit: opts.unit } : {},
  labels: opts.labels,
});

describe('msFactor', () => {
  it.each([
    ['duration_seconds', 1000],
    ['durationMs', 1],
    ['duration_milliseconds', 1],
    ['latencyMilliseconds', 1],
    ['elapsed_microseconds', 1e-3],
    ['elapsed_nanoseconds', 1e-6],
    ['startTimeUnixNano', 1e-6],
    ['latency', 7],
  ])('field %s: %d', (name, want) => {
    expect(msFactor(field(name), 7)).toBe(want);
  });

  it.each([
    // Prometheus summary quantiles as Grafana's Prometheus data source returns them: field Value, metric in __name__.
    ['rpc_duration_seconds', 1000],
    ['http_server_duration_milliseconds', 1],
    ['traces_span_metrics_duration_milliseconds_bucket', 1],
    ['request_latency_seconds_bucket', 1000],
    ['request_latency', 7],
    ['request_latency_seconds_count', 7],
  ])('Value of metric %s: %d', (metric, want) => {
    expect(msFactor(field('Value', { labels: { __name__: metric } }), 7)).toBe(want);
  });

  it.each([
    ['ns', 1e-6],
    ['µs', 1e-3],
    ['ms', 1],
    ['s', 1000],
    ['m', 60000],
    ['h', 3600000],
    ['d', 86400000],
    ['dtdurationms', 1],
    ['dtdurations', 1000],
    ['dthms', 1000],
    ['dtdhms', 1000],
    ['timeticks', 10],
    ['clockms', 1],
    ['clocks', 1000],
  ])('Grafana time unit %s read in ms × %d', (unit, want) => {
    expect(msFactor(field('Value', { unit }), 7)).toBe(want);
  });

  it('the unit in field config wins over any name', () => {
    expect(msFactor(field('duration_seconds', { unit: 'ms', labels: { __name__: 'x_seconds' } }), 7)).toBe(1);
  });
});

describe('quantileOf legends', () => {
  it.each([
    ['p99', 0.99],
    ['99th percentile', 0.99],
    ['checkout 99.9th', 0.999],
    ['p95 (5m)', 0.95],
    ['99%', 0.99],
    ['median', 0.5],
    ['90 percentile', 0.9],
    ['quantile 0.75', 0.75],
    ['checkout', undefined],
    ['2nd attempt', undefined],
    ['5xx rate', undefined],
    ['error %', undefined],
  ])('%s → %s', (legend, want) => {
    expect(quantileOf({ name: 'Value', type: FieldType.number, values: [1], config: { displayNameFromDS: legend } })).toBe(want);
  });
});
