/**
 * Trace waterfall: header summary, toolbar (search + filters), minimap with the time window,
 * the virtualised span list and the detail drawer. One state object + dispatch (state.ts);
 * every derived array comes from the pure row-state functions, memoised.
 */
import React, { useEffect, useMemo, useReducer } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Button, Checkbox, IconButton, Input, MultiCombobox, useStyles2 } from '@grafana/ui';

import { formatMs } from '../cdf/prepareCdfData';
import { type WaterfallOptions } from '../types';
import { Minimap } from './Minimap';
import { type TraceHeader, type WaterfallData } from './prepareWaterfallData';
import { filterKeep, rowList, searchSpans, visibleRows, type SpanFilter } from './rowStates';
import { SpanDetail } from './SpanDetail';
import { SpanList } from './SpanList';
import { initialState, waterfallReducer, type WaterfallAction } from './state';

interface Props {
  data: WaterfallData;
  options: WaterfallOptions;
  width: number;
  height: number;
  /** The dashboard's time zone, for the trace's start time. */
  timeZone?: string;
}

const HEADER = 28;
const TOOLBAR = 36;
const MINIMAP = 44;
const AXIS = 20;

export function WaterfallView({ data, options, width, height, timeZone }: Props) {
  const styles = useStyles2(getStyles);
  const { model, header } = data;
  const [stored, dispatch] = useReducer(waterfallReducer, model, initialState);
  const state = stored.model === model ? stored : initialState(model);
  useEffect(() => {
    if (stored.model !== model) {
      dispatch({ type: 'reset', model });
    }
  }, [model, stored.model]);

  const keep = useMemo(() => filterKeep(model, state.filter), [model, state.filter]);
  const search = useMemo(() => searchSpans(model, state.search), [model, state.search]);
  const visible = useMemo(() => visibleRows(model, state.collapsed, keep), [model, state.collapsed, keep]);
  const rows = useMemo(
    () => rowList(model, visible, state.logsOpen, options.showLogs),
    [model, visible, state.logsOpen, options.showLogs]
  );

  const drawerWidth = state.selected >= 0 ? Math.min(420, Math.round(width * 0.4)) : 0;
  const listWidth = width - drawerWidth;
  const listHeight = Math.max(60, height - HEADER - TOOLBAR - MINIMAP - AXIS - 8);

  const matches = search?.positions ?? NO_MATCHES;

  const nameWidth = Math.max(180, Math.min(420, Math.round(listWidth * 0.32)));
  const [w0, w1] = state.window;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ f, ms: (w0 + f * (w1 - w0)) * model.durationMs }));

  return (
    <div className={styles.wrap} style={{ width, height }} data-testid="lens-waterfall">
      <TraceHeaderBar header={header} notes={data.notes} timeZone={timeZone} decimals={data.decimals} />
      <div className={styles.toolbar} style={{ height: TOOLBAR }}>
        <Toolbar
          search={state.search}
          matchCursor={state.matchCursor}
          matches={matches}
          hasSearch={search !== null}
          filter={state.filter}
          services={model.services}
          dispatch={dispatch}
        />
        <span className={styles.rowCount} style={{ minWidth: `${model.n.toLocaleString().length + 4.5}ch` }} data-testid="lens-row-count">
          {visible.length.toLocaleString()} rows
        </span>
      </div>
      <Minimap data={data} window={state.window} width={width - 2} height={MINIMAP - 6} dispatch={dispatch} />
      <div className={styles.body}>
        <div style={{ width: listWidth }}>
          <div className={styles.axis} style={{ height: AXIS }}>
            <div style={{ width: nameWidth, flex: 'none' }} className={styles.dim}>
              {state.window[0] > 0 || state.window[1] < 1
                ? 'zoomed (double-click minimap to reset)'
                : 'Service & operation'}
            </div>
            <div className={styles.ticks} data-testid="lens-time-axis">
              {ticks.map((t) => (
                <span
                  key={t.f}
                  style={{
                    left: `${t.f * 100}%`,
                    transform: t.f === 1 ? 'translateX(-100%)' : t.f > 0 ? 'translateX(-50%)' : undefined,
                  }}
                >
                  {formatMs(t.ms, data.decimals)}
                </span>
              ))}
            </div>
          </div>
          <SpanList
            data={data}
            state={state}
            dispatch={dispatch}
            rows={rows}
            match={search?.match ?? null}
            width={listWidth}
            height={listHeight}
          />
        </div>
        {state.selected >= 0 && state.selected < model.n ? (
          <SpanDetail
            data={data}
            pos={state.selected}
            width={drawerWidth}
            onClose={() => dispatch({ type: 'select', pos: state.selected })}
            timeZone={timeZone}
          />
        ) : null}
      </div>
    </div>
  );
}

const NO_MATCHES = new Int32Array(0);

/** The trace summary line; re-renders only when the trace changes. */
const TraceHeaderBar = React.memo(function TraceHeaderBar({
  header,
  notes,
  timeZone,
  decimals,
}: {
  header: TraceHeader;
  notes: string[];
  timeZone?: string;
  decimals?: number;
}) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.header} style={{ height: HEADER }} data-testid="lens-trace-header">
      <b>{header.rootService}</b>
      <span>{header.rootName}</span>
      <span className={styles.dim}>{dateTimeFormat(header.startMs, { timeZone })}</span>
      <span>
        Duration <b>{formatMs(header.durationMs, decimals)}</b>
      </span>
      <span>
        Services <b>{header.services}</b>
      </span>
      <span>
        Spans <b data-testid="lens-span-count">{header.spans.toLocaleString()}</b>
      </span>
      <span className={header.errors ? styles.err : styles.dim}>
        Errors <b>{header.errors}</b>
      </span>
      {notes.length ? (
        <span className={styles.warn} title={notes.join('\n')}>
          ⚠ {notes[0]}
          {notes.length > 1 ? ` (+${notes.length - 1})` : ''}
        </span>
      ) : null}
    </div>
  );
});

interface ToolbarProps {
  search: string;
  hasSearch: boolean;
  matchCursor: number;
  matches: Int32Array;
  filter: SpanFilter;
  services: string[];
  dispatch: React.Dispatch<WaterfallAction>;
}

/** Search and filters; re-renders only when they change (not on expand/collapse or scrolling). */
const Toolbar = React.memo(function Toolbar({
  search,
  hasSearch,
  matchCursor,
  matches,
  filter,
  services,
  dispatch,
}: ToolbarProps) {
  const styles = useStyles2(getStyles);
  const serviceOptions = useMemo(() => services.map((s) => ({ value: s, label: s })), [services]);
  const goMatch = (delta: number) => {
    if (!matches.length) {
      return;
    }
    const index = (matchCursor + delta + matches.length) % matches.length;
    dispatch({ type: 'focusMatch', index, pos: matches[index] });
  };
  return (
    <>
      <div className={styles.search}>
        <Input
          placeholder="Search name, service, attribute (key=value)"
          value={search}
          onChange={(e) => dispatch({ type: 'search', text: e.currentTarget.value })}
          onKeyDown={(e) => e.key === 'Enter' && goMatch(e.shiftKey ? -1 : 1)}
          data-testid="lens-span-search"
          width={32}
        />
        {hasSearch ? (
          <span className={styles.dim} data-testid="lens-match-count">
            {matches.length ? `${matchCursor + 1} / ${matches.length}` : 'no match'}
          </span>
        ) : null}
        <IconButton name="arrow-up" tooltip="Previous match" onClick={() => goMatch(-1)} disabled={!matches.length} />
        <IconButton name="arrow-down" tooltip="Next match" onClick={() => goMatch(1)} disabled={!matches.length} />
      </div>
      <div className={styles.filters}>
        <MultiCombobox<string>
          placeholder="Services"
          options={serviceOptions}
          value={filter.services}
          onChange={(v) => dispatch({ type: 'filter', filter: { services: v.map((x) => x.value) } })}
          width={24}
          data-testid="lens-filter-services"
        />
        <Input
          type="number"
          placeholder="min ms"
          width={10}
          value={filter.minDurationMs || ''}
          onChange={(e) => dispatch({ type: 'filter', filter: { minDurationMs: Number(e.currentTarget.value) || 0 } })}
          data-testid="lens-filter-min"
        />
        <Input
          placeholder="attribute"
          width={16}
          value={filter.attribute}
          onChange={(e) => dispatch({ type: 'filter', filter: { attribute: e.currentTarget.value } })}
          data-testid="lens-filter-attribute"
        />
        <Checkbox
          label="Errors only"
          value={filter.errorsOnly}
          onChange={(e) => dispatch({ type: 'filter', filter: { errorsOnly: e.currentTarget.checked } })}
          data-testid="lens-filter-errors"
        />
        <Button size="sm" variant="secondary" fill="text" onClick={() => dispatch({ type: 'collapseAll' })}>
          Collapse all
        </Button>
        <Button size="sm" variant="secondary" fill="text" onClick={() => dispatch({ type: 'expandAll' })}>
          Expand all
        </Button>
      </div>
    </>
  );
});

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ display: 'flex', flexDirection: 'column', overflow: 'hidden' }),
  header: css({
    display: 'flex',
    gap: theme.spacing(2),
    alignItems: 'center',
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    fontSize: theme.typography.bodySmall.fontSize,
    flex: 'none',
  }),
  toolbar: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', flex: 'none', overflow: 'hidden' }),
  search: css({ display: 'flex', gap: theme.spacing(0.5), alignItems: 'center', flex: 'none' }),
  // The filters give way (clipped) on a narrow panel; the row count stays in view.
  filters: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', flexWrap: 'nowrap', flex: '1 1 auto', minWidth: 0, overflow: 'hidden' }),
  // As wide as the largest count it can show (all spans; set inline), with its own layout and
  // paint: a new count (every expand/collapse) moves and repaints nothing else in the toolbar.
  rowCount: css({ color: theme.colors.text.secondary, flex: 'none', whiteSpace: 'nowrap', marginLeft: 'auto', textAlign: 'right', contain: 'layout paint' }),
  body: css({ display: 'flex', flex: 1, minHeight: 0, marginTop: 4 }),
  axis: css({
    display: 'flex',
    fontSize: theme.typography.bodySmall.fontSize,
    borderBottom: `1px solid ${theme.colors.border.medium}`,
  }),
  ticks: css({
    position: 'relative',
    flex: 1,
    marginLeft: 8,
    marginRight: 8,
    '& > span': { position: 'absolute', color: theme.colors.text.secondary, whiteSpace: 'nowrap' },
  }),
  dim: css({ color: theme.colors.text.secondary }),
  err: css({ color: theme.colors.error.text }),
  warn: css({ color: theme.colors.warning.text, overflow: 'hidden', textOverflow: 'ellipsis' }),
});
