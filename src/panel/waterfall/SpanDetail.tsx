/** Detail drawer for one span: status, attributes, resource, events, links and its log lines. */
import React from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { IconButton, useStyles2 } from '@grafana/ui';

import { SpanFields } from '../../shared/frames';
import { formatMs } from '../cdf/prepareCdfData';
import { type WaterfallData } from './prepareWaterfallData';
import { logLinesOf } from './traceModel';

interface KV {
  key: string;
  value: unknown;
}

interface Props {
  data: WaterfallData;
  pos: number;
  width: number;
  onClose: () => void;
  /** The dashboard's time zone (Grafana's: "browser", "utc" or an IANA name). */
  timeZone?: string;
}

function cell(frame: WaterfallData['model']['frame'], name: string, row: number): unknown {
  return frame.fields.find((f) => f.name === name)?.values[row];
}

const show = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/** A span event: its name (Grafana's Tempo frames keep it only in `name`) and its attributes. */
function eventText(e: { name?: string; fields?: KV[] }): string {
  const fields = (e.fields ?? []).filter(Boolean);
  const attrs = fields.map((x) => `${x.key}=${show(x.value)}`).join(' ');
  const named = typeof e.name === 'string' && e.name !== '' && !fields.some((x) => x.key === 'event');
  return named ? [e.name, attrs].filter(Boolean).join(' ') : attrs;
}

function Table({ title, items }: { title: string; items: KV[] }) {
  const styles = useStyles2(getStyles);
  return (
    <section className={styles.section}>
      <h6 className={styles.h}>
        {title} <span className={styles.count}>{items.length}</span>
      </h6>
      {items.length ? (
        <table className={styles.table}>
          <tbody>
            {items.map((kv, i) => (
              <tr key={`${kv.key}-${i}`}>
                <td className={styles.k}>{kv.key}</td>
                <td className={styles.v}>{show(kv.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div className={styles.count}>none</div>
      )}
    </section>
  );
}

export function SpanDetail({ data, pos, width, onClose, timeZone }: Props) {
  const styles = useStyles2(getStyles);
  const { model } = data;
  const row = model.frameRow[pos];
  const f = model.frame;
  const tags = (cell(f, SpanFields.tags, row) as KV[] | undefined) ?? [];
  const resource = (cell(f, SpanFields.serviceTags, row) as KV[] | undefined) ?? [];
  const events = (cell(f, SpanFields.logs, row) as Array<{ timestamp: number; name?: string; fields: KV[] }> | undefined) ?? [];
  const refs = (cell(f, SpanFields.references, row) as Array<{ traceID: string; spanID: string; tags?: KV[] }> | undefined) ?? [];
  const statusCode = cell(f, SpanFields.statusCode, row);
  const statusMessage = cell(f, SpanFields.statusMessage, row);
  const kind = cell(f, SpanFields.kind, row);
  // The scope and trace-state columns come only when some span of the trace has them.
  const library = [cell(f, SpanFields.libraryName, row), cell(f, SpanFields.libraryVersion, row)].filter((v) => typeof v === 'string' && v !== '').join(' ');
  const traceState = cell(f, SpanFields.traceState, row);
  // Problems the store or the backend found with this span (clock skew, a truncated part…).
  const rawWarnings = cell(f, SpanFields.warnings, row);
  const warnings = Array.isArray(rawWarnings) ? rawWarnings.map((w) => show(w)) : [];
  const rank = data.rankOf(pos);
  const op = model.operations[model.operation[pos]];
  const logs = logLinesOf(model, pos);
  const startAbs = model.traceStartMs + model.start[pos];
  return (
    <aside className={styles.drawer} style={{ width }} data-testid="lens-span-detail">
      <div className={styles.title}>
        <div>
          <div className={styles.op}>{op}</div>
          <div className={styles.count}>
            {model.services[model.service[pos]]} · {formatMs(model.duration[pos], data.decimals)} · starts +{formatMs(model.start[pos], data.decimals)}
          </div>
        </div>
        <IconButton name="times" tooltip="Close" onClick={onClose} />
      </div>
      <Table
        title="Span"
        items={[
          { key: 'span ID', value: model.spanId[pos] },
          { key: 'trace ID', value: model.traceId },
          { key: 'parent', value: model.parent[pos] >= 0 ? model.spanId[model.parent[pos]] : '(root)' },
          { key: 'kind', value: kind ?? '' },
          { key: 'status', value: `${model.error[pos] ? 'error' : 'ok'}${statusCode !== undefined ? ` (${show(statusCode)})` : ''}${statusMessage ? `: ${show(statusMessage)}` : ''}` },
          ...(library ? [{ key: 'library', value: library }] : []),
          ...(typeof traceState === 'string' && traceState !== '' ? [{ key: 'trace state', value: traceState }] : []),
          { key: 'start', value: dateTimeFormat(startAbs, { timeZone, format: 'YYYY-MM-DD HH:mm:ss.SSS' }) },
          { key: 'critical path', value: data.critical[pos] ? 'yes' : 'no' },
          {
            key: 'percentile rank',
            value: Number.isNaN(rank) ? 'n/a (too few spans of this operation)' : `p${(rank * 100).toFixed(1)} of “${op}”${data.rankFromLatencyData ? ' (latency data)' : ' (this trace)'}`,
          },
        ]}
      />
      {warnings.length ? (
        <div className={styles.warnings} data-testid="lens-span-warnings">
          {warnings.map((w, i) => (
            <div key={i}>⚠ {w}</div>
          ))}
        </div>
      ) : null}
      <Table title="Attributes" items={tags} />
      <Table title="Resource" items={resource} />
      <Table
        title="Events"
        items={events.map((e) => ({ key: `+${formatMs(e.timestamp - startAbs, data.decimals)}`, value: eventText(e) }))}
      />
      <Table title="Links" items={refs.map((r) => ({ key: r.traceID === model.traceId ? 'span' : `trace ${r.traceID}`, value: r.spanID }))} />
      <Table title="Logs" items={logs.map((l) => ({ key: `${Number.isFinite(l.timeMs) ? `+${formatMs(l.timeMs - startAbs, data.decimals)}` : ''} ${l.level}`, value: l.body }))} />
    </aside>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  drawer: css({
    flex: 'none',
    height: '100%',
    overflowY: 'auto',
    borderLeft: `1px solid ${theme.colors.border.medium}`,
    background: theme.colors.background.primary,
    padding: theme.spacing(1),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  title: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', marginBottom: theme.spacing(1) }),
  op: css({ fontWeight: theme.typography.fontWeightMedium, fontSize: theme.typography.body.fontSize, wordBreak: 'break-all' }),
  section: css({ marginBottom: theme.spacing(1.5) }),
  warnings: css({ color: theme.colors.warning.text, marginBottom: theme.spacing(1.5) }),
  h: css({ margin: theme.spacing(0, 0, 0.5), fontSize: theme.typography.bodySmall.fontSize }),
  count: css({ color: theme.colors.text.secondary, fontWeight: 'normal' }),
  table: css({ width: '100%', borderCollapse: 'collapse', 'td': { borderTop: `1px solid ${theme.colors.border.weak}`, padding: '2px 4px', verticalAlign: 'top' } }),
  k: css({ color: theme.colors.text.secondary, whiteSpace: 'nowrap', width: '35%' }),
  v: css({ wordBreak: 'break-all', fontFamily: theme.typography.fontFamilyMonospace }),
});
