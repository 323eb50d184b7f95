import React, { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { css, cx } from '@emotion/css';
import { type GrafanaTheme2, type TimeRange } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type uPlot from 'uplot';

import { getChartStyles, LegendNotes } from '../components/chartParts';
import { UPlotChart } from '../components/UPlotChart';
import { type CdfOptions } from '../types';
import { buildCdfOptions, cdfAlignedData, cdfStructureKey, valueAt, type CdfLive } from './cdfConfig';
import { amountText, formatMs, type CdfData } from './prepareCdfData';
import { traceSearchLink, type SearchTarget } from './traceSearchLink';

interface Props {
  data: CdfData;
  options: CdfOptions;
  width: number;
  height: number;
  searchTarget?: (refId?: string) => SearchTarget | undefined;
  timeRange?: TimeRange;
}

interface Pick {
  left: number;
  top: number;
  t: number;
  series: number;
  p: number;
  href?: string;
}

const pct = (f: number) => `${+(f * 100).toFixed(2)}%`;

export function CdfView({ data, options, width, height, searchTarget, timeRange }: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const [plot, setPlot] = useState<uPlot | null>(null);
  const [cursor, setCursor] = useState<{ left: number; top: number } | null>(null);
  const [picked, setPicked] = useState<Pick | null>(null);
  const [hidden, setHidden] = useState<Set<string>>(new Set());

  const live = useRef<CdfLive>({ data });
  const onClick = (left: number, top: number) => {
    const u = plot;
    if (!u) {
      return;
    }
    const t = u.posToVal(left, 'x');
    const yVal = u.posToVal(top, 'y');
    // The curve nearest the click, among shown ones.
    let best = -1;
    let bestDist = Infinity;
    data.series.forEach((s, i) => {
      if (hidden.has(s.name)) {
        return;
      }
      const f = valueAt(s, t).f;
      const d = Math.abs((data.complementary ? 1 - f : f) - yVal);
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    });
    if (best < 0) {
      return;
    }
    const s = data.series[best];
    const w = options.searchWindow;
    const service = s.labels.service ?? s.labels.service_name;
    setPicked({
      left,
      top,
      t,
      series: best,
      p: valueAt(s, t).f,
      href: traceSearchLink(searchTarget?.(s.refId), t * (1 - w), t * (1 + w), service, timeRange),
    });
  };
  // Hooks inside the chart read the latest data and handlers from here (no chart rebuild).
  useLayoutEffect(() => {
    live.current.data = data;
    live.current.onCursor = (left, top) => setCursor(left >= 0 ? { left, top } : null);
    live.current.onClick = onClick;
  });

  const key = cdfStructureKey(data, options, theme);
  // The builder keeps the ref for its draw hooks and reads it only when uPlot draws, never
  // during render; only a structure change rebuilds the chart.
  // eslint-disable-next-line react-hooks/exhaustive-deps, react-hooks/refs
  const uOptions = useMemo(() => buildCdfOptions(live, data, options, theme), [key, options.percentiles, options.slos]);
  const aligned = useMemo(() => cdfAlignedData(data), [data]);

  const legendHeight = Math.min(height * 0.4, 26 + 22 * data.series.length + 18 * data.notes.length);
  const chartHeight = Math.max(80, height - legendHeight);

  const toggle = (name: string) => {
    const next = new Set(hidden);
    next.has(name) ? next.delete(name) : next.add(name);
    setHidden(next);
    data.series.forEach((s, i) => plot?.setSeries(i + 1, { show: !next.has(s.name) }));
  };

  const u = plot;
  const t = cursor && u ? u.posToVal(cursor.left, 'x') : NaN;

  return (
    <div className={styles.wrap} data-testid="lens-cdf" onMouseLeave={() => setCursor(null)}>
      <div className={styles.chart}>
        <UPlotChart
          options={uOptions}
          data={aligned}
          width={width}
          height={chartHeight}
          testId="lens-cdf-plot"
          onCreate={setPlot}
        />
        {cursor && u && Number.isFinite(t) && (
          <div
            className={styles.tooltip}
            data-testid="lens-cdf-tooltip"
            style={{ left: Math.min(cursor.left + u.bbox.left / devicePixelRatio + 12, width - 220), top: cursor.top + 8 }}
          >
            <div className={styles.tooltipHead}>t = {formatMs(t, data.decimals)}</div>
            {data.series.map((s) =>
              hidden.has(s.name) ? null : (
                <div key={s.name} className={styles.tooltipRow}>
                  <span className={styles.swatch} style={{ background: s.color }} />
                  <span className={styles.grow}>{s.name}</span>
                  <span>
                    {(() => {
                      const v = valueAt(s, t);
                      const lab = data.complementary ? 'P(T>t)' : 'F(t)';
                      const f = (x: number) => (data.complementary ? 1 - x : x);
                      return v.low === v.high ? `${lab} ${pct(f(v.f))}` : `${lab} ${pct(f(v.low))}–${pct(f(v.high))}`;
                    })()}
                  </span>
                </div>
              )
            )}
            <div className={styles.hint}>click for traces near this point</div>
          </div>
        )}
        {picked && (
          <div className={styles.popover} style={{ left: Math.min(picked.left + 40, width - 260), top: picked.top + 40 }} data-testid="lens-cdf-pick">
            <div>
              <b>{data.series[picked.series].name}</b>: p{+(picked.p * 100).toFixed(2)} at {formatMs(picked.t, data.series[picked.series].decimals)}
            </div>
            {picked.href ? (
              <a className={styles.link} href={picked.href} data-testid="lens-cdf-traces-link">
                Traces {formatMs(picked.t * (1 - options.searchWindow), data.series[picked.series].decimals)} –{' '}
                {formatMs(picked.t * (1 + options.searchWindow), data.series[picked.series].decimals)}
              </a>
            ) : (
              <div className={styles.hint}>The data source of this series cannot search traces.</div>
            )}
            <button className={styles.close} onClick={() => setPicked(null)} aria-label="Close">
              ×
            </button>
          </div>
        )}
      </div>
      <div className={styles.legend} style={{ maxHeight: legendHeight }} data-testid="lens-cdf-legend">
        {data.series.map((s) => (
          <div
            key={s.name}
            className={styles.legendRow}
            style={{ opacity: hidden.has(s.name) ? 0.45 : 1 }}
            onClick={() => toggle(s.name)}
            role="button"
          >
            <span className={styles.swatch} style={{ background: s.color }} />
            <span className={styles.name}>{s.name}</span>
            {amountText(s) ? (
              <span
                className={styles.meta}
                data-testid="lens-cdf-amount"
                title={s.amount.kind === 'rate' ? 'mean per-second rate over the range: the buckets hold rates, not counts' : undefined}
              >
                {amountText(s)}
              </span>
            ) : null}
            {s.quantiles.map((q) => (
              <span
                key={q.p}
                className={styles.meta}
                title={q.lowMs !== q.highMs ? `between ${formatMs(q.lowMs, s.decimals)} and ${formatMs(q.highMs, s.decimals)}` : undefined}
              >
                p{+(q.p * 100).toFixed(2)} {formatMs(q.valueMs, s.decimals)}
                {q.lowMs !== q.highMs ? '±' : ''}
              </span>
            ))}
            {s.slos.map((slo) => (
              <span key={slo.text} className={slo.met === true ? styles.ok : slo.met === false ? styles.bad : styles.meta}>
                {slo.text}
              </span>
            ))}
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
    tooltip: cx(shared.tooltip, css({ minWidth: 180 })),
    link: cx(shared.link, css({ textDecoration: 'underline' })),
    wrap: css({ display: 'flex', flexDirection: 'column', width: '100%', height: '100%', position: 'relative' }),
    tooltipHead: css({ fontWeight: theme.typography.fontWeightMedium }),
    tooltipRow: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center' }),
    grow: css({ flex: 1 }),
    hint: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
    popover: css({
      position: 'absolute',
      background: theme.colors.background.primary,
      border: `1px solid ${theme.colors.border.strong}`,
      boxShadow: theme.shadows.z3,
      padding: theme.spacing(1, 3, 1, 1),
      fontSize: theme.typography.bodySmall.fontSize,
      zIndex: 3,
    }),
    close: css({ position: 'absolute', right: 4, top: 2, background: 'none', border: 'none', color: theme.colors.text.secondary, cursor: 'pointer' }),
    legendRow: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1.5), alignItems: 'center', cursor: 'pointer', lineHeight: '22px' }),
    name: css({ fontWeight: theme.typography.fontWeightMedium }),
    ok: css({ color: theme.colors.success.text }),
    bad: css({ color: theme.colors.error.text }),
  };
};
