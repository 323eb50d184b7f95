/**
 * The whole trace in a strip: one line per pre-order bucket of spans (start → end), and the
 * visible time window, which can be dragged, resized by its edges, or redrawn by dragging on
 * empty space. Double-click resets to the whole trace.
 */
import React, { useEffect, useMemo, useRef } from 'react';
import { css } from '@emotion/css';
import { colorManipulator, type GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import { type WaterfallData } from './prepareWaterfallData';
import { type WaterfallAction } from './state';

interface Props {
  data: WaterfallData;
  window: [number, number];
  width: number;
  height: number;
  dispatch: React.Dispatch<WaterfallAction>;
}

/** Per pixel row: earliest start, latest end and a representative colour (first span). */
function buckets(data: WaterfallData, rows: number) {
  const { model } = data;
  const lo = new Float64Array(rows).fill(Infinity);
  const hi = new Float64Array(rows).fill(-Infinity);
  const color = new Int32Array(rows).fill(-1);
  const d = model.durationMs || 1;
  for (let p = 0; p < model.n; p++) {
    const r = Math.min(rows - 1, Math.floor((p / model.n) * rows));
    const s = model.start[p] / d;
    const e = (model.start[p] + model.duration[p]) / d;
    if (s < lo[r]) {
      lo[r] = s;
    }
    if (e > hi[r]) {
      hi[r] = e;
    }
    if (color[r] < 0) {
      color[r] = data.colorIndex[p];
    }
  }
  return { lo, hi, color };
}

export const Minimap = React.memo(function Minimap({ data, window: win, width, height, dispatch }: Props) {
  const styles = useStyles2(getStyles);
  const canvas = useRef<HTMLCanvasElement>(null);
  const rows = Math.max(1, Math.min(data.model.n, Math.floor(height / 2)));
  const b = useMemo(() => buckets(data, rows), [data, rows]);

  useEffect(() => {
    const c = canvas.current;
    if (!c) {
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(height * dpr);
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, c.width, c.height);
    const rowH = c.height / rows;
    for (let r = 0; r < rows; r++) {
      if (b.color[r] < 0) {
        continue;
      }
      ctx.fillStyle = data.palette[b.color[r]];
      const x = b.lo[r] * c.width;
      ctx.fillRect(x, r * rowH, Math.max(1, (b.hi[r] - b.lo[r]) * c.width), Math.max(1, rowH * 0.8));
    }
  }, [b, data.palette, rows, width, height]);

  const drag = useRef<{ mode: 'move' | 'left' | 'right' | 'new'; x0: number; w0: [number, number] } | null>(null);
  const frac = (e: React.PointerEvent) => {
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    return (e.clientX - r.left) / r.width;
  };
  const onDown = (e: React.PointerEvent) => {
    const f = frac(e);
    const edge = 6 / width;
    const full = win[1] - win[0] > 0.999;
    // On the whole-trace window a drag draws a new window; on a zoomed one it moves or resizes it.
    const mode = full ? 'new' : Math.abs(f - win[0]) < edge ? 'left' : Math.abs(f - win[1]) < edge ? 'right' : f > win[0] && f < win[1] ? 'move' : 'new';
    drag.current = { mode, x0: f, w0: win };
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
  };
  const onMove = (e: React.PointerEvent) => {
    const d = drag.current;
    if (!d) {
      return;
    }
    const f = Math.max(0, Math.min(1, frac(e)));
    const [a, z] = d.w0;
    if (d.mode === 'move') {
      const shift = Math.max(-a, Math.min(1 - z, f - d.x0));
      dispatch({ type: 'window', window: [a + shift, z + shift] });
    } else if (d.mode === 'left') {
      dispatch({ type: 'window', window: [Math.min(f, z - 0.001), z] });
    } else if (d.mode === 'right') {
      dispatch({ type: 'window', window: [a, Math.max(f, a + 0.001)] });
    } else if (Math.abs(f - d.x0) > 2 / width) {
      dispatch({ type: 'window', window: [Math.min(d.x0, f), Math.max(d.x0, f)] });
    }
  };
  const onUp = () => {
    drag.current = null;
  };

  return (
    <div
      className={styles.wrap}
      style={{ width, height }}
      data-testid="lens-minimap"
      onPointerDown={onDown}
      onPointerMove={onMove}
      onPointerUp={onUp}
      onPointerCancel={onUp}
      onDoubleClick={() => dispatch({ type: 'window', window: [0, 1] })}
    >
      <canvas ref={canvas} style={{ width, height, display: 'block' }} />
      <div className={styles.shade} style={{ left: 0, width: `${win[0] * 100}%` }} />
      <div className={styles.shade} style={{ left: `${win[1] * 100}%`, right: 0 }} />
      <div className={styles.window} data-testid="lens-minimap-window" style={{ left: `${win[0] * 100}%`, width: `${(win[1] - win[0]) * 100}%` }} />
    </div>
  );
});

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({
    position: 'relative',
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    cursor: 'crosshair',
    userSelect: 'none',
    touchAction: 'none',
    flex: 'none',
  }),
  shade: css({ position: 'absolute', top: 0, bottom: 0, background: colorManipulator.alpha(theme.colors.background.canvas, 0.65), pointerEvents: 'none' }),
  window: css({
    position: 'absolute',
    top: 0,
    bottom: 0,
    border: `1px solid ${theme.colors.primary.border}`,
    borderLeftWidth: 3,
    borderRightWidth: 3,
    cursor: 'grab',
    pointerEvents: 'none',
  }),
});
