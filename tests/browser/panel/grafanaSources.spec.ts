/**
 * The panel on frames shaped as Grafana's own data sources hand them to a panel, served as
 * DataFrameJSON through the harness' `frames=` hook.
 */
import { type Page } from '@playwright/test';

import { expect, openHarness, test } from '../harness/test';

type FieldJSON = { name: string; type: string; config?: Record<string, unknown>; labels?: Record<string, string> };

function frameJSON(refId: string, fields: FieldJSON[], values: unknown[][], meta?: Record<string, unknown>) {
  return { schema: { refId, meta, fields }, data: { values } };
}

async function openWithFrames(page: Page, frames: unknown[], params: Record<string, string> = {}) {
  await page.route('**/grafana-frames.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(frames) }));
  await openHarness(page, 'panel', { frames: '/grafana-frames.json', from: '1798761600000', to: '1798765200000', ...params });
}

/** histogram_quantile per percentile from Grafana's Prometheus data source: NaN steps arrive as null. */
function quantileSeries(legend: string, values: Array<number | null>) {
  const t0 = 1798761600000;
  return frameJSON(
    legend,
    [
      { name: 'Time', type: 'time' },
      { name: 'Value', type: 'number', labels: { job: 'api' }, config: { displayNameFromDS: legend } },
    ],
    [values.map((_, i) => t0 + i * 60_000), values]
  );
}

test.describe('Percentile bands of Grafana’s Prometheus data source', () => {
  test('no traffic in the range (every step NaN): says so instead of an empty chart', async ({ page }) => {
    const nulls = new Array(30).fill(null);
    await openWithFrames(page, [quantileSeries('p50', nulls), quantileSeries('p99', nulls)]);
    await expect(page.getByTestId('panel-host')).toContainText('no value');
  });

  test('some steps NaN: the bands draw', async ({ page }) => {
    const p50 = Array.from({ length: 30 }, (_, i) => (i < 10 ? null : 0.05 + i * 0.001));
    const p99 = p50.map((v) => (v == null ? null : v * 4));
    await openWithFrames(page, [quantileSeries('p50', p50), quantileSeries('p99', p99)]);
    await expect(page.getByTestId('lens-bands')).toBeVisible();
  });
});
