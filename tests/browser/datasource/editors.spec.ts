/**
 * The data source editors in Chromium with the real @grafana/ui, against the harness backend
 * (tests/browser/backend: the plugin in-process, a real Prometheus). Any console error fails.
 */
import { expect, openHarness, saveScreenshot, test } from '../harness/test';

const BACKEND = process.env.HARNESS_BACKEND_URL ?? `http://127.0.0.1:${process.env.HARNESS_BACKEND_PORT ?? 5299}`;
const HISTOGRAM = 'lens_harness_request_duration_seconds';

type H = { options?: { jsonData: Record<string, unknown>; secureJsonData?: Record<string, string> }; query?: Record<string, unknown>; runs?: Array<{ frames: string[]; error?: string }> };
const harness = (page: import('@playwright/test').Page) => page.evaluate(() => window.__harness as unknown as H);

test('config editor: one section per store, URL to jsonData, secret to secureJsonData, extraction preview', async ({ page }) => {
  await openHarness(page, 'editors', { part: 'config', backend: BACKEND });
  for (const store of ['metrics', 'logs', 'traces']) {
    await expect(page.getByTestId(`lens-store-${store}`)).toBeVisible();
  }
  await page.locator('#lens-metrics-url').fill('http://127.0.0.1:9090');
  await page.getByTestId('lens-store-traces').getByRole('radio', { name: 'Jaeger (v3 API)' }).check({ force: true });
  await page.getByRole('radio', { name: 'logfmt', exact: true }).check({ force: true });
  await page.locator('#lens-extract-sample').fill('level=info trace_id=4BF92F3577B34DA6A3CE929D0E0E4736 span_id=00f067aa0ba902b7');
  await expect(page.getByTestId('lens-preview-trace')).toHaveText(/4bf92f3577b34da6a3ce929d0e0e4736/);
  await expect(page.getByTestId('lens-preview-span')).toHaveText(/span ID: 00f067aa0ba902b7/);
  const h = await harness(page);
  expect(h.options?.jsonData).toMatchObject({
    metrics: { url: 'http://127.0.0.1:9090' },
    traces: { kind: 'jaeger-v3' },
    logs: { extraction: { mode: 'logfmt', traceIdKey: 'trace_id', spanIdKey: 'span_id' } },
  });
  await saveScreenshot(page, 'datasource-config-editor');
});

test('query editor: trace ID validated as typed', async ({ page }) => {
  await openHarness(page, 'editors', { part: 'query', backend: BACKEND });
  const input = page.locator('#lens-trace-id');
  await input.fill('not a trace');
  await expect(page.getByText(/is neither hex of up to 32 digits/)).toBeVisible();
  await input.fill('S/kvNXezTaajzpKdDg5HNg==');
  await expect(page.getByTestId('lens-trace-id-normalized')).toHaveText('Looks up 4bf92f3577b34da6a3ce929d0e0e4736');
  await input.blur();
  expect((await harness(page)).query).toMatchObject({ queryType: 'trace', traceId: 'S/kvNXezTaajzpKdDg5HNg==', version: 1 });
  const linesInSpanLogs = page.locator('#lens-lines-in-span-logs');
  await expect(linesInSpanLogs).toBeChecked();
  await linesInSpanLogs.dispatchEvent('click');
  await expect(linesInSpanLogs).not.toBeChecked();
  expect((await harness(page)).query).toMatchObject({ queryType: 'trace', linesInSpanLogs: false });
});

test('query editor: latency builder lists histograms from the live backend, builds the query JSON, code mode keeps it, and runs', async ({ page }) => {
  await openHarness(page, 'editors', {
    part: 'query',
    backend: BACKEND,
    // As the harness backend is configured: only the metrics store.
    jsonData: JSON.stringify({ metrics: { url: 'http://prometheus' } }),
    query: JSON.stringify({ queryType: 'latency', version: 1, source: 'histogram', editorMode: 'builder' }),
  });
  // The picker is filled by prometheus/histograms, served by the plugin from real Prometheus.
  await page.locator('#lens-latency-metric').click();
  await page.getByRole('option', { name: HISTOGRAM }).click();
  await page.locator('#lens-latency-service').click();
  await page.keyboard.type('checkout');
  await page.keyboard.press('Enter');
  await page.locator('#lens-latency-percentiles').fill('p50, 0.99');
  await page.locator('#lens-latency-percentiles').press('Enter');
  await expect.poll(async () => (await harness(page)).query).toEqual({
    refId: 'A',
    queryType: 'latency',
    version: 1,
    source: 'histogram',
    editorMode: 'builder',
    histogramMetric: HISTOGRAM,
    service: 'checkout',
    operation: undefined,
    percentiles: [0.5, 0.99],
  });
  await page.getByRole('radio', { name: 'Code', exact: true }).check({ force: true });
  await expect(page.locator('#lens-latency-expr')).toHaveValue(`${HISTOGRAM}{service="checkout"}`);
  expect((await harness(page)).query).toMatchObject({ editorMode: 'code', expr: `${HISTOGRAM}{service="checkout"}` });
  // The builder runs reached the plugin and came back with percentile frames from Prometheus.
  await expect.poll(async () => (await harness(page)).runs?.some((r) => r.frames.includes('p99')), { timeout: 20_000 }).toBe(true);
  await saveScreenshot(page, 'datasource-query-editor-latency');
});
