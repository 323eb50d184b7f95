/**
 * Stage 4: frames → CDF curves. Reads (never mutates) three shapes:
 *   - our backend's `cdf` frames (durationMs, fraction, lowerMs, upperMs, count),
 *   - Prometheus classic histograms: numeric fields labelled `le` (one series per label set),
 *     or a Prometheus table (Format "Table") with an `le` column: one histogram per label set,
 *   - anything else numeric as raw durations (trace frames: `duration`; search: `durationMs`).
 * Guarantees: per series, `x` ascending, `f` = exact F(x) (raw) or F at bucket bounds
 * (histograms, with `boxes` bounding where the true curve may run); `y` is what to plot
 * (F or 1 − F); quantiles are exact for raw values and intervals for buckets.
 */
import { DataFrameType, FieldType, type DataFrame, type Field, type GrafanaTheme2, type Labels } from '@grafana/data';

import { CdfFields, SearchFields, SpanFields } from '../../shared/frames';
import {
  fieldByName,
  isExemplarFrame,
  isLogsFrame,
  isNumeric,
  isTime,
  isTraceFrame,
  labelsKey,
  lensKindOf,
  leOf,
  msFactor,
  quantileOf,
  seriesName,
} from '../frames/classify';
import { uniqueNames } from '../frames/names';
import { type CdfOptions } from '../types';
import { distribution } from './distribution';

export type CdfSource = 'raw' | 'histogram' | 'lens';

export interface CdfQuantile {
  p: number;
  /** Exact (raw) or interpolated inside the bucket (histograms, as histogram_quantile does). */
  valueMs: number;
  lowMs: number;
  highMs: number;
}

export interface CdfSlo {
  target: number;
  thresholdMs: number;
  /** F(threshold): point estimate and the range buckets allow (equal for raw values). */
  achieved: number;
  low: number;
  high: number;
  /** undefined when the buckets cannot tell. */
  met: boolean | undefined;
  text: string;
}

export interface CdfBoxes {
  x0: Float64Array;
  x1: Float64Array;
  y0: Float64Array;
  y1: Float64Array;
}

export interface CdfSeries {
  name: string;
  color: string;
  source: CdfSource;
  labels: Labels;
  refId?: string;
  count: number;
  x: Float64Array;
  /** F(x). */
  f: Float64Array;
  /** Plotted values: F or 1 − F. */
  y: Float64Array;
  boxes?: CdfBoxes;
  quantiles: CdfQuantile[];
  slos: CdfSlo[];
  /** Values above the last finite bucket bound (histograms). */
  overflow: number;
  /** What the curve stands on: observations, per-second rates (no count), or values that cannot tell. */
  amount: CdfAmount;
  /** Decimals of its durations (Grafana's Decimals standard option); default formatting when unset. */
  decimals?: number;
}

export type CdfAmount = { kind: 'count'; n: number } | { kind: 'rate'; perSecond: number } | { kind: 'unknown' };

/** The legend's word on the amount: `n=1,234` (`n≈` for estimated counts), `2.2/s` for rates, nothing when unknown. */
export function amountText(s: Pick<CdfSeries, 'amount'>): string {
  const a = s.amount;
  if (a.kind === 'count') {
    return Number.isInteger(a.n) ? `n=${a.n.toLocaleString()}` : `n≈${Math.round(a.n).toLocaleString()}`;
  }
  return a.kind === 'rate' ? `${+a.perSecond.toPrecision(3)}/s` : '';
}

export interface CdfData {
  series: CdfSeries[];
  xMin: number;
  xMax: number;
  /** The duration axis' Min and Max set in the dashboard (ms): the axis spans exactly these. */
  axis: AxisLimits;
  /** Decimals of the duration axis and the cursor's t: the first curve's, as Grafana's axes take the first field's. */
  decimals?: number;
  xScale: CdfOptions['xScale'];
  complementary: boolean;
  /** Non-fatal notes shown under the chart. */
  notes: string[];
}

export type CdfResult = CdfData | { warning: string };

/** Min and Max of a value axis set in the dashboard (Standard options), in ms. */
export interface AxisLimits {
  min?: number;
  max?: number;
}

/** The field's Min and Max (in its unit) as ms; none when the field has neither. */
export function fieldLimits(field: Field, factor: number): AxisLimits | undefined {
  const at = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v * factor : undefined);
  const min = at(field.config?.min);
  const max = at(field.config?.max);
  return min === undefined && max === undefined ? undefined : { min, max };
}

/** The widest of the limits given: the smallest Min and the largest Max. */
export function widestLimits(all: Array<AxisLimits | undefined>): AxisLimits {
  const mins = all.map((l) => l?.min).filter((v): v is number => v !== undefined);
  const maxs = all.map((l) => l?.max).filter((v): v is number => v !== undefined);
  return { min: mins.length ? Math.min(...mins) : undefined, max: maxs.length ? Math.max(...maxs) : undefined };
}

interface RawSeries {
  name: string;
  labels: Labels;
  refId?: string;
  source: CdfSource;
  /** Min and Max set on the duration field (Grafana's Standard options), in ms. */
  limits?: AxisLimits;
  /** Bucket values: counts, per-second rates over `steps` time steps, or unknown; counts when absent. */
  weight?: BucketWeight;
  /** The Decimals set on the duration field. */
  decimals?: number;
  build(ps: number[], log: boolean): Omit<CdfSeries, 'name' | 'labels' | 'refId' | 'color' | 'y' | 'slos' | 'source' | 'amount'> & {
    fractionRange(t: number): [number, number, number];
  };
}

export function prepareCdfData(frames: DataFrame[], options: CdfOptions, theme: GrafanaTheme2): CdfResult {
  const notes: string[] = [];
  const queries = queriesByRefId(frames);
  const found: RawSeries[] = [
    ...lensCdfSeries(frames),
    ...histogramSeries(frames, notes, queries),
    ...nativeHistogramSeries(frames, queries),
    ...rawSeries(frames, notes),
  ];
  if (!found.length) {
    return { warning: 'No durations found: expected raw numeric values, Prometheus `le` buckets or a CDF frame.' };
  }
  const names = uniqueNames(found);
  found.forEach((s, i) => (s.name = names[i]));
  const log = options.xScale === 'log';
  const ps = [...options.percentiles].sort((a, b) => a - b);
  const palette = theme.visualization.palette;
  let xMin = Infinity;
  let xMax = -Infinity;
  const series: CdfSeries[] = [];
  found.forEach((s, i) => {
    const built = s.build(ps, log);
    if (!built.count) {
      notes.push(`${s.name}: no values`);
      return;
    }
    const y = options.complementary ? built.f.map((v) => 1 - v) : built.f;
    const boxes = built.boxes && options.complementary ? complementBoxes(built.boxes) : built.boxes;
    for (let k = 0; k < built.x.length; k++) {
      const v = built.x[k];
      if (v < xMin && (!log || v > 0)) {
        xMin = v;
      }
      if (v > xMax && Number.isFinite(v)) {
        xMax = v;
      }
    }
    series.push({
      name: s.name,
      labels: s.labels,
      refId: s.refId,
      source: s.source,
      color: theme.visualization.getColorByName(palette[i % palette.length]),
      count: built.count,
      amount: amountOf(s.weight, built.count),
      decimals: s.decimals,
      x: built.x,
      f: built.f,
      y,
      boxes,
      quantiles: built.quantiles,
      overflow: built.overflow,
      slos: options.slos.map((slo) => {
        const [achieved, low, high] = built.fractionRange(slo.thresholdMs);
        const met = low >= slo.target ? true : high < slo.target ? false : undefined;
        const pct = (v: number) => `${+(v * 100).toFixed(2)}%`;
        const got = low === high ? pct(achieved) : `${pct(low)}–${pct(high)}`;
        return {
          ...slo,
          achieved,
          low,
          high,
          met,
          text: `${pct(slo.target)} of requests under ${formatMs(slo.thresholdMs)}: ${got} ${met === true ? 'met' : met === false ? 'missed' : 'unclear (bucket)'}`,
        };
      }),
    });
  });
  if (!series.length) {
    return { warning: 'The frames hold no finite durations.' };
  }
  if (!Number.isFinite(xMin)) {
    xMin = log ? 1e-3 : 0;
  }
  if (xMax <= xMin) {
    xMax = xMin * 2 || 1;
  }
  const axis = widestLimits(found.map((s) => s.limits));
  if (log && axis.min !== undefined && !(axis.min > 0)) {
    axis.min = undefined;
  }
  if (axis.min !== undefined && axis.max !== undefined && !(axis.max > axis.min)) {
    axis.min = undefined;
    axis.max = undefined;
  }
  return { series, xMin, xMax, axis, decimals: series[0].decimals, xScale: options.xScale, complementary: options.complementary, notes };
}

/**
 * A duration for people: s, ms or µs by its size, three significant digits; with `decimals`
 * (Grafana's Decimals standard option) that many digits after the point, as Grafana's own
 * duration units show them.
 */
export function formatMs(ms: number, decimals?: number): string {
  if (!Number.isFinite(ms)) {
    return String(ms);
  }
  const [v, unit] = ms >= 1000 ? [ms / 1000, 's'] : ms >= 1 ? [ms, 'ms'] : [ms * 1000, 'µs'];
  return `${decimals === undefined ? +v.toPrecision(3) : toFixed(v, decimals)} ${unit}`;
}

/** `v` to `d` decimals, halves rounded up as written in decimal (1.2345 → 1.235, where toFixed says 1.234). */
function toFixed(v: number, d: number): string {
  const r = Number(`${Math.round(Number(`${v}e${d}`))}e-${d}`);
  return (Number.isFinite(r) ? r : v).toFixed(d);
}

/** The Decimals standard option of a field (set for the panel or by an override), if any. */
export function fieldDecimals(field: Field | undefined): number | undefined {
  const d = field?.config?.decimals;
  return typeof d === 'number' && Number.isFinite(d) && d >= 0 ? Math.min(20, Math.floor(d)) : undefined;
}

function complementBoxes(b: CdfBoxes): CdfBoxes {
  return { x0: b.x0, x1: b.x1, y0: b.y1.map((v) => 1 - v), y1: b.y0.map((v) => 1 - v) };
}

interface BucketWeight {
  kind: 'count' | 'rate' | 'unknown';
  /** Time steps with a sample. */
  steps: number;
}

function amountOf(w: BucketWeight | undefined, total: number): CdfAmount {
  if (w?.kind === 'rate') {
    return { kind: 'rate', perSecond: w.steps ? total / w.steps : total };
  }
  return w?.kind === 'unknown' ? { kind: 'unknown' } : { kind: 'count', n: total };
}

/** The query of each refId as Grafana's Prometheus data source records it (`Expr: …` in meta.executedQueryString). */
function queriesByRefId(frames: DataFrame[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of frames) {
    const q = f.meta?.executedQueryString;
    if (q && !out.has(f.refId ?? '')) {
      out.set(f.refId ?? '', q);
    }
  }
  return out;
}

const RATE_CALL = /(?:^|[^A-Za-z0-9_:])i?rate\s*\(/;

/**
 * Whether bucket values are counts or per-second rates: from the query (rate/irate give rates;
 * increase, raw counters give counts), else counts when every value is whole, else unknown.
 */
function weightKind(frame: DataFrame, queries: Map<string, string>, integral: boolean): BucketWeight['kind'] {
  const q = frame.meta?.executedQueryString || queries.get(frame.refId ?? '');
  if (q) {
    return RATE_CALL.test(q) ? 'rate' : 'count';
  }
  return integral ? 'count' : 'unknown';
}

/** Samples present (finite, not null) and whether all are whole numbers. */
function sampleStats(v: ArrayLike<unknown>): { present: number; integral: boolean } {
  let present = 0;
  let integral = true;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] == null ? NaN : Number(v[i]);
    if (Number.isFinite(x)) {
      present++;
      integral &&= Number.isInteger(x);
    }
  }
  return { present, integral };
}

// --------------------------------------------------------------- our backend's CDF frames

function lensCdfSeries(frames: DataFrame[]): RawSeries[] {
  return frames
    .filter((f) => lensKindOf(f) === 'cdf')
    .flatMap((frame) => {
      const xf = fieldByName(frame, CdfFields.durationMs);
      const ff = fieldByName(frame, CdfFields.fraction);
      if (!xf || !ff) {
        return [];
      }
      const lo = fieldByName(frame, CdfFields.lowerMs);
      const hi = fieldByName(frame, CdfFields.upperMs);
      const cnt = fieldByName(frame, CdfFields.count);
      const n = xf.values.length;
      const xAll = Float64Array.from(xf.values as number[]);
      const fAll = Float64Array.from(ff.values as number[]);
      const lowerAll = lo ? Float64Array.from(lo.values as number[]) : xAll;
      const upperAll = hi ? Float64Array.from(hi.values as number[]) : xAll;
      const bucketed = lowerAll.some((v, i) => v < upperAll[i]);
      // `count` is cumulative (observations ≤ durationMs): the total is its largest value.
      const total = cnt ? (cnt.values as number[]).reduce((a, b) => Math.max(a, Number(b) || 0), 0) : n;
      // The +Inf bucket's row (durationMs +Inf) is no point on the curve: it is the overflow.
      const finite = xAll.every(Number.isFinite) ? undefined : xAll.map((_, i) => i).filter((i) => Number.isFinite(xAll[i]));
      const keep = (a: Float64Array) => (finite ? Float64Array.from(finite, (i) => a[i]) : a);
      const x = keep(xAll);
      const f = keep(fAll);
      const lastFinite = finite?.length ? finite[finite.length - 1] : -1;
      const overflow = !finite ? 0 : cnt ? total - (lastFinite < 0 ? 0 : Number(cnt.values[lastFinite]) || 0) : total * (1 - (f[f.length - 1] ?? 0));
      const labels = { ...ff.labels };
      return [
        {
          name: seriesName(frame, ff),
          labels,
          refId: frame.refId,
          source: 'lens' as const,
          limits: fieldLimits(xf, msFactor(xf, 1)),
          decimals: fieldDecimals(xf),
          build: (ps: number[]) => ({
            count: total,
            x,
            f,
            overflow,
            boxes: bucketed ? boxesFromSteps(keep(lowerAll), keep(upperAll), f) : undefined,
            quantiles: ps.map((p) => stepQuantile(p, xAll, fAll, lowerAll, upperAll)),
            fractionRange: (t: number) => stepFractionRange(xAll, fAll, lowerAll, upperAll, t),
          }),
        },
      ];
    });
}

/**
 * Quantile p from CDF steps: exact where a step is one value; inside a bucket interpolated
 * linearly as histogram_quantile does; in the +Inf bucket the highest finite bound.
 */
function stepQuantile(p: number, x: Float64Array, f: Float64Array, lower: Float64Array, upper: Float64Array): CdfQuantile {
  const i = firstAtLeast(f, p);
  const k = i < 0 ? f.length - 1 : i;
  const lowMs = lower[k];
  const highMs = upper[k];
  if (!(lowMs < highMs)) {
    return { p, valueMs: x[k], lowMs, highMs };
  }
  if (!Number.isFinite(highMs)) {
    return { p, valueMs: lowMs, lowMs, highMs };
  }
  if (!Number.isFinite(lowMs)) {
    return { p, valueMs: highMs, lowMs, highMs };
  }
  const below = k ? f[k - 1] : 0;
  const inStep = f[k] - below;
  const share = inStep > 0 ? Math.min(1, Math.max(0, (p - below) / inStep)) : 1;
  return { p, valueMs: lowMs + (highMs - lowMs) * share, lowMs, highMs };
}

function boxesFromSteps(lower: Float64Array, upper: Float64Array, f: Float64Array): CdfBoxes {
  const n = f.length;
  const y0 = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    y0[i] = f[i - 1];
  }
  return { x0: lower, x1: upper, y0, y1: f };
}

function firstAtLeast(f: Float64Array, p: number): number {
  let lo = 0;
  let hi = f.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (f[mid] < p - 1e-12) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < f.length ? lo : -1;
}

/** F(t) from steps where step i's values lie in [lower[i], upper[i]] and F reaches f[i] there. */
function stepFractionRange(
  x: Float64Array,
  f: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  t: number
): [number, number, number] {
  let low = 0;
  let high = 0;
  let point = 0;
  for (let i = 0; i < f.length; i++) {
    if (upper[i] <= t) {
      low = f[i];
    }
    if (lower[i] <= t) {
      high = f[i];
    }
    if (x[i] <= t) {
      point = f[i];
    }
  }
  return [Math.min(Math.max(point, low), high), low, high];
}

// --------------------------------------------------------------- Prometheus `le` histograms

interface Bucket {
  le: number;
  count: number;
}

/**
 * Total of one bucket series over the range: counter delta for raw counters, else the sum of
 * increases/rates. `perStep` says the values are per-step counts for sure (never a counter).
 */
function bucketTotal(v: ArrayLike<unknown>, perStep: boolean): number {
  let sum = 0;
  let monotone = true;
  let integral = true;
  let prev = -Infinity;
  let first = NaN;
  let last = NaN;
  let present = 0;
  for (let i = 0; i < v.length; i++) {
    // null is a step without a sample (Number(null) would read it as a counter at 0)
    const x = v[i] == null ? NaN : Number(v[i]);
    if (!Number.isFinite(x)) {
      continue;
    }
    present++;
    if (Number.isNaN(first)) {
      first = x;
    }
    last = x;
    sum += x;
    if (x < prev) {
      monotone = false;
    }
    if (!Number.isInteger(x)) {
      integral = false;
    }
    prev = x;
  }
  return !perStep && monotone && integral && present > 2 && last > first ? last - first : sum;
}

/**
 * Steps of a heatmap-format frame (per label set, `le` aside) where a bucket had no sample:
 * Grafana subtracts the bucket below at every step, so a bucket without a sample comes out as
 * minus the bucket below (and the bucket above keeps its cumulative count). Such a step's
 * cells say nothing sure about the buckets: the whole step is left out.
 */
function stepsMissingASample(frame: DataFrame): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const field of frame.fields) {
    if (leOf(field) === undefined || !isNumeric(field)) {
      continue;
    }
    const key = labelsKey(field.labels, ['le']);
    let bad = out.get(key);
    if (!bad) {
      bad = new Set();
      out.set(key, bad);
    }
    const v = field.values as Array<number | null>;
    for (let i = 0; i < v.length; i++) {
      if (v[i] != null && Number(v[i]) < -1e-9) {
        bad.add(i);
      }
    }
  }
  return out;
}

function histogramSeries(frames: DataFrame[], notes: string[], queries: Map<string, string>): RawSeries[] {
  const groups = new Map<
    string,
    {
      buckets: Bucket[];
      labels: Labels;
      refId?: string;
      name: string;
      factor: number;
      perBucket: boolean;
      skipped: number;
      frame: DataFrame;
      steps: number;
      integral: boolean;
      decimals?: number;
    }
  >();
  for (const frame of frames) {
    if (lensKindOf(frame) && lensKindOf(frame) !== 'metrics') {
      continue;
    }
    // Grafana's Prometheus data source in Heatmap format: each field holds its own bucket's
    // count per step (the bucket below subtracted), never cumulative counts nor counters.
    const heatmap = frame.meta?.type === DataFrameType.HeatmapRows;
    const skip = heatmap ? stepsMissingASample(frame) : undefined;
    for (const field of frame.fields) {
      const le = leOf(field);
      if (le === undefined || !isNumeric(field)) {
        continue;
      }
      const key = `${frame.refId ?? ''}|${heatmap ? 'heatmap' : ''}|${labelsKey(field.labels, ['le'])}`;
      let g = groups.get(key);
      if (!g) {
        const labels = { ...field.labels };
        delete labels.le;
        const name = Object.keys(labels).length
          ? Object.entries(labels)
              .map(([k, v]) => `${k}="${v}"`)
              .join(', ')
          : `${frame.refId ?? 'histogram'} buckets`;
        // Prometheus histograms are in seconds unless the unit says otherwise.
        g = { buckets: [], labels, refId: frame.refId, name, factor: msFactor(field, 1000), perBucket: heatmap, skipped: 0, frame, steps: 0, integral: true };
        groups.set(key, g);
      }
      const bad = skip?.get(labelsKey(field.labels, ['le']));
      g.skipped = Math.max(g.skipped, bad?.size ?? 0);
      const values = bad?.size ? Array.from(field.values as unknown[], (v, i) => (bad.has(i) ? null : v)) : field.values;
      const stats = sampleStats(values);
      g.steps = Math.max(g.steps, stats.present);
      g.integral &&= stats.integral;
      // Decimals set on any bucket (an override may match one field of the histogram).
      g.decimals ??= fieldDecimals(field);
      g.buckets.push({ le, count: bucketTotal(values, heatmap) });
    }
  }
  for (const t of bucketTables(frames)) {
    const key = `${t.refId ?? ''}|table|${t.key}`;
    let g = groups.get(key);
    if (!g) {
      const name = Object.keys(t.labels).length
        ? Object.entries(t.labels)
            .map(([k, v]) => `${k}="${v}"`)
            .join(', ')
        : `${t.refId ?? 'histogram'} buckets`;
      g = { buckets: [], labels: t.labels, refId: t.refId, name, factor: t.factor, perBucket: false, skipped: 0, frame: t.frame, steps: 0, integral: true, decimals: t.decimals };
      groups.set(key, g);
    }
    for (const [le, values] of t.byLe) {
      const stats = sampleStats(values);
      g.steps = Math.max(g.steps, stats.present);
      g.integral &&= stats.integral;
      g.buckets.push({ le, count: bucketTotal(values, false) });
    }
  }
  return [...groups.values()].map((g) => {
    const merged = new Map<number, number>();
    for (const b of g.buckets) {
      merged.set(b.le, (merged.get(b.le) ?? 0) + b.count);
    }
    const bounds = [...merged.keys()].sort((a, b) => a - b);
    let counts = bounds.map((b) => merged.get(b)!);
    const cumulative = !g.perBucket && counts.every((c, i) => i === 0 || c >= counts[i - 1] - 1e-9);
    if (!cumulative) {
      let acc = 0;
      counts = counts.map((c) => (acc += c));
    }
    if (g.skipped) {
      notes.push(
        `${g.name}: ${g.skipped} time ${g.skipped === 1 ? 'step' : 'steps'} left out, a bucket's sample missing there (the heatmap format made its count negative)`
      );
    }
    if (bounds[bounds.length - 1] !== Infinity) {
      notes.push(`${g.name}: no +Inf bucket; values above ${formatMs(bounds[bounds.length - 1] * g.factor)} are not counted`);
    }
    return {
      name: g.name,
      labels: g.labels,
      refId: g.refId,
      source: 'histogram' as const,
      weight: { kind: weightKind(g.frame, queries, g.integral), steps: g.steps },
      decimals: g.decimals,
      build: (ps: number[], log: boolean) => bucketCurve(bounds.map((b) => b * g.factor), counts, ps, log),
    };
  });
}

// --------------------------------------------------------------- Prometheus table format

/** The value column of a Prometheus table: `Value`, `Value #A` (several queries), else the last other number column. */
function tableValueField(frame: DataFrame, le: Field): Field | undefined {
  const numbers = frame.fields.filter((f) => f !== le && isNumeric(f));
  return numbers.find((f) => f.name === 'Value' || f.name.startsWith('Value #')) ?? numbers[numbers.length - 1];
}

/**
 * Grafana's Prometheus data source with Format "Table": Time, one column per label (`le` a
 * number or a string column), the sample in `Value`; one row per sample. A frame with an `le`
 * column whose values read as bucket bounds.
 */
function bucketTableOf(frame: DataFrame): { le: Field; value: Field } | undefined {
  if ((lensKindOf(frame) && lensKindOf(frame) !== 'metrics') || frame.meta?.type === DataFrameType.HeatmapRows) {
    return undefined;
  }
  const le = fieldByName(frame, 'le');
  if (!le || !frame.length) {
    return undefined;
  }
  const value = tableValueField(frame, le);
  if (!value) {
    return undefined;
  }
  for (let i = 0; i < frame.length; i++) {
    if (leValue(le.values[i]) === undefined) {
      return undefined;
    }
  }
  return { le, value };
}

export function isBucketTable(frame: DataFrame): boolean {
  return bucketTableOf(frame) !== undefined;
}

function leValue(v: unknown): number | undefined {
  if (typeof v === 'number') {
    return Number.isNaN(v) ? undefined : v;
  }
  if (typeof v !== 'string' || !v.trim()) {
    return undefined;
  }
  if (v === '+Inf' || v === 'Inf') {
    return Infinity;
  }
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

interface BucketTable {
  frame: DataFrame;
  decimals?: number;
  refId?: string;
  /** The other label columns' values (the series without `le`). */
  key: string;
  labels: Labels;
  factor: number;
  /** Each bucket's samples in time order. */
  byLe: Map<number, Array<number | null>>;
}

/** Table-format buckets → one entry per label set (the columns other than Time, `le` and the value). */
function bucketTables(frames: DataFrame[]): BucketTable[] {
  const out: BucketTable[] = [];
  for (const frame of frames) {
    const table = bucketTableOf(frame);
    if (!table) {
      continue;
    }
    const time = frame.fields.find(isTime);
    const labelFields = frame.fields.filter((f) => f !== table.le && f !== table.value && f !== time && f.type === FieldType.string);
    const groups = new Map<string, BucketTable & { rows: Map<number, Array<[number, number | null]>> }>();
    for (let i = 0; i < frame.length; i++) {
      const labels: Labels = {};
      for (const f of labelFields) {
        const v = f.values[i];
        if (v != null && v !== '') {
          labels[f.name] = String(v);
        }
      }
      const key = labelsKey(labels, []);
      let g = groups.get(key);
      if (!g) {
        const metric = labels.__name__;
        delete labels.__name__;
        // Prometheus histograms are in seconds unless the unit or the metric name says otherwise.
        const factor = msFactor({ ...table.le, name: '', labels: metric ? { __name__: metric } : undefined, config: table.le.config ?? {} }, 1000);
        g = { frame, refId: frame.refId, key, labels, factor, byLe: new Map(), rows: new Map() };
        groups.set(key, g);
      }
      const le = leValue(table.le.values[i])!;
      const v = table.value.values[i];
      const sample: [number, number | null] = [time ? Number(time.values[i]) : i, v == null ? null : Number(v)];
      const rows = g.rows.get(le);
      if (rows) {
        rows.push(sample);
      } else {
        g.rows.set(le, [sample]);
      }
    }
    for (const g of groups.values()) {
      for (const [le, rows] of g.rows) {
        g.byLe.set(
          le,
          rows.sort((a, b) => a[0] - b[0]).map((r) => r[1])
        );
      }
      out.push({ frame, decimals: fieldDecimals(table.value) ?? fieldDecimals(table.le), refId: g.refId, key: g.key, labels: g.labels, factor: g.factor, byLe: g.byLe });
    }
  }
  return out;
}

// --------------------------------------------------------------- Prometheus native histograms

/** Grafana's Prometheus data source: a native histogram series is one "heatmap-cells" frame. */
function isNativeHistogramFrame(frame: DataFrame): boolean {
  return (
    frame.meta?.type === DataFrameType.HeatmapCells &&
    !lensKindOf(frame) &&
    ['yMin', 'yMax', 'count'].every((n) => fieldByName(frame, n) !== undefined)
  );
}

/**
 * Native histogram frames (rows xMax, yMin, yMax, count: one bucket at one step) → one curve
 * each: a bucket's counts summed over the steps, its own bounds (sparse buckets leave gaps).
 * Bounds are in the metric's unit (seconds unless its name or the field unit says otherwise).
 */
function nativeHistogramSeries(frames: DataFrame[], queries: Map<string, string>): RawSeries[] {
  return frames.filter(isNativeHistogramFrame).map((frame) => {
    const yMin = fieldByName(frame, 'yMin')!;
    const yMax = fieldByName(frame, 'yMax')!;
    const count = fieldByName(frame, 'count')!;
    const labels = { ...yMin.labels };
    const metric = labels.__name__;
    delete labels.__name__;
    const factor = msFactor({ ...yMax, name: frame.name || metric || yMax.name, config: yMax.config ?? {} }, 1000);
    const buckets = new Map<number, { lo: number; n: number }>();
    const xMax = fieldByName(frame, 'xMax') ?? frame.fields.find(isTime);
    const steps = new Set<unknown>();
    let integral = true;
    for (let i = 0; i < frame.length; i++) {
      const lo = Number(yMin.values[i]);
      const hi = Number(yMax.values[i]);
      const n = count.values[i] == null ? NaN : Number(count.values[i]);
      if (Number.isFinite(n)) {
        // A step without traffic (all counts 0) is a step of the mean rate all the same.
        steps.add(xMax ? xMax.values[i] : i);
        integral &&= Number.isInteger(n);
      }
      if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(n) || n <= 0) {
        continue;
      }
      const b = buckets.get(hi);
      if (b) {
        b.n += n;
        b.lo = Math.min(b.lo, lo);
      } else {
        buckets.set(hi, { lo, n });
      }
    }
    // Durations are not negative: buckets at or below 0 count as the first bucket's at 0.
    const bounds = [...buckets.keys()].sort((a, b) => a - b);
    let acc = 0;
    const cumulative = bounds.map((b) => (acc += buckets.get(b)!.n));
    const lowers = bounds.map((b) => Math.max(0, buckets.get(b)!.lo));
    const name = Object.keys(labels).length
      ? Object.entries(labels)
          .map(([k, v]) => `${k}="${v}"`)
          .join(', ')
      : frame.name || metric || `${frame.refId ?? 'native'} histogram`;
    return {
      name,
      labels,
      refId: frame.refId,
      source: 'histogram' as const,
      weight: { kind: weightKind(frame, queries, integral), steps: steps.size },
      decimals: fieldDecimals(yMax) ?? fieldDecimals(count),
      build: (ps: number[], log: boolean) =>
        bucketCurve(
          bounds.map((b) => Math.max(0, b) * factor),
          cumulative,
          ps,
          log,
          lowers.map((l) => l * factor)
        ),
    };
  });
}

/**
 * Cumulative bucket counts → F at each finite bound, boxes per bucket, interpolated quantile
 * intervals. A bucket's values lie above the bound before it, or above `lowersMs[i]` when the
 * buckets say their own lower bounds (native histograms, whose empty buckets leave gaps).
 */
export function bucketCurve(boundsMs: number[], cumulative: number[], ps: number[], log: boolean, lowersMs?: number[]) {
  const total = cumulative[cumulative.length - 1] ?? 0;
  const finite = boundsMs.map((b, i) => ({ b, c: cumulative[i], lo: lowersMs?.[i] })).filter((p) => Number.isFinite(p.b));
  const m = finite.length;
  const x = new Float64Array(m);
  const f = new Float64Array(m);
  const x0 = new Float64Array(m);
  const y0 = new Float64Array(m);
  const firstLower = (b: number) => (log ? b / 4 : 0);
  for (let i = 0; i < m; i++) {
    x[i] = finite[i].b;
    f[i] = total ? finite[i].c / total : 0;
    const prev = i ? finite[i - 1].b : firstLower(finite[0].b);
    const own = finite[i].lo;
    x0[i] = own !== undefined && own >= prev && own < finite[i].b && (own > 0 || !log) ? own : prev;
    y0[i] = i ? f[i - 1] : 0;
  }
  const overflow = total - (m ? finite[m - 1].c : 0);
  const quantiles = ps.map((p) => {
    const rank = p * total;
    const i = finite.findIndex((q) => q.c >= rank);
    if (i < 0) {
      const last = m ? finite[m - 1].b : NaN;
      return { p, valueMs: last, lowMs: last, highMs: Infinity };
    }
    const lo = x0[i];
    const hi = x[i];
    const below = i ? finite[i - 1].c : 0;
    const inBucket = finite[i].c - below;
    const valueMs = inBucket > 0 ? lo + ((hi - lo) * (rank - below)) / inBucket : hi;
    return { p, valueMs, lowMs: lo, highMs: hi };
  });
  return {
    count: total,
    x,
    f,
    overflow,
    boxes: { x0, x1: x, y0, y1: f },
    quantiles,
    fractionRange: (t: number): [number, number, number] => {
      let low = 0;
      let high = 0;
      let point = 0;
      for (let i = 0; i < m; i++) {
        if (x[i] <= t) {
          low = f[i];
        }
        if (x0[i] < t) {
          high = f[i];
          point = x[i] <= t ? f[i] : y0[i] + ((f[i] - y0[i]) * (t - x0[i])) / (x[i] - x0[i] || 1);
        }
      }
      if (t >= (m ? x[m - 1] : 0) && overflow > 0) {
        high = 1;
      }
      return [point, low, high];
    },
  };
}

// --------------------------------------------------------------- raw durations

const DURATION_NAMES = [SpanFields.duration, SearchFields.durationMs, 'durationMs', 'latency', 'latencyMs', 'elapsed'];

function rawSeries(frames: DataFrame[], notes: string[]): RawSeries[] {
  const out: RawSeries[] = [];
  for (const frame of frames) {
    const kind = lensKindOf(frame);
    if (kind && !['spans', 'search', 'metrics'].includes(kind)) {
      continue;
    }
    if (isExemplarFrame(frame) || isLogsFrame(frame) || isNativeHistogramFrame(frame) || isBucketTable(frame)) {
      continue;
    }
    let fields: Field[];
    if (isTraceFrame(frame)) {
      fields = frame.fields.filter((f) => f.name === SpanFields.duration);
    } else {
      const numeric = frame.fields.filter((f) => isNumeric(f) && leOf(f) === undefined && quantileOf(f) === undefined);
      const named = numeric.filter((f) => DURATION_NAMES.includes(f.name));
      fields = named.length ? named : numeric;
    }
    for (const field of fields) {
      const factor = msFactor(field, 1);
      const src = field.values as ArrayLike<number>;
      const values = new Float64Array(src.length);
      let n = 0;
      let dropped = 0;
      for (let i = 0; i < src.length; i++) {
        // null is a missing value (Number(null) would make it 0 ms)
        if (src[i] == null) {
          continue;
        }
        const v = Number(src[i]) * factor;
        if (Number.isFinite(v) && v >= 0) {
          values[n++] = v;
        } else {
          dropped++;
        }
      }
      const name = seriesName(frame, field);
      if (dropped) {
        notes.push(`${name}: ${dropped} non-finite or negative values ignored`);
      }
      const kept = n === values.length ? values : values.subarray(0, n);
      out.push({
        name,
        labels: { ...field.labels },
        refId: frame.refId,
        source: 'raw',
        limits: fieldLimits(field, factor),
        decimals: fieldDecimals(field),
        build: (ps, log) => {
          const d = distribution(kept, ps, log);
          return {
            count: d.n,
            x: d.x,
            f: d.f,
            overflow: 0,
            quantiles: ps.map((p, i) => ({ p, valueMs: d.quantiles[i], lowMs: d.quantiles[i], highMs: d.quantiles[i] })),
            fractionRange: (t: number) => {
              const v = d.fractionAt(t);
              return [v, v, v];
            },
          };
        },
      });
    }
  }
  return out;
}
