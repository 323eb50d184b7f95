import { expect, saveScreenshot, test } from '../harness/test';
import { openPanel, rerender } from './helpers';

/**
 * Geometry of the curve around F = p, in CSS px of the plot area:
 *  - `dataPx`: x of the first plotted point with F ≥ p (what uPlot was asked to draw);
 *  - `quantilePx`: x of the exact nearest-rank p-quantile of the frame's values;
 *  - `strokeNear`: whether the stroke uPlot drew passes within 1 px of (p-quantile, p).
 * (Scanning one pixel row of the flat tail cannot tell F = 0.9899 from 0.99, so the crossing
 * itself is read from the plotted data and the drawing is checked at that point.)
 */
async function crossing(page: import('@playwright/test').Page, p: number) {
  return page.evaluate((p) => {
    const h = (window as any).__harness.panel;
    const u = h.charts()[0];
    const values = Float64Array.from(h.frames()[0].fields[0].values as number[]).sort();
    const q = values[Math.ceil(p * values.length) - 1];
    const xs = u.data[0] as number[];
    const ys = u.data[1] as Array<number | null>;
    const i = ys.findIndex((y) => y != null && y >= p);
    const dpr = window.devicePixelRatio;
    const path: Path2D = u.series[1]._paths.stroke;
    const ctx: CanvasRenderingContext2D = u.ctx;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.lineWidth = 2 * dpr;
    const strokeNear = ctx.isPointInStroke(path, u.valToPos(q, 'x', true), u.valToPos(p, 'y', true));
    ctx.restore();
    return { dataPx: u.valToPos(xs[i], 'x'), quantilePx: u.valToPos(q, 'x'), strokeNear, n: values.length, dpr };
  }, p);
}

test.describe('CDF view', () => {
  for (const [label, xScale, n] of [
    ['log x, 20k values (every value a point)', 'log', 20_000],
    ['linear x, 20k values', 'linear', 20_000],
    ['log x, 400k values (binned, quantiles by selection)', 'log', 400_000],
  ] as const) {
    test(`reaches 0.99 at the computed p99 within a pixel — ${label}`, async ({ page }) => {
      await openPanel(page, 'cdf-raw', { options: { view: 'cdf', cdf: { xScale } } });
      if (n !== 20_000) {
        await rerender(page, { fixture: 'cdf-raw', fixtureArgs: { n } });
      }
      const r = await crossing(page, 0.99);
      expect(r.n).toBe(n);
      expect(Math.abs(r.dataPx - r.quantilePx)).toBeLessThanOrEqual(1);
      expect(r.strokeNear).toBe(true);
      // The legend states the same exact p99.
      await expect(page.getByTestId('lens-cdf-legend')).toContainText('p99');
    });
  }

  test('tooltip shows t and F(t); clicking opens a trace search around that duration', async ({ page }) => {
    await openPanel(page, 'cdf-raw', { options: { view: 'cdf' } });
    const box = (await page.getByTestId('lens-cdf-plot').locator('.u-over').boundingBox())!;
    const at = await page.evaluate(() => {
      const u = (window as any).__harness.panel.charts()[0];
      const h = (window as any).__harness.panel;
      const values = Float64Array.from(h.frames()[0].fields[0].values as number[]).sort();
      const p90 = values[Math.ceil(0.9 * values.length) - 1];
      return { x: u.valToPos(p90, 'x'), y: u.valToPos(0.9, 'y'), p90 };
    });
    await page.mouse.move(box.x + at.x, box.y + at.y);
    const tip = page.getByTestId('lens-cdf-tooltip');
    await expect(tip).toContainText('t =');
    await expect(tip).toContainText(/F\(t\) (89\.\d+|90(\.\d+)?)%/);
    await page.mouse.click(box.x + at.x, box.y + at.y);
    const link = page.getByTestId('lens-cdf-traces-link');
    await expect(link).toBeVisible();
    const href = (await link.getAttribute('href'))!;
    const pane = JSON.parse(new URL(href, 'http://x').searchParams.get('panes')!).lens;
    expect(pane.datasource).toBe('lens-ds');
    const q = pane.queries[0];
    expect(q.queryType).toBe('search');
    const ms = (s: string) => (s.endsWith('ms') ? Number(s.slice(0, -2)) : s.endsWith('us') ? Number(s.slice(0, -2)) / 1000 : Number(s.slice(0, -1)) * 1000);
    expect(ms(q.minDuration)).toBeLessThan(at.p90);
    expect(ms(q.maxDuration)).toBeGreaterThan(at.p90);
  });

  test('overlays several series with a legend; legend click hides one', async ({ page }) => {
    await openPanel(page, 'cdf-overlay');
    const legend = page.getByTestId('lens-cdf-legend');
    await expect(legend).toContainText('now');
    await expect(legend).toContainText('1 week ago');
    await legend.getByText('1 week ago').click();
    const shown = await page.evaluate(() => (window as any).__harness.panel.charts()[0].series.map((s: any) => s.show));
    expect(shown).toEqual([true, true, false]);
  });

  test('histogram buckets: step curve whose steps sit on the bucket bounds, uncertainty noted', async ({ page }) => {
    await openPanel(page, 'cdf-histogram', { options: { cdf: { slos: [{ target: 0.9, thresholdMs: 250 }] } } });
    await expect(page.getByTestId('lens-cdf-legend')).toContainText('service="cart"');
    await expect(page.getByTestId('lens-cdf-legend')).toContainText('90% of requests under 250 ms');
    const xs = await page.evaluate(() => Array.from((window as any).__harness.panel.charts()[0].data[0] as number[]));
    expect(xs).toEqual([5, 10, 25, 50, 100, 250, 500, 1000, 2500]);
  });

  test('complementary CDF falls from 1 to 0', async ({ page }) => {
    await openPanel(page, 'cdf-raw', { options: { cdf: { complementary: true } } });
    const ys = await page.evaluate(() => {
      const d = (window as any).__harness.panel.charts()[0].data[1] as number[];
      return [d[0], d[d.length - 1]];
    });
    expect(ys[0]).toBeGreaterThan(0.99);
    expect(ys[1]).toBe(0);
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`screenshots (${theme})`, async ({ page }) => {
      await openPanel(page, 'cdf-overlay', { theme, options: { cdf: { slos: [{ target: 0.99, thresholdMs: 400 }] } } });
      await saveScreenshot(page, `cdf-overlay-${theme}`);
      await openPanel(page, 'cdf-histogram', { theme });
      await saveScreenshot(page, `cdf-histogram-${theme}`);
    });
  }
});
