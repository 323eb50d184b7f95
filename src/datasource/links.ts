/**
 * Stage 4 (derived data): internal links between the frames of this data source.
 * The backend already links trace-ID fields to a `trace` query (pkg/frames Links); this
 * module adds what only the frontend knows how to phrase (span → its logs, from the
 * configured Loki extraction) and fills in trace links on frames that came without them.
 *
 * Guarantees to the next stage: frames are copied, never mutated; every link is
 * `internal: { datasourceUid, datasourceName, query }` to this data source (no URLs).
 */
import type { DataFrame, DataLink, Field } from '@grafana/data';

import { LENS_KIND, ExemplarFields, LogFields, SearchFields, SpanFields, type LensFrameKind } from '../shared/frames';
import { QUERY_MODEL_VERSION, type LogsQuery, type TraceQuery } from '../shared/queryModel';
import type { LensJsonData, TraceIdExtraction } from '../shared/settings';
import { LABEL_NAME } from './language/escape';

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
 * LogQL for one span's lines: the trace log selector plus a filter on the span ID (or, when
 * no span key is configured, on the trace ID). Label-like modes filter the key; line modes
 * use a line filter. IDs are hex (the backend normalises them), so they are safe in a string.
 */
export function spanLogsExpr(jsonData: LensJsonData): string {
  const selector = jsonData.logs?.traceLogSelector?.trim() || DEFAULT_TRACE_LOG_SELECTOR;
  const rule: TraceIdExtraction = jsonData.logs?.extraction ?? {
    mode: 'structuredMetadata',
    traceIdKey: 'trace_id',
    spanIdKey: 'span_id',
  };
  const span = '${__value.raw}';
  const trace = '${__data.fields.traceID}';
  switch (rule.mode) {
    case 'label':
    case 'structuredMetadata': {
      const byKey = (key: string | undefined, value: string) =>
        key && LABEL_NAME.test(key) ? `${selector} | ${key}="${value}"` : undefined;
      return byKey(rule.spanIdKey, span) ?? byKey(rule.traceIdKey, trace) ?? `${selector} |= "${span}"`;
    }
    case 'logfmt':
      return rule.spanIdKey && LABEL_NAME.test(rule.spanIdKey)
        ? `${selector} | logfmt | ${rule.spanIdKey}="${span}"`
        : `${selector} |= "${span}"`;
    default:
      return `${selector} |= "${span}"`;
  }
}

export function spanLogsLink(target: LinkTarget, jsonData: LensJsonData): DataLink<LogsQuery> {
  return {
    title: 'Logs for this span',
    url: '',
    internal: {
      datasourceUid: target.datasourceUid,
      datasourceName: target.datasourceName,
      query: { refId: 'logs', queryType: 'logs', version: QUERY_MODEL_VERSION, expr: spanLogsExpr(jsonData) },
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
