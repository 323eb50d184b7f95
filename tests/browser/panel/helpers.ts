import { type Page } from '@playwright/test';

import { openHarness, type ThemeMode } from '../harness/test';

export interface PanelPageOptions {
  theme?: ThemeMode;
  options?: Record<string, unknown>;
  width?: number;
  height?: number;
  error?: string;
  /** The dashboard's time zone (default utc). */
  timeZone?: string;
}

/** Opens the panel mount with a fixture (tests/browser/harness/panel/fixtures.ts). */
export async function openPanel(page: Page, fixture: string, o: PanelPageOptions = {}): Promise<void> {
  const params: Record<string, string> = { fixture };
  if (o.options) {
    params.options = JSON.stringify(o.options);
  }
  if (o.width) {
    params.width = String(o.width);
  }
  if (o.height) {
    params.height = String(o.height);
  }
  if (o.error) {
    params.error = o.error;
  }
  if (o.timeZone) {
    params.timeZone = o.timeZone;
  }
  await openHarness(page, 'panel', params, o.theme ?? 'light');
}

/** Re-render through window.__harness.panel.render (options are merged and migrated). */
export async function rerender(page: Page, next: Record<string, unknown>): Promise<void> {
  await page.evaluate((n) => (window as any).__harness.panel.render(n), next);
}
