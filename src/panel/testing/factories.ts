/**
 * Factories for frames shaped like our backend's and Grafana's core data sources'. Shared by
 * unit tests, the browser harness fixtures and the benchmarks; every random input is seeded.
 */
import { createDataFrame, DataFrameType, FieldType, type DataFrame, type FieldConfig, type Labels } from '@grafana/data';

import { CdfFields, ExemplarFields, LENS_KIND, LogFields, QUANTILE_LABEL, SpanFields, type LensFrameKind } from '../../shared/frames';
import { makeDurations, makeRng } from './random';

const lensMeta = (kind: LensFrameKind) => ({ custom: { [LENS_KIND]: kind } });

/** Raw durations as one numeric field (Grafana core: any numeric field). */
export function makeDurationsFrame(
  values: Float64Array | number[],
  opts: { name?: string; fieldName?: string; unit?: string; refId?: string; labels?: Labels } = {}
): DataFrame {
  return createDataFrame({
    name: opts.name,
    refId: opts.refId ?? 'A',
    fields: [
      {
        name: opts.fieldName ?? 'duration',
        type: FieldType.number,
        values: values as number[],
        config: opts.unit ? { unit: opts.unit } : {},
        labels: opts.labels,
      },
    ],
  });
}

/**
 * Prometheus classic histogram as Grafana's Prometheus data source returns it for
 * `sum by (le) (increase(x_bucket[…]))`: one frame per bucket, fields Time + Value{le=…}.
 * `bounds` in seconds, ascending, without +Inf (added). Values are cumulative counts per step.
 */
export function makeHistogramFrames(
  durationsMs: Float64Array,
  boundsS: number[],
  opts: { steps?: number; labels?: Labels; cumulative?: boolean; refId?: string } = {}
): DataFrame[] {
  const steps = opts.steps ?? 4;
  const all = [...boundsS, Infinity];
  const counts = all.map((b) => {
    let c = 0;
    for (const v of durationsMs) {
      if (v <= b * 1000) {
        c++;
      }
    }
    return c;
  });
  const perBucket = counts.map((c, i) => (opts.cumulative === false ? c - (i ? counts[i - 1] : 0) : c));
  const t0 = Date.UTC(2026, 10, 1);
  const times = Array.from({ length: steps }, (_, i) => t0 + i * 60_000);
  return all.map((b, i) =>
    createDataFrame({
      refId: opts.refId ?? 'A',
      fields: [
        { name: 'Time', type: FieldType.time, values: times },
        {
          name: 'Value',
          type: FieldType.number,
          // Split the bucket's count evenly over the steps (increase per step).
          values: times.map(() => perBucket[i] / steps),
          labels: { ...opts.labels, le: b === Infinity ? '+Inf' : String(b) },
        },
      ],
    })
  );
}

/**
 * Grafana's Prometheus data source with Format "Heatmap": one frame (meta.type "heatmap-rows"),
 * Time then one field per bucket sorted by `le`, each holding the count of its own bucket only
 * (Grafana subtracts the bucket below at every step), named by the legend (`{{le}}`).
 * `perBucket[i]` holds bucket i's count at each step.
 */
export function makeHeatmapFrame(bounds: string[], perBucket: number[][]): DataFrame {
  const steps = perBucket[0].length;
  const t0 = Date.UTC(2026, 10, 1);
  return createDataFrame({
    refId: 'A',
    meta: { type: DataFrameType.HeatmapRows },
    fields: [
      { name: 'Time', type: FieldType.time, values: Array.from({ length: steps }, (_, i) => t0 + i * 60_000) },
      ...bounds.map((le, i) => ({
        name: le,
        type: FieldType.number,
        values: perBucket[i],
        labels: { le },
        config: { displayNameFromDS: le },
      })),
    ],
  });
}

/** One cell of a native histogram: the step's time, the bucket's bounds and its count. */
export interface NativeCell {
  t: number;
  lo: number;
  hi: number;
  count: number;
}

/**
 * A Prometheus native histogram as Grafana's Prometheus data source returns it: one
 * "heatmap-cells" frame per series, a row per bucket and step (xMax, yMin, yMax, count,
 * yLayout), the series labels on yMin, the frame named by the metric when there is one, and
 * the query Grafana records as executed when given.
 */
export function makeNativeHistogramFrame(
  cells: NativeCell[],
  opts: { name?: string; labels?: Record<string, string>; executedQueryString?: string } = {}
): DataFrame {
  return createDataFrame({
    refId: 'A',
    name: opts.name,
    meta: { type: DataFrameType.HeatmapCells, executedQueryString: opts.executedQueryString },
    fields: [
      { name: 'xMax', type: FieldType.time, values: cells.map((c) => c.t) },
      { name: 'yMin', type: FieldType.number, values: cells.map((c) => c.lo), labels: opts.labels ?? { service: 'cart' } },
      { name: 'yMax', type: FieldType.number, values: cells.map((c) => c.hi) },
      { name: 'count', type: FieldType.number, values: cells.map((c) => c.count) },
      { name: 'yLayout', type: FieldType.number, values: cells.map(() => 0) },
    ],
  });
}

/**
 * Our backend's CDF frame read from classic histogram buckets (pkg/frames CDF with the steps of
 * latency.Classic.CDF): one row per bucket, the last the +Inf bucket at fraction 1; `count` is
 * cumulative (observations ≤ the bucket's upper bound); a step's values lie in (lowerMs, upperMs].
 * `boundsMs` ascending, ending with Infinity; `cumulative` the `le` counts.
 */
export function makeLensBucketCdfFrame(boundsMs: number[], cumulative: number[]): DataFrame {
  const total = cumulative[cumulative.length - 1];
  const lower = boundsMs.map((b, i) => (i ? boundsMs[i - 1] : b > 0 ? 0 : -Infinity));
  return createDataFrame({
    name: 'CDF',
    meta: lensMeta('cdf'),
    fields: [
      { name: CdfFields.durationMs, type: FieldType.number, values: boundsMs, config: { unit: 'ms' } },
      { name: CdfFields.fraction, type: FieldType.number, values: cumulative.map((c) => c / total), config: { unit: 'percentunit', min: 0, max: 1 } },
      { name: CdfFields.lowerMs, type: FieldType.number, values: lower, config: { unit: 'ms' } },
      { name: CdfFields.upperMs, type: FieldType.number, values: boundsMs, config: { unit: 'ms' } },
      { name: CdfFields.count, type: FieldType.number, values: cumulative },
    ],
  });
}

/** Percentile series: one frame per quantile (our backend's shape; Prometheus summaries look alike). */
export function makePercentileFrames(opts: {
  quantiles?: number[];
  points?: number;
  seed?: number;
  labels?: Labels;
  unit?: string;
  lens?: boolean;
  stepMs?: number;
  startMs?: number;
}): DataFrame[] {
  const quantiles = opts.quantiles ?? [0.5, 0.9, 0.99];
  const points = opts.points ?? 120;
  const rng = makeRng(opts.seed ?? 1);
  const start = opts.startMs ?? Date.UTC(2026, 10, 1);
  const step = opts.stepMs ?? 15_000;
  const time = new Float64Array(points);
  const base = new Float64Array(points);
  let level = 40;
  for (let i = 0; i < points; i++) {
    time[i] = start + i * step;
    level = Math.max(5, level + rng.normal() * 1.5 + (40 - level) * 0.02);
    base[i] = level;
  }
  return quantiles.map((q) => {
    const z = q <= 0.5 ? 0 : Math.sqrt(-2 * Math.log(1 - q));
    const values = new Float64Array(points);
    for (let i = 0; i < points; i++) {
      values[i] = base[i] * Math.exp(0.45 * z);
    }
    const config: FieldConfig = { unit: opts.unit ?? 'ms' };
    return createDataFrame({
      refId: 'A',
      meta: opts.lens === false ? undefined : lensMeta('percentile'),
      fields: [
        { name: 'time', type: FieldType.time, values: time as unknown as number[] },
        {
          name: 'value',
          type: FieldType.number,
          values: values as unknown as number[],
          labels: { ...opts.labels, [QUANTILE_LABEL]: String(q) },
          config,
        },
      ],
    });
  });
}

export interface ExemplarRow {
  time: number;
  value: number;
  traceID: string;
  spanID?: string;
}

/** Exemplars frame; the traceID field carries an internal-style data link, as Grafana's exemplars do. */
export function makeExemplarsFrame(rows: ExemplarRow[], linkUrl = '/explore?traceId=${__value.raw}'): DataFrame {
  return createDataFrame({
    name: 'exemplar',
    meta: lensMeta('exemplars'),
    fields: [
      { name: ExemplarFields.time, type: FieldType.time, values: rows.map((r) => r.time) },
      { name: ExemplarFields.value, type: FieldType.number, values: rows.map((r) => r.value), config: { unit: 'ms' } },
      {
        name: 'traceID',
        type: FieldType.string,
        values: rows.map((r) => r.traceID),
        config: { links: [{ title: 'Open trace', url: linkUrl }] },
      },
      // Null where an exemplar has no span ID, as the backend writes it.
      { name: ExemplarFields.spanId, type: FieldType.string, values: rows.map((r) => r.spanID ?? null) },
    ],
  });
}

// ---------------------------------------------------------------- traces

export interface KeyValue {
  key: string;
  value: unknown;
}

export interface SpanRow {
  traceID: string;
  spanID: string;
  parentSpanID: string;
  operationName: string;
  serviceName: string;
  serviceTags: KeyValue[];
  startTime: number;
  duration: number;
  /** Span events as Grafana's TraceLog: Tempo frames keep an event's name in `name`. */
  logs: Array<{ timestamp: number; name?: string; fields: KeyValue[] }>;
  references: Array<{ traceID: string; spanID: string; refType?: string; tags?: KeyValue[] }>;
  tags: KeyValue[];
  kind: string;
  statusCode: number;
  statusMessage: string;
}

export function makeSpan(over: Partial<SpanRow> = {}): SpanRow {
  return {
    traceID: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    spanID: '0000000000000001',
    parentSpanID: '',
    operationName: 'GET /',
    serviceName: 'frontend',
    serviceTags: [{ key: 'service.name', value: over.serviceName ?? 'frontend' }],
    startTime: Date.UTC(2026, 10, 1),
    duration: 10,
    logs: [],
    references: [],
    tags: [],
    kind: 'server',
    statusCode: 0,
    statusMessage: '',
    ...over,
  };
}

const SERVICES = ['frontend', 'checkout', 'cart', 'payments', 'inventory', 'shipping', 'db', 'cache'];
const OPS = ['GET /api/cart', 'POST /checkout', 'SELECT orders', 'redis GET', 'charge', 'reserve', 'quote', 'render'];

export interface TraceOptions {
  spans: number;
  seed?: number;
  /** Max children per span. */
  fanout?: number;
  errorRate?: number;
  logsPerSpan?: number;
  /** Shuffle rows (stores rarely return pre-order). */
  shuffle?: boolean;
}

/** A random but valid trace tree: children start after and (mostly) end before their parent. */
export function makeTrace(opts: TraceOptions): SpanRow[] {
  const rng = makeRng(opts.seed ?? 1);
  const fanout = opts.fanout ?? 4;
  const t0 = Date.UTC(2026, 10, 1, 12);
  const hex = (i: number) => (i + 1).toString(16).padStart(16, '0');
  const rows: SpanRow[] = [];
  const root = makeSpan({ spanID: hex(0), duration: 1000 + rng.next() * 1000, startTime: t0, serviceName: 'frontend', operationName: 'GET /checkout' });
  rows.push(root);
  let parentCursor = 0;
  while (rows.length < opts.spans) {
    const parent = rows[parentCursor];
    const kids = 1 + rng.int(fanout);
    for (let c = 0; c < kids && rows.length < opts.spans; c++) {
      const i = rows.length;
      const offset = rng.next() * parent.duration * 0.6;
      const duration = Math.max(0.01, (parent.duration - offset) * (0.2 + rng.next() * 0.75));
      const service = rng.pick(SERVICES);
      const isError = rng.next() < (opts.errorRate ?? 0.01);
      const logs = [];
      for (let l = 0; l < (opts.logsPerSpan ?? 0); l++) {
        logs.push({
          timestamp: parent.startTime + offset + (duration * (l + 1)) / ((opts.logsPerSpan ?? 1) + 1),
          fields: [
            { key: 'event', value: l === 0 ? 'start' : 'step' },
            { key: 'message', value: `${service} step ${l}` },
          ],
        });
      }
      rows.push(
        makeSpan({
          spanID: hex(i),
          parentSpanID: parent.spanID,
          serviceName: service,
          operationName: rng.pick(OPS),
          startTime: parent.startTime + offset,
          duration,
          statusCode: isError ? 2 : 0,
          statusMessage: isError ? 'deadline exceeded' : '',
          tags: [
            { key: 'http.status_code', value: isError ? 500 : 200 },
            { key: 'peer.id', value: `p${i % 97}` },
          ],
          logs,
          kind: rng.pick(['client', 'server', 'internal']),
        })
      );
    }
    parentCursor++;
  }
  if (opts.shuffle) {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
  }
  return rows;
}

/** Rows → a trace frame with Grafana's trace columns (what Tempo/Jaeger and our backend emit). */
export function traceToFrame(rows: SpanRow[], opts: { lens?: boolean } = {}): DataFrame {
  const col = <K extends keyof SpanRow>(k: K) => rows.map((r) => r[k]);
  const other = (name: string, values: unknown[]) => ({ name, type: FieldType.other, values });
  return createDataFrame({
    name: 'Trace',
    refId: 'A',
    meta: {
      preferredVisualisationType: 'trace',
      ...(opts.lens === false ? {} : lensMeta('spans')),
    },
    fields: [
      { name: SpanFields.traceId, type: FieldType.string, values: col('traceID') },
      { name: SpanFields.spanId, type: FieldType.string, values: col('spanID') },
      { name: SpanFields.parentSpanId, type: FieldType.string, values: col('parentSpanID') },
      { name: SpanFields.operationName, type: FieldType.string, values: col('operationName') },
      { name: SpanFields.serviceName, type: FieldType.string, values: col('serviceName') },
      other(SpanFields.serviceTags, col('serviceTags')),
      { name: SpanFields.startTime, type: FieldType.number, values: col('startTime') },
      { name: SpanFields.duration, type: FieldType.number, values: col('duration') },
      other(SpanFields.logs, col('logs')),
      other(SpanFields.references, col('references')),
      other(SpanFields.tags, col('tags')),
      { name: SpanFields.kind, type: FieldType.string, values: col('kind') },
      { name: SpanFields.statusCode, type: FieldType.number, values: col('statusCode') },
      { name: SpanFields.statusMessage, type: FieldType.string, values: col('statusMessage') },
    ],
  });
}

/** A joined logs frame (our backend's `logs` kind) with `perSpan` lines for every k-th span. */
export function makeLogsFrame(rows: SpanRow[], perSpan = 2, every = 3): DataFrame {
  const ts: number[] = [];
  const body: string[] = [];
  const level: string[] = [];
  const trace: string[] = [];
  const span: string[] = [];
  rows.forEach((r, i) => {
    if (i % every !== 0) {
      return;
    }
    for (let l = 0; l < perSpan; l++) {
      ts.push(r.startTime + (r.duration * (l + 1)) / (perSpan + 1));
      body.push(`${r.serviceName}: handled ${r.operationName} part ${l}`);
      level.push(r.statusCode === 2 && l === perSpan - 1 ? 'error' : 'info');
      trace.push(r.traceID);
      span.push(r.spanID);
    }
  });
  return createDataFrame({
    name: 'logs',
    meta: { preferredVisualisationType: 'logs', ...lensMeta('logs') },
    fields: [
      { name: LogFields.time, type: FieldType.time, values: ts },
      { name: LogFields.body, type: FieldType.string, values: body },
      { name: LogFields.level, type: FieldType.string, values: level },
      { name: LogFields.traceId, type: FieldType.string, values: trace },
      { name: LogFields.spanId, type: FieldType.string, values: span },
    ],
  });
}

export { makeDurations, makeRng };
