/**
 * Playwright fixtures for every harness spec: import { test, expect, openHarness } from here.
 * Any console error or uncaught page error fails the test that produced it.
 */
import { test as base, expect, type Page } from '@playwright/test';

export const test = base.extend<{ consoleGuard: void }>({
  consoleGuard: [
    async ({ page }, use, testInfo) => {
      const problems: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') {
          problems.push(`console.error: ${msg.text()}`);
        }
      });
      page.on('pageerror', (err) => problems.push(`pageerror: ${err.stack ?? err.message}`));
      await use();
      if (problems.length) {
        await testInfo.attach('console-errors', { body: problems.join('\n'), contentType: 'text/plain' });
      }
      expect(problems, 'console errors on the page').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

export type ThemeMode = 'light' | 'dark';

/** Opens `/?mount=<name>&theme=<mode>&<params>` and waits until the harness has rendered. */
export async function openHarness(
  page: Page,
  mount: string,
  params: Record<string, string> = {},
  theme: ThemeMode = 'light'
): Promise<void> {
  const qs = new URLSearchParams({ mount, theme, ...params });
  await page.goto(`/?${qs.toString()}`);
  await page.waitForFunction(() => (window as unknown as { __harness?: { ready: boolean } }).__harness?.ready === true);
}

/** Screenshot into test-artifacts/screenshots/<name>.png (and attached to the report). */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const path = `test-artifacts/screenshots/${name}.png`;
  await page.screenshot({ path, fullPage: false });
  await test.info().attach(name, { path, contentType: 'image/png' });
}
