// Join benchmark, Node side: what a user does today — a spans query and a logs query,
// then Grafana's "Join by field" transformation (joinDataFrames from @grafana/data) on
// spanID. Timed: building the two frames from the parsed rows, and the join. Reads the data set written by the Go side so both join identical data:
//
//   LATENCYLENS_JOIN_BENCH_DATA=/tmp/lens-join.json \
//     go test -run TestWriteJoinBenchData ./pkg/frames/
//   node bench/join/join.mjs /tmp/lens-join.json [runs] [steady]
//
// Prints one line per run and a JSON summary line. With steady > 0 it measures the
// steady state instead, in the inner mode only: a few joins warm the JIT up, then
// `steady` joins back to back, and the mean CPU time per join (garbage collection
// included, as in the Go side's 40-iteration runs) is printed next to each join's own.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';

// @grafana/data expects a browser at load time (window, document, history): give it
// jsdom's, as its own jest set-up does. Only the join itself is timed.
const require = createRequire(import.meta.url);
{
  const { JSDOM } = require('jsdom');
  const { window } = new JSDOM('<!doctype html><html><head></head><body></body></html>', { url: 'http://localhost/' });
  for (const k of [
    'window',
    'document',
    'navigator',
    'history',
    'location',
    'localStorage',
    'HTMLElement',
    'getComputedStyle',
    'matchMedia',
  ]) {
    if (globalThis[k] === undefined && window[k] !== undefined) {
      globalThis[k] = k === 'window' ? window : window[k];
    }
  }
  globalThis.matchMedia ??= () => ({ matches: false, addListener() {}, removeListener() {} });
}

const data = require('@grafana/data');
// The package exports joinDataFrames as outerJoinDataFrames (its mode option picks inner).
const { createDataFrame, FieldType, outerJoinDataFrames: joinDataFrames, fieldMatchers, FieldMatcherID } = data;
// JoinMode (joinShared) is not exported from the package root; its values are strings.
const JoinMode = data.JoinMode ?? { outer: 'outer', inner: 'inner', outerTabular: 'outerTabular' };

const path = process.argv[2];
const runs = Number(process.argv[3] ?? 3);
const steady = Number(process.argv[4] ?? 0);
if (!path) {
  console.error('usage: node join.mjs <data.json> [runs] [steady]');
  process.exit(2);
}
const ds = JSON.parse(readFileSync(path, 'utf8'));

// The two query results as Grafana would hold them: one frame per query. Building them
// is part of the timed workflow (the Go side's timing also starts from parsed rows).
const makeFrames = () => [
  createDataFrame({
    name: 'spans',
    fields: [
      { name: 'traceID', type: FieldType.string, values: ds.spans.traceID },
      { name: 'spanID', type: FieldType.string, values: ds.spans.spanID },
      { name: 'parentSpanID', type: FieldType.string, values: ds.spans.parentSpanID },
      { name: 'operationName', type: FieldType.string, values: ds.spans.operationName },
      { name: 'serviceName', type: FieldType.string, values: ds.spans.serviceName },
      { name: 'startTime', type: FieldType.number, values: ds.spans.startTime },
      { name: 'duration', type: FieldType.number, values: ds.spans.duration },
    ],
  }),
  createDataFrame({
    name: 'logs',
    fields: [
      { name: 'timestamp', type: FieldType.time, values: ds.logs.timestamp },
      { name: 'body', type: FieldType.string, values: ds.logs.body },
      { name: 'level', type: FieldType.string, values: ds.logs.level },
      { name: 'traceID', type: FieldType.string, values: ds.logs.traceID },
      { name: 'spanID', type: FieldType.string, values: ds.logs.spanID },
    ],
  }),
];
const joinBy = fieldMatchers.get(FieldMatcherID.byName).get('spanID');

// Steady state: what a dashboard that refreshes the join sees once V8 has optimised it.
// The first joins of a process run interpreted or half-compiled code (500 ms and more
// here, against about 200 ms later), and V8's major collections of the earlier joins'
// garbage land on a few later ones; the mean over many joins counts both as the Go
// side's mean over 40 iterations counts its collections.
if (steady > 0) {
  const warmUp = 3;
  for (let r = 0; r < warmUp; r++) {
    joinDataFrames({ frames: makeFrames(), joinBy, mode: JoinMode.inner });
  }
  const perJoin = [];
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let r = 0; r < steady; r++) {
    const c1 = process.cpuUsage();
    joinDataFrames({ frames: makeFrames(), joinBy, mode: JoinMode.inner });
    const c = process.cpuUsage(c1);
    perJoin.push((c.user + c.system) / 1000);
  }
  const c = process.cpuUsage(c0);
  const meanCpuMs = (c.user + c.system) / 1000 / steady;
  const meanMs = (performance.now() - t0) / steady;
  const sorted = [...perJoin].sort((a, b) => a - b);
  const medianCpuMs = sorted[Math.floor((sorted.length - 1) / 2)];
  console.log(
    `joinDataFrames mode=inner steady: ${steady} joins after ${warmUp} to warm up: ` +
      `mean cpu ${meanCpuMs.toFixed(1)} ms, mean wall ${meanMs.toFixed(1)} ms, median cpu ${medianCpuMs.toFixed(1)} ms; ` +
      `each join's cpu: ${perJoin.map((x) => x.toFixed(0)).join(' ')}`
  );
  console.log(JSON.stringify({ node: process.version, steady, meanCpuMs, meanMs, medianCpuMs }));
  process.exit(0);
}

const results = [];
// inner: the rows whose spanID matches (lines without a span ID are lost);
// outer (the transformation's default): built for sorted time keys, one row per span;
// outerTabular: every row of both sides, when it does not fail.
const failures = {};
for (const mode of [JoinMode.inner, JoinMode.outer, JoinMode.outerTabular]) {
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let out;
    try {
      out = joinDataFrames({ frames: makeFrames(), joinBy, mode });
    } catch (e) {
      failures[mode] = String(e);
      console.log(`joinDataFrames mode=${mode} failed: ${e}`);
      break;
    }
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpuMs = (c.user + c.system) / 1000;
    const rows = out ? out.length : 0;
    // What the output holds: rows, columns, and how many distinct log lines (by body +
    // time) survive in it, i.e. lines a user would see next to their span.
    let lines = 0;
    if (out && r === 0) {
      const body = out.fields.find((f) => f.name === 'body');
      lines = body ? body.values.filter((v) => v !== undefined && v !== null).length : 0;
    }
    results.push({ mode, run: r, ms, cpuMs, rows });
    console.log(
      `joinDataFrames mode=${mode} run=${r} wall ${ms.toFixed(0)} ms, cpu ${cpuMs.toFixed(0)} ms, ${rows} rows` +
        (r === 0 && out ? `, ${out.fields.length} columns, ${lines} rows carrying a log line` : '')
    );
  }
}
const median = (mode, key = 'ms') => {
  const v = results
    .filter((x) => x.mode === mode)
    .map((x) => x[key])
    .sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
};
const best = (mode, key = 'ms') => {
  const ms = results.filter((x) => x.mode === mode).map((x) => x[key]);
  return ms.length ? Math.min(...ms) : null;
};
console.log(
  JSON.stringify({
    spans: ds.spans.spanID.length,
    lines: ds.logs.body.length,
    node: process.version,
    medianMs: { inner: median(JoinMode.inner), outer: median(JoinMode.outer) },
    medianCpuMs: { inner: median(JoinMode.inner, 'cpuMs'), outer: median(JoinMode.outer, 'cpuMs') },
    bestMs: { inner: best(JoinMode.inner), outer: best(JoinMode.outer), outerTabular: best(JoinMode.outerTabular) },
    bestCpuMs: { inner: best(JoinMode.inner, 'cpuMs'), outer: best(JoinMode.outer, 'cpuMs') },
    failures,
  })
);
