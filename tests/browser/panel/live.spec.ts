/**
 * The panel on frames from a real QueryData run: the data source's harness backend
 * (tests/browser/backend, started by playwright.config.ts) runs the plugin against a real
 * Prometheus scraping a seeded latency histogram; the page decodes /api/ds/query's wire format.
 */
import { expect, saveScreenshot, test } from '../harness/test';
import { openPanel } from './helpers';

const BACKEND = `http://127.0.0.1:${process.env.HARNESS_BACKEND_PORT ?? 5299}`;
const HISTOGRAM = 'lens_harness_request_duration_seconds';

test.describe('Panel on live backend frames', () => {
  const open = async (page: import('@playwright/test').Page, query: object, view: string) => {
    const qs = new URLSearchParams({ mount: 'panel', backend: BACKEND, dsQuery: JSON.stringify(query), from: 'now-15m', to: 'now', options: JSON.stringify({ view }) });
    await page.goto(`/?${qs}`);
    await page.waitForFunction(() => (window as any).__harness?.ready === true);
  };
  const bounds = [5, 10, 25, 50, 100, 250, 500, 1000, 2500];
  const latency = { queryType: 'latency', version: 1, source: 'histogram', editorMode: 'builder', histogramMetric: HISTOGRAM, percentiles: [0.5, 0.9, 0.99] };

  test('latency query: our CDF frame from real Prometheus buckets, and its percentile series as bands', async ({ page }) => {
    await open(page, latency, 'cdf');
    await expect(page.getByTestId('lens-cdf')).toBeVisible({ timeout: 20_000 });
    const r = await page.evaluate(() => {
      const h = (window as any).__harness.panel;
      return { xs: Array.from(h.charts()[0].data[0] as number[]), kinds: h.frames().map((f: any) => f.meta?.custom?.lensKind) };
    });
    expect(r.kinds).toEqual(expect.arrayContaining(['percentile', 'cdf']));
    // Our backend's CDF rows sit on the instrumented target's bucket bounds (ms); log x drops none of them.
    expect(r.xs).toEqual(expect.arrayContaining(bounds.slice(0, 6)));
    await saveScreenshot(page, 'live-latency-cdf');

    await open(page, latency, 'bands');
    await expect(page.getByTestId('lens-bands-legend')).toContainText('p50–p90, p90–p99');
    const ordered = await page.evaluate(() => {
      const d = (window as any).__harness.panel.charts()[0].data;
      return d[0].length > 0 && Array.from(d[0] as number[]).every((_, i) => d[1][i] <= d[2][i] && d[2][i] <= d[3][i]);
    });
    expect(ordered).toBe(true);
    await saveScreenshot(page, 'live-latency-bands');
  });

  test('Prometheus le buckets from a metrics query → step CDF on the bucket bounds', async ({ page }) => {
    await open(page, { queryType: 'metrics', version: 1, expr: `sum by (le) (increase(${HISTOGRAM}_bucket[1m]))`, exemplars: false }, 'cdf');
    await expect(page.getByTestId('lens-cdf')).toBeVisible({ timeout: 20_000 });
    const xs = await page.evaluate(() => Array.from((window as any).__harness.panel.charts()[0].data[0] as number[]));
    expect(xs).toEqual(bounds);
    await saveScreenshot(page, 'live-cdf');
  });

  test('fixture path still works next to it', async ({ page }) => {
    await openPanel(page, 'cdf-raw');
    await expect(page.getByTestId('lens-cdf')).toBeVisible();
  });
});
