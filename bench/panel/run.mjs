#!/usr/bin/env node
/**
 * Panel benchmarks in Chromium (prints figures; not a pass/fail test).
 *
 *   node bench/panel/run.mjs            # all
 *   node bench/panel/run.mjs waterfall  # or: cdf, bands
 *
 * Drives the browser harness (tests/browser/harness, started here unless already on
 * HARNESS_PORT) with playwright-core and Debian's /usr/bin/chromium. Fixture data comes from
 * the seeded factories in src/panel/testing, built inside the page before any timer starts.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const port = Number(process.env.HARNESS_PORT ?? 5199);
const base = `http://127.0.0.1:${port}`;
const only = process.argv[2];
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
};
const median = (xs) => quantile(xs, 0.5);
const f1 = (x) => (Math.round(x * 10) / 10).toFixed(1);
const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;

async function up() {
  try {
    return (await fetch(`${base}/?mount=none`)).ok;
  } catch {
    return false;
  }
}

async function ensureServer() {
  if (await up()) {
    return null;
  }
  const child = spawn(process.execPath, [path.join(repo, 'node_modules/vite/bin/vite.js'), '--config', 'tests/browser/harness/vite.config.mts'], {
    cwd: repo,
    env: { ...process.env, HARNESS_PORT: String(port) },
    stdio: 'ignore',
  });
  for (let i = 0; i < 120 && !(await up()); i++) {
    await new Promise((r) => setTimeout(r, 500));
  }
  return child;
}

async function openPanel(page, fixture, options) {
  const qs = new URLSearchParams({ mount: 'panel', fixture, width: '1100', height: '680', options: JSON.stringify(options) });
  await page.goto(`${base}/?${qs}`);
  await page.waitForFunction(() => window.__harness?.ready === true);
  // Warm the module graph and JIT a little with a small render of the same view.
}

const render = (page, next) => page.evaluate((n) => window.__harness.panel.render(n), next);

async function heap(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize;
}

async function benchWaterfall(page, cdp, out) {
  const SPANS = 100_000;
  await openPanel(page, 'waterfall', { view: 'waterfall' });
  await render(page, { fixture: 'empty' });
  const heap0 = await heap(cdp);
  const firstBuild = await render(page, { fixture: 'waterfall', fixtureArgs: { spans: SPANS } });
  const heapAll = await heap(cdp);
  const wire = await page.evaluate(() => {
    const h = window.__harness.panel;
    return h.frames().map((_, i) => h.bench.wireBytes(i));
  });
  // Frames alone (model, rows and DOM released): render an empty set while holding the frames.
  await page.evaluate(() => {
    window.__keep = window.__harness.panel.frames();
  });
  await render(page, { frames: [] });
  const heapFrames = await heap(cdp);
  const paints = [firstBuild];
  for (let i = 0; i < 6; i++) {
    await render(page, { frames: [] });
    paints.push(await page.evaluate(() => window.__harness.panel.render({ frames: window.__keep })));
  }
  const prepare = [];
  for (let i = 0; i < 5; i++) {
    prepare.push(await page.evaluate(() => window.__harness.panel.bench.timePrepare('waterfall')));
  }
  // Expand/collapse: click a row's toggle, time to DOM updated + layout, and to the next frame.
  const toggles = await page.evaluate(async () => {
    const afterReact = () => new Promise((r) => queueMicrotask(r));
    const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const dom = [];
    const frame = [];
    const rowsShown = [];
    const buttons = [...document.querySelectorAll('[data-testid="span-toggle"]')].slice(0, 12);
    for (let round = 0; round < 4; round++) {
      for (const b of buttons) {
        for (let k = 0; k < 2; k++) {
          const t0 = performance.now();
          b.click();
          await afterReact();
          void document.body.offsetHeight;
          dom.push(performance.now() - t0);
          await nextFrame();
          frame.push(performance.now() - t0);
          rowsShown.push(document.querySelector('[data-testid="lens-row-count"]').textContent);
        }
      }
    }
    return { dom, frame, rowsShown: [...new Set(rowsShown)].slice(0, 6) };
  });
  const traceBytes = wire[0];
  out.waterfall = {
    spans: SPANS,
    firstPaintMs: { first: firstBuild, median: median(paints), runs: paints.length },
    prepareMs: median(prepare),
    toggle: { samples: toggles.dom.length, domP50: median(toggles.dom), domP95: quantile(toggles.dom, 0.95), frameP95: quantile(toggles.frame, 0.95), rowsShown: toggles.rowsShown },
    heap: { traceJsonBytes: traceBytes, allWireBytes: wire.reduce((a, b) => a + b, 0), panelTotal: heapAll - heap0, framesOnly: heapFrames - heap0, modelAndView: heapAll - heapFrames },
  };
  await page.evaluate(() => {
    delete window.__keep;
  });
}

async function benchCdf(page, out) {
  await openPanel(page, 'cdf-raw', { view: 'cdf' });
  out.cdf = {};
  for (const n of [1_000_000, 10_000_000]) {
    await render(page, { fixture: 'empty' });
    const firstPaint = await render(page, { fixture: 'cdf-raw', fixtureArgs: { n } });
    const prepare = [];
    const sort = [];
    for (let i = 0; i < 5; i++) {
      prepare.push(await page.evaluate(() => window.__harness.panel.bench.timePrepare('cdf')));
      sort.push(await page.evaluate(() => window.__harness.panel.bench.timeSortBaseline()));
    }
    out.cdf[n] = { firstPaintMs: firstPaint, prepareMs: median(prepare), sortMs: median(sort), prepareOverSort: median(prepare) / median(sort), firstPaintOverSort: firstPaint / median(sort) };
  }
  await render(page, { fixture: 'empty' });
}

async function benchBands(page, out) {
  const POINTS = 1_000_000;
  await openPanel(page, 'bands', { view: 'bands' });
  await render(page, { fixture: 'empty' });
  const firstPaint = await render(page, { fixture: 'bands', fixtureArgs: { points: POINTS, exemplars: 50 } });
  const prepare = [];
  for (let i = 0; i < 3; i++) {
    prepare.push(await page.evaluate(() => window.__harness.panel.bench.timePrepare('bands')));
  }
  const redraws = await page.evaluate(() => window.__harness.panel.bench.timeRedraws(7));
  const plain = await page.evaluate(() => window.__harness.panel.bench.plainLines(7));
  out.bands = {
    pointsPerSeries: POINTS,
    series: 3,
    firstPaintMs: firstPaint,
    prepareMs: median(prepare),
    redrawMs: median(redraws),
    plainLinesRedrawMs: median(plain.redraws),
    plainLinesBuildMs: plain.build,
    redrawRatio: median(redraws) / median(plain.redraws),
    firstPaintOverPlainBuild: firstPaint / plain.build,
  };
}

const server = await ensureServer();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
const cdp = await page.context().newCDPSession(page);
const out = {
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${mb(os.totalmem())} RAM, load ${os.loadavg().map((l) => l.toFixed(2)).join('/')}`,
  chromium: browser.version(),
};
try {
  if (!only || only === 'waterfall') {
    await benchWaterfall(page, cdp, out);
  }
  if (!only || only === 'cdf') {
    await benchCdf(page, out);
  }
  if (!only || only === 'bands') {
    await benchBands(page, out);
  }
} finally {
  await browser.close();
  server?.kill();
}

console.log(`Latency Lens panel benchmarks — ${new Date().toISOString()}`);
console.log(`machine: ${out.machine}; Chromium ${out.chromium}`);
if (out.waterfall) {
  const w = out.waterfall;
  console.log(`\nWaterfall, ${w.spans.toLocaleString()} spans`);
  console.log(`  first paint (prepare + React + paint): first ${f1(w.firstPaintMs.first)} ms, median of ${w.firstPaintMs.runs} ${f1(w.firstPaintMs.median)} ms   [goal ≤ 300 ms]`);
  console.log(`  prepareWaterfallData alone: ${f1(w.prepareMs)} ms`);
  console.log(`  expand/collapse (${w.toggle.samples} clicks): click→DOM+layout p50 ${f1(w.toggle.domP50)} ms, p95 ${f1(w.toggle.domP95)} ms [goal p95 ≤ 16 ms]; click→next frame p95 ${f1(w.toggle.frameP95)} ms`);
  console.log(`  JS heap: trace frame JSON ${mb(w.heap.traceJsonBytes)} (all frames ${mb(w.heap.allWireBytes)}); heap for frames + model + view ${mb(w.heap.panelTotal)} = ${(w.heap.panelTotal / w.heap.traceJsonBytes).toFixed(2)}× [goal ≤ 3×]; of which frames ${mb(w.heap.framesOnly)}, model + view ${mb(w.heap.modelAndView)} = ${(w.heap.modelAndView / w.heap.traceJsonBytes).toFixed(2)}×`);
}
if (out.cdf) {
  for (const [n, c] of Object.entries(out.cdf)) {
    console.log(`\nCDF, ${Number(n).toLocaleString()} raw durations`);
    console.log(`  prepareCdfData ${f1(c.prepareMs)} ms; first paint (prepare + uPlot + paint) ${f1(c.firstPaintMs)} ms; Float64Array copy+sort ${f1(c.sortMs)} ms`);
    console.log(`  ratio prepare/sort ${c.prepareOverSort.toFixed(2)}, first paint/sort ${c.firstPaintOverSort.toFixed(2)}`);
  }
}
if (out.bands) {
  const b = out.bands;
  console.log(`\nBands, ${b.series} quantile series × ${b.pointsPerSeries.toLocaleString()} points (+50 exemplars)`);
  console.log(`  first paint (prepare + uPlot build + paint) ${f1(b.firstPaintMs)} ms; prepareBandsData ${f1(b.prepareMs)} ms`);
  console.log(`  redraw: bands ${f1(b.redrawMs)} ms vs plain uPlot lines ${f1(b.plainLinesRedrawMs)} ms → ${b.redrawRatio.toFixed(2)}× [goal ≤ 1.25×]`);
  console.log(`  build+first draw: panel ${f1(b.firstPaintMs)} ms vs plain lines ${f1(b.plainLinesBuildMs)} ms → ${b.firstPaintOverPlainBuild.toFixed(2)}×`);
}
if (errors.length) {
  console.log(`\npage errors:\n  ${errors.join('\n  ')}`);
}
console.log(`\n${JSON.stringify(out)}`);
