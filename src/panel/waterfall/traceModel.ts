/**
 * Stage 4: a trace frame (Grafana's trace columns: ours, Tempo's, Jaeger's) → a tree laid out
 * in pre-order as flat typed arrays. Guarantees to the row-state stage: index = pre-order
 * position (children after their parent, siblings by start time); the subtree of `p` is
 * exactly positions [p, subtreeEnd[p]); `frameRow[p]` points back at the frame, which is
 * never modified. Tolerates repeated span IDs, missing parents and parent cycles (warnings).
 */
import { type DataFrame, type Field } from '@grafana/data';

import { LogFields, SpanFields } from '../../shared/frames';
import { fieldByName, isLogsFrame } from '../frames/classify';

export interface LogLine {
  timeMs: number;
  body: string;
  level: string;
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
  /** Log lines of position p: logs[logStart[p] .. logStart[p+1]). */
  logStart: Int32Array;
  logs: LogLine[];
  warnings: string[];
}

function values<T>(frame: DataFrame, name: string): T[] | undefined {
  return fieldByName(frame, name)?.values as T[] | undefined;
}

interface KV {
  key: string;
  value: unknown;
}

function isErrorRow(statusCode: unknown, tags: KV[] | undefined): boolean {
  if (statusCode === 2 || statusCode === 'STATUS_CODE_ERROR' || statusCode === 'ERROR' || statusCode === 'error') {
    return true;
  }
  if (Array.isArray(tags)) {
    for (const t of tags) {
      if (t && t.key === 'error' && (t.value === true || t.value === 'true')) {
        return true;
      }
    }
  }
  return false;
}

export function buildTraceModel(frame: DataFrame, otherFrames: DataFrame[] = []): TraceModel {
  const warnings: string[] = [];
  const n = frame.length;
  const ids = (values<string>(frame, SpanFields.spanId) ?? []).map((v) => String(v ?? ''));
  const parents = values<string>(frame, SpanFields.parentSpanId) ?? [];
  const starts = values<number>(frame, SpanFields.startTime) ?? [];
  const durs = values<number>(frame, SpanFields.duration) ?? [];
  const svcs = values<string>(frame, SpanFields.serviceName) ?? [];
  const ops = values<string>(frame, SpanFields.operationName) ?? [];
  const status = values<unknown>(frame, SpanFields.statusCode) ?? [];
  const tags = values<KV[]>(frame, SpanFields.tags) ?? [];
  const traceIds = values<string>(frame, SpanFields.traceId) ?? [];

  // ---- parents by span ID
  const rowOf = new Map<string, number>();
  let duplicates = 0;
  for (let r = 0; r < n; r++) {
    if (rowOf.has(ids[r])) {
      duplicates++;
    } else {
      rowOf.set(ids[r], r);
    }
  }
  if (duplicates) {
    warnings.push(`${duplicates} spans repeat a span ID; their children attach to the first`);
  }
  const parentRow = new Int32Array(n);
  let orphans = 0;
  for (let r = 0; r < n; r++) {
    const p = parents[r];
    const pr = p ? rowOf.get(String(p)) : undefined;
    if (p && pr === undefined) {
      orphans++;
    }
    parentRow[r] = pr === undefined || pr === r ? -1 : pr;
  }
  if (orphans) {
    warnings.push(`${orphans} spans point at a parent that is not in the trace; shown as roots`);
  }

  // ---- children (CSR), each list by start time
  const start = new Float64Array(n);
  let traceStart = Infinity;
  let traceEnd = -Infinity;
  for (let r = 0; r < n; r++) {
    const s = Number(starts[r]);
    const d = Number(durs[r]) || 0;
    start[r] = s;
    if (s < traceStart) {
      traceStart = s;
    }
    if (s + d > traceEnd) {
      traceEnd = s + d;
    }
  }
  const kidCount = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) {
    if (parentRow[r] >= 0) {
      kidCount[parentRow[r]]++;
    }
  }
  const kidOffset = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) {
    kidOffset[r + 1] = kidOffset[r] + kidCount[r];
  }
  const kids = new Int32Array(kidOffset[n]);
  const fill = kidOffset.slice(0, n);
  for (let r = 0; r < n; r++) {
    const p = parentRow[r];
    if (p >= 0) {
      kids[fill[p]++] = r;
    }
  }
  const byStart = (a: number, b: number) => start[a] - start[b] || a - b;
  for (let r = 0; r < n; r++) {
    if (kidCount[r] > 1) {
      kids.subarray(kidOffset[r], kidOffset[r + 1]).sort(byStart);
    }
  }
  const roots: number[] = [];
  for (let r = 0; r < n; r++) {
    if (parentRow[r] < 0) {
      roots.push(r);
    }
  }
  roots.sort(byStart);

  // ---- pre-order walk (iterative: traces can be deep)
  const frameRow = new Int32Array(n);
  const posOf = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
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
  for (const r of roots) {
    walk(r);
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
    left.sort(byStart);
    for (const r of left) {
      if (posOf[r] < 0) {
        parentRow[r] = -1;
        walk(r);
      }
    }
  }

  // ---- per-position arrays
  const parent = new Int32Array(n);
  const depth = new Uint16Array(n);
  const childCount = new Int32Array(n);
  const startRel = new Float64Array(n);
  const duration = new Float64Array(n);
  const service = new Uint16Array(n);
  const operation = new Int32Array(n);
  const error = new Uint8Array(n);
  const spanId: string[] = new Array(n);
  const serviceIndex = new Map<string, number>();
  const services: string[] = [];
  const opIndex = new Map<string, number>();
  const operations: string[] = [];
  const opService: number[] = [];
  let maxDepth = 0;
  for (let p = 0; p < n; p++) {
    const r = frameRow[p];
    const pr = parentRow[r];
    const pp = pr >= 0 && posOf[pr] < p ? posOf[pr] : -1;
    parent[p] = pp;
    depth[p] = pp >= 0 ? Math.min(depth[pp] + 1, 65535) : 0;
    if (depth[p] > maxDepth) {
      maxDepth = depth[p];
    }
    if (pp >= 0) {
      childCount[pp]++;
    }
    startRel[p] = start[r] - traceStart;
    duration[p] = Number(durs[r]) || 0;
    const svc = String(svcs[r] ?? '');
    let si = serviceIndex.get(svc);
    if (si === undefined) {
      si = services.length;
      services.push(svc);
      serviceIndex.set(svc, si);
    }
    service[p] = si;
    const op = String(ops[r] ?? '');
    const opKey = `${si}\u0000${op}`;
    let oi = opIndex.get(opKey);
    if (oi === undefined) {
      oi = operations.length;
      operations.push(op);
      opService.push(si);
      opIndex.set(opKey, oi);
    }
    operation[p] = oi;
    error[p] = isErrorRow(status[r], tags[r]) ? 1 : 0;
    spanId[p] = ids[r];
  }
  const subtreeEnd = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  for (let p = n - 1; p >= 0; p--) {
    subtreeEnd[p] = p + size[p];
    if (parent[p] >= 0) {
      size[parent[p]] += size[p];
    }
  }

  const { logStart, logs } = indexLogs(frame, otherFrames, frameRow, posOf, rowOf, String(traceIds[0] ?? ''));
  return {
    n,
    traceId: String(traceIds[0] ?? ''),
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
    logStart,
    logs,
    warnings,
  };
}

function logBody(fields: KV[]): { body: string; level: string } {
  let body = '';
  let level = '';
  const rest: string[] = [];
  for (const f of fields ?? []) {
    if (!f) {
      continue;
    }
    if (f.key === 'message' || f.key === 'msg' || f.key === 'body' || f.key === 'log') {
      body = String(f.value);
    } else if (f.key === 'level' || f.key === 'severity') {
      level = String(f.value);
    } else {
      rest.push(`${f.key}=${typeof f.value === 'object' ? JSON.stringify(f.value) : String(f.value)}`);
    }
  }
  return { body: [body, ...rest].filter(Boolean).join(' '), level };
}

/** Span `logs` column entries plus lines of joined logs frames, per position, by time. */
function indexLogs(
  frame: DataFrame,
  otherFrames: DataFrame[],
  frameRow: Int32Array,
  posOf: Int32Array,
  rowOf: Map<string, number>,
  traceId: string
): { logStart: Int32Array; logs: LogLine[] } {
  const n = frameRow.length;
  const perPos: Array<LogLine[] | undefined> = new Array(n);
  const spanLogs = values<Array<{ timestamp: number; fields: KV[] }>>(frame, SpanFields.logs);
  if (spanLogs) {
    for (let r = 0; r < n; r++) {
      const entries = spanLogs[r];
      if (Array.isArray(entries) && entries.length) {
        perPos[posOf[r]] = entries.map((e) => ({ timeMs: Number(e.timestamp), ...logBody(e.fields) }));
      }
    }
  }
  for (const lf of otherFrames) {
    if (!isLogsFrame(lf)) {
      continue;
    }
    const span: Field | undefined = fieldByName(lf, LogFields.spanId);
    if (!span) {
      continue;
    }
    const trace = fieldByName(lf, LogFields.traceId);
    const time = fieldByName(lf, LogFields.time);
    const body = fieldByName(lf, LogFields.body) ?? lf.fields.find((f) => f.name === 'Line' || f.name === 'line');
    const level = fieldByName(lf, LogFields.level);
    for (let i = 0; i < lf.length; i++) {
      if (trace && traceId && String(trace.values[i]) !== traceId) {
        continue;
      }
      const r = rowOf.get(String(span.values[i]));
      if (r === undefined) {
        continue;
      }
      const p = posOf[r];
      (perPos[p] ??= []).push({
        timeMs: Number(time?.values[i] ?? NaN),
        body: String(body?.values[i] ?? ''),
        level: String(level?.values[i] ?? ''),
      });
    }
  }
  const logStart = new Int32Array(n + 1);
  const logs: LogLine[] = [];
  for (let p = 0; p < n; p++) {
    logStart[p] = logs.length;
    const lines = perPos[p];
    if (lines) {
      if (lines.length > 1) {
        lines.sort((a, b) => a.timeMs - b.timeMs);
      }
      for (const l of lines) {
        logs.push(l);
      }
    }
  }
  logStart[n] = logs.length;
  return { logStart, logs };
}
