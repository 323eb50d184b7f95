/**
 * The virtualised span list: fixed-height rows, only those in the viewport (plus overscan) are
 * in the DOM, so a 100k-span trace renders ~40 rows. Reads flat arrays; talks back via dispatch.
 */
import React, { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { colorManipulator, type GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import { formatMs } from '../cdf/prepareCdfData';
import { type WaterfallData } from './prepareWaterfallData';
import { type RowList } from './rowStates';
import { type WaterfallAction, type WaterfallState } from './state';

export const ROW_HEIGHT = 24;
const OVERSCAN = 3;

interface Props {
  data: WaterfallData;
  state: WaterfallState;
  dispatch: React.Dispatch<WaterfallAction>;
  rows: RowList;
  match: Uint8Array | null;
  width: number;
  height: number;
}

/** A row part that acts on click (and on Enter/Space where it is a button): see `onListClick`. */
type RowAction = 'toggle' | 'logs' | 'select';

/**
 * Class names joined as they are. Emotion's `cx` merges several of its classes into a new one,
 * serialising and hashing their styles on every call (per row, per render); here the later
 * class wins by its place in getStyles, which lists modifiers after what they modify.
 */
function classes(...names: Array<string | false>): string {
  let out = '';
  for (const n of names) {
    if (n) {
      out = out ? `${out} ${n}` : n;
    }
  }
  return out;
}

/**
 * Props of a span that acts as a button (focusable, Enter/Space). Clicks and keys are handled
 * once for the whole list (event delegation): rows carry no handlers of their own, so a
 * re-created row costs React only its elements; native <button>s cost several times more to
 * lay out and paint.
 */
const asButton = (action: RowAction) => ({ role: 'button', tabIndex: 0, 'data-action': action });

export function SpanList({ data, state, dispatch, rows, match, width, height }: Props) {
  const styles = useStyles2(getStyles);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const { model } = data;
  const nameWidth = Math.max(180, Math.min(420, Math.round(width * 0.32)));
  const barWidth = Math.max(40, width - nameWidth - 16);
  const [w0, w1] = state.window;
  const span = (w1 - w0) * (model.durationMs || 1);
  const toX = (ms: number) => ((ms - w0 * (model.durationMs || 1)) / span) * barWidth;

  useLayoutEffect(() => {
    if (state.scrollTo < 0 || !scroller.current) {
      return;
    }
    let idx = -1;
    for (let i = 0; i < rows.length; i++) {
      if (rows.pos[i] === state.scrollTo && rows.log[i] < 0) {
        idx = i;
        break;
      }
    }
    if (idx >= 0) {
      const top = idx * ROW_HEIGHT;
      const el = scroller.current;
      if (top < el.scrollTop || top + ROW_HEIGHT > el.scrollTop + height) {
        el.scrollTop = Math.max(0, top - height / 3);
        setScrollTop(el.scrollTop);
      }
    }
  }, [state.scrollTo, rows, height]);

  // A list that shrank below the scroll position starts over at the top. Compares the
  // scroll position held in state: reading el.scrollTop here would force a layout per change.
  useEffect(() => {
    const el = scroller.current;
    if (el && scrollTop > rows.length * ROW_HEIGHT) {
      el.scrollTop = 0;
      setScrollTop(0);
    }
  }, [rows.length, scrollTop]);

  // One handler for every row: the part clicked says what to do (its data-action), and a
  // click anywhere on the bar side of a span row selects the span.
  const act = (target: HTMLElement, row: HTMLElement, barSide: boolean) => {
    const p = Number(row.dataset.pos);
    const part = target.closest('[data-action]');
    const action = part && row.contains(part) ? part.getAttribute('data-action') : barSide ? 'select' : null;
    if (action === 'toggle') {
      dispatch({ type: 'toggle', pos: p });
    } else if (action === 'logs') {
      dispatch({ type: 'toggleLogs', pos: p });
    } else if (action === 'select') {
      dispatch({ type: 'select', pos: p });
    }
  };
  const onListClick = (e: React.MouseEvent) => {
    const target = e.target as HTMLElement;
    const row = target.closest<HTMLElement>('[data-testid="span-row"]');
    if (row) {
      act(target, row, target === row && e.nativeEvent.offsetX >= nameWidth);
    }
  };
  const onListKey = (e: React.KeyboardEvent) => {
    const target = e.target as HTMLElement;
    const row = target.closest<HTMLElement>('[data-testid="span-row"]');
    if (row && target.getAttribute('role') === 'button' && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      act(target, row, false);
    }
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const barLeft = nameWidth + 8;
  const items: React.ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const p = rows.pos[i];
    const l = rows.log[i];
    const top = i * ROW_HEIGHT;
    const indent = Math.min(model.depth[p] * 12, nameWidth * 0.5);
    if (l >= 0) {
      const line = model.logs.line(p, l);
      const lvl = line.level.toLowerCase();
      items.push(
        <div key={i} className={`${styles.row} ${styles.logRow}`} style={{ top }} data-testid="span-log-row" data-pos={p}>
          <div className={styles.name} style={{ width: nameWidth, paddingLeft: indent + 30 }}>
            <span className={classes(styles.level, lvl.startsWith('err') && styles.levelError, lvl.startsWith('warn') && styles.levelWarn)}>{line.level || 'log'}</span>
            <span className={styles.dim}>{Number.isFinite(line.timeMs) ? `+${formatMs(line.timeMs - model.traceStartMs - model.start[p], data.decimals)}` : ''}</span>
          </div>
          <div className={styles.logBody} title={line.body}>
            {line.body}
          </div>
        </div>
      );
      continue;
    }
    const hasKids = model.childCount[p] > 0;
    const collapsed = state.collapsed[p] === 1;
    const isMatch = match ? match[p] === 1 : false;
    // The bar, clipped to the bar column (a zoomed window cuts spans at its edges); w ≤ 0 for a
    // span outside the window, whose bar is not shown.
    const x0 = toX(model.start[p]);
    const w0 = Math.max(1, (model.duration[p] / span) * barWidth);
    const x = Math.max(0, x0);
    const w = Math.min(barWidth, x0 + w0) - x;
    const nLogs = model.logs.count(p);
    const critical = data.critical[p] === 1;
    const service = model.services[model.service[p]];
    const operation = model.operations[model.operation[p]];
    // A span row is flat: the name side is the row's own flex content (the padding keeps it
    // within nameWidth), the bar and its label are positioned children.
    items.push(
      <div
        key={i}
        className={classes(styles.row, styles.spanRow, isMatch && styles.match, state.selected === p && styles.selected)}
        style={{ top, paddingLeft: indent + (hasKids ? 0 : TOGGLE) }}
        data-testid="span-row"
        data-pos={p}
        data-span-id={model.spanId[p]}
        data-depth={model.depth[p]}
        data-match={isMatch ? '1' : undefined}
        data-critical={critical ? '1' : undefined}
        data-collapsed={collapsed ? '1' : undefined}
      >
        {hasKids ? (
          <span
            {...asButton('toggle')}
            className={collapsed ? styles.toggleRight : styles.toggleDown}
            data-testid="span-toggle"
            aria-label={collapsed ? 'Expand' : 'Collapse'}
            aria-expanded={!collapsed}
          />
        ) : null}
        <span className={styles.label} data-action="select" title={`${service} ${operation}`} style={{ borderLeftColor: data.serviceColors[model.service[p]] }}>
          <b className={styles.svc}>{service}</b> {operation}
        </span>
        {model.error[p] ? <span className={styles.err} title="error">!</span> : null}
        {hasKids && collapsed ? <span className={styles.dim}>+{model.subtreeEnd[p] - p - 1}</span> : null}
        {nLogs ? (
          <span {...asButton('logs')} className={styles.logsBtn} data-testid="span-logs-toggle" title="log lines">
            {nLogs === 1 ? '1 log' : `${nLogs} logs`}
          </span>
        ) : null}
        <div className={critical ? `${styles.bar} ${styles.critical}` : styles.bar} data-testid="span-bar" data-action="select" style={{ left: barLeft + x, width: Math.max(1, w), background: data.palette[data.colorIndex[p]], display: w > 0 ? undefined : 'none' }} />
        <span className={styles.dur} data-action="select" style={{ left: barLeft + Math.min(Math.max(0, x0 + w0 + 4), barWidth - 60) }}>
          {formatMs(model.duration[p], data.decimals)}
        </span>
      </div>
    );
  }

  return (
    <div
      ref={scroller}
      className={styles.scroller}
      style={{ height }}
      data-testid="lens-span-list"
      onScroll={(e) => setScrollTop((e.target as HTMLDivElement).scrollTop)}
      onClick={onListClick}
      onKeyDown={onListKey}
    >
      <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative', [NAME_WIDTH_VAR]: `${nameWidth}px` } as React.CSSProperties}>
        {items}
        <div className={styles.divider} style={{ left: nameWidth - 1, top: first * ROW_HEIGHT, height: (last - first) * ROW_HEIGHT }} />
      </div>
    </div>
  );
}

const TOGGLE = 16;
const NAME_WIDTH_VAR = '--lens-name-width';

const chevron = (color: string, right: boolean) => ({
  width: TOGGLE,
  height: '100%',
  flex: 'none',
  cursor: 'pointer',
  position: 'relative' as const,
  // Chevrons drawn with borders: glyphs such as ▸ ▾ come from a fallback font, which made
  // laying out and painting a row several times dearer.
  '&::before': {
    content: '""',
    position: 'absolute' as const,
    left: right ? 6 : 4,
    top: '50%',
    marginTop: right ? -4 : -3,
    width: 0,
    height: 0,
    ...(right
      ? { borderTop: '4px solid transparent', borderBottom: '4px solid transparent', borderLeft: `5px solid ${color}` }
      : { borderLeft: '4px solid transparent', borderRight: '4px solid transparent', borderTop: `5px solid ${color}` }),
  },
});

const getStyles = (theme: GrafanaTheme2) => ({
  // Containment: a change inside the list (rows added, removed, restyled) is laid out and
  // painted without touching the rest of the panel.
  scroller: css({ overflowY: 'auto', overflowX: 'hidden', position: 'relative', flex: 'none', contain: 'strict' }),
  row: css({
    position: 'absolute',
    left: 0,
    right: 0,
    height: ROW_HEIGHT,
    display: 'flex',
    alignItems: 'center',
    fontSize: theme.typography.bodySmall.fontSize,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    '&:hover': { background: theme.colors.action.hover },
  }),
  // The name side is the row's own content: the right padding leaves it nameWidth wide.
  spanRow: css({
    gap: 4,
    overflow: 'hidden',
    whiteSpace: 'nowrap',
    paddingRight: `calc(100% - var(${NAME_WIDTH_VAR}))`,
    // The bar side selects the span on click: a pointer over all of it, under the bar and its label.
    '&::before': { content: '""', position: 'absolute', top: 0, bottom: 0, right: 0, left: `calc(var(${NAME_WIDTH_VAR}) + 8px)`, cursor: 'pointer' },
  }),
  logRow: css({ background: theme.colors.background.secondary, color: theme.colors.text.secondary }),
  match: css({ background: colorManipulator.alpha(theme.colors.warning.main, 0.22), '&:hover': { background: colorManipulator.alpha(theme.colors.warning.main, 0.32) } }),
  selected: css({ outline: `1px solid ${theme.colors.primary.border}`, outlineOffset: -1 }),
  name: css({ display: 'flex', alignItems: 'center', gap: 4, boxSizing: 'border-box', overflow: 'hidden', whiteSpace: 'nowrap', flex: 'none', height: '100%', borderRight: `1px solid ${theme.colors.border.weak}` }),
  divider: css({ position: 'absolute', width: 1, background: theme.colors.border.weak, pointerEvents: 'none' }),
  toggleRight: css(chevron(theme.colors.text.secondary, true)),
  toggleDown: css(chevron(theme.colors.text.secondary, false)),
  // The service colour is the label's left border (one element less per row than a chip).
  label: css({ overflow: 'hidden', textOverflow: 'ellipsis', borderLeft: '4px solid', borderRadius: 2, paddingLeft: 4, flex: '0 1 auto', minWidth: 0, cursor: 'pointer' }),
  svc: css({ fontWeight: theme.typography.fontWeightMedium }),
  err: css({ color: theme.colors.error.text, fontWeight: 'bold', flex: 'none' }),
  dim: css({ color: theme.colors.text.secondary, flex: 'none' }),
  logsBtn: css({ color: theme.colors.text.link, cursor: 'pointer', padding: '0 4px', flex: 'none', userSelect: 'none', fontSize: 11 }),
  bar: css({ position: 'absolute', top: 6, height: ROW_HEIGHT - 12, borderRadius: 2, minWidth: 1, cursor: 'pointer' }),
  critical: css({ boxShadow: `0 0 0 1.5px ${theme.colors.text.primary}` }),
  dur: css({ position: 'absolute', top: 4, color: theme.colors.text.secondary, whiteSpace: 'nowrap', cursor: 'pointer' }),
  level: css({ textTransform: 'uppercase', fontSize: 10, padding: '0 4px', borderRadius: 2, background: theme.colors.background.canvas }),
  levelError: css({ color: theme.colors.error.text }),
  levelWarn: css({ color: theme.colors.warning.text }),
  logBody: css({ marginLeft: 8, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', fontFamily: theme.typography.fontFamilyMonospace }),
});
