import { makeTrace, traceToFrame } from '../testing/factories';
import { visibleRows } from './rowStates';
import { initialState, waterfallReducer } from './state';
import { buildTraceModel } from './traceModel';

const model = buildTraceModel(traceToFrame(makeTrace({ spans: 120, seed: 6 })));

describe('waterfallReducer', () => {
  it('toggle collapses and expands a span with children, ignores leaves, never mutates', () => {
    const s0 = initialState(model);
    const s1 = waterfallReducer(s0, { type: 'toggle', pos: 0 });
    expect(s0.collapsed[0]).toBe(0);
    expect(s1.collapsed[0]).toBe(1);
    expect(waterfallReducer(s1, { type: 'toggle', pos: 0 }).collapsed[0]).toBe(0);
    const leaf = model.childCount.findIndex((c) => c === 0);
    expect(waterfallReducer(s0, { type: 'toggle', pos: leaf })).toBe(s0);
  });

  it('collapse all leaves only the roots visible; expand all shows everything', () => {
    const s = waterfallReducer(initialState(model), { type: 'collapseAll' });
    expect(Array.from(visibleRows(model, s.collapsed, null))).toEqual([0]);
    expect(visibleRows(model, waterfallReducer(s, { type: 'expandAll' }).collapsed, null)).toHaveLength(model.n);
  });

  it('focusing a match reveals it and asks to scroll there', () => {
    const deep = model.depth.findIndex((d) => d >= 2);
    const s = waterfallReducer(waterfallReducer(initialState(model), { type: 'collapseAll' }), { type: 'focusMatch', index: 0, pos: deep });
    expect(Array.from(visibleRows(model, s.collapsed, null))).toContain(deep);
    expect(s.scrollTo).toBe(deep);
  });

  it('window is clamped and ordered; select toggles', () => {
    const s = waterfallReducer(initialState(model), { type: 'window', window: [0.9, -1] });
    expect(s.window).toEqual([0, 0.9]);
    const sel = waterfallReducer(s, { type: 'select', pos: 3 });
    expect(sel.selected).toBe(3);
    expect(waterfallReducer(sel, { type: 'select', pos: 3 }).selected).toBe(-1);
  });

  it('filter merges partial changes', () => {
    const s = waterfallReducer(initialState(model), { type: 'filter', filter: { errorsOnly: true } });
    expect(s.filter).toMatchObject({ errorsOnly: true, minDurationMs: 0, services: [] });
  });
});
