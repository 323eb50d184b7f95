import { expect, openHarness, test } from '../harness/test';

test('harness mounts the panel with no frames and shows the empty state', async ({ page }) => {
  await openHarness(page, 'panel', { fixture: 'empty' });
  await expect(page.getByTestId('panel-host')).toBeVisible();
});
