#!/usr/bin/env node
// Checks a packaged plugin zip the way Grafana installs it: one root folder named after the app,
// every nested plugin with its module.js and plugin.json, the backend for each shipped platform,
// and a build manifest that matches the Go sources. Exits 1 listing every error found.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const zipPath = process.argv[2];
if (!zipPath) {
  console.error('usage: check-package.mjs <plugin.zip>');
  process.exit(2);
}
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const errors = [];
const fail = (msg) => errors.push(msg);

// zipinfo -l style listing: permissions, ..., size, ..., name
const listing = execFileSync('zipinfo', ['-l', zipPath], { encoding: 'utf8' })
  .split('\n')
  .filter((l) => /^[-dl][rwxs-]{9}/.test(l))
  .map((l) => {
    const parts = l.trim().split(/\s+/);
    return { mode: parts[0], size: Number(parts[3]), name: parts.slice(9).join(' ') };
  });
const files = new Map(listing.filter((e) => !e.name.endsWith('/')).map((e) => [e.name, e]));
const read = (name) => execFileSync('unzip', ['-p', zipPath, name], { maxBuffer: 1 << 30 });
const readJson = (name) => {
  try {
    return JSON.parse(read(name).toString('utf8'));
  } catch (e) {
    fail(`${name}: not valid JSON (${e.message})`);
    return {};
  }
};

const roots = new Set(listing.map((e) => e.name.split('/')[0]));
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const srcApp = JSON.parse(readFileSync(path.join(repo, 'src/plugin.json'), 'utf8'));
const id = srcApp.id;
if (roots.size !== 1 || !roots.has(id)) {
  fail(`archive must have the single root folder "${id}", found: ${[...roots].join(', ')}`);
}
if (path.basename(zipPath) !== `${id}-${pkg.version}.zip`) {
  fail(`archive name ${path.basename(zipPath)} should be ${id}-${pkg.version}.zip`);
}
const at = (p) => `${id}/${p}`;
const need = (p) => {
  if (!files.has(at(p))) {
    fail(`missing ${at(p)}`);
    return false;
  }
  return true;
};

const idPattern = /^[a-z0-9]+-[a-z0-9]+-(app|datasource|panel)$/;
const semverRange = /^(>=|>|~|\^)?\d+\.\d+\.\d+(-\S+)?(\s*(<|<=)\s*\d+\.\d+\.\d+)?$/;
function checkPluginJson(rel, expectedType) {
  if (!need(rel)) {
    return {};
  }
  const pj = readJson(at(rel));
  const dir = path.posix.dirname(rel) === '.' ? '' : `${path.posix.dirname(rel)}/`;
  if (pj.type !== expectedType) {
    fail(`${rel}: type is ${pj.type}, expected ${expectedType}`);
  }
  if (!idPattern.test(pj.id ?? '') || !pj.id.endsWith(`-${expectedType}`)) {
    fail(`${rel}: id "${pj.id}" does not follow <org>-<name>-${expectedType}`);
  }
  if (pj.info?.version !== pkg.version) {
    fail(`${rel}: info.version "${pj.info?.version}" should be the package version ${pkg.version}`);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(pj.info?.updated ?? '')) {
    fail(`${rel}: info.updated "${pj.info?.updated}" is not a date`);
  }
  const dep = pj.dependencies?.grafanaDependency;
  if (!dep || !semverRange.test(dep)) {
    fail(`${rel}: grafanaDependency "${dep}" missing or not a version range`);
  }
  for (const logo of [pj.info?.logos?.small, pj.info?.logos?.large]) {
    if (!logo) {
      fail(`${rel}: logos missing`);
    } else {
      need(dir + logo);
    }
  }
  need(`${dir}module.js`);
  return pj;
}

const app = checkPluginJson('plugin.json', 'app');
const kinds = { datasource: [], panel: [], dashboard: [] };
for (const inc of app.includes ?? []) {
  if (inc.type in kinds) {
    if (!inc.path) {
      fail(`plugin.json: include "${inc.name}" of type ${inc.type} has no path`);
      continue;
    }
    kinds[inc.type].push(inc.path);
    need(inc.path);
  }
}
for (const t of ['datasource', 'panel', 'dashboard']) {
  if (kinds[t].length === 0) {
    fail(`plugin.json: includes no ${t}`);
  }
}
for (const p of kinds.dashboard) {
  if (files.has(at(p))) {
    const d = readJson(at(p));
    if (!d.title || !d.uid || !Array.isArray(d.panels)) {
      fail(`${p}: a dashboard needs title, uid and panels`);
    }
  }
}
for (const p of kinds.panel) {
  checkPluginJson(p, 'panel');
}
const magic = {
  linux: (b) => b.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])),
  darwin: (b) => b.readUInt32LE(0) === 0xfeedfacf,
  windows: (b) => b.subarray(0, 2).toString('latin1') === 'MZ',
};
for (const p of kinds.datasource) {
  const ds = checkPluginJson(p, 'datasource');
  const dir = path.posix.dirname(p);
  for (const flag of ['backend', 'alerting', 'metrics', 'logs', 'tracing']) {
    if (ds[flag] !== true) {
      fail(`${p}: "${flag}" must be true`);
    }
  }
  if (!ds.executable) {
    fail(`${p}: no executable`);
    continue;
  }
  for (const [os, arch] of [
    ['linux', 'amd64'],
    ['linux', 'arm64'],
    ['darwin', 'arm64'],
    ['windows', 'amd64'],
  ]) {
    const rel = `${dir}/${ds.executable}_${os}_${arch}${os === 'windows' ? '.exe' : ''}`;
    if (!need(rel)) {
      continue;
    }
    const entry = files.get(at(rel));
    if (!/^-rwx/.test(entry.mode)) {
      fail(`${rel}: not executable (${entry.mode})`);
    }
    const head = execFileSync('sh', ['-c', `unzip -p "$0" "$1" | head -c 4`, zipPath, at(rel)]);
    if (head.length < 4 || !magic[os](head)) {
      fail(`${rel}: not a ${os} executable`);
    }
  }
}

// The manifest lists sha256:path for every Go source; it must match this checkout.
if (need('go_plugin_build_manifest')) {
  const listed = new Map(
    read(at('go_plugin_build_manifest'))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const i = l.indexOf(':');
        return [l.slice(i + 1), l.slice(0, i)];
      })
  );
  const walk = (d) =>
    readdirSync(d).flatMap((n) => {
      const p = path.join(d, n);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.go') ? [p] : [];
    });
  for (const f of walk(path.join(repo, 'pkg'))) {
    const rel = path.relative(repo, f);
    const hash = createHash('sha256').update(readFileSync(f)).digest('hex');
    if (!listed.has(rel)) {
      fail(`go_plugin_build_manifest: ${rel} is not listed (rebuild the backend)`);
    } else if (listed.get(rel) !== hash) {
      fail(`go_plugin_build_manifest: ${rel} changed since the build (rebuild the backend)`);
    }
  }
}

for (const f of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
  need(f);
}
if (files.has(at('README.md')) && /<!--|%PLUGIN_ID%|TODO/.test(read(at('README.md')).toString('utf8'))) {
  fail('README.md still holds template comments or placeholders');
}

if (errors.length) {
  console.error(`check-package: ${errors.length} error(s) in ${zipPath}`);
  errors.forEach((e) => console.error(`  - ${e}`));
  process.exit(1);
}
console.log(`check-package: ${zipPath} OK (${files.size} files, root ${id}/)`);
