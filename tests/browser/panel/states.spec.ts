import { expect, test } from '../harness/test';
import { openPanel } from './helpers';

test.describe('Empty, error and warning states', () => {
  test('no frames: Grafana’s PanelDataErrorView', async ({ page }) => {
    await openPanel(page, 'empty');
    await expect(page.getByTestId('panel-host')).toContainText('Unable to render data');
  });

  test('a forced view that does not fit the frames says why', async ({ page }) => {
    await openPanel(page, 'cdf-raw', { options: { view: 'waterfall' } });
    await expect(page.getByTestId('panel-host')).toContainText('No trace in the data');
  });

  test('auto picks the view from the frames', async ({ page }) => {
    await openPanel(page, 'waterfall-tempo');
    await expect(page.getByTestId('lens-waterfall')).toBeVisible();
    await openPanel(page, 'bands-prom');
    await expect(page.getByTestId('lens-bands')).toBeVisible();
    await openPanel(page, 'cdf-histogram');
    await expect(page.getByTestId('lens-cdf')).toBeVisible();
  });
});
