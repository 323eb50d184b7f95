/**
 * `?mount=panel&fixture=<name>&options=<json>&width=&height=` mounts the Latency Lens panel
 * with PanelProps built from a fixture (fixtures.ts) or, with `frames=`/`dsQuery=`, from a live
 * backend (see ../liveFrames.ts). `window.__harness.panel` lets specs and benchmarks re-render.
 */
import React, { useEffect, useState } from 'react';
import { FieldType, dateTime, rangeUtil, type DataFrame, type TimeRange } from '@grafana/data';

import { LatencyPanel } from '../../../../src/panel/components/LatencyPanel';
import { migrateOptions } from '../../../../src/panel/migrations';
import { PANEL_OPTIONS_VERSION, type LensPanelOptions } from '../../../../src/panel/types';
import { mountedCharts } from '../../../../src/panel/components/uplotRegistry';
import { liveDatasourceUid } from '../liveFrames';
import type { MountContext } from '../types';
import { makeBench } from './bench';
import { buildFixture, fixtureNames } from './fixtures';
import { makePanelProps, timeRangeOf } from './panelProps';

interface HostState {
  frames: DataFrame[];
  options: LensPanelOptions;
  width: number;
  height: number;
  errorMessage?: string;
  /** Data source the queries "ran" against (trace-search links use it). */
  dsUid: string;
  /** The dashboard's time range: `from`/`to` (ms or relative, as the live query's), else the fixture's time extent. */
  timeRange?: TimeRange;
  /** The dashboard's time zone (`?timeZone=`, default utc). */
  timeZone: string;
}

/** The time range the panel is given: the live query's, else one that holds every time the frames hold. */
function harnessTimeRange(params: URLSearchParams, frames: DataFrame[], live: boolean): TimeRange | undefined {
  const from = params.get('from');
  const to = params.get('to');
  if (live || from || to) {
    const at = (v: string) => (/^\d+$/.test(v) ? dateTime(Number(v)) : v);
    return rangeUtil.convertRawToRange({ from: at(from ?? 'now-1h'), to: at(to ?? 'now') });
  }
  return extentOf(frames);
}

function extentOf(frames: DataFrame[]): TimeRange | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const f of frames) {
    for (const field of f.fields) {
      if (field.type !== FieldType.time) {
        continue;
      }
      for (const v of field.values as number[]) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
  }
  return max > min ? timeRangeOf(min, max) : undefined;
}

export interface PanelHandle {
  fixtures: string[];
  /** The frames currently rendered (specs compute expected values from them). */
  frames(): DataFrame[];
  /** uPlot instances on the page (for geometry assertions). */
  charts(): unknown[];
  /** Replace frames/options (options: partial, merged and migrated); resolves after the next two animation frames (i.e. after paint). */
  render(
    next: Partial<Omit<HostState, 'options'>> & { options?: Partial<LensPanelOptions>; fixture?: string; fixtureArgs?: Record<string, number>; range?: { from: number; to: number } }
  ): Promise<number>;
  currentOptions(): LensPanelOptions;
  /** Measurement helpers for the benchmarks (bench.ts). */
  bench: ReturnType<typeof makeBench>;
}

function Host({ initial, onReady }: { initial: HostState; onReady: (set: (s: HostState) => void) => void }) {
  const [state, setState] = useState(initial);
  useEffect(() => onReady(setState), [onReady]);
  const props = makePanelProps(state.frames, state.options, state, {
    errorMessage: state.errorMessage,
    dsUid: state.dsUid,
    timeRange: state.timeRange,
    timeZone: state.timeZone,
    onOptionsChange: (options) => setState((s) => ({ ...s, options })),
  });
  return (
    <div data-testid="panel-host" style={{ width: state.width, height: state.height, padding: 8, boxSizing: 'content-box' }}>
      <LatencyPanel {...props} />
    </div>
  );
}

export async function mount(ctx: MountContext) {
  const { params } = ctx;
  // A failing live query is an error of the page: the console guard fails the spec.
  const live = await ctx.loadLiveFrames().catch((e: Error) => {
    console.error(`live frames: ${e.message}`);
    return undefined;
  });
  const fixtureName = params.get('fixture') ?? 'empty';
  const frames = live ?? buildFixture(fixtureName, {});
  // Saved-options shape (any version); the panel migrates it like Grafana would.
  const options = migrateOptions({ version: PANEL_OPTIONS_VERSION, ...JSON.parse(params.get('options') ?? '{}') });
  let current: HostState = {
    frames,
    options,
    width: Number(params.get('width') ?? 900),
    height: Number(params.get('height') ?? 480),
    errorMessage: params.get('error') ?? undefined,
    dsUid: live ? liveDatasourceUid(params) : 'lens-ds',
    timeRange: harnessTimeRange(params, frames, !!live),
    timeZone: params.get('timeZone') ?? 'utc',
  };
  let setHost: ((s: HostState) => void) | undefined;
  const handle: PanelHandle = {
    fixtures: fixtureNames,
    frames: () => current.frames,
    charts: () => [...mountedCharts],
    bench: makeBench(() => current.frames),
    currentOptions: () => current.options,
    render(next) {
      const { fixture, fixtureArgs, options, range, ...rest } = next;
      if (range) {
        rest.timeRange = timeRangeOf(range.from, range.to);
      }
      current = {
        ...current,
        ...rest,
        ...(options ? { options: migrateOptions({ ...current.options, ...options, version: PANEL_OPTIONS_VERSION }) } : {}),
        ...(fixture ? { frames: buildFixture(fixture, fixtureArgs ?? {}) } : {}),
      };
      if (fixture && !rest.timeRange) {
        current.timeRange = extentOf(current.frames);
      }
      const start = performance.now();
      setHost?.(current);
      return new Promise((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - start)))
      );
    },
  };
  window.__harness.panel = handle;
  return <Host initial={current} onReady={(set) => (setHost = set)} />;
}
