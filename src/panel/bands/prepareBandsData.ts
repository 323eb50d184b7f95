/**
 * Stage 4: percentile series → nested bands. Pairs series into groups by their labels and
 * names without the quantile part (`quantile="0.99"`, `p99`, legend "0.99" …), aligns them on
 * one time axis, and picks up exemplars. Never mutates frames.
 * Guarantees: per group, `quantiles` ascending and `values[i]` aligned with `time` (ms epoch,
 * ascending; NaN where a series has no point); bands are consecutive quantile pairs, the
 * median line is the quantile nearest 0.5; all values in ms.
 */
import { type DataFrame, type Field, type GrafanaTheme2, type Labels } from '@grafana/data';

import { ExemplarFields, QUANTILE_LABEL } from '../../shared/frames';
import { uniqueNames } from '../frames/names';
import { isExemplarFrame, isNumeric, isTime, labelsKey, lensKindOf, metricNameFactor, msFactor, quantileOf } from '../frames/classify';
import { linksForValue, type ValueLink } from '../frames/links';
import { fieldDecimals, fieldLimits, widestLimits, type AxisLimits } from '../cdf/prepareCdfData';
import { type BandsOptions } from '../types';

export interface Band {
  lower: number;
  upper: number;
  /** Index into the group's quantiles. */
  lowerIndex: number;
  upperIndex: number;
  /** 0 = next to the median; higher = further out (lighter). */
  ring: number;
}

export interface BandGroup {
  name: string;
  labels: Labels;
  color: string;
  quantiles: number[];
  values: Float64Array[];
  medianIndex: number;
  bands: Band[];
  /** Decimals of its durations (Grafana's Decimals standard option); default formatting when unset. */
  decimals?: number;
  /** Each quantile's own Decimals (an override may set one), aligned with `quantiles`. */
  quantileDecimals: Array<number | undefined>;
}

export interface Exemplar {
  time: number;
  valueMs: number;
  traceId: string;
  spanId?: string;
  links: ValueLink[];
}

export interface BandsData {
  time: Float64Array;
  groups: BandGroup[];
  exemplars: Exemplar[];
  thresholdsMs: number[];
  yMin: number;
  yMax: number;
  /** The value axis' Min and Max set in the dashboard (ms): the axis spans exactly these. */
  axis: AxisLimits;
  /** Decimals of the value axis and exemplar values: the first group's, as Grafana's axes take the first field's. */
  decimals?: number;
  notes: string[];
}

export type BandsResult = BandsData | { warning: string };

interface QSeries {
  q: number;
  time: ArrayLike<number>;
  values: ArrayLike<number>;
  factor: number;
  limits?: AxisLimits;
  decimals?: number;
}

const QUANTILE_TOKEN =
  /(?:quantile[=:\s]?"?[\d.]+"?|\bp\d{1,2}(?:\.\d+)?\b|\bq?0?\.\d+\b|\b\d{1,2}(?:\.\d+)?(?:st|nd|rd|th)\b|\b\d{1,2}(?:\.\d+)?\s*%|\bmedian\b|\b\d{1,2}(?:\.\d+)?\s*percentile\b|\bpercentiles?\b)/gi;

function groupName(frame: DataFrame, field: Field): string {
  // The dashboard's display name first, as Grafana names a series.
  const display = field.config?.displayName || field.config?.displayNameFromDS || (frame.name && frame.name !== field.name ? frame.name : '');
  return display.replace(QUANTILE_TOKEN, '').replace(/[\s,{}=-]+$/g, '').replace(/^[\s,{}=-]+/g, '').trim();
}

export function prepareBandsData(frames: DataFrame[], options: BandsOptions, theme: GrafanaTheme2): BandsResult {
  const notes: string[] = [];
  const groups = new Map<string, { name: string; labels: Labels; refId?: string; series: QSeries[] }>();
  let factorSeen = 1;
  for (const frame of frames) {
    const kind = lensKindOf(frame);
    if ((kind && kind !== 'percentile' && kind !== 'metrics') || isExemplarFrame(frame)) {
      continue;
    }
    const timeField = frame.fields.find(isTime);
    if (!timeField) {
      continue;
    }
    for (const field of frame.fields) {
      if (!isNumeric(field)) {
        continue;
      }
      const q = quantileOf(field, frame);
      if (q === undefined) {
        continue;
      }
      const labels = { ...field.labels };
      delete labels[QUANTILE_LABEL];
      const name = groupName(frame, field);
      // Our backend answers each query with all its quantiles: two queries are two groups
      // even with the same labels. Series of other data sources (one query per quantile,
      // legends p50/p99) pair across queries.
      const query = kind === 'percentile' ? (frame.refId ?? '') : '';
      const key = `${labelsKey(labels, [])}|${name}|${query}`;
      let g = groups.get(key);
      if (!g) {
        const labelText = Object.entries(labels)
          .map(([k, v]) => `${k}="${v}"`)
          .join(', ');
        g = { name: name || labelText || 'latency', labels, refId: frame.refId, series: [] };
        groups.set(key, g);
      }
      const factor = msFactor(field, 1);
      factorSeen = factor;
      g.series.push({
        q,
        time: timeField.values as ArrayLike<number>,
        values: field.values as ArrayLike<number>,
        factor,
        limits: fieldLimits(field, factor),
        decimals: fieldDecimals(field),
      });
    }
  }
  const usable = [...groups.values()].filter((g) => {
    const distinct = new Set(g.series.map((s) => s.q));
    if (distinct.size < 2) {
      notes.push(`${g.name}: only one quantile (${[...distinct].join()}), no band to draw`);
    }
    return distinct.size >= 1;
  });
  if (!usable.length) {
    return { warning: 'No percentile series found: expected series labelled `quantile` or named like p50/p90/p99.' };
  }
  const names = uniqueNames(usable.map((g) => ({ name: g.name, refId: g.refId })));
  usable.forEach((g, i) => (g.name = names[i]));
  const time = unionTimes(usable.flatMap((g) => g.series.map((s) => s.time)));
  if (time.length < 2) {
    notes.push('Only one time step: widen the time range or lower the step for bands over time (the CDF view shows this window).');
  }
  const palette = theme.visualization.palette;
  let yMin = Infinity;
  let yMax = -Infinity;
  const out: BandGroup[] = usable.map((g, gi) => {
    const byQ = new Map<number, QSeries>();
    for (const s of g.series) {
      if (byQ.has(s.q)) {
        notes.push(`${g.name}: two series for quantile ${s.q}; using the first`);
        continue;
      }
      byQ.set(s.q, s);
    }
    const quantiles = [...byQ.keys()].sort((a, b) => a - b);
    const values = quantiles.map((q) => align(time, byQ.get(q)!));
    let finite = 0;
    for (const v of values) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (!Number.isFinite(x)) {
          continue;
        }
        finite++;
        if (x < yMin) {
          yMin = x;
        }
        if (x > yMax) {
          yMax = x;
        }
      }
    }
    if (!finite) {
      notes.push(`${g.name}: no value in this time range (every step empty or NaN)`);
    }
    let crossings = 0;
    for (let k = 1; k < values.length; k++) {
      for (let i = 0; i < time.length; i++) {
        if (values[k][i] < values[k - 1][i]) {
          crossings++;
        }
      }
    }
    if (crossings) {
      notes.push(`${g.name}: quantile series cross at ${crossings} points (the data, not the panel)`);
    }
    let medianIndex = 0;
    quantiles.forEach((q, i) => {
      if (Math.abs(q - 0.5) < Math.abs(quantiles[medianIndex] - 0.5)) {
        medianIndex = i;
      }
    });
    const bands: Band[] = [];
    for (let i = 0; i + 1 < quantiles.length; i++) {
      const ring = i >= medianIndex ? i - medianIndex : medianIndex - i - 1;
      bands.push({ lower: quantiles[i], upper: quantiles[i + 1], lowerIndex: i, upperIndex: i + 1, ring });
    }
    return {
      name: g.name,
      labels: g.labels,
      color: theme.visualization.getColorByName(palette[gi % palette.length]),
      quantiles,
      values,
      medianIndex,
      bands,
      // The median's, else any of the group's (an override may set it on one quantile only).
      decimals: byQ.get(quantiles[medianIndex])?.decimals ?? g.series.find((s) => s.decimals !== undefined)?.decimals,
      quantileDecimals: quantiles.map((q) => byQ.get(q)!.decimals),
    };
  });
  if (!(yMin <= yMax)) {
    // histogram_quantile over a range without traffic: every step NaN (null from Grafana's
    // Prometheus data source). An empty chart would not say why.
    return { warning: 'The percentile series hold no value in this time range: every step is empty or NaN (no traffic?).' };
  }
  const exemplars = options.showExemplars ? readExemplars(frames, factorSeen) : [];
  if (options.showExemplars) {
    notes.push(...exemplarNotices(frames));
  }
  for (const e of exemplars) {
    yMin = Math.min(yMin, e.valueMs);
    yMax = Math.max(yMax, e.valueMs);
  }
  for (const t of options.thresholdsMs) {
    yMax = Math.max(yMax, t);
  }
  const axis = widestLimits(usable.flatMap((g) => g.series.map((s) => s.limits)));
  if (axis.min !== undefined && axis.max !== undefined && !(axis.max > axis.min)) {
    axis.min = undefined;
    axis.max = undefined;
  }
  return { time, groups: out, exemplars, thresholdsMs: [...options.thresholdsMs], yMin, yMax, axis, decimals: out[0]?.decimals, notes };
}

/** One ascending time axis; reuses the input when every series shares it (the common case). */
function unionTimes(times: Array<ArrayLike<number>>): Float64Array {
  const first = times[0];
  const same = times.every((t) => t === first || (t.length === first.length && t[0] === first[0] && t[t.length - 1] === first[first.length - 1] && sameArray(t, first)));
  if (same) {
    return Float64Array.from(first);
  }
  let total = 0;
  for (const t of times) {
    total += t.length;
  }
  const all = new Float64Array(total);
  let o = 0;
  for (const t of times) {
    for (let i = 0; i < t.length; i++) {
      all[o++] = t[i];
    }
  }
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) {
    if (i === 0 || all[i] !== all[n - 1]) {
      all[n++] = all[i];
    }
  }
  return all.slice(0, n);
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

function align(time: Float64Array, s: QSeries): Float64Array {
  const out = new Float64Array(time.length).fill(NaN);
  const t = s.time;
  const v = s.values;
  if (t.length === time.length && t[0] === time[0] && t[t.length - 1] === time[time.length - 1]) {
    for (let i = 0; i < time.length; i++) {
      const x = v[i];
      out[i] = x == null ? NaN : Number(x) * s.factor;
    }
    return out;
  }
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    while (j < time.length && time[j] < t[i]) {
      j++;
    }
    if (j < time.length && time[j] === t[i]) {
      const x = v[i];
      out[j] = x == null ? NaN : Number(x) * s.factor;
    }
  }
  return out;
}

function readExemplars(frames: DataFrame[], defaultFactor: number): Exemplar[] {
  const out: Exemplar[] = [];
  for (const frame of frames) {
    if (!isExemplarFrame(frame)) {
      continue;
    }
    const time = frame.fields.find((f) => isTime(f) || f.name === ExemplarFields.time || f.name === 'Time');
    const value = frame.fields.find((f) => isNumeric(f) && (f.name === ExemplarFields.value || f.name === 'Value'));
    // The trace ID label is whatever the application emitted; Grafana's Prometheus data source
    // puts its exemplar destination's links on the field of the label it was told to use.
    const trace =
      frame.fields.find((f) => f.name === ExemplarFields.traceId || f.name === 'trace_id' || f.name === 'traceId') ??
      frame.fields.find((f) => !isTime(f) && !isNumeric(f) && (f.config?.links?.length ?? 0) > 0);
    const span = frame.fields.find((f) => f.name === ExemplarFields.spanId || f.name === 'span_id');
    if (!time || !value || !trace) {
      continue;
    }
    // A value without a unit is in the unit its metric's name carries (an exemplar frame
    // holds the `__name__` of each exemplar's series), else in the percentiles' unit.
    const factor = value.config?.unit ? msFactor(value, 1) : defaultFactor;
    const metric = value.config?.unit ? undefined : frame.fields.find((f) => f.name === '__name__');
    for (let i = 0; i < frame.length; i++) {
      const name = metric?.values[i];
      const v = Number(value.values[i]) * ((typeof name === 'string' ? metricNameFactor(name) : undefined) ?? factor);
      const t = Number(time.values[i]);
      if (!Number.isFinite(v) || !Number.isFinite(t)) {
        continue;
      }
      // An exemplar without a trace ID (null, or "" in a Prometheus label column) keeps its
      // dot but links nowhere.
      const traceId = trace.values[i] == null ? '' : String(trace.values[i]);
      out.push({
        time: t,
        valueMs: v,
        traceId,
        spanId: span && span.values[i] != null ? String(span.values[i]) || undefined : undefined,
        links: traceId ? linksForValue(frame, trace, i) : [],
      });
    }
  }
  return out;
}

/**
 * The notices of the exemplar frames (a failed exemplar query, exemplars left out). Grafana's
 * panel header shows the notices of `series` only, and exemplar frames are annotations.
 */
function exemplarNotices(frames: DataFrame[]): string[] {
  const out: string[] = [];
  for (const frame of frames) {
    if (!isExemplarFrame(frame)) {
      continue;
    }
    for (const n of frame.meta?.notices ?? []) {
      if (n.text) {
        out.push(`Exemplars: ${n.text}`);
      }
    }
  }
  return out;
}
