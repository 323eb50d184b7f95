import { expect, saveScreenshot, test } from '../harness/test';
import { openPanel } from './helpers';

test.describe('Percentile bands view', () => {
  test('bands nest in order: p50 line under p90 under p99 at every point, inner band darker', async ({ page }) => {
    await openPanel(page, 'bands');
    await expect(page.getByTestId('lens-bands-legend')).toContainText('p50–p90, p90–p99 around p50');
    const r = await page.evaluate(() => {
      const u = (window as any).__harness.panel.charts()[0];
      const labels = u.series.slice(1).map((s: any) => s.label);
      const n = u.data[0].length;
      let violations = 0;
      for (let i = 0; i < n; i++) {
        // Pixel y grows downwards: a higher quantile must be drawn at a smaller (or equal) y.
        const y = [1, 2, 3].map((k) => u.valToPos(u.data[k][i], 'y'));
        if (!(y[0] >= y[1] && y[1] >= y[2])) {
          violations++;
        }
      }
      const alpha = (c: string) => {
        const hex = /^#[0-9a-f]{6}([0-9a-f]{2})$/i.exec(c);
        return hex ? parseInt(hex[1], 16) / 255 : Number(/rgba\([^)]*,\s*([\d.]+)\)/.exec(c)?.[1] ?? 1);
      };
      // uPlot keeps each band's fill as a function of (chart, series).
      return { labels, n, violations, bands: u.bands.map((b: any) => ({ series: b.series, alpha: alpha(b.fill(u, b.series[0])) })) };
    });
    expect(r.labels).toEqual(['service="checkout" p50', 'service="checkout" p90', 'service="checkout" p99']);
    expect(r.n).toBe(240);
    expect(r.violations).toBe(0);
    expect(r.bands.map((b: any) => b.series)).toEqual([
      [2, 1],
      [3, 2],
    ]);
    expect(r.bands[0].alpha).toBeGreaterThan(r.bands[1].alpha);
  });

  test('pairs Grafana Prometheus series by their p50/p90/p99 legends', async ({ page }) => {
    await openPanel(page, 'bands-prom');
    await expect(page.getByTestId('lens-bands-legend')).toContainText('p50–p90, p90–p99 around p50');
    const first = await page.evaluate(() => (window as any).__harness.panel.charts()[0].data[1][0]);
    expect(first).toBeGreaterThan(5); // seconds turned into ms
  });

  test('clicking an exemplar follows its link to the trace', async ({ page }) => {
    await openPanel(page, 'bands');
    const over = (await page.getByTestId('lens-bands-plot').locator('.u-over').boundingBox())!;
    const ex = await page.evaluate(() => {
      const h = (window as any).__harness.panel;
      const u = h.charts()[0];
      const f = h.frames().find((x: any) => x.name === 'exemplar');
      const i = 3;
      const time = f.fields[0].values[i];
      const value = f.fields[1].values[i];
      return { x: u.valToPos(time, 'x'), y: u.valToPos(value, 'y'), traceId: f.fields[2].values[i] };
    });
    await page.mouse.move(over.x + ex.x, over.y + ex.y);
    await expect(page.getByTestId('lens-exemplar-tooltip')).toContainText(ex.traceId);
    await page.mouse.click(over.x + ex.x, over.y + ex.y);
    await page.waitForURL((url) => url.pathname === '/explore' && url.searchParams.get('trace') === ex.traceId);
  });

  test('thresholds extend the axis', async ({ page }) => {
    await openPanel(page, 'bands', { options: { bands: { thresholdsMs: [400] } } });
    const max = await page.evaluate(() => (window as any).__harness.panel.charts()[0].scales.y.max);
    expect(max).toBeGreaterThan(400);
  });

  test('the time axis spans the dashboard time range, and follows it when it changes', async ({ page }) => {
    await openPanel(page, 'bands');
    const r = await page.evaluate(async () => {
      const h = (window as any).__harness.panel;
      const t = h.frames()[0].fields[0].values;
      const first = t[0];
      const last = t[t.length - 1];
      // An hour before and after the data: the data sits in the middle, the axis spans the range.
      const range = { from: first - 3_600_000, to: last + 3_600_000 };
      await h.render({ range });
      const u = h.charts()[0];
      return { min: u.scales.x.min, max: u.scales.x.max, ...range };
    });
    expect(r.min).toBe(r.from);
    expect(r.max).toBe(r.to);
  });

  test('the tooltip shows times in the dashboard time zone', async ({ page }) => {
    await openPanel(page, 'bands', { timeZone: 'Asia/Kolkata' });
    const over = (await page.getByTestId('lens-bands-plot').locator('.u-over').boundingBox())!;
    const want = await page.evaluate(() => {
      const h = (window as any).__harness.panel;
      const u = h.charts()[0];
      const t = h.frames()[0].fields[0].values[5];
      // The time in Kolkata (UTC+5:30), as HH:mm.
      const d = new Date(t + 5.5 * 3_600_000);
      return { x: u.valToPos(t, 'x'), hm: `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}` };
    });
    await page.mouse.move(over.x + want.x, over.y + 20);
    await expect(page.getByTestId('lens-bands-tooltip')).toContainText(want.hm);
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`screenshots (${theme})`, async ({ page }) => {
      await openPanel(page, 'bands', { theme, options: { bands: { thresholdsMs: [250] } } });
      await saveScreenshot(page, `bands-${theme}`);
    });
  }
});
