/**
 * Stage 4 entry for the waterfall: frames → trace model + per-span colour, critical path and
 * percentile rank, all flat arrays by pre-order position. Never mutates frames.
 * Guarantees to the view: `model` as traceModel.ts states; `colorIndex[p]` indexes `palette`.
 */
import { type DataFrame, type GrafanaTheme2 } from '@grafana/data';

import { CdfFields, SpanFields } from '../../shared/frames';
import { fieldDecimals } from '../cdf/prepareCdfData';
import { fieldByName, isTraceFrame, lensKindOf } from '../frames/classify';
import { type WaterfallOptions } from '../types';
import { criticalPath } from './criticalPath';
import { rankTable, type CdfLookup } from './percentileRank';
import { buildTraceModel, type TraceModel } from './traceModel';

export interface TraceHeader {
  rootService: string;
  rootName: string;
  services: number;
  spans: number;
  durationMs: number;
  errors: number;
  startMs: number;
}

export interface WaterfallData {
  model: TraceModel;
  header: TraceHeader;
  critical: Uint8Array;
  /** Percentile rank of the span at a position (computed per operation on first use). */
  rankOf: (p: number) => number;
  rankFromLatencyData: boolean;
  palette: string[];
  colorIndex: Uint16Array;
  serviceColors: string[];
  notes: string[];
  /** Decimals of every duration shown (Grafana's Decimals standard option on the duration field); default formatting when unset. */
  decimals?: number;
}

export type WaterfallResult = WaterfallData | { warning: string };

/** Percentile rank bands → colour: below p50, p50–p90, p90–p99, ≥ p99, unknown. */
export const RANK_STEPS = [0.5, 0.9, 0.99];

export function rankBucket(rank: number): number {
  if (Number.isNaN(rank)) {
    return 4;
  }
  let b = 0;
  while (b < RANK_STEPS.length && rank >= RANK_STEPS[b]) {
    b++;
  }
  return b;
}

export function prepareWaterfallData(frames: DataFrame[], options: WaterfallOptions, theme: GrafanaTheme2): WaterfallResult {
  const traceFrames = frames.filter(isTraceFrame);
  if (!traceFrames.length) {
    return { warning: 'No trace in the data: expected a frame with Grafana trace columns (spanID, parentSpanID, startTime, duration).' };
  }
  const notes: string[] = [];
  let frame = traceFrames[0];
  if (traceFrames.length > 1) {
    notes.push(`${traceFrames.length} trace frames; showing the first`);
  }
  if (!frame.length) {
    return { warning: 'The trace has no spans.' };
  }
  const traceIds = fieldByName(frame, SpanFields.traceId)?.values as string[] | undefined;
  if (traceIds && traceIds.length && traceIds.some((t) => t !== traceIds[0])) {
    const first = traceIds[0];
    const rows = traceIds.flatMap((t, i) => (t === first ? [i] : []));
    frame = { ...frame, length: rows.length, fields: frame.fields.map((f) => ({ ...f, values: rows.map((r) => f.values[r]) })) };
    notes.push(`The frame holds several traces; showing ${first}`);
  }
  const model = buildTraceModel(frame, frames);
  notes.push(...model.warnings);
  const ranks = rankTable(model, cdfLookup(frames));
  const palette = theme.visualization.palette.map((c) => theme.visualization.getColorByName(c));
  const serviceColors = model.services.map((_, i) => palette[i % palette.length]);
  const rankPalette = ['green', 'yellow', 'orange', 'red'].map((c) => theme.visualization.getColorByName(c));
  rankPalette.push(theme.colors.text.disabled);
  const colorIndex = new Uint16Array(model.n);
  if (options.colorBy === 'percentile') {
    for (let p = 0; p < model.n; p++) {
      colorIndex[p] = rankBucket(ranks.rankOf(p));
    }
  } else {
    for (let p = 0; p < model.n; p++) {
      colorIndex[p] = model.service[p] % palette.length;
    }
  }
  let errors = 0;
  for (let p = 0; p < model.n; p++) {
    errors += model.error[p];
  }
  return {
    model,
    header: {
      rootService: model.services[model.service[0]] ?? '',
      rootName: model.operations[model.operation[0]] ?? '',
      services: model.services.length,
      spans: model.n,
      durationMs: model.durationMs,
      errors,
      startMs: model.traceStartMs,
    },
    critical: options.showCriticalPath ? criticalPath(model) : new Uint8Array(model.n),
    rankOf: ranks.rankOf,
    rankFromLatencyData: ranks.fromLatencyData,
    palette: options.colorBy === 'percentile' ? rankPalette : palette,
    colorIndex,
    serviceColors,
    notes,
    decimals: fieldDecimals(fieldByName(frame, SpanFields.duration)),
  };
}

/** CDF frames labelled with a service (and optionally an operation) give F(duration) per operation. */
function cdfLookup(frames: DataFrame[]): CdfLookup | undefined {
  const table = new Map<string, (d: number) => number>();
  for (const frame of frames) {
    if (lensKindOf(frame) !== 'cdf') {
      continue;
    }
    const x = fieldByName(frame, CdfFields.durationMs);
    const f = fieldByName(frame, CdfFields.fraction);
    const labels = f?.labels ?? {};
    const service = labels.service ?? labels.service_name;
    if (!x || !f || !service) {
      continue;
    }
    const op = labels.operation ?? labels.span_name ?? labels.name ?? '';
    const xs = Float64Array.from(x.values as number[]);
    const fs = Float64Array.from(f.values as number[]);
    table.set(`${service}\u0000${op}`, (d) => {
      let lo = 0;
      let hi = xs.length;
      while (lo < hi) {
        const m = (lo + hi) >>> 1;
        if (xs[m] <= d) {
          lo = m + 1;
        } else {
          hi = m;
        }
      }
      return lo ? fs[lo - 1] : 0;
    });
  }
  if (!table.size) {
    return undefined;
  }
  return (service, operation) => table.get(`${service}\u0000${operation}`) ?? table.get(`${service}\u0000`);
}
