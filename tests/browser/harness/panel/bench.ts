/**
 * Measurement helpers for bench/panel/run.mjs (not used by the panel): time the pure prepare
 * stages, the Float64Array-sort baseline, uPlot redraws, plain uPlot lines over the same points,
 * and the wire size of frames.
 */
import { dataFrameToJSON, createTheme, type DataFrame } from '@grafana/data';
import uPlot from 'uplot';

import { prepareBandsData } from '../../../../src/panel/bands/prepareBandsData';
import { bandsAlignedData } from '../../../../src/panel/bands/bandsConfig';
import { prepareCdfData } from '../../../../src/panel/cdf/prepareCdfData';
import { mountedCharts } from '../../../../src/panel/components/uplotRegistry';
import { defaultOptions } from '../../../../src/panel/types';
import { prepareWaterfallData } from '../../../../src/panel/waterfall/prepareWaterfallData';

const afterMicrotasks = () => new Promise<void>((r) => queueMicrotask(r));

export function makeBench(frames: () => DataFrame[]) {
  const theme = createTheme();
  return {
    timePrepare(view: 'cdf' | 'bands' | 'waterfall'): number {
      const f = frames();
      const t0 = performance.now();
      if (view === 'cdf') {
        prepareCdfData(f, defaultOptions.cdf, theme);
      } else if (view === 'bands') {
        prepareBandsData(f, defaultOptions.bands, theme);
      } else {
        prepareWaterfallData(f, defaultOptions.waterfall, theme);
      }
      return performance.now() - t0;
    },
    /** Copy the first numeric column into a Float64Array and sort it (the baseline for the CDF). */
    timeSortBaseline(): number {
      const values = frames()[0].fields.find((x) => x.type === 'number')!.values as number[];
      const t0 = performance.now();
      Float64Array.from(values).sort();
      return performance.now() - t0;
    },
    /** Full redraws (paths rebuilt) of the panel's first chart, ms each. */
    async timeRedraws(times: number): Promise<number[]> {
      const u = [...mountedCharts][0];
      const out: number[] = [];
      for (let i = 0; i < times; i++) {
        const t0 = performance.now();
        u.redraw(true, true);
        await afterMicrotasks();
        out.push(performance.now() - t0);
      }
      return out;
    },
    /** Plain uPlot lines over the bands' points, same size as the panel's chart: build and redraws. */
    async plainLines(times: number): Promise<{ build: number; redraws: number[] }> {
      const panelChart = [...mountedCharts][0];
      const d = prepareBandsData(frames(), defaultOptions.bands, theme);
      if ('warning' in d) {
        throw new Error(d.warning);
      }
      const data = bandsAlignedData(d);
      const host = document.createElement('div');
      host.style.position = 'absolute';
      host.style.top = '0';
      host.style.left = '0';
      document.body.appendChild(host);
      const t0 = performance.now();
      const u = new uPlot(
        {
          width: panelChart.width,
          height: panelChart.height,
          ms: 1,
          legend: { show: false },
          series: [{}, ...data.slice(1).map(() => ({ stroke: '#73bf69', width: 1, points: { show: false } }))],
        },
        data,
        host
      );
      await afterMicrotasks();
      const build = performance.now() - t0;
      const redraws: number[] = [];
      for (let i = 0; i < times; i++) {
        const t1 = performance.now();
        u.redraw(true, true);
        await afterMicrotasks();
        redraws.push(performance.now() - t1);
      }
      u.destroy();
      host.remove();
      return { build, redraws };
    },
    /** Bytes of the frames as Grafana sends them to the browser (DataFrameJSON). */
    wireBytes(index = 0): number {
      return JSON.stringify(dataFrameToJSON(frames()[index])).length;
    },
  };
}
