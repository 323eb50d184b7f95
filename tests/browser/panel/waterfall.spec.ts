import { type Page } from '@playwright/test';

import { expect, saveScreenshot, test } from '../harness/test';
import { openPanel, rerender } from './helpers';

/** Span IDs of the rows in the DOM (the panel is tall enough to hold every row). */
async function shownIds(page: Page): Promise<string[]> {
  return page.getByTestId('span-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-span-id')!));
}

/** Raw frame rows, for expectations computed independently of the panel's model. */
async function rawSpans(page: Page) {
  return page.evaluate(() => {
    const f = (window as any).__harness.panel.frames()[0];
    const col = (n: string) => f.fields.find((x: any) => x.name === n).values as unknown[];
    const ids = col('spanID') as string[];
    return ids.map((id, i) => ({
      id,
      parent: (col('parentSpanID') as string[])[i],
      service: (col('serviceName') as string[])[i],
      op: (col('operationName') as string[])[i],
      error: (col('statusCode') as number[])[i] === 2,
    }));
  });
}

function descendants(spans: Array<{ id: string; parent: string }>, id: string): Set<string> {
  const kids = new Map<string, string[]>();
  for (const s of spans) {
    kids.set(s.parent, [...(kids.get(s.parent) ?? []), s.id]);
  }
  const out = new Set<string>();
  const stack = [...(kids.get(id) ?? [])];
  while (stack.length) {
    const c = stack.pop()!;
    out.add(c);
    stack.push(...(kids.get(c) ?? []));
  }
  return out;
}

// 300 spans × 24 px rows fit in an 8000 px panel, so every visible row is in the DOM.
const TALL = { height: 8000, options: { view: 'waterfall' } };

test.describe('Trace waterfall view', () => {
  test('collapsing a span hides exactly its descendants; expanding brings them back', async ({ page }) => {
    await openPanel(page, 'waterfall', TALL);
    const spans = await rawSpans(page);
    const before = await shownIds(page);
    expect(new Set(before)).toEqual(new Set(spans.map((s) => s.id)));
    // Pick a row with a mid-sized subtree.
    const target = spans.map((s) => ({ id: s.id, d: descendants(spans, s.id).size })).find((s) => s.d >= 5 && s.d <= 60)!;
    const row = page.locator(`[data-testid="span-row"][data-span-id="${target.id}"]`);
    await row.getByTestId('span-toggle').click();
    const after = await shownIds(page);
    const hidden = new Set(before.filter((id) => !after.includes(id)));
    expect(hidden).toEqual(descendants(spans, target.id));
    await expect(row).toHaveAttribute('data-collapsed', '1');
    await row.getByTestId('span-toggle').click();
    expect(await shownIds(page)).toEqual(before);
  });

  test('toggles answer Enter and Space; a click on the bar side of a row selects its span', async ({ page }) => {
    await openPanel(page, 'waterfall', TALL);
    const id = await page.locator('[data-testid="span-row"]', { has: page.getByTestId('span-toggle') }).nth(1).getAttribute('data-span-id');
    const row = page.locator(`[data-testid="span-row"][data-span-id="${id}"]`);
    const rows = await page.getByTestId('span-row').count();
    await row.getByTestId('span-toggle').focus();
    await page.keyboard.press('Enter');
    await expect(row).toHaveAttribute('data-collapsed', '1');
    expect(await page.getByTestId('span-row').count()).toBeLessThan(rows);
    await page.keyboard.press('Space');
    await expect(row).not.toHaveAttribute('data-collapsed');
    expect(await page.getByTestId('span-row').count()).toBe(rows);
    await expect(page.getByTestId('lens-span-detail')).toHaveCount(0);
    const box = (await row.boundingBox())!;
    await page.mouse.click(box.x + box.width - 4, box.y + box.height / 2);
    await expect(page.getByTestId('lens-span-detail')).toContainText(id!);
  });

  test('search highlights exactly the matching rows and counts them', async ({ page }) => {
    await openPanel(page, 'waterfall', TALL);
    const spans = await rawSpans(page);
    await page.getByTestId('lens-span-search').fill('redis');
    const want = spans.filter((s) => `${s.service} ${s.op}`.toLowerCase().includes('redis')).map((s) => s.id);
    const highlighted = await page.locator('[data-testid="span-row"][data-match="1"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-span-id')));
    expect(new Set(highlighted)).toEqual(new Set(want));
    await expect(page.getByTestId('lens-match-count')).toHaveText(`1 / ${want.length}`);
  });

  test('errors-only filter keeps error spans and their ancestors', async ({ page }) => {
    await openPanel(page, 'waterfall', TALL);
    const spans = await rawSpans(page);
    await page.getByText('Errors only').click();
    const byId = new Map(spans.map((s) => [s.id, s]));
    const want = new Set<string>();
    for (const s of spans.filter((x) => x.error)) {
      for (let c: string | undefined = s.id; c && byId.has(c); c = byId.get(c)!.parent) {
        want.add(c);
      }
    }
    expect(new Set(await shownIds(page))).toEqual(want);
  });

  test('detail drawer, inline logs and the minimap window', async ({ page }) => {
    await openPanel(page, 'waterfall', { options: { view: 'waterfall' } });
    const first = page.getByTestId('span-row').first();
    await first.getByTestId('span-bar').click();
    const drawer = page.getByTestId('lens-span-detail');
    await expect(drawer).toContainText('Attributes');
    await expect(drawer).toContainText('Resource');
    await expect(drawer).toContainText('service.name');
    const withLogs = page.locator('[data-testid="span-row"]', { has: page.getByTestId('span-logs-toggle') }).first();
    const pos = await withLogs.getAttribute('data-pos');
    await withLogs.getByTestId('span-logs-toggle').click();
    await expect(page.locator(`[data-testid="span-log-row"][data-pos="${pos}"]`).first()).toBeVisible();
    const map = (await page.getByTestId('lens-minimap').boundingBox())!;
    await page.mouse.move(map.x + map.width * 0.2, map.y + map.height / 2);
    await page.mouse.down();
    await page.mouse.move(map.x + map.width * 0.5, map.y + map.height / 2, { steps: 5 });
    await page.mouse.up();
    const win = (await page.getByTestId('lens-minimap-window').boundingBox())!;
    expect(Math.abs(win.x - (map.x + map.width * 0.2))).toBeLessThan(4);
    expect(Math.abs(win.width - map.width * 0.3)).toBeLessThan(6);
  });

  test('zoomed in: bars sit on the time axis at their start, spans outside the window show no bar', async ({ page }) => {
    await openPanel(page, 'waterfall', TALL);
    const spans = await page.evaluate(() => {
      const f = (window as any).__harness.panel.frames()[0];
      const col = (n: string) => f.fields.find((x: any) => x.name === n).values as number[];
      const ids = f.fields.find((x: any) => x.name === 'spanID').values as string[];
      return ids.map((id, i) => ({ id, start: col('startTime')[i], end: col('startTime')[i] + col('duration')[i] }));
    });
    // Most of this trace's spans lie between 0.3 and 0.4 of its duration (the root spans it all).
    const map = (await page.getByTestId('lens-minimap').boundingBox())!;
    await page.mouse.move(map.x + map.width * 0.34, map.y + map.height / 2);
    await page.mouse.down();
    await page.mouse.move(map.x + map.width * 0.37, map.y + map.height / 2, { steps: 5 });
    await page.mouse.up();
    // The window as fractions of the trace, exactly as the minimap sets it (style left/width in %).
    const [f0, f1] = await page.getByTestId('lens-minimap-window').evaluate((el: HTMLElement) => {
      const left = parseFloat(el.style.left) / 100;
      return [left, left + parseFloat(el.style.width) / 100];
    });
    expect(f1 - f0).toBeLessThan(0.05);
    const axis = (await page.getByTestId('lens-time-axis').boundingBox())!;
    const bars = await page.getByTestId('span-row').evaluateAll((rows) =>
      rows.map((r) => {
        const bar = r.querySelector('[data-testid="span-bar"]') as HTMLElement;
        const box = bar.getBoundingClientRect();
        return { id: r.getAttribute('data-span-id')!, displayed: getComputedStyle(bar).display !== 'none', left: box.left, right: box.right };
      })
    );
    const t0 = Math.min(...spans.map((s) => s.start));
    const total = Math.max(...spans.map((s) => s.end)) - t0;
    const byId = new Map(spans.map((s) => [s.id, s]));
    let inside = 0;
    let outside = 0;
    for (const b of bars) {
      const s = byId.get(b.id)!;
      // Width of the bar that shows on the time axis (a bar may reach past the axis, clipped).
      const onAxis = b.displayed ? Math.max(0, Math.min(b.right, axis.x + axis.width) - Math.max(b.left, axis.x)) : 0;
      const [a, z] = [(s.start - t0) / total, (s.end - t0) / total];
      if (z < f0 - 0.01 || a > f1 + 0.01) {
        outside++;
        expect(onAxis, `span ${b.id} outside the window`).toBe(0);
      } else if (a > f0 + 0.01 && z < f1 - 0.01) {
        inside++;
        expect(onAxis, `span ${b.id} inside the window`).toBeGreaterThan(0);
        expect(Math.abs(b.left - (axis.x + ((a - f0) / (f1 - f0)) * axis.width))).toBeLessThan(1.5);
        expect(b.right).toBeLessThanOrEqual(axis.x + axis.width + 1);
      }
    }
    expect(inside).toBeGreaterThan(5);
    expect(outside).toBeGreaterThan(5);
  });

  test('the trace start time is shown in the dashboard time zone', async ({ page }) => {
    await openPanel(page, 'waterfall', { timeZone: 'Asia/Kolkata' });
    const want = await page.evaluate(() => {
      const f = (window as any).__harness.panel.frames()[0];
      const starts = f.fields.find((x: any) => x.name === 'startTime').values as number[];
      // Kolkata is UTC+5:30 all year.
      const d = new Date(Math.min(...starts) + 5.5 * 3_600_000);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
    });
    await expect(page.getByTestId('lens-trace-header')).toContainText(want);
  });

  test('reads a Tempo/Jaeger trace frame (no lens metadata)', async ({ page }) => {
    await openPanel(page, 'waterfall-tempo');
    await expect(page.getByTestId('lens-span-count')).toHaveText('120');
  });

  test('100k spans: list stays virtualised and collapse-all/expand-all work', async ({ page }) => {
    await openPanel(page, 'waterfall', { options: { view: 'waterfall' } });
    await rerender(page, { fixture: 'waterfall', fixtureArgs: { spans: 100_000, logs: 0 } });
    await expect(page.getByTestId('lens-row-count')).toHaveText('100,000 rows');
    expect(await page.getByTestId('span-row').count()).toBeLessThan(80);
    await page.getByRole('button', { name: 'Collapse all' }).click();
    await expect(page.getByTestId('lens-row-count')).toHaveText('1 rows');
    await page.getByRole('button', { name: 'Expand all' }).click();
    await expect(page.getByTestId('lens-row-count')).toHaveText('100,000 rows');
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`screenshots (${theme})`, async ({ page }) => {
      await openPanel(page, 'waterfall', { theme, options: { view: 'waterfall', waterfall: { colorBy: 'service' } } });
      await page.getByTestId('span-row').nth(2).getByTestId('span-bar').click();
      await saveScreenshot(page, `waterfall-${theme}`);
      await openPanel(page, 'waterfall', { theme, options: { view: 'waterfall', waterfall: { colorBy: 'percentile', showLogs: true } } });
      await saveScreenshot(page, `waterfall-percentile-logs-${theme}`);
    });
  }
});
