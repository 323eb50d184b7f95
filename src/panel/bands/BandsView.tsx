import React, { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { css, cx } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2, type TimeRange } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type uPlot from 'uplot';

import { formatMs } from '../cdf/prepareCdfData';
import { getChartStyles, LegendNotes } from '../components/chartParts';
import { UPlotChart } from '../components/UPlotChart';
import { type ValueLink } from '../frames/links';
import { type BandsOptions } from '../types';
import { bandsAlignedData, bandsStructureKey, buildBandsOptions, exemplarAt, type BandsLive } from './bandsConfig';
import { type BandsData, type Exemplar } from './prepareBandsData';

interface Props {
  data: BandsData;
  options: BandsOptions;
  width: number;
  height: number;
  /** The panel's time range: the x axis spans it. */
  timeRange?: TimeRange;
  /** The dashboard's time zone, for the axis and the tooltips. */
  timeZone?: string;
}

/** Internal paths go through Grafana's router, anything else opens a new tab. */
export function followLink(link: ValueLink) {
  if (link.href.startsWith('/') && link.target !== '_blank') {
    locationService.push(link.href);
  } else {
    window.open(link.href, link.target ?? '_blank', 'noopener');
  }
}

export function BandsView({ data, options, width, height, timeRange, timeZone }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const [plot, setPlot] = useState<uPlot | null>(null);
  const [cursor, setCursor] = useState<{ idx: number; left: number; top: number } | null>(null);
  const [hover, setHover] = useState<{ e: Exemplar; left: number; top: number } | null>(null);

  const range = timeRange ? { from: timeRange.from.valueOf(), to: timeRange.to.valueOf() } : undefined;
  const live = useRef<BandsLive>({ data, hovered: null, timeRange: range });
  const onPointer = (left: number, top: number, click: boolean) => {
    const u = plot;
    if (!u || !options.showExemplars) {
      return;
    }
    const e = exemplarAt(u, live.current.data, left, top);
    if (e !== live.current.hovered) {
      live.current.hovered = e;
      u.redraw(false);
    }
    setHover(e ? { e, left, top } : null);
    if (click && e && e.links.length) {
      followLink(e.links[0]);
    }
  };
  // Hooks inside the chart read the latest data and handlers from here (no chart rebuild).
  useLayoutEffect(() => {
    live.current.data = data;
    live.current.timeRange = range;
    live.current.onCursor = (idx, left, top) => setCursor(idx == null || left < 0 ? null : { idx, left, top });
    live.current.onPointer = onPointer;
  });

  // A chart built before this render's range reached `live` (or a new range with the same
  // data) gets the range here.
  const rangeFrom = range?.from;
  const rangeTo = range?.to;
  useLayoutEffect(() => {
    if (plot && rangeFrom !== undefined && rangeTo !== undefined && rangeTo > rangeFrom && (plot.scales.x.min !== rangeFrom || plot.scales.x.max !== rangeTo)) {
      plot.setScale('x', { min: rangeFrom, max: rangeTo });
    }
  }, [plot, rangeFrom, rangeTo]);

  const key = bandsStructureKey(data, options, theme, timeZone);
  // The builder keeps the ref for its draw hooks and reads it only when uPlot draws, never
  // during render; only a structure change rebuilds the chart.
  // eslint-disable-next-line react-hooks/exhaustive-deps, react-hooks/refs
  const uOptions = useMemo(() => buildBandsOptions(live, data, options, theme, timeZone), [key]);
  const aligned = useMemo(() => bandsAlignedData(data), [data]);
  const legendHeight = Math.min(height * 0.35, 8 + 22 * data.groups.length + 18 * data.notes.length);
  const chartHeight = Math.max(80, height - legendHeight);
  const u = plot;
  const offsetLeft = u ? u.bbox.left / devicePixelRatio : 0;

  return (
    <div className={styles.wrap} data-testid="lens-bands" onMouseLeave={() => setCursor(null)}>
      <div className={styles.chart} style={{ cursor: hover ? 'pointer' : undefined }}>
        <UPlotChart options={uOptions} data={aligned} width={width} height={chartHeight} testId="lens-bands-plot" onCreate={setPlot} />
        {hover ? (
          <div className={styles.tooltip} style={{ left: Math.min(hover.left + offsetLeft + 12, width - 260), top: hover.top + 8 }} data-testid="lens-exemplar-tooltip">
            <div className={styles.head}>Exemplar · {formatMs(hover.e.valueMs, data.decimals)}</div>
            <div>{dateTimeFormat(hover.e.time, { timeZone })}</div>
            {hover.e.traceId ? <div>trace {hover.e.traceId}</div> : <div>no trace ID</div>}
            {hover.e.links.map((l) => (
              <div key={l.href} className={styles.link}>
                {l.title} (click)
              </div>
            ))}
          </div>
        ) : (
          cursor &&
          cursor.idx < data.time.length && (
            <div className={styles.tooltip} style={{ left: Math.min(cursor.left + offsetLeft + 12, width - 260), top: cursor.top + 8 }} data-testid="lens-bands-tooltip">
              <div className={styles.head}>{dateTimeFormat(data.time[cursor.idx], { timeZone })}</div>
              {data.groups.map((g) => (
                <div key={g.name}>
                  <span className={styles.swatch} style={{ background: g.color }} /> {g.name}:{' '}
                  {g.quantiles.map((q, i) => `p${+(q * 100).toFixed(2)} ${formatMs(g.values[i][cursor.idx], g.quantileDecimals[i])}`).join(' · ')}
                </div>
              ))}
            </div>
          )
        )}
      </div>
      <div className={styles.legend} style={{ maxHeight: legendHeight }} data-testid="lens-bands-legend">
        {data.groups.map((g) => (
          <div key={g.name}>
            <span className={styles.swatch} style={{ background: g.color }} /> <b>{g.name}</b>{' '}
            <span className={styles.meta}>
              {g.bands.map((b) => `p${+(b.lower * 100).toFixed(2)}–p${+(b.upper * 100).toFixed(2)}`).join(', ')} around p
              {+(g.quantiles[g.medianIndex] * 100).toFixed(2)}
            </span>
          </div>
        ))}
        <LegendNotes notes={data.notes} className={styles.note} />
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => {
  const shared = getChartStyles(theme);
  return {
    ...shared,
    wrap: css({ display: 'flex', flexDirection: 'column', width: '100%', height: '100%' }),
    tooltip: cx(shared.tooltip, css({ maxWidth: 420 })),
    head: css({ fontWeight: theme.typography.fontWeightMedium }),
    legend: cx(shared.legend, css({ lineHeight: '22px' })),
  };
};
