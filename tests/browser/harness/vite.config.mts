/**
 * Browser harness dev server: one page (index.html) that mounts a registered component by
 * `?mount=<name>` (see registry.ts and README.md). Real @grafana/data + @grafana/ui + React 18.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');

const HARNESS_PORT = Number(process.env.HARNESS_PORT ?? 5199);

export default defineConfig({
  root: here,
  cacheDir: path.join(repo, 'node_modules/.vite-harness'),
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^react-custom-scrollbars-2$/, replacement: path.join(here, 'shims/react-custom-scrollbars-2.ts') },
      // Same import style as the plugin's webpack build (baseUrl src).
      { find: /^@\//, replacement: path.join(repo, 'src') + '/' },
    ],
    dedupe: ['react', 'react-dom', '@grafana/data', '@grafana/ui', '@grafana/runtime'],
  },
  define: {
    'process.env.NODE_ENV': JSON.stringify(process.env.NODE_ENV ?? 'development'),
  },
  server: {
    host: '127.0.0.1',
    port: HARNESS_PORT,
    strictPort: true,
    fs: { allow: [repo] },
    // The data-source harness backend (if running) answers /api/ds/query; see README.md.
    proxy: process.env.HARNESS_BACKEND_URL
      ? { '/api': { target: process.env.HARNESS_BACKEND_URL, changeOrigin: true } }
      : undefined,
  },
  optimizeDeps: {
    entries: [path.join(here, 'index.html')],
    // @grafana/plugin-ui's compat layer imports runtime functions newer than 13.1 and checks
    // `typeof fn === 'function'` before use; let the pre-bundle shim them as undefined.
    rolldownOptions: { shimMissingExports: true },
  },
  // The production build (bench/panel/run.mjs) shims the same missing exports.
  build: { outDir: path.join(repo, 'test-artifacts/harness-build'), emptyOutDir: true, rolldownOptions: { shimMissingExports: true } },
  logLevel: 'warn',
});
