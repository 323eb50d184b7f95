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

test.describe('CDF of Grafana’s Prometheus data source', () => {
  test('Format "Table" (an le column and a Value column): one histogram, not the bounds as durations', async ({ page }) => {
    const t = 1798765200000;
    const table = frameJSON(
      'A',
      [
        { name: 'Time', type: 'time' },
        { name: 'le', type: 'string' },
        { name: 'Value', type: 'number' },
      ],
      [
        [t, t, t],
        ['0.1', '0.5', '+Inf'],
        [10, 30, 40],
      ],
      { preferredVisualisationType: 'rawPrometheus', executedQueryString: 'Expr: sum by (le) (increase(x_bucket[1h]))' }
    );
    await openWithFrames(page, [table]);
    const legend = page.getByTestId('lens-cdf-legend');
    await expect(legend).toContainText('A buckets');
    await expect(page.getByTestId('lens-cdf-amount')).toHaveText('n=40');
    // p50: rank 20 lies in the (100 ms, 500 ms] bucket, interpolated half way.
    await expect(legend).toContainText('p50 300 ms');
  });

  test('buckets of a rate() query: the legend gives the rate, not a count', async ({ page }) => {
    const t0 = 1798761600000;
    const bucket = (le: string, values: number[]) =>
      frameJSON(
        'A',
        [
          { name: 'Time', type: 'time' },
          { name: 'Value', type: 'number', labels: { le } },
        ],
        [values.map((_, i) => t0 + i * 60_000), values],
        { executedQueryString: 'Expr: sum by (le) (rate(x_bucket[5m]))\nStep: 1m0s' }
      );
    await openWithFrames(page, [bucket('0.1', [0.5, 0.7, 0.6]), bucket('0.5', [1.5, 1.7, 1.6]), bucket('+Inf', [2.0, 2.4, 2.2])]);
    await expect(page.getByTestId('lens-cdf-amount')).toHaveText('2.2/s');
    await expect(page.getByTestId('lens-cdf-legend')).not.toContainText('n=');
  });
});
