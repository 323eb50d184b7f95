import { makeSpan, makeTrace, traceToFrame } from '../testing/factories';
import { makeRng } from '../testing/random';
import { emptyFilter, filterKeep, revealPosition, rowList, searchSpans, visibleRows } from './rowStates';
import { buildTraceModel, type TraceModel } from './traceModel';

const model = (spans = 500, seed = 8) => buildTraceModel(traceToFrame(makeTrace({ spans, seed, shuffle: true, errorRate: 0.05 })));

function isDescendant(m: TraceModel, p: number, of: number) {
  for (let a = m.parent[p]; a >= 0; a = m.parent[a]) {
    if (a === of) {
      return true;
    }
  }
  return false;
}

describe('visibleRows', () => {
  it('shows every row when nothing is collapsed', () => {
    const m = model();
    expect(Array.from(visibleRows(m, new Uint8Array(m.n), null))).toEqual(Array.from({ length: m.n }, (_, i) => i));
  });

  it('collapsing a span hides exactly its descendants', () => {
    const m = model();
    const rng = makeRng(3);
    for (let t = 0; t < 25; t++) {
      const c = rng.int(m.n);
      const collapsed = new Uint8Array(m.n);
      collapsed[c] = 1;
      const shown = new Set(visibleRows(m, collapsed, null));
      for (let p = 0; p < m.n; p++) {
        expect(shown.has(p)).toBe(!isDescendant(m, p, c));
      }
    }
  });

  it('nested collapse: collapsing an ancestor hides a collapsed descendant too, expanding restores it', () => {
    const m = model();
    const collapsed = new Uint8Array(m.n);
    collapsed[0] = 1;
    collapsed[1] = 1;
    expect(Array.from(visibleRows(m, collapsed, null))).toEqual([0]);
    collapsed[0] = 0;
    const rows = visibleRows(m, collapsed, null);
    expect(rows.length).toBe(m.n - (m.subtreeEnd[1] - 2));
  });
});

describe('filterKeep', () => {
  it('is null without a filter', () => {
    expect(filterKeep(model(), emptyFilter)).toBeNull();
  });

  it.each([
    ['errors only', { errorsOnly: true }, (m: TraceModel, p: number) => m.error[p] === 1],
    ['min duration', { minDurationMs: 300 }, (m: TraceModel, p: number) => m.duration[p] >= 300],
    ['service', { services: ['db'] }, (m: TraceModel, p: number) => m.services[m.service[p]] === 'db'],
    ['attribute', { attribute: 'http.status_code=500' }, (m: TraceModel, p: number) => m.error[p] === 1],
  ])('%s keeps matching spans and their ancestors, nothing else', (_n, over, matches) => {
    const m = model();
    const keep = filterKeep(m, { ...emptyFilter, ...over })!;
    const wanted = new Uint8Array(m.n);
    for (let p = 0; p < m.n; p++) {
      if (matches(m, p)) {
        for (let a = p; a >= 0; a = m.parent[a]) {
          wanted[a] = 1;
        }
      }
    }
    expect(Array.from(keep)).toEqual(Array.from(wanted));
    const rows = visibleRows(m, new Uint8Array(m.n), keep);
    expect(rows.length).toBe(wanted.reduce((s, v) => s + v, 0));
  });
});

describe('searchSpans', () => {
  it('matches operation, service, attribute text and exact span IDs, case-insensitively', () => {
    const rows = [
      makeSpan({ spanID: 'aa01', operationName: 'SELECT orders', startTime: 0 }),
      makeSpan({ spanID: 'aa02', parentSpanID: 'aa01', serviceName: 'Payments', startTime: 1 }),
      makeSpan({ spanID: 'aa03', parentSpanID: 'aa01', tags: [{ key: 'db.system', value: 'postgres' }], startTime: 2 }),
    ];
    const m = buildTraceModel(traceToFrame(rows));
    expect(Array.from(searchSpans(m, 'select')!.positions)).toEqual([0]);
    expect(Array.from(searchSpans(m, 'payments')!.positions)).toEqual([1]);
    expect(Array.from(searchSpans(m, 'db.system=postgres')!.positions)).toEqual([2]);
    expect(Array.from(searchSpans(m, 'AA02')!.positions)).toEqual([1]);
    expect(searchSpans(m, '  ')).toBeNull();
  });
});

describe('revealPosition', () => {
  it('expands the ancestors of a hidden row and leaves the input alone', () => {
    const m = model();
    const deep = m.depth.findIndex((d) => d >= 3);
    const collapsed = new Uint8Array(m.n).fill(1);
    const out = revealPosition(m, collapsed, deep);
    expect(collapsed.every((v) => v === 1)).toBe(true);
    expect(Array.from(visibleRows(m, out, null))).toContain(deep);
    expect(revealPosition(m, out, deep)).toBe(out);
  });
});

describe('rowList', () => {
  it('puts each open span’s log lines right under it, in time order', () => {
    const spans = makeTrace({ spans: 20, seed: 2, logsPerSpan: 2 });
    const m = buildTraceModel(traceToFrame(spans));
    const visible = visibleRows(m, new Uint8Array(m.n), null);
    const open = new Uint8Array(m.n);
    open[3] = 1;
    const rows = rowList(m, visible, open, false);
    expect(rows.length).toBe(m.n + 2);
    expect(Array.from(rows.pos.slice(3, 6))).toEqual([3, 3, 3]);
    expect(Array.from(rows.log.slice(3, 6))).toEqual([-1, 0, 1]);
    expect(rowList(m, visible, new Uint8Array(m.n), true).length).toBe(m.n + spans.reduce((a, s) => a + s.logs.length, 0));
  });
});
