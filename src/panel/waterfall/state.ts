/**
 * The waterfall's one state object and its reducer (views get `state` + `dispatch`, not a
 * callback per action). Flags are typed arrays by pre-order position, replaced on change.
 */
import { emptyFilter, revealPosition, type SpanFilter } from './rowStates';
import { type TraceModel } from './traceModel';

export interface WaterfallState {
  model: TraceModel | null;
  collapsed: Uint8Array;
  /** Spans whose log lines are open (besides the panel option that opens all). */
  logsOpen: Uint8Array;
  search: string;
  /** Index into the current search matches for "next/previous match". */
  matchCursor: number;
  filter: SpanFilter;
  selected: number;
  /** Visible part of the trace, as fractions of its duration. */
  window: [number, number];
  /** Row to scroll into view (pre-order position), or -1. */
  scrollTo: number;
}

export type WaterfallAction =
  | { type: 'reset'; model: TraceModel }
  | { type: 'toggle'; pos: number }
  | { type: 'collapseAll' }
  | { type: 'expandAll' }
  | { type: 'toggleLogs'; pos: number }
  | { type: 'search'; text: string }
  | { type: 'focusMatch'; index: number; pos: number }
  | { type: 'filter'; filter: Partial<SpanFilter> }
  | { type: 'select'; pos: number }
  | { type: 'window'; window: [number, number] };

export function initialState(model: TraceModel | null): WaterfallState {
  const n = model?.n ?? 0;
  return {
    model,
    collapsed: new Uint8Array(n),
    logsOpen: new Uint8Array(n),
    search: '',
    matchCursor: 0,
    filter: emptyFilter,
    selected: -1,
    window: [0, 1],
    scrollTo: -1,
  };
}

export function waterfallReducer(state: WaterfallState, action: WaterfallAction): WaterfallState {
  const model = state.model;
  switch (action.type) {
    case 'reset':
      return initialState(action.model);
    case 'toggle': {
      if (!model || model.childCount[action.pos] === 0) {
        return state;
      }
      const collapsed = state.collapsed.slice();
      collapsed[action.pos] = collapsed[action.pos] ? 0 : 1;
      return { ...state, collapsed, scrollTo: -1 };
    }
    case 'collapseAll': {
      if (!model) {
        return state;
      }
      const collapsed = new Uint8Array(model.n);
      for (let p = 0; p < model.n; p++) {
        collapsed[p] = model.childCount[p] > 0 ? 1 : 0;
      }
      return { ...state, collapsed, scrollTo: 0 };
    }
    case 'expandAll':
      return { ...state, collapsed: new Uint8Array(state.collapsed.length), scrollTo: -1 };
    case 'toggleLogs': {
      const logsOpen = state.logsOpen.slice();
      logsOpen[action.pos] = logsOpen[action.pos] ? 0 : 1;
      return { ...state, logsOpen };
    }
    case 'search':
      return { ...state, search: action.text, matchCursor: 0 };
    case 'focusMatch':
      return {
        ...state,
        matchCursor: action.index,
        collapsed: model ? revealPosition(model, state.collapsed, action.pos) : state.collapsed,
        scrollTo: action.pos,
      };
    case 'filter':
      return { ...state, filter: { ...state.filter, ...action.filter } };
    case 'select':
      return { ...state, selected: action.pos === state.selected ? -1 : action.pos };
    case 'window': {
      let [a, b] = action.window;
      a = Math.max(0, Math.min(1, a));
      b = Math.max(0, Math.min(1, b));
      if (b < a) {
        [a, b] = [b, a];
      }
      if (b - a < 1e-6) {
        return state;
      }
      return { ...state, window: [a, b] };
    }
  }
}
