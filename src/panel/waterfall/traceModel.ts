/**
 * Stage 4: a trace frame (Grafana's trace columns: ours, Tempo's, Jaeger's) → a tree laid out
 * in pre-order as flat typed arrays. Guarantees to the row-state stage: index = pre-order
 * position (children after their parent, siblings by start time); the subtree of `p` is
 * exactly positions [p, subtreeEnd[p]); `frameRow[p]` points back at the frame, which is
 * never modified. Tolerates repeated span IDs, missing parents and parent cycles (warnings).
 *
 * Built in a few passes over the columns with typed arrays only; per-span objects (log
 * entries, log bodies) are read when a view asks for them (`model.logs`), not up front.
 */
import { FieldType, type DataFrame } from '@grafana/data';

import { LINES_IN_SPAN_LOGS, LogFields, SpanFields } from '../../shared/frames';
import { normalizeSpanId, normalizeTraceId } from '../../shared/traceId';
import { fieldByName, isLogsFrame } from '../frames/classify';
import { SpanIdIndex } from './spanIdIndex';

export interface LogLine {
  timeMs: number;
  body: string;
  level: string;
}

/**
 * Each position's log lines: entries of the span's `logs` cell plus lines of joined logs
 * frames, in time order (span events before frame lines at equal times). Counting needs no
 * log entry; a position's lines are ordered when first read.
 */
export interface LogIndex {
  /** Number of log lines of position p. */
  count(p: number): number;
  /** Line k (0 ≤ k < count(p)) of position p. */
  line(p: number, k: number): LogLine;
}

export interface TraceModel {
  n: number;
  traceId: string;
  frame: DataFrame;
  frameRow: Int32Array;
  parent: Int32Array;
  depth: Uint16Array;
  subtreeEnd: Int32Array;
  childCount: Int32Array;
  /** ms since the trace start. */
  start: Float64Array;
  duration: Float64Array;
  service: Uint16Array;
  operation: Int32Array;
  error: Uint8Array;
  spanId: string[];
  services: string[];
  /** Operation names; `operationService[i]` is the service index of operation i. */
  operations: string[];
  operationService: Int32Array;
  traceStartMs: number;
  durationMs: number;
  maxDepth: number;
  logs: LogIndex;
  warnings: string[];
}

function values<T>(frame: DataFrame, name: string): T[] | undefined {
  return fieldByName(frame, name)?.values as T[] | undefined;
}

interface KV {
  key: string;
  value: unknown;
}

function isErrorStatus(statusCode: unknown): boolean {
  return statusCode === 2 || statusCode === 'STATUS_CODE_ERROR' || statusCode === 'ERROR' || statusCode === 'error';
}

function hasErrorTag(tags: KV[] | undefined): boolean {
  if (Array.isArray(tags)) {
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i];
      if (t && t.key === 'error' && (t.value === true || t.value === 'true')) {
        return true;
      }
    }
  }
  return false;
}

const asString = (v: unknown): string => (typeof v === 'string' ? v : String(v ?? ''));

/** Sorts list[from, to) by key, ties by value; insertion sort (sibling lists are short), else a comparator sort. */
function sortByKey(list: Int32Array, from: number, to: number, key: Float64Array) {
  if (to - from > 24) {
    list.subarray(from, to).sort((a, b) => key[a] - key[b] || a - b);
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const v = list[i];
    const kv = key[v];
    let j = i - 1;
    while (j >= from && (key[list[j]] > kv || (key[list[j]] === kv && list[j] > v))) {
      list[j + 1] = list[j];
      j--;
    }
    list[j + 1] = v;
  }
}

/**
 * The row of the span a span without a parent follows from: its first Jaeger reference
 * (FOLLOWS_FROM or CHILD_OF) to a span of the same trace, as Grafana's trace view nests it
 * (Grafana's Jaeger data source sets parentSpanID from a CHILD_OF reference only). OTel links
 * (no refType) are no parents. -1 when there is none.
 */
function followedSpan(cell: unknown, traceId: unknown, rowOf: SpanIdIndex): number {
  if (!Array.isArray(cell)) {
    return -1;
  }
  for (const ref of cell as Array<{ refType?: unknown; traceID?: unknown; spanID?: unknown } | null>) {
    if (!ref || (ref.refType !== 'FOLLOWS_FROM' && ref.refType !== 'CHILD_OF') || typeof ref.spanID !== 'string') {
      continue;
    }
    if (ref.traceID && traceId && ref.traceID !== traceId) {
      const a = normalizeTraceId(String(ref.traceID));
      const b = normalizeTraceId(String(traceId));
      if (!a.ok || !b.ok || a.id !== b.id) {
        continue;
      }
    }
    const row = rowOf.get(ref.spanID);
    if (row >= 0) {
      return row;
    }
  }
  return -1;
}

export function buildTraceModel(frame: DataFrame, otherFrames: DataFrame[] = []): TraceModel {
  const warnings: string[] = [];
  const n = frame.length;
  const rawIds = values<unknown>(frame, SpanFields.spanId) ?? [];
  let ids = rawIds as string[];
  for (let r = 0; r < rawIds.length; r++) {
    if (typeof rawIds[r] !== 'string') {
      ids = rawIds.map((v) => asString(v));
      break;
    }
  }
  const parents = values<unknown>(frame, SpanFields.parentSpanId) ?? [];
  const starts = values<number>(frame, SpanFields.startTime) ?? [];
  const durs = values<number>(frame, SpanFields.duration) ?? [];
  const svcs = values<string>(frame, SpanFields.serviceName) ?? [];
  const ops = values<string>(frame, SpanFields.operationName) ?? [];
  const status = values<unknown>(frame, SpanFields.statusCode) ?? [];
  const tags = values<KV[]>(frame, SpanFields.tags) ?? [];
  const traceIds = values<string>(frame, SpanFields.traceId) ?? [];

  // ---- parents by span ID
  const rowOf = new SpanIdIndex(ids);
  if (rowOf.duplicates) {
    warnings.push(`${rowOf.duplicates} spans repeat a span ID; their children attach to the first`);
  }
  const parentRow = new Int32Array(n);
  const refs = values<unknown>(frame, SpanFields.references);
  let orphans = 0;
  for (let r = 0; r < n; r++) {
    const p = parents[r];
    let pr = p ? rowOf.get(typeof p === 'string' ? p : String(p)) : -1;
    if (p && pr < 0) {
      orphans++;
    }
    if (!p && refs) {
      pr = followedSpan(refs[r], traceIds[r], rowOf);
    }
    parentRow[r] = pr === r ? -1 : pr;
  }
  if (orphans) {
    warnings.push(`${orphans} spans point at a parent that is not in the trace; shown as roots`);
  }

  // ---- children (CSR), each list by start time
  const start = new Float64Array(n);
  let traceStart = Infinity;
  let traceEnd = -Infinity;
  const kidOffset = new Int32Array(n + 1);
  let rootCount = 0;
  for (let r = 0; r < n; r++) {
    const s = Number(starts[r]);
    const e = s + (Number(durs[r]) || 0);
    start[r] = s;
    if (s < traceStart) {
      traceStart = s;
    }
    if (e > traceEnd) {
      traceEnd = e;
    }
    const p = parentRow[r];
    if (p >= 0) {
      kidOffset[p + 1]++;
    } else {
      rootCount++;
    }
  }
  for (let r = 0; r < n; r++) {
    kidOffset[r + 1] += kidOffset[r];
  }
  const kids = new Int32Array(kidOffset[n]);
  const roots = new Int32Array(rootCount);
  // `fill` is reused below as the walk's stack (every slot is read before the walk starts).
  const fill = kidOffset.slice(0, n);
  rootCount = 0;
  for (let r = 0; r < n; r++) {
    const p = parentRow[r];
    if (p >= 0) {
      kids[fill[p]++] = r;
    } else {
      roots[rootCount++] = r;
    }
  }
  for (let r = 0; r < n; r++) {
    if (kidOffset[r + 1] - kidOffset[r] > 1) {
      sortByKey(kids, kidOffset[r], kidOffset[r + 1], start);
    }
  }
  sortByKey(roots, 0, roots.length, start);

  // ---- pre-order walk (iterative: traces can be deep)
  const frameRow = new Int32Array(n);
  const posOf = new Int32Array(n).fill(-1);
  const stack = fill;
  let pos = 0;
  const walk = (root: number) => {
    let sp = 0;
    stack[sp++] = root;
    while (sp > 0) {
      const r = stack[--sp];
      if (posOf[r] >= 0) {
        continue;
      }
      posOf[r] = pos;
      frameRow[pos++] = r;
      for (let k = kidOffset[r + 1] - 1; k >= kidOffset[r]; k--) {
        if (posOf[kids[k]] < 0) {
          stack[sp++] = kids[k];
        }
      }
    }
  };
  for (let i = 0; i < roots.length; i++) {
    walk(roots[i]);
  }
  if (pos < n) {
    // Only spans on parent cycles are left; cut each cycle at its earliest span.
    const left: number[] = [];
    for (let r = 0; r < n; r++) {
      if (posOf[r] < 0) {
        left.push(r);
      }
    }
    warnings.push(`${left.length} spans form parent cycles; cut at the earliest span`);
    left.sort((a, b) => start[a] - start[b] || a - b);
    for (const r of left) {
      if (posOf[r] < 0) {
        parentRow[r] = -1;
        walk(r);
      }
    }
  }

  // ---- error flags, read in frame order (the order a parser allocated the rows' tag objects in)
  const errRow = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    errRow[r] = isErrorStatus(status[r]) || hasErrorTag(tags[r]) ? 1 : 0;
  }

  // ---- per-position arrays, read in pre-order; services and operations numbered by first
  // use in pre-order, interned by name (operations per service).
  const parent = new Int32Array(n);
  const depth = new Uint16Array(n);
  const childCount = new Int32Array(n);
  const startRel = new Float64Array(n);
  const duration = new Float64Array(n);
  const service = new Uint16Array(n);
  const operation = new Int32Array(n);
  const error = new Uint8Array(n);
  const spanId: string[] = new Array(n);
  const services: string[] = [];
  const operations: string[] = [];
  const opService: number[] = [];
  const serviceIndex = new Map<string, number>();
  const opIndex: Array<Map<string, number>> = [];
  let maxDepth = 0;
  for (let p = 0; p < n; p++) {
    const r = frameRow[p];
    const pr = parentRow[r];
    const pp = pr >= 0 && posOf[pr] < p ? posOf[pr] : -1;
    parent[p] = pp;
    const dp = pp >= 0 ? Math.min(depth[pp] + 1, 65535) : 0;
    depth[p] = dp;
    if (dp > maxDepth) {
      maxDepth = dp;
    }
    if (pp >= 0) {
      childCount[pp]++;
    }
    startRel[p] = start[r] - traceStart;
    duration[p] = Number(durs[r]) || 0;
    const svc = asString(svcs[r]);
    let si = serviceIndex.get(svc);
    if (si === undefined) {
      si = services.length;
      services.push(svc);
      serviceIndex.set(svc, si);
      opIndex.push(new Map());
    }
    service[p] = si;
    const op = asString(ops[r]);
    const names = opIndex[si];
    let oi = names.get(op);
    if (oi === undefined) {
      oi = operations.length;
      operations.push(op);
      opService.push(si);
      names.set(op, oi);
    }
    operation[p] = oi;
    error[p] = errRow[r];
    spanId[p] = ids[r];
  }
  const subtreeEnd = new Int32Array(n);
  // subtreeEnd[p] - p is the subtree size: start at 1, add each child's size bottom-up.
  for (let p = n - 1; p >= 0; p--) {
    const size = subtreeEnd[p] + 1;
    subtreeEnd[p] = p + size;
    if (parent[p] >= 0) {
      subtreeEnd[parent[p]] += size;
    }
  }

  const traceId = asString(traceIds[0]);
  return {
    n,
    traceId,
    frame,
    frameRow,
    parent,
    depth,
    subtreeEnd,
    childCount,
    start: startRel,
    duration,
    service,
    operation,
    error,
    spanId,
    services,
    operations,
    operationService: Int32Array.from(opService),
    traceStartMs: Number.isFinite(traceStart) ? traceStart : 0,
    durationMs: Number.isFinite(traceEnd - traceStart) ? traceEnd - traceStart : 0,
    maxDepth,
    logs: logIndex(frame, otherFrames, frameRow, posOf, rowOf, ids, traceId),
    warnings,
  };
}

/**
 * A span-log entry as one line. `name` is the TraceLog's event name (Grafana's Tempo data source
 * puts a span event's name only there): it leads the line unless an `event` field already says
 * it (our backend, Jaeger) or it is "log", the name of a log line copied into the cell.
 */
function logBody(fields: KV[], name?: unknown): { body: string; level: string } {
  let body = '';
  let level = '';
  const rest: string[] = [];
  let named = typeof name !== 'string' || name === '' || name === 'log';
  for (const f of fields ?? []) {
    if (!f) {
      continue;
    }
    if (f.key === 'event') {
      named = true;
    }
    if (f.key === 'message' || f.key === 'msg' || f.key === 'body' || f.key === 'log') {
      body = String(f.value);
    } else if (f.key === 'level' || f.key === 'severity') {
      level = String(f.value);
    } else {
      rest.push(`${f.key}=${typeof f.value === 'object' ? JSON.stringify(f.value) : String(f.value)}`);
    }
  }
  const text = [body, ...rest].filter(Boolean).join(' ');
  if (!named) {
    return { body: body ? `${name}: ${text}` : [name, text].filter(Boolean).join(' '), level };
  }
  return { body: text, level };
}

/** The log lines of position p, in time order. */
export function logLinesOf(model: TraceModel, p: number): LogLine[] {
  const out: LogLine[] = [];
  for (let k = 0; k < model.logs.count(p); k++) {
    out.push(model.logs.line(p, k));
  }
  return out;
}

interface SpanLogEntry {
  timestamp?: unknown;
  name?: unknown;
  fields?: KV[];
}

/**
 * The log index of a model. Span `logs` cells are counted from their length when asked; the
 * lines of joined logs frames are grouped by position on the first `count`; a position's lines
 * are put in time order on its first `line`.
 */
function logIndex(
  frame: DataFrame,
  otherFrames: DataFrame[],
  frameRow: Int32Array,
  posOf: Int32Array,
  rowOf: SpanIdIndex,
  ids: ArrayLike<string>,
  traceId: string
): LogIndex {
  const n = frameRow.length;
  const spanLogs = fieldByName(frame, SpanFields.logs)?.values as unknown[] | undefined;
  // The data source's spans frame may already carry the joined lines in its cells: its logs
  // frame then holds the same lines, which must not be shown twice.
  const lineFrames = frame.meta?.custom?.[LINES_IN_SPAN_LOGS] === true ? [] : otherFrames;
  // A line is another trace's only when it names one: a line without a trace ID (null, "")
  // that names a span of this trace is this trace's; spellings of one ID (case, leading
  // zeros) are the same trace.
  const want = normalizeTraceId(traceId);
  const seen = new Map<string, boolean>();
  const sameTrace = (v: unknown): boolean => {
    const s = asString(v);
    if (s === '' || s === traceId) {
      return true;
    }
    let same = seen.get(s);
    if (same === undefined) {
      const got = normalizeTraceId(s);
      same = want.ok && got.ok && got.id === want.id;
      seen.set(s, same);
    }
    return same;
  };
  // A line names its span as its logger wrote the ID, which may be another spelling than the
  // spans frame's (upper case, without leading zeros, base64, inside a traceparent): when the
  // ID as written names no span, both are read by the one normaliser (first span wins, as in
  // rowOf).
  const spanIds = new Map<string, string>();
  const normalSpan = (s: string): string => {
    let id = spanIds.get(s);
    if (id === undefined) {
      const r = normalizeSpanId(s);
      id = r.ok ? r.id : '';
      spanIds.set(s, id);
    }
    return id;
  };
  let rowOfNormal: Map<string, number> | undefined;
  const spanRow = (sid: string): number => {
    const r = rowOf.get(sid);
    if (r >= 0) {
      return r;
    }
    const id = normalSpan(sid);
    if (id === '') {
      return -1;
    }
    if (!rowOfNormal) {
      rowOfNormal = new Map();
      for (let k = 0; k < ids.length; k++) {
        const own = normalSpan(ids[k]);
        if (own !== '' && !rowOfNormal.has(own)) {
          rowOfNormal.set(own, k);
        }
      }
    }
    return rowOfNormal.get(id) ?? -1;
  };
  const cellOf = (p: number): SpanLogEntry[] | undefined => {
    const entries = spanLogs?.[frameRow[p]];
    return Array.isArray(entries) ? entries : undefined;
  };

  // Lines of logs frames by position (CSR): source frame and row of each.
  let joined: { start: Int32Array; source: Int32Array; row: Int32Array; sources: LineSource[] } | undefined;
  const joinedLines = () => {
    if (joined) {
      return joined;
    }
    const start = new Int32Array(n + 1);
    const sources: LineSource[] = [];
    const linePos: Int32Array[] = [];
    for (const lf of lineFrames) {
      const src = isLogsFrame(lf) ? lineSource(lf) : undefined;
      if (!src) {
        continue;
      }
      const at = new Int32Array(lf.length).fill(-1);
      for (let i = 0; i < lf.length; i++) {
        if (traceId && src.hasTrace && !sameTrace(src.traceOf(i))) {
          continue;
        }
        const sid = src.spanOf(i);
        const r = sid == null ? -1 : spanRow(typeof sid === 'string' ? sid : String(sid));
        if (r >= 0) {
          at[i] = posOf[r];
          start[at[i] + 1]++;
        }
      }
      sources.push(src);
      linePos.push(at);
    }
    for (let p = 0; p < n; p++) {
      start[p + 1] += start[p];
    }
    const source = new Int32Array(start[n]);
    const row = new Int32Array(start[n]);
    const fill = start.slice(0, n);
    linePos.forEach((at, s) => {
      for (let i = 0; i < at.length; i++) {
        if (at[i] >= 0) {
          const k = fill[at[i]]++;
          source[k] = s;
          row[k] = i;
        }
      }
    });
    joined = { start, source, row, sources };
    return joined;
  };

  // Per position read so far: its lines in time order, as indices (cell entries first, then joined lines).
  const ordered = new Map<number, Int32Array>();
  const orderOf = (p: number): Int32Array => {
    let order = ordered.get(p);
    if (order) {
      return order;
    }
    const cell = cellOf(p);
    const j = joinedLines();
    const nCell = cell?.length ?? 0;
    const count = nCell + j.start[p + 1] - j.start[p];
    const time = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      if (k < nCell) {
        time[k] = Number(cell![k]?.timestamp);
      } else {
        const l = j.start[p] + k - nCell;
        time[k] = j.sources[j.source[l]].timeOf(j.row[l]);
      }
    }
    order = new Int32Array(count);
    for (let k = 0; k < count; k++) {
      order[k] = k;
    }
    sortByKey(order, 0, count, time);
    ordered.set(p, order);
    return order;
  };

  return {
    count(p) {
      const j = joinedLines();
      return (cellOf(p)?.length ?? 0) + j.start[p + 1] - j.start[p];
    },
    line(p, k) {
      const i = orderOf(p)[k];
      const cell = cellOf(p);
      const nCell = cell?.length ?? 0;
      if (i < nCell) {
        const e = cell![i];
        return { timeMs: Number(e?.timestamp), ...logBody(e?.fields ?? [], e?.name) };
      }
      const j = joinedLines();
      const l = j.start[p] + i - nCell;
      const src = j.sources[j.source[l]];
      const r = j.row[l];
      return { timeMs: src.timeOf(r), body: src.bodyOf(r), level: src.levelOf(r) };
    },
  };
}

/** One logs frame's lines as the join reads them, whatever the frame's shape. */
interface LineSource {
  /** Whether the frame names a trace per line at all (a field or a label). */
  hasTrace: boolean;
  traceOf(i: number): unknown;
  spanOf(i: number): unknown;
  timeOf(i: number): number;
  bodyOf(i: number): string;
  levelOf(i: number): string;
}

const TRACE_LABELS = ['trace_id', 'traceID', 'traceId', 'traceid'];
const SPAN_LABELS = ['span_id', 'spanID', 'spanId', 'spanid'];
const LEVEL_LABELS = ['level', 'detected_level', 'severity', 'severity_text'];

/**
 * Reads a logs frame of our backend (timestamp, body, level, traceID, spanID fields) or of
 * Grafana's Loki data source, whose lines name their trace and span in the `labels` object
 * (structured metadata `trace_id`/`span_id`, or `traceID`/`spanID` labels): the classic shape
 * (labels, Time, Line, tsNs, id) and the data plane one (labels, timestamp, body, severity, id).
 * Undefined when the frame names no span for its lines.
 */
function lineSource(lf: DataFrame): LineSource | undefined {
  const labelsField = fieldByName(lf, LogFields.labels);
  const labelCache = new Map<number, Record<string, unknown> | undefined>();
  const labelsOf = (i: number): Record<string, unknown> | undefined => {
    if (!labelsField) {
      return undefined;
    }
    if (labelCache.has(i)) {
      return labelCache.get(i);
    }
    let v: unknown = labelsField.values[i];
    if (typeof v === 'string') {
      try {
        v = JSON.parse(v);
      } catch {
        v = undefined;
      }
    }
    const obj = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    labelCache.set(i, obj);
    return obj;
  };
  const fromLabels = (keys: string[]) => (i: number) => {
    const l = labelsOf(i);
    if (!l) {
      return undefined;
    }
    for (const k of keys) {
      const v = l[k];
      if (v != null && v !== '') {
        return v;
      }
    }
    return undefined;
  };
  const anyLabel = (keys: string[]) => {
    if (!labelsField) {
      return false;
    }
    for (let i = 0; i < lf.length; i++) {
      const l = labelsOf(i);
      if (l && keys.some((k) => l[k] != null && l[k] !== '')) {
        return true;
      }
    }
    return false;
  };
  const spanField = fieldByName(lf, LogFields.spanId);
  const spanLabel = !spanField && anyLabel(SPAN_LABELS);
  if (!spanField && !spanLabel) {
    return undefined;
  }
  const traceField = fieldByName(lf, LogFields.traceId);
  const traceLabel = !traceField && anyLabel(TRACE_LABELS);
  const time =
    fieldByName(lf, LogFields.time) ?? fieldByName(lf, 'Time') ?? fieldByName(lf, 'ts') ?? lf.fields.find((f) => f.type === FieldType.time);
  // Loki's nanosecond timestamps as strings: lines within one millisecond keep their order.
  const ns = fieldByName(lf, 'tsNs') ?? fieldByName(lf, 'TS');
  const body = fieldByName(lf, LogFields.body) ?? fieldByName(lf, 'Line') ?? fieldByName(lf, 'line');
  const level = fieldByName(lf, LogFields.level) ?? fieldByName(lf, 'severity') ?? fieldByName(lf, 'detected_level');
  const levelLabel = fromLabels(LEVEL_LABELS);
  const traceOfLabel = fromLabels(TRACE_LABELS);
  const spanOfLabel = fromLabels(SPAN_LABELS);
  return {
    hasTrace: !!traceField || traceLabel,
    traceOf: (i) => (traceField ? traceField.values[i] : traceOfLabel(i)),
    spanOf: (i) => (spanField ? spanField.values[i] : spanOfLabel(i)),
    timeOf: (i) => {
      const s = ns?.values[i];
      if (typeof s === 'string' && /^\d{7,19}$/.test(s)) {
        return Number(s.slice(0, -6)) + Number(s.slice(-6)) / 1e6;
      }
      return Number(time?.values[i] ?? NaN);
    },
    bodyOf: (i) => String(body?.values[i] ?? ''),
    levelOf: (i) => {
      const v = level ? level.values[i] : levelLabel(i);
      return v == null ? '' : String(v);
    },
  };
}
