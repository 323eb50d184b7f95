/**
 * Grafana's Decimals standard option in every view: Grafana hands the panel frames with the
 * option applied to each field's config (panel default or override), served here as
 * DataFrameJSON through the harness' `frames=` hook.
 */
import { type Page } from '@playwright/test';

import { expect, openHarness, test } from '../harness/test';

type FieldJSON = { name: string; type: string; config?: Record<string, unknown>; labels?: Record<string, string> };

function frameJSON(refId: string, fields: FieldJSON[], values: unknown[][], meta?: Record<string, unknown>) {
  return { schema: { refId, meta, fields }, data: { values } };
}

async function openWithFrames(page: Page, frames: unknown[], options: Record<string, unknown> = {}, params: Record<string, string> = {}) {
  await page.route('**/grafana-frames.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(frames) }));
  await openHarness(page, 'panel', {
    frames: '/grafana-frames.json',
    from: '1798761600000',
    to: '1798765200000',
    options: JSON.stringify(options),
    ...params,
  });
}

/** Seeded durations in ms with fractions (a linear congruential generator). */
function durations(n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return 5 + (x / 2147483648) * 400;
  });
}

function durationsFrame(config: Record<string, unknown>) {
  return frameJSON('A', [{ name: 'durationMs', type: 'number', config: { unit: 'ms', ...config } }], [durations(500, 7)]);
}

/** The tick labels uPlot drew on an axis of the panel's first chart. */
async function axisLabels(page: Page, axis: number): Promise<string[]> {
  return page.evaluate((axis) => {
    const u = (window as any).__harness.panel.charts()[0];
    return (u.axes[axis]._values as Array<string | null>).filter((v): v is string => !!v);
  }, axis);
}

test.describe('Decimals', () => {
  test('CDF: the legend’s percentiles and the duration axis show the decimals set', async ({ page }) => {
    await openWithFrames(page, [durationsFrame({ decimals: 2 })], { view: 'cdf', cdf: { xScale: 'linear' } });
    const legend = page.getByTestId('lens-cdf-legend');
    await expect(legend).toContainText(/p50 \d+\.\d\d ms/);
    await expect(legend).toContainText(/p99 \d+\.\d\d ms/);
    const ticks = await axisLabels(page, 0);
    expect(ticks.length).toBeGreaterThan(1);
    for (const t of ticks) {
      expect(t).toMatch(/^\d+\.\d\d (s|ms|µs)$/);
    }
  });

  test('CDF: long duration labels do not run into each other', async ({ page }) => {
    await openWithFrames(page, [durationsFrame({ decimals: 4 })], { view: 'cdf', cdf: { xScale: 'linear' } }, { width: '420' });
    const gaps = await page.evaluate(() => {
      const u = (window as any).__harness.panel.charts()[0];
      const axis = u.axes[0];
      const ctx = document.createElement('canvas').getContext('2d')!;
      ctx.font = axis.font[0];
      const ticks = (axis._splits as number[])
        .map((v, i) => ({ x: u.valToPos(v, 'x'), w: ctx.measureText(axis._values[i] ?? '').width }))
        .filter((t) => t.w > 0);
      return ticks.slice(1).map((t, i) => t.x - t.w / 2 - (ticks[i].x + ticks[i].w / 2));
    });
    expect(gaps.length).toBeGreaterThan(0);
    for (const g of gaps) {
      expect(g).toBeGreaterThan(0);
    }
  });

  test('CDF: no decimals set keeps three significant digits', async ({ page }) => {
    await openWithFrames(page, [durationsFrame({})], { view: 'cdf', cdf: { xScale: 'linear' } });
    await expect(page.getByTestId('lens-cdf-legend')).toContainText(/p50 \d{3} ms/);
  });

  test('Percentile bands: the value axis and the tooltip show the decimals set', async ({ page }) => {
    const t0 = 1798761600000;
    const series = (legend: string, base: number) =>
      frameJSON(
        legend,
        [
          { name: 'Time', type: 'time' },
          { name: 'Value', type: 'number', labels: { job: 'api' }, config: { displayNameFromDS: legend, unit: 's', decimals: 3 } },
        ],
        [Array.from({ length: 30 }, (_, i) => t0 + i * 60_000), Array.from({ length: 30 }, (_, i) => base + i * 0.0011)]
      );
    await openWithFrames(page, [series('p50', 0.05), series('p99', 0.2)], { view: 'bands' });
    for (const t of await axisLabels(page, 1)) {
      expect(t).toMatch(/^\d+\.\d{3} (s|ms|µs)$/);
    }
    const over = (await page.getByTestId('lens-bands-plot').locator('.u-over').boundingBox())!;
    await page.mouse.move(over.x + over.width / 2, over.y + over.height / 2);
    await expect(page.getByTestId('lens-bands-tooltip')).toContainText(/p50 \d+\.\d{3} ms · p99 \d+\.\d{3} ms/);
  });

  test('Percentile bands: a value axis of long labels is wide enough for them', async ({ page }) => {
    const t0 = 1798761600000;
    const series = (legend: string, base: number) =>
      frameJSON(
        legend,
        [
          { name: 'Time', type: 'time' },
          { name: 'Value', type: 'number', labels: { job: 'api' }, config: { displayNameFromDS: legend, unit: 'ms', decimals: 4 } },
        ],
        [Array.from({ length: 30 }, (_, i) => t0 + i * 60_000), Array.from({ length: 30 }, (_, i) => base + i * 1.1)]
      );
    await openWithFrames(page, [series('p50', 150), series('p99', 400)], { view: 'bands' });
    const fit = await page.evaluate(() => {
      const u = (window as any).__harness.panel.charts()[0];
      const axis = u.axes[1];
      const ctx = document.createElement('canvas').getContext('2d')!;
      ctx.font = axis.font[0];
      const widest = Math.max(...(axis._values as Array<string | null>).filter(Boolean).map((v) => ctx.measureText(v!).width));
      return { widest, size: axis._size as number, labels: axis._values };
    });
    expect(fit.labels.length).toBeGreaterThan(1);
    expect(fit.widest + 8).toBeLessThanOrEqual(fit.size);
  });

  test('Waterfall: the trace’s durations show the decimals set', async ({ page }) => {
    const start = 1798761600000;
    const frame = frameJSON(
      'A',
      [
        { name: 'traceID', type: 'string' },
        { name: 'spanID', type: 'string' },
        { name: 'parentSpanID', type: 'string' },
        { name: 'operationName', type: 'string' },
        { name: 'serviceName', type: 'string' },
        { name: 'startTime', type: 'number' },
        { name: 'duration', type: 'number', config: { decimals: 1 } },
      ],
      [
        ['t1', 't1'],
        ['a', 'b'],
        ['', 'a'],
        ['GET /', 'db'],
        ['web', 'pg'],
        [start, start + 1.25],
        [12.345, 3.21],
      ],
      { preferredVisualisationType: 'trace' }
    );
    await openWithFrames(page, [frame], { view: 'waterfall' });
    await expect(page.getByTestId('lens-trace-header')).toContainText('Duration 12.3 ms');
    const rows = page.getByTestId('span-row');
    await expect(rows.nth(0)).toContainText('12.3 ms');
    await expect(rows.nth(1)).toContainText('3.2 ms');
    await expect(page.getByTestId('lens-time-axis')).toContainText('6.2 ms');
  });
});
