#!/usr/bin/env node
/**
 * Panel benchmarks in Chromium (prints figures; not a pass/fail test).
 *
 *   node bench/panel/run.mjs            # all
 *   node bench/panel/run.mjs waterfall  # or: cdf, bands
 *
 * Drives the browser harness (tests/browser/harness) with playwright-core and Debian's
 * /usr/bin/chromium. The harness is built here in production mode (React's production build,
 * as Grafana ships it) and served by `vite preview` on HARNESS_PORT; BENCH_DEV=1 uses a dev
 * server already running on that port instead. Fixture data comes from the seeded factories
 * in src/panel/testing, built inside the page before any timer starts.
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

const vite = path.join(repo, 'node_modules/vite/bin/vite.js');
const harnessConfig = 'tests/browser/harness/vite.config.mts';

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite ${args[0]} exited with ${code}`))));
  });
}

async function ensureServer() {
  if (process.env.BENCH_DEV === '1') {
    if (!(await up())) {
      throw new Error(`BENCH_DEV=1: no harness dev server on ${base}`);
    }
    return null;
  }
  if (await up()) {
    throw new Error(`port ${port} is taken (a harness dev server?); stop it or set HARNESS_PORT`);
  }
  await run(['build', '--config', harnessConfig, '--mode', 'production', '--logLevel', 'error'], { NODE_ENV: 'production' });
  const child = spawn(process.execPath, [vite, 'preview', '--config', harnessConfig, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: repo,
    env: { ...process.env, NODE_ENV: 'production' },
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
  // Expand/collapse. Each sample is one click on a visible span's toggle (queried afresh, so it
  // is on screen and really toggles; the row count must change). Measured inside the page:
  //   work  = click → React commit + style/layout (forced) + the next frame's rendering, i.e. the
  //           main-thread time the interaction costs, without the idle wait for the next vsync;
  //   frame = click → next animation frame (includes that wait, up to one vsync interval).
  const toggles = await page.evaluate(async () => {
    const afterReact = () => new Promise((r) => queueMicrotask(r));
    const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));
    // The next animation frame, and the first task after that frame's rendering.
    const frameAndPaint = () =>
      new Promise((r) => {
        const ch = new MessageChannel();
        let tFrame = 0;
        ch.port1.onmessage = () => r({ tFrame, tPaint: performance.now() });
        requestAnimationFrame(() => {
          tFrame = performance.now();
          ch.port2.postMessage(0);
        });
      });
    const count = () => document.querySelector('[data-testid="lens-row-count"]').textContent;
    const work = [];
    const frame = [];
    const samples = [];
    const rowsShown = new Set();
    let unchanged = 0;
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 12; i++) {
        const buttons = document.querySelectorAll('[data-testid="span-toggle"]');
        const b = buttons[i % buttons.length];
        for (let k = 0; k < 2; k++) {
          await nextFrame();
          const before = count();
          const t0 = performance.now();
          b.click();
          await afterReact();
          void document.body.offsetHeight;
          const tDom = performance.now();
          const { tFrame, tPaint } = await frameAndPaint();
          frame.push(tFrame - t0);
          // The frame's own rendering: from its animation-frame callbacks to the task after it.
          work.push(tDom - t0 + Math.max(0, tPaint - tFrame));
          const after = count();
          samples.push({ work: work[work.length - 1], dom: tDom - t0, from: before, to: after });
          rowsShown.add(after);
          if (after === before) {
            unchanged++;
          }
        }
      }
    }
    const slowest = samples.sort((a, b) => b.work - a.work).slice(0, 10);
    return { work, frame, unchanged, rowsShown: [...rowsShown].slice(0, 8), slowest };
  });
  if (toggles.unchanged) {
    throw new Error(`${toggles.unchanged} toggle clicks did not change the row count`);
  }
  const traceBytes = wire[0];
  out.waterfall = {
    spans: SPANS,
    firstPaintMs: { first: firstBuild, median: median(paints), runs: paints.length },
    prepareMs: median(prepare),
    toggle: { samples: toggles.work.length, workP50: median(toggles.work), workP95: quantile(toggles.work, 0.95), workMax: Math.max(...toggles.work), frameP95: quantile(toggles.frame, 0.95), rowsShown: toggles.rowsShown, slowest: toggles.slowest },
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
const mode = server ? 'production build (vite preview)' : 'dev server (BENCH_DEV=1)';
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
const cdp = await page.context().newCDPSession(page);
const out = {
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${mb(os.totalmem())} RAM, load ${os.loadavg().map((l) => l.toFixed(2)).join('/')}`,
  chromium: browser.version(),
  harness: mode,
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
console.log(`machine: ${out.machine}; Chromium ${out.chromium}; harness: ${out.harness}`);
if (out.waterfall) {
  const w = out.waterfall;
  console.log(`\nWaterfall, ${w.spans.toLocaleString()} spans`);
  console.log(`  first paint (prepare + React + paint): first ${f1(w.firstPaintMs.first)} ms, median of ${w.firstPaintMs.runs} ${f1(w.firstPaintMs.median)} ms   [goal ≤ 300 ms]`);
  console.log(`  prepareWaterfallData alone: ${f1(w.prepareMs)} ms`);
  console.log(`  expand/collapse (${w.toggle.samples} clicks, rows shown ${w.toggle.rowsShown.join(', ')}): work p50 ${f1(w.toggle.workP50)} ms, p95 ${f1(w.toggle.workP95)} ms, max ${f1(w.toggle.workMax)} ms [goal p95 ≤ 16 ms]; click→next frame (incl. vsync wait) p95 ${f1(w.toggle.frameP95)} ms`);
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
