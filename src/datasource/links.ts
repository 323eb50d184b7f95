/**
 * Stage 4 (derived data): internal links between the frames of this data source.
 * The backend already links trace-ID fields to a `trace` query (pkg/frames Links); this
 * module adds what only the frontend knows how to phrase (span → its logs, from the
 * configured Loki extraction) and fills in trace links on frames that came without them.
 *
 * Guarantees to the next stage: frames are copied, never mutated; every link is
 * `internal: { datasourceUid, datasourceName, query }` to this data source (no URLs), its
 * query an object or, for the span link, a function of the clicked row.
 */
import type { DataFrame, DataLink, Field } from '@grafana/data';

import { LENS_KIND, ExemplarFields, LogFields, SearchFields, SpanFields, type LensFrameKind } from '../shared/frames';
import { QUERY_MODEL_VERSION, type LogsQuery, type TraceQuery } from '../shared/queryModel';
import type { LensJsonData, TraceIdExtraction } from '../shared/settings';

export interface LinkTarget {
  datasourceUid: string;
  datasourceName: string;
}

const DEFAULT_TRACE_LOG_SELECTOR = '{service_name=~".+"}';

export function traceLink(target: LinkTarget): DataLink<TraceQuery> {
  return {
    title: 'Open trace',
    url: '',
    internal: {
      datasourceUid: target.datasourceUid,
      datasourceName: target.datasourceName,
      query: { refId: 'trace', queryType: 'trace', version: QUERY_MODEL_VERSION, traceId: '${__value.raw}' },
    },
  };
}

/**
 * LogQL for one span's lines: the trace log selector and the backend's ID filters,
 * `$__traceFilter(<trace ID>)` then `$__spanFilter(<span ID>)` (pkg/query expands them into
 * the stages the trace query finds its lines with, from the data source's extraction rule),
 * so the link finds the lines the trace query joins to the span, whatever spelling of the
 * IDs they carry. Label-like modes without a span key have no span filter: the link shows
 * the trace's lines. An ID that is not known (blank) gets no filter; one that is not a bare
 * word is written as a LogQL string.
 */
export function spanLogsExpr(jsonData: LensJsonData, traceId: string, spanId: string): string {
  const selector = jsonData.logs?.traceLogSelector?.trim() || DEFAULT_TRACE_LOG_SELECTOR;
  const rule: TraceIdExtraction = jsonData.logs?.extraction ?? {
    mode: 'structuredMetadata',
    traceIdKey: 'trace_id',
    spanIdKey: 'span_id',
  };
  const arg = (id: string) => (/^[0-9A-Za-z+/=_.:-]+$/.test(id) ? id : JSON.stringify(id));
  const filters = [selector];
  if (traceId) {
    filters.push(`$__traceFilter(${arg(traceId)})`);
  }
  const labelModeWithoutSpanKey = (rule.mode === 'label' || rule.mode === 'structuredMetadata') && !rule.spanIdKey;
  if (spanId && (!labelModeWithoutSpanKey || !traceId)) {
    filters.push(`$__spanFilter(${arg(spanId)})`);
  }
  return filters.join(' ');
}

/**
 * The span's "Logs for this span" link. Its query is a function of the clicked row (Grafana
 * calls it with the row's variables): written as a query object, the backend's macros in its
 * LogQL would be variables Grafana does not know, and Grafana's Explore and trace view leave
 * out a link whose query names an unknown variable.
 */
export function spanLogsLink(target: LinkTarget, jsonData: LensJsonData): DataLink<LogsQuery> {
  return {
    title: 'Logs for this span',
    url: '',
    internal: {
      datasourceUid: target.datasourceUid,
      datasourceName: target.datasourceName,
      query: ({ replaceVariables, scopedVars }) => {
        const value = (ref: string) => {
          const v = replaceVariables(ref, scopedVars).trim();
          return v.includes('${') ? '' : v;
        };
        const traceId = value(`\${__data.fields.${SpanFields.traceId}}`);
        const spanId = value('${__value.raw}');
        return { refId: 'logs', queryType: 'logs', version: QUERY_MODEL_VERSION, expr: spanLogsExpr(jsonData, traceId, spanId) };
      },
    },
  };
}

const TRACE_ID_FIELD: Partial<Record<LensFrameKind, string>> = {
  logs: LogFields.traceId,
  exemplars: ExemplarFields.traceId,
  search: SearchFields.traceId,
  spans: SpanFields.traceId,
};

const kindOf = (frame: DataFrame): LensFrameKind | undefined =>
  (frame.meta?.custom as Record<string, unknown> | undefined)?.[LENS_KIND] as LensFrameKind | undefined;

function withLink(field: Field, link: DataLink): Field {
  const links = field.config.links ?? [];
  if (links.some((l) => l.title === link.title)) {
    return field;
  }
  return { ...field, config: { ...field.config, links: [...links, link] } };
}

/** Copies the frames that need links; the others are returned as they are. */
export function addLinks(frames: DataFrame[], target: LinkTarget, jsonData: LensJsonData): DataFrame[] {
  return frames.map((frame) => {
    const kind = kindOf(frame);
    if (!kind) {
      return frame;
    }
    const traceField = TRACE_ID_FIELD[kind];
    let changed = false;
    const fields = frame.fields.map((f) => {
      let out = f;
      if (kind !== 'spans' && f.name === traceField && !f.config.links?.length) {
        out = withLink(out, traceLink(target));
      }
      if (kind === 'spans' && f.name === SpanFields.spanId && (jsonData.logs?.url ?? '') !== '') {
        out = withLink(out, spanLogsLink(target, jsonData));
      }
      changed ||= out !== f;
      return out;
    });
    return changed ? { ...frame, fields } : frame;
  });
}
