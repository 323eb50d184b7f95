/**
 * Pieces the chart views (CDF, bands) share: the styles of their tooltip and legend, the list
 * of notes under a legend, and drawing on a uPlot canvas clipped to the plot area.
 */
import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import uPlot from 'uplot';

/** Tooltip and legend styles; each view adds its own on top. */
export const getChartStyles = (theme: GrafanaTheme2) => ({
  chart: css({ position: 'relative' }),
  tooltip: css({
    position: 'absolute',
    pointerEvents: 'none',
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.medium}`,
    boxShadow: theme.shadows.z2,
    padding: theme.spacing(0.5, 1),
    fontSize: theme.typography.bodySmall.fontSize,
    zIndex: 2,
  }),
  link: css({ color: theme.colors.text.link }),
  legend: css({ overflowY: 'auto', fontSize: theme.typography.bodySmall.fontSize, padding: theme.spacing(0.5, 1) }),
  swatch: css({ width: 14, height: 4, borderRadius: 2, display: 'inline-block', verticalAlign: 'middle' }),
  meta: css({ color: theme.colors.text.secondary }),
  note: css({ color: theme.colors.warning.text }),
});

/** What the prepare stage had to say about the data, one line each, under the legend. */
export function LegendNotes({ notes, className }: { notes: string[]; className: string }) {
  return (
    <>
      {notes.map((n) => (
        <div key={n} className={className}>
          {n}
        </div>
      ))}
    </>
  );
}

/**
 * Runs `draw` on the chart's canvas clipped to the plot area (canvas pixels), with the theme's
 * font at 11 CSS px, and restores the canvas state afterwards.
 */
export function drawInPlot(u: uPlot, theme: GrafanaTheme2, draw: (ctx: CanvasRenderingContext2D, dpr: number) => void) {
  const ctx = u.ctx;
  const dpr = uPlot.pxRatio;
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  ctx.font = `${11 * dpr}px ${theme.typography.fontFamily}`;
  try {
    draw(ctx, dpr);
  } finally {
    ctx.restore();
  }
}
