/**
 * Stage 3 helpers: what a frame is, from our backend's `lensKind` or from the shapes Grafana's
 * core data sources produce (Tempo/Jaeger trace frames, Prometheus `le` / `quantile` series,
 * exemplar frames). Pure; never mutates a frame.
 */
import { DataFrameType, FieldType, type DataFrame, type Field } from '@grafana/data';

import { LENS_KIND, QUANTILE_LABEL, SpanFields, type LensFrameKind } from '../../shared/frames';

export function lensKindOf(frame: DataFrame): LensFrameKind | undefined {
  const custom = frame.meta?.custom as Record<string, unknown> | undefined;
  const kind = custom?.[LENS_KIND];
  return typeof kind === 'string' ? (kind as LensFrameKind) : undefined;
}

export function fieldByName(frame: DataFrame, name: string): Field | undefined {
  return frame.fields.find((f) => f.name === name);
}

/** Our spans frame, or any frame Grafana's trace view would accept (Tempo, Jaeger, Zipkin …). */
export function isTraceFrame(frame: DataFrame): boolean {
  const kind = lensKindOf(frame);
  if (kind) {
    return kind === 'spans';
  }
  if (frame.meta?.preferredVisualisationType === 'trace') {
    return true;
  }
  return [SpanFields.spanId, SpanFields.startTime, SpanFields.duration, SpanFields.parentSpanId].every((n) =>
    frame.fields.some((f) => f.name === n)
  );
}

/** Our exemplars frame, or Grafana's Prometheus exemplar frames (name/resultType "exemplar"). */
export function isExemplarFrame(frame: DataFrame): boolean {
  const kind = lensKindOf(frame);
  if (kind) {
    return kind === 'exemplars';
  }
  const custom = frame.meta?.custom as Record<string, unknown> | undefined;
  return frame.name === 'exemplar' || custom?.resultType === 'exemplar';
}

/** Our logs frame, or a logs frame of another data source: for Grafana's logs view, or of the data plane "log-lines" type. */
export function isLogsFrame(frame: DataFrame): boolean {
  const kind = lensKindOf(frame);
  return kind ? kind === 'logs' : frame.meta?.preferredVisualisationType === 'logs' || frame.meta?.type === DataFrameType.LogLines;
}

/** Parses `+Inf`, `0.25`, `1e3` bucket bounds; undefined when the field has no `le` label. */
export function leOf(field: Field): number | undefined {
  const le = field.labels?.le;
  if (le === undefined) {
    return undefined;
  }
  if (le === '+Inf' || le === 'Inf') {
    return Infinity;
  }
  const v = Number(le);
  return Number.isFinite(v) ? v : undefined;
}

const QUANTILE_NAME = /(?:^|[^a-z0-9.])(?:p|q|quantile[=:\s]?"?)(\d{1,2}(?:\.\d+)?|0?\.\d+)(?:th)?(?![0-9])/i;
/** Percentiles as legends often say them: "99th percentile", "99.9th", "99%", "90 percentile". */
const PERCENT_NAME = /(?:^|[^a-z0-9.])(\d{1,2}(?:\.\d+)?)(?:th\b|\s*%(?![a-z0-9])|\s*percentile\b)/i;
const MEDIAN_NAME = /\bmedian\b/i;
const BARE_FRACTION = /^(0?\.\d+)$/;

/**
 * The quantile a series stands for, in (0,1): from the `quantile` label (Prometheus summaries,
 * our percentile frames), else from names like `p99`, `p99.9`, `q0.95`, `0.5`, `quantile="0.9"`,
 * `99th percentile`, `99%`, `median`;
 * never for a histogram bucket (a field with an `le` label).
 */
export function quantileOf(field: Field, frame?: DataFrame): number | undefined {
  // A bucket of a histogram (Prometheus `le`) is no quantile, even named "0.5" by a {{le}} legend.
  if (leOf(field) !== undefined) {
    return undefined;
  }
  const label = field.labels?.[QUANTILE_LABEL];
  if (label !== undefined) {
    const q = Number(label);
    return q > 0 && q < 1 ? q : undefined;
  }
  const names = [field.config?.displayName, field.config?.displayNameFromDS, field.name, frame?.name].filter(
    (s): s is string => typeof s === 'string' && s.length > 0
  );
  for (const name of names) {
    const bare = BARE_FRACTION.exec(name.trim());
    if (bare) {
      return Number(bare[1]);
    }
    const m = QUANTILE_NAME.exec(name);
    if (m) {
      const v = Number(m[1]);
      const q = v >= 1 ? Number((v / 100).toPrecision(12)) : v;
      if (q > 0 && q < 1) {
        return q;
      }
    }
    const pct = PERCENT_NAME.exec(name);
    if (pct) {
      const q = Number((Number(pct[1]) / 100).toPrecision(12));
      if (q > 0 && q < 1) {
        return q;
      }
    }
    if (MEDIAN_NAME.test(name)) {
      return 0.5;
    }
  }
  return undefined;
}

/** Milliseconds per unit: Grafana's time unit IDs, which include the usual suffixes (ns … h, d). */
export const UNIT_TO_MS: Record<string, number> = {
  s: 1000,
  ms: 1,
  us: 1e-3,
  µs: 1e-3,
  ns: 1e-6,
  m: 60000,
  h: 3600000,
  d: 86400000,
  dtdurations: 1000,
  dtdurationms: 1,
  // Grafana's other time units: hh:mm:ss (seconds), hundredths of a second, clocks.
  dthms: 1000,
  dtdhms: 1000,
  timeticks: 10,
  clockms: 1,
  clocks: 1000,
};

/** Unit suffixes of names, the longer before the ones they end with ("milliseconds" ends with "seconds"). */
const NAME_UNITS: Array<[RegExp, number]> = [
  [/(_ns|nanos|nanoseconds|unixnano)$/, 1e-6],
  [/(_us|micros|microseconds)$/, 1e-3],
  [/(ms|_millis|milliseconds)$/, 1],
  [/(_seconds|seconds|_s)$/, 1000],
];

function unitOfName(name: string): number | undefined {
  const n = name.toLowerCase();
  return NAME_UNITS.find(([re]) => re.test(n))?.[1];
}

/**
 * Factor that turns a field's values into milliseconds: from the unit in field config, else
 * the field's name, else the Prometheus metric name in its `__name__` label (Grafana names the
 * field "Value"), `_bucket`, `_sum` and `_total` suffixes aside (a `_count` is no duration);
 * `fallback` when none says.
 */
export function msFactor(field: Field, fallback = 1): number {
  const unit = field.config?.unit;
  if (unit && UNIT_TO_MS[unit] !== undefined) {
    return UNIT_TO_MS[unit];
  }
  const metric = field.labels?.__name__;
  return unitOfName(field.name) ?? (metric ? metricNameFactor(metric) : undefined) ?? fallback;
}

/**
 * Factor that turns values of a Prometheus metric into milliseconds, from the unit its name
 * carries (`_bucket`, `_sum` and `_total` suffixes aside); undefined when the name says none.
 */
export function metricNameFactor(metric: string): number | undefined {
  return unitOfName(metric.replace(/_(bucket|sum|total)$/, ''));
}

export function isNumeric(field: Field): boolean {
  return field.type === FieldType.number;
}

export function isTime(field: Field): boolean {
  return field.type === FieldType.time;
}

/**
 * A readable series name: the display name set in the dashboard, else the data source's (a
 * legend), else labels, else field/frame name (Grafana's order for the display name).
 */
export function seriesName(frame: DataFrame, field: Field, omitLabels: string[] = []): string {
  const display = field.config?.displayName || field.config?.displayNameFromDS;
  if (display) {
    return display;
  }
  const labels = Object.entries(field.labels ?? {}).filter(([k]) => !omitLabels.includes(k));
  if (labels.length) {
    return labels.map(([k, v]) => `${k}="${v}"`).join(', ');
  }
  if (frame.name && frame.name !== field.name) {
    return frame.name;
  }
  return frame.refId && frame.refId !== 'A' ? `${frame.refId} ${field.name}` : field.name;
}

export function labelsKey(labels: Record<string, string> | undefined, omit: string[]): string {
  return Object.keys(labels ?? {})
    .filter((k) => !omit.includes(k))
    .sort()
    .map((k) => `${k}=${labels![k]}`)
    .join(',');
}
