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
import { SpanIdIndex } from './spanIdIndex';

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
  /**
   * Log lines of position p are entries logStart[p] … logStart[p+1]-1 of the log index, in time
   * order; `logLineAt(model, l)` reads entry l from its frame (only lines on screen are read).
   */
  logStart: Int32Array;
  log: LogIndex;
  warnings: string[];
}

/** Where each log entry lives: a span's `logs` cell (source -1) or row `row` of `sources[source]`. */
export interface LogIndex {
  source: Int32Array;
  row: Int32Array;
  /** Entry within the span's `logs` cell; -1 for a logs-frame line. */
  entry: Int32Array;
  timeMs: Float64Array;
  spanLogs: unknown[] | undefined;
  sources: Array<{ body: Field | undefined; level: Field | undefined }>;
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
  const rawIds = values<unknown>(frame, SpanFields.spanId) ?? [];
  const ids = rawIds.every((v) => typeof v === 'string') ? (rawIds as string[]) : rawIds.map((v) => String(v ?? ''));
  const parents = values<string>(frame, SpanFields.parentSpanId) ?? [];
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
  let orphans = 0;
  for (let r = 0; r < n; r++) {
    const p = parents[r];
    const pr = p ? rowOf.get(typeof p === 'string' ? p : String(p)) : -1;
    if (p && pr < 0) {
      orphans++;
    }
    parentRow[r] = pr === r ? -1 : pr;
  }
  if (orphans) {
    warnings.push(`${orphans} spans point at a parent that is not in the trace; shown as roots`);
  }

  // ---- children (CSR), each list by start time
  const start = new Float64Array(n);
  const dur = new Float64Array(n);
  let traceStart = Infinity;
  let traceEnd = -Infinity;
  for (let r = 0; r < n; r++) {
    const s = Number(starts[r]);
    const d = Number(durs[r]) || 0;
    start[r] = s;
    dur[r] = d;
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

  // ---- per-row values, read in frame order; services and operations interned by name
  const svcTmp = new Int32Array(n);
  const opTmp = new Int32Array(n);
  const errRow = new Uint8Array(n);
  const tmpServices: string[] = [];
  const tmpOps: string[] = [];
  const tmpOpService: number[] = [];
  const serviceIndex = new Map<string, number>();
  // Operations per service: opIndex[service] maps a name to its index in tmpOps.
  const opIndex: Array<Map<string, number>> = [];
  for (let r = 0; r < n; r++) {
    const sv = svcs[r];
    const svc = typeof sv === 'string' ? sv : String(sv ?? '');
    let si = serviceIndex.get(svc);
    if (si === undefined) {
      si = tmpServices.length;
      tmpServices.push(svc);
      serviceIndex.set(svc, si);
      opIndex.push(new Map());
    }
    svcTmp[r] = si;
    const o = ops[r];
    const op = typeof o === 'string' ? o : String(o ?? '');
    const names = opIndex[si];
    let oi = names.get(op);
    if (oi === undefined) {
      oi = tmpOps.length;
      tmpOps.push(op);
      tmpOpService.push(si);
      names.set(op, oi);
    }
    opTmp[r] = oi;
    errRow[r] = isErrorRow(status[r], tags[r]) ? 1 : 0;
  }

  // ---- per-position arrays; services and operations numbered by first use in pre-order
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
  const svcNumber = new Int32Array(tmpServices.length).fill(-1);
  const opNumber = new Int32Array(tmpOps.length).fill(-1);
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
    duration[p] = dur[r];
    const ts = svcTmp[r];
    if (svcNumber[ts] < 0) {
      svcNumber[ts] = services.length;
      services.push(tmpServices[ts]);
    }
    service[p] = svcNumber[ts];
    const to = opTmp[r];
    if (opNumber[to] < 0) {
      opNumber[to] = operations.length;
      operations.push(tmpOps[to]);
      opService.push(svcNumber[tmpOpService[to]]);
    }
    operation[p] = opNumber[to];
    error[p] = errRow[r];
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

  const { logStart, log } = indexLogs(frame, otherFrames, posOf, rowOf, String(traceIds[0] ?? ''));
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
    log,
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

/** Log line l of the model (see `TraceModel.logStart`). */
export function logLineAt(model: TraceModel, l: number): LogLine {
  const { log } = model;
  const src = log.source[l];
  if (src < 0) {
    const entries = log.spanLogs?.[log.row[l]] as Array<{ fields: KV[] }> | undefined;
    return { timeMs: log.timeMs[l], ...logBody(entries?.[log.entry[l]]?.fields ?? []) };
  }
  const { body, level } = log.sources[src];
  return { timeMs: log.timeMs[l], body: String(body?.values[log.row[l]] ?? ''), level: String(level?.values[log.row[l]] ?? '') };
}

/** The log lines of position p, in time order. */
export function logLinesOf(model: TraceModel, p: number): LogLine[] {
  const out: LogLine[] = [];
  for (let l = model.logStart[p]; l < model.logStart[p + 1]; l++) {
    out.push(logLineAt(model, l));
  }
  return out;
}

/**
 * Span `logs` column entries plus lines of joined logs frames, per position, by time. Only
 * where each line is and its time are read here; bodies are read when shown.
 */
function indexLogs(
  frame: DataFrame,
  otherFrames: DataFrame[],
  posOf: Int32Array,
  rowOf: SpanIdIndex,
  traceId: string
): { logStart: Int32Array; log: LogIndex } {
  const n = posOf.length;
  const count = new Int32Array(n + 1);
  const spanLogs = fieldByName(frame, SpanFields.logs)?.values as unknown[] | undefined;
  if (spanLogs) {
    for (let r = 0; r < n; r++) {
      const entries = spanLogs[r];
      if (Array.isArray(entries)) {
        count[posOf[r]] += entries.length;
      }
    }
  }
  // Each logs frame line's position (or -1), kept for the fill pass.
  const sources: LogIndex['sources'] = [];
  const lineFrames: Array<{ pos: Int32Array; time: Field | undefined }> = [];
  for (const lf of otherFrames) {
    const span: Field | undefined = isLogsFrame(lf) ? fieldByName(lf, LogFields.spanId) : undefined;
    if (!span) {
      continue;
    }
    const trace = fieldByName(lf, LogFields.traceId);
    const pos = new Int32Array(lf.length).fill(-1);
    for (let i = 0; i < lf.length; i++) {
      if (trace && traceId && String(trace.values[i]) !== traceId) {
        continue;
      }
      const sid = span.values[i];
      const r = rowOf.get(typeof sid === 'string' ? sid : String(sid));
      if (r >= 0) {
        pos[i] = posOf[r];
        count[pos[i]]++;
      }
    }
    sources.push({
      body: fieldByName(lf, LogFields.body) ?? lf.fields.find((f) => f.name === 'Line' || f.name === 'line'),
      level: fieldByName(lf, LogFields.level),
    });
    lineFrames.push({ pos, time: fieldByName(lf, LogFields.time) });
  }

  const logStart = new Int32Array(n + 1);
  for (let p = 0; p < n; p++) {
    logStart[p + 1] = logStart[p] + count[p];
  }
  const total = logStart[n];
  const log: LogIndex = {
    source: new Int32Array(total),
    row: new Int32Array(total),
    entry: new Int32Array(total),
    timeMs: new Float64Array(total),
    spanLogs,
    sources,
  };
  const fill = logStart.slice(0, n);
  if (spanLogs) {
    for (let r = 0; r < n; r++) {
      const entries = spanLogs[r];
      if (!Array.isArray(entries)) {
        continue;
      }
      const p = posOf[r];
      for (let e = 0; e < entries.length; e++) {
        const k = fill[p]++;
        log.source[k] = -1;
        log.row[k] = r;
        log.entry[k] = e;
        log.timeMs[k] = Number(entries[e]?.timestamp);
      }
    }
  }
  lineFrames.forEach(({ pos, time }, s) => {
    for (let i = 0; i < pos.length; i++) {
      if (pos[i] < 0) {
        continue;
      }
      const k = fill[pos[i]]++;
      log.source[k] = s;
      log.row[k] = i;
      log.entry[k] = -1;
      log.timeMs[k] = Number(time?.values[i] ?? NaN);
    }
  });
  for (let p = 0; p < n; p++) {
    sortByTime(log, logStart[p], logStart[p + 1]);
  }
  return { logStart, log };
}

/** Orders entries [from, to) by time, stable (span events before frame lines at equal times). */
function sortByTime(log: LogIndex, from: number, to: number) {
  const t = log.timeMs;
  let sorted = true;
  for (let k = from + 1; k < to && sorted; k++) {
    sorted = !(t[k] < t[k - 1]);
  }
  if (sorted) {
    return;
  }
  const order = Array.from({ length: to - from }, (_, i) => from + i).sort((a, b) => t[a] - t[b] || a - b);
  for (const col of [log.source, log.row, log.entry, log.timeMs]) {
    const copy = order.map((k) => col[k]);
    col.set(copy, from);
  }
}
