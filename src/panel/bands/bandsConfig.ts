/**
 * uPlot configuration for percentile bands: one series per quantile, uPlot `bands` filling
 * between consecutive quantiles (lighter further from the median), thresholds and exemplar
 * dots drawn in hooks that read the current data through `live`.
 */
import { colorManipulator, type GrafanaTheme2 } from '@grafana/data';
import uPlot from 'uplot';

import { formatMs } from '../cdf/prepareCdfData';
import { drawInPlot } from '../components/chartParts';
import { type BandsOptions } from '../types';
import { type BandsData, type Exemplar } from './prepareBandsData';

export interface BandsLive {
  data: BandsData;
  /** The panel's time range (ms epoch): the x axis spans it, whatever times the data holds. */
  timeRange?: { from: number; to: number };
  hovered: Exemplar | null;
  onCursor?: (idx: number | null, left: number, top: number) => void;
  onPointer?: (left: number, top: number, click: boolean) => void;
}

export function bandsStructureKey(data: BandsData, options: BandsOptions, theme: GrafanaTheme2, timeZone?: string): string {
  return JSON.stringify([data.groups.map((g) => [g.name, g.color, g.quantiles, g.medianIndex]), data.time.length < 3, options, theme.colors.mode, timeZone ?? '']);
}

/**
 * uPlot's clock for the time axis in a Grafana time zone: the browser's for "browser" or
 * none (Grafana's default), UTC for "utc", else the IANA zone (the browser's when unknown).
 */
export function tzDateOf(timeZone?: string): ((ts: number) => Date) | undefined {
  if (!timeZone || timeZone === 'browser') {
    return undefined;
  }
  const zone = timeZone === 'utc' ? 'Etc/UTC' : timeZone;
  try {
    uPlot.tzDate(new Date(0), zone);
  } catch {
    return undefined;
  }
  return (ts) => uPlot.tzDate(new Date(ts), zone);
}

/** Series index in uPlot (1-based after time) of group g's quantile i. */
export function seriesIndex(data: BandsData, g: number, i: number): number {
  let idx = 1;
  for (let k = 0; k < g; k++) {
    idx += data.groups[k].quantiles.length;
  }
  return idx + i;
}

function withGaps(v: Float64Array): ArrayLike<number | null> {
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i])) {
      return Array.from(v, (x) => (Number.isNaN(x) ? null : x));
    }
  }
  return v;
}

export function bandsAlignedData(data: BandsData): uPlot.AlignedData {
  const cols: Array<ArrayLike<number | null>> = [data.time];
  for (const g of data.groups) {
    for (const v of g.values) {
      cols.push(withGaps(v));
    }
  }
  return cols as unknown as uPlot.AlignedData;
}

/** The value axis: the data's extent with a margin, or the Min/Max set in the dashboard. */
export function bandsYRange(d: BandsData): [number, number] {
  const span = d.yMax - d.yMin || 1;
  const lo = Math.max(0, d.yMin - span * 0.05);
  const hi = d.yMax + span * 0.08;
  const min = d.axis.min ?? lo;
  const max = d.axis.max ?? hi;
  if (max > min) {
    return [min, max];
  }
  // Only one limit set, beyond the data's other end: the axis extends from it by the data's span.
  return d.axis.min !== undefined ? [min, min + (hi - lo)] : [Math.max(0, max - (hi - lo)), max];
}

let measure: CanvasRenderingContext2D | null | undefined;

/** Width in CSS px of the widest of `labels` in `font` (an estimate where no canvas measures). */
function widestLabel(labels: Array<string | null>, font: string): number {
  if (measure === undefined) {
    measure = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  }
  let widest = 0;
  for (const l of labels) {
    if (!l) {
      continue;
    }
    let w = l.length * 7;
    if (measure) {
      measure.font = font;
      w = measure.measureText(l).width;
    }
    widest = Math.max(widest, w);
  }
  return widest;
}

export function buildBandsOptions(
  liveRef: { current: BandsLive },
  data: BandsData,
  options: BandsOptions,
  theme: GrafanaTheme2,
  timeZone?: string
): Omit<uPlot.Options, 'width' | 'height'> {
  const axisColor = theme.colors.text.secondary;
  const grid = { stroke: theme.colors.border.weak, width: 1 };
  const font = `12px ${theme.typography.fontFamily}`;
  // With one or two time steps there is no line or area to see: mark the points.
  const few = data.time.length < 3;
  const series: uPlot.Series[] = [{}];
  const bands: uPlot.Band[] = [];
  data.groups.forEach((g, gi) => {
    g.quantiles.forEach((q, i) => {
      const median = i === g.medianIndex;
      series.push({
        label: `${g.name} p${+(q * 100).toFixed(2)}`,
        stroke: median ? (options.showMedian ? g.color : 'transparent') : colorManipulator.alpha(g.color, 0.55),
        width: median ? 2 : 1,
        points: { show: few, size: median ? 8 : 6, fill: g.color, stroke: g.color },
        spanGaps: false,
      });
    });
    for (const b of g.bands) {
      bands.push({
        series: [seriesIndex(data, gi, b.upperIndex), seriesIndex(data, gi, b.lowerIndex)],
        fill: colorManipulator.alpha(g.color, Math.max(0.08, 0.32 - 0.1 * b.ring)),
      });
    }
  });
  return {
    ms: 1,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    ...(tzDateOf(timeZone) ? { tzDate: tzDateOf(timeZone) } : {}),
    scales: {
      x: {
        time: true,
        range: (_u, min, max) => {
          const r = liveRef.current.timeRange;
          return r && r.to > r.from ? [r.from, r.to] : [min, max];
        },
      },
      y: {
        range: () => bandsYRange(liveRef.current.data),
      },
    },
    axes: [
      { stroke: axisColor, grid, ticks: grid, font },
      {
        stroke: axisColor,
        grid,
        ticks: grid,
        font,
        // Wide enough for the longest label (Decimals can make them long), at least 60 px.
        size: (_u, values) => Math.max(60, Math.ceil(widestLabel(values ?? [], font)) + 16),
        values: (_u, splits) => splits.map((v) => (v == null ? '' : formatMs(v, liveRef.current.data.decimals))),
      },
    ],
    series,
    bands,
    hooks: {
      draw: [(u) => drawOverlays(u, liveRef.current, options, theme)],
      setCursor: [(u) => liveRef.current.onCursor?.(u.cursor.idx ?? null, u.cursor.left ?? -1, u.cursor.top ?? -1)],
      ready: [
        (u) => {
          const at = (e: MouseEvent, click: boolean) => {
            const r = u.over.getBoundingClientRect();
            liveRef.current.onPointer?.(e.clientX - r.left, e.clientY - r.top, click);
          };
          u.over.addEventListener('mousemove', (e) => at(e, false));
          u.over.addEventListener('click', (e) => at(e, true));
        },
      ],
    },
  };
}

function drawOverlays(u: uPlot, live: BandsLive, options: BandsOptions, theme: GrafanaTheme2) {
  const { data } = live;
  const { left, width } = u.bbox;
  drawInPlot(u, theme, (ctx, dpr) => {
    data.thresholdsMs.forEach((t, i) => {
      const y = u.valToPos(t, 'y', true);
      const color = i === 0 && data.thresholdsMs.length > 1 ? theme.colors.warning.main : theme.colors.error.main;
      ctx.strokeStyle = color;
      ctx.lineWidth = dpr;
      ctx.setLineDash([6 * dpr, 4 * dpr]);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.fillText(formatMs(t), left + 4 * dpr, y - 3 * dpr);
    });
    ctx.setLineDash([]);
    if (options.showExemplars) {
      const r = 4 * dpr;
      for (const e of data.exemplars) {
        const x = u.valToPos(e.time, 'x', true);
        const y = u.valToPos(e.valueMs, 'y', true);
        const hot = live.hovered === e;
        ctx.fillStyle = hot ? theme.colors.primary.main : theme.colors.text.primary;
        ctx.strokeStyle = theme.colors.background.primary;
        ctx.lineWidth = dpr;
        ctx.beginPath();
        ctx.moveTo(x, y - r * (hot ? 1.6 : 1.2));
        ctx.lineTo(x + r * (hot ? 1.6 : 1.2), y);
        ctx.lineTo(x, y + r * (hot ? 1.6 : 1.2));
        ctx.lineTo(x - r * (hot ? 1.6 : 1.2), y);
        ctx.closePath();
        ctx.fill();
        ctx.stroke();
      }
    }
  });
}

/** The exemplar drawn nearest to (left, top) in CSS px of the plot area, within `radius`. */
export function exemplarAt(u: uPlot, data: BandsData, left: number, top: number, radius = 8): Exemplar | null {
  let best: Exemplar | null = null;
  let bestD = radius * radius;
  for (const e of data.exemplars) {
    const dx = u.valToPos(e.time, 'x') - left;
    const dy = u.valToPos(e.valueMs, 'y') - top;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      bestD = d;
      best = e;
    }
  }
  return best;
}
