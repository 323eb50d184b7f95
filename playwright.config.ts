/**
 * Browser tests against the Vite harness (tests/browser/harness), driving Debian's Chromium.
 * Run: npx playwright test   (headless; artifacts in test-artifacts/)
 */
import { defineConfig } from '@playwright/test';

const port = Number(process.env.HARNESS_PORT ?? 5199);
const backendPort = Number(process.env.HARNESS_BACKEND_PORT ?? 5299);

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: 'tests/browser',
  testMatch: /.*\.spec\.ts$/,
  outputDir: 'test-artifacts/results',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  reporter: 'list',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    headless: true,
    viewport: { width: 1100, height: 700 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
  },
  projects: [{ name: 'chromium' }],
  webServer: [
    {
      command: 'node node_modules/vite/bin/vite.js --config tests/browser/harness/vite.config.mts',
      url: `http://127.0.0.1:${port}/?mount=none`,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
      env: { HARNESS_PORT: String(port) },
    },
    {
      // The data source's harness backend: the plugin in-process against a real Prometheus
      // (tests/browser/backend); the editors mount calls it directly (CORS).
      command: 'go run ./tests/browser/backend -addr 127.0.0.1:' + backendPort,
      url: `http://127.0.0.1:${backendPort}/harness/ready`,
      reuseExistingServer: !process.env.CI,
      timeout: 300_000,
    },
  ],
});
