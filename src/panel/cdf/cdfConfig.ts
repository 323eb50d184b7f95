/**
 * uPlot configuration for the CDF view. Built from the curve *structure* (names, colours,
 * scales, markers) and reused while only the values change; drawing hooks read the current
 * CdfData through `live`, so new data never needs a new chart.
 */
import { colorManipulator, type GrafanaTheme2 } from '@grafana/data';
import uPlot from 'uplot';

import { drawInPlot } from '../components/chartParts';
import { type CdfOptions } from '../types';
import { formatMs, type CdfData } from './prepareCdfData';

export interface CdfLive {
  data: CdfData;
  onCursor?: (left: number, top: number) => void;
  onClick?: (left: number, top: number) => void;
}

/** Changes to this key, and only these, rebuild the chart. */
export function cdfStructureKey(data: CdfData, options: CdfOptions, theme: GrafanaTheme2): string {
  return JSON.stringify([
    data.series.map((s) => [s.name, s.color, s.source]),
    options.xScale,
    options.complementary,
    options.showBucketUncertainty,
    theme.colors.mode,
  ]);
}

/** One x column for all curves (uPlot wants aligned data); a curve is null where it has no point. */
export function cdfAlignedData(data: CdfData): uPlot.AlignedData {
  const log = data.xScale === 'log';
  const tables = data.series.map((s) => {
    const keep: number[] = [];
    for (let i = 0; i < s.x.length; i++) {
      if (!log || s.x[i] > 0) {
        keep.push(i);
      }
    }
    const xs = keep.map((i) => s.x[i]);
    const ys = keep.map((i) => s.y[i]);
    return [xs, ys] as uPlot.AlignedData;
  });
  return tables.length === 1 ? tables[0] : uPlot.join(tables);
}

/** The duration axis: the data's extent with a margin, or the Min/Max set in the dashboard. */
export function cdfXRange(d: CdfData): [number, number] {
  const log = d.xScale === 'log';
  const [lo, hi] = log ? [d.xMin / 1.15, d.xMax * 1.15] : [Math.max(0, d.xMin - (d.xMax - d.xMin) * 0.02), d.xMax * 1.02];
  const min = d.axis.min ?? lo;
  const max = d.axis.max ?? hi;
  if (max > min) {
    return [min, max];
  }
  // Only one limit set, beyond the data's other end: the axis extends from it.
  return d.axis.min !== undefined ? [min, log ? min * 10 : min + (hi - lo || 1)] : [log ? max / 10 : Math.max(0, max - (hi - lo || 1)), max];
}

export function buildCdfOptions(
  liveRef: { current: CdfLive },
  data: CdfData,
  options: CdfOptions,
  theme: GrafanaTheme2
): Omit<uPlot.Options, 'width' | 'height'> {
  const log = options.xScale === 'log';
  const axisColor = theme.colors.text.secondary;
  const grid = { stroke: theme.colors.border.weak, width: 1 };
  const font = `12px ${theme.typography.fontFamily}`;
  const step = uPlot.paths.stepped!({ align: 1 });
  return {
    ms: 1,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false }, y: true },
    scales: {
      x: {
        time: false,
        distr: log ? 3 : 1,
        log: 10,
        range: () => {
          return cdfXRange(liveRef.current.data);
        },
      },
      y: { range: () => [0, 1.0001] },
    },
    axes: [
      {
        stroke: axisColor,
        grid,
        ticks: grid,
        font,
        values: (_u, splits) => splits.map((v) => (v == null ? '' : formatMs(v, liveRef.current.data.decimals))),
      },
      {
        stroke: axisColor,
        grid,
        ticks: grid,
        font,
        size: 50,
        values: (_u, splits) => splits.map((v) => `${+(v * 100).toFixed(1)}%`),
        label: options.complementary ? 'P(T > t)' : 'F(t) = P(T ≤ t)',
        labelFont: font,
        labelSize: 18,
      },
    ],
    series: [
      {},
      ...data.series.map((s) => ({
        label: s.name,
        stroke: s.color,
        width: 2,
        paths: step,
        spanGaps: true,
        points: { show: false },
      })),
    ],
    hooks: {
      drawAxes: [(u) => options.showBucketUncertainty && drawBoxes(u, liveRef.current.data, theme)],
      draw: [(u) => drawMarkers(u, liveRef.current.data, theme, options)],
      setCursor: [(u) => liveRef.current.onCursor?.(u.cursor.left ?? -1, u.cursor.top ?? -1)],
      ready: [
        (u) => {
          u.over.addEventListener('click', () => {
            if ((u.cursor.left ?? -1) >= 0) {
              liveRef.current.onClick?.(u.cursor.left!, u.cursor.top!);
            }
          });
        },
      ],
    },
  };
}

function drawBoxes(u: uPlot, data: CdfData, theme: GrafanaTheme2) {
  drawInPlot(u, theme, (ctx) => {
    for (const s of data.series) {
      if (!s.boxes) {
        continue;
      }
      ctx.fillStyle = colorManipulator.alpha(s.color, 0.18);
      const b = s.boxes;
      for (let i = 0; i < b.x0.length; i++) {
        const lo = data.xScale === 'log' && b.x0[i] <= 0 ? u.scales.x.min! : b.x0[i];
        const x0 = u.valToPos(lo, 'x', true);
        const x1 = u.valToPos(b.x1[i], 'x', true);
        const y0 = u.valToPos(b.y0[i], 'y', true);
        const y1 = u.valToPos(b.y1[i], 'y', true);
        ctx.fillRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
      }
    }
  });
}

function drawMarkers(u: uPlot, data: CdfData, theme: GrafanaTheme2, options: CdfOptions) {
  const { left, top, width, height } = u.bbox;
  drawInPlot(u, theme, (ctx, dpr) => {
    ctx.textBaseline = 'bottom';
    const yOf = (f: number) => u.valToPos(data.complementary ? 1 - f : f, 'y', true);
    data.series.forEach((s, si) => {
      if (u.series[si + 1] && u.series[si + 1].show === false) {
        return;
      }
      for (const q of s.quantiles) {
        if (!Number.isFinite(q.valueMs) || (data.xScale === 'log' && q.valueMs <= 0)) {
          continue;
        }
        const x = u.valToPos(q.valueMs, 'x', true);
        const y = yOf(q.p);
        ctx.strokeStyle = colorManipulator.alpha(s.color, 0.7);
        ctx.lineWidth = dpr;
        ctx.setLineDash([4 * dpr, 3 * dpr]);
        ctx.beginPath();
        ctx.moveTo(x, top + height);
        ctx.lineTo(x, y);
        ctx.lineTo(left, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = s.color;
        ctx.beginPath();
        ctx.arc(x, y, 3 * dpr, 0, 2 * Math.PI);
        ctx.fill();
        ctx.fillStyle = theme.colors.text.primary;
        const label = `p${+(q.p * 100).toFixed(2)} ${formatMs(q.valueMs, s.decimals)}${q.lowMs !== q.highMs ? ' (bucket)' : ''}`;
        const ly = y - 2 * dpr - si * 12 * dpr;
        ctx.fillText(label, x + 4 * dpr, ly < top + 12 * dpr ? y + 14 * dpr + si * 12 * dpr : ly);
      }
    });
    options.slos.forEach((slo, i) => {
      const x = u.valToPos(slo.thresholdMs, 'x', true);
      const y = yOf(slo.target);
      const results = data.series.map((s) => s.slos[i]?.met);
      const color = results.every((m) => m === true)
        ? theme.colors.success.main
        : results.some((m) => m === false)
          ? theme.colors.error.main
          : theme.colors.warning.main;
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5 * dpr;
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.textBaseline = 'top';
      ctx.fillText(`SLO ${+(slo.target * 100).toFixed(2)}% < ${formatMs(slo.thresholdMs)}`, x + 4 * dpr, top + 4 * dpr + i * 14 * dpr);
      ctx.textBaseline = 'bottom';
    });
  });
}

/** F(t) of one curve at t (step after): point value and, for buckets, the range. */
export function valueAt(s: CdfData['series'][number], t: number): { f: number; low: number; high: number } {
  let lo = 0;
  let hi = s.x.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (s.x[m] <= t) {
      lo = m + 1;
    } else {
      hi = m;
    }
  }
  const f = lo ? s.f[lo - 1] : 0;
  if (!s.boxes) {
    return { f, low: f, high: f };
  }
  const next = lo < s.f.length ? s.f[lo] : 1;
  return { f, low: f, high: t >= s.x[s.x.length - 1] && s.overflow === 0 ? f : next };
}
