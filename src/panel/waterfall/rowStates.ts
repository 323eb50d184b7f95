/**
 * Stage 4: which rows the list shows. Assumes the model is in pre-order (see traceModel.ts),
 * so a collapsed span skips exactly [p+1, subtreeEnd[p]). All outputs are flat typed arrays
 * indexed by position; O(n) at most, O(visible) for the row list itself.
 */
import { SpanFields } from '../../shared/frames';
import { type TraceModel } from './traceModel';

export interface SpanFilter {
  /** Service names to keep; empty keeps all. */
  services: string[];
  /** Minimum span duration in ms; 0 keeps all. */
  minDurationMs: number;
  errorsOnly: boolean;
  /** `key=value` or free text matched against attributes; empty keeps all. */
  attribute: string;
}

export const emptyFilter: SpanFilter = { services: [], minDurationMs: 0, errorsOnly: false, attribute: '' };

export function isFilterActive(f: SpanFilter): boolean {
  return f.services.length > 0 || f.minDurationMs > 0 || f.errorsOnly || f.attribute.trim() !== '';
}

/** Positions shown, in order: skips collapsed subtrees and rows `keep` rules out. */
export function visibleRows(model: TraceModel, collapsed: Uint8Array, keep: Uint8Array | null): Int32Array {
  const out = new Int32Array(model.n);
  const end = model.subtreeEnd;
  let k = 0;
  let p = 0;
  while (p < model.n) {
    if (keep && !keep[p]) {
      // keep[] includes every ancestor of a kept span, so nothing below p is kept either.
      p = end[p];
      continue;
    }
    out[k++] = p;
    p = collapsed[p] ? end[p] : p + 1;
  }
  return out.subarray(0, k);
}

interface KV {
  key: string;
  value: unknown;
}

function attributeMatcher(query: string): ((kvs: KV[] | undefined) => boolean) | null {
  const q = query.trim().toLowerCase();
  if (!q) {
    return null;
  }
  const eq = q.indexOf('=');
  const key = eq > 0 ? q.slice(0, eq).trim() : '';
  const val = eq > 0 ? q.slice(eq + 1).trim() : q;
  return (kvs) => {
    if (!Array.isArray(kvs)) {
      return false;
    }
    for (const kv of kvs) {
      if (!kv) {
        continue;
      }
      const k = String(kv.key).toLowerCase();
      const v = String(kv.value).toLowerCase();
      if (key ? k === key && v === val : k.includes(val) || v.includes(val)) {
        return true;
      }
    }
    return false;
  };
}

function rowValues<T>(model: TraceModel, name: string): T[] | undefined {
  return model.frame.fields.find((f) => f.name === name)?.values as T[] | undefined;
}

/** 1 for spans the filter keeps and for their ancestors (so kept spans keep their context); null when no filter. */
export function filterKeep(model: TraceModel, filter: SpanFilter): Uint8Array | null {
  if (!isFilterActive(filter)) {
    return null;
  }
  const n = model.n;
  const keep = new Uint8Array(n);
  const wanted = filter.services.length ? new Set(filter.services.map((s) => model.services.indexOf(s))) : null;
  const attr = attributeMatcher(filter.attribute);
  const tags = attr ? rowValues<KV[]>(model, SpanFields.tags) : undefined;
  const resource = attr ? rowValues<KV[]>(model, SpanFields.serviceTags) : undefined;
  for (let p = 0; p < n; p++) {
    if (wanted && !wanted.has(model.service[p])) {
      continue;
    }
    if (model.duration[p] < filter.minDurationMs) {
      continue;
    }
    if (filter.errorsOnly && !model.error[p]) {
      continue;
    }
    if (attr) {
      const r = model.frameRow[p];
      if (!attr(tags?.[r]) && !attr(resource?.[r])) {
        continue;
      }
    }
    keep[p] = 1;
  }
  for (let p = n - 1; p > 0; p--) {
    if (keep[p] && model.parent[p] >= 0) {
      keep[model.parent[p]] = 1;
    }
  }
  return keep;
}

export interface SearchResult {
  /** 1 where the span matches. */
  match: Uint8Array;
  /** Matching positions, ascending. */
  positions: Int32Array;
}

/** Case-insensitive search over operation, service, span ID and attributes (`key=value` for exact). */
export function searchSpans(model: TraceModel, text: string): SearchResult | null {
  const q = text.trim().toLowerCase();
  if (!q) {
    return null;
  }
  const n = model.n;
  const match = new Uint8Array(n);
  const opHit = model.operations.map((o) => o.toLowerCase().includes(q));
  const svcHit = model.services.map((s) => s.toLowerCase().includes(q));
  const attr = attributeMatcher(q);
  const tags = rowValues<KV[]>(model, SpanFields.tags);
  const positions: number[] = [];
  for (let p = 0; p < n; p++) {
    if (opHit[model.operation[p]] || svcHit[model.service[p]] || model.spanId[p].toLowerCase() === q || attr!(tags?.[model.frameRow[p]])) {
      match[p] = 1;
      positions.push(p);
    }
  }
  return { match, positions: Int32Array.from(positions) };
}

/** Collapsed flags that reveal `p`: its ancestors are expanded. Returns the same array when nothing changes. */
export function revealPosition(model: TraceModel, collapsed: Uint8Array, p: number): Uint8Array {
  let out = collapsed;
  for (let a = model.parent[p]; a >= 0; a = model.parent[a]) {
    if (out[a]) {
      if (out === collapsed) {
        out = collapsed.slice();
      }
      out[a] = 0;
    }
  }
  return out;
}

export interface RowList {
  /** Position of the span each list row belongs to. */
  pos: Int32Array;
  /** -1 for the span's own row, else which of the span's log lines it shows (`model.logs.line(pos, k)`). */
  log: Int32Array;
  length: number;
}

let noLogs = new Int32Array(0);

/** -1 × length, shared by every list without log rows (read-only, like every row-state output). */
function spanRowsOnly(length: number): Int32Array {
  if (noLogs.length < length) {
    noLogs = new Int32Array(Math.max(length, noLogs.length * 2)).fill(-1);
  }
  return noLogs.subarray(0, length);
}

/** The list rows: each visible span, followed by its log lines when they are open. */
export function rowList(model: TraceModel, visible: Int32Array, logsOpen: Uint8Array, allLogs: boolean): RowList {
  const { logs } = model;
  let count = visible.length;
  if (allLogs || logsOpen.indexOf(1) >= 0) {
    for (let i = 0; i < visible.length; i++) {
      const p = visible[i];
      if (allLogs || logsOpen[p]) {
        count += logs.count(p);
      }
    }
  }
  if (count === visible.length) {
    return { pos: visible, log: spanRowsOnly(count), length: count };
  }
  const pos = new Int32Array(count);
  const log = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < visible.length; i++) {
    const p = visible[i];
    pos[k] = p;
    log[k++] = -1;
    if (allLogs || logsOpen[p]) {
      for (let l = 0, m = logs.count(p); l < m; l++) {
        pos[k] = p;
        log[k++] = l;
      }
    }
  }
  return { pos, log, length: count };
}
