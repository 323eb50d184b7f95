/**
 * The bundled dashboards against the types they must satisfy, checked by the TypeScript
 * compiler itself: each dashboard JSON is inlined into a virtual module as a literal of
 * `Dashboard` from @grafana/schema (so literal unions and excess properties are checked,
 * which importing the JSON would widen away), every Latency Lens panel's options as
 * `LensPanelOptions`, every query to our data source as `LensQuery`, every variable query
 * as `LensVariableQuery`. Then the wiring: data source references, panel plugin ID, links.
 */
import fs from 'fs';
import path from 'path';
import ts from 'typescript';

import pluginJson from '../plugin.json';
import panelPluginJson from '../panel/plugin.json';
import dsPluginJson from '../datasource/plugin.json';
import { QUERY_MODEL_VERSION } from '../shared/queryModel';
import { PANEL_OPTIONS_VERSION } from '../panel/types';

const ROOT = path.resolve(__dirname, '../..');
const DIR = __dirname;
const DS_TYPE = dsPluginJson.id;
const PANEL_TYPE = panelPluginJson.id;
/** The data source UID the provisioning gives Latency Lens (provisioning/datasources). */
const PROVISIONED_UID = 'latency-lens';

type Json = Record<string, any>;

const dashboardFiles = pluginJson.includes.filter((i) => i.type === 'dashboard').map((i) => i.path);

function load(rel: string): Json {
  return JSON.parse(fs.readFileSync(path.join(DIR, '..', rel), 'utf8'));
}

/** Every panel, rows' nested panels included. */
function allPanels(d: Json): Json[] {
  const out: Json[] = [];
  for (const p of d.panels ?? []) {
    out.push(p);
    for (const q of p.panels ?? []) {
      out.push(q);
    }
  }
  return out;
}

const isOurs = (ref: Json | undefined) => ref?.type === DS_TYPE;

/**
 * The virtual module that states every type assertion about one dashboard. `AsJson<T>`
 * is T as it reads in JSON: a string enum becomes the union of its values (the schema's
 * `ThresholdsMode.Absolute` is `"absolute"` in a dashboard file); everything else,
 * optionality and excess-property checks included, stays as the schema says.
 */
function checkSource(d: Json): string {
  const lines = [
    `import type { Dashboard } from '@grafana/schema';`,
    `type AsJson<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T`,
    `  : T extends Array<infer U> ? Array<AsJson<U>> : T extends object ? { [K in keyof T]: AsJson<T[K]> } : T;`,
    `export const dashboard: AsJson<Dashboard> = ${JSON.stringify(d, null, 1)};`,
  ];
  const imports = new Set<string>();
  for (const p of allPanels(d)) {
    if (p.type === PANEL_TYPE) {
      imports.add(`import type { LensPanelOptions } from './src/panel/types';`);
      lines.push(`export const options_${p.id}: LensPanelOptions = ${JSON.stringify(p.options)};`);
    }
    for (const t of p.targets ?? []) {
      if (isOurs(t.datasource)) {
        imports.add(`import type { LensQuery } from './src/shared/queryModel';`);
        lines.push(`export const query_${p.id}_${t.refId}: LensQuery = ${JSON.stringify(t)};`);
      }
    }
  }
  for (const v of d.templating?.list ?? []) {
    if (v.type === 'query' && isOurs(v.datasource)) {
      imports.add(`import type { LensVariableQuery } from './src/datasource/variables/variableQuery';`);
      lines.push(`export const variable_${v.name}: LensVariableQuery = ${JSON.stringify(v.query)};`);
    }
  }
  return [...imports, ...lines].join('\n');
}

/** Type-checks sources (virtual files at the repository root) with the repository's compiler options. */
function typeErrors(sources: Record<string, string>): Record<string, string[]> {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diag) => {
        throw new Error(ts.flattenDiagnosticMessageText(diag.messageText, '\n'));
      },
    }
  );
  if (!parsed) {
    throw new Error('tsconfig.json could not be read');
  }
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, rootDir: ROOT };
  const virtual = new Map(Object.entries(sources).map(([name, text]) => [path.join(ROOT, name), text]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = virtual.get(path.resolve(fileName));
    return text !== undefined
      ? ts.createSourceFile(fileName, text, languageVersion, true)
      : getSourceFile(fileName, languageVersion, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => virtual.has(path.resolve(fileName)) || fileExists(fileName);
  const program = ts.createProgram([...virtual.keys()], options, host);
  const out: Record<string, string[]> = {};
  for (const [file] of virtual) {
    const sf = program.getSourceFile(file)!;
    out[path.relative(ROOT, file)] = ts.getPreEmitDiagnostics(program, sf).map((diag) => {
      const pos =
        diag.file && diag.start !== undefined ? diag.file.getLineAndCharacterOfPosition(diag.start) : undefined;
      const where = pos ? `${path.relative(ROOT, diag.file!.fileName)}:${pos.line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(diag.messageText, '\n')}`;
    });
  }
  return out;
}

describe('bundled dashboards', () => {
  it('are the dashboards the app includes', () => {
    expect(dashboardFiles.sort()).toEqual(['dashboards/service-latency.json', 'dashboards/trace.json']);
  });

  // One compiler run for the real dashboards and a deliberately broken copy.
  let errors: Record<string, string[]> = {};
  const good: Record<string, string> = {};
  beforeAll(() => {
    for (const rel of dashboardFiles) {
      good[`__dashboard_check_${path.basename(rel, '.json').replace(/\W/g, '_')}.ts`] = checkSource(load(rel));
    }
    const broken = load(dashboardFiles[0]);
    const panel = allPanels(broken).find((p) => p.type === PANEL_TYPE)!;
    panel.options.view = 'histogram';
    const target = allPanels(broken)
      .flatMap((p) => p.targets ?? [])
      .find((t: Json) => isOurs(t.datasource))!;
    target.queryType = 'latencyy';
    broken.graphTooltip = 'shared';
    errors = typeErrors({ ...good, '__dashboard_check_broken.ts': checkSource(broken) });
  }, 180_000);

  it('type-check against @grafana/schema Dashboard, LensPanelOptions, LensQuery and LensVariableQuery', () => {
    expect(Object.fromEntries(Object.keys(good).map((k) => [k, errors[k]]))).toEqual(
      Object.fromEntries(Object.keys(good).map((k) => [k, []]))
    );
  });

  it('catch a wrong panel option, query type and dashboard field (the check can fail)', () => {
    const text = errors['__dashboard_check_broken.ts'].join('\n');
    expect(text).toMatch(/"histogram"/);
    expect(text).toMatch(/"latencyy"/);
    expect(text).toMatch(/DashboardCursorSync/);
  });

  describe.each(dashboardFiles)('%s', (rel) => {
    const d = load(rel);
    const vars: Json[] = d.templating?.list ?? [];

    it('has a data source variable whose default is the provisioned Latency Lens', () => {
      const ds = vars.find((v) => v.type === 'datasource');
      expect(ds).toMatchObject({ name: 'datasource', query: DS_TYPE, current: { value: PROVISIONED_UID } });
    });

    it('sends every query to Latency Lens through that variable, with the current model version', () => {
      const panels = allPanels(d).filter((p) => p.type !== 'row');
      expect(panels.length).toBeGreaterThan(0);
      for (const p of panels) {
        expect({ panel: p.title, datasource: p.datasource }).toEqual({
          panel: p.title,
          datasource: { type: DS_TYPE, uid: '${datasource}' },
        });
        expect(p.targets?.length).toBeGreaterThan(0);
        for (const t of p.targets) {
          expect({ panel: p.title, refId: t.refId, datasource: t.datasource, version: t.version }).toEqual({
            panel: p.title,
            refId: t.refId,
            datasource: { type: DS_TYPE, uid: '${datasource}' },
            version: QUERY_MODEL_VERSION,
          });
        }
      }
      for (const v of vars.filter((v) => v.type === 'query')) {
        expect(v.datasource).toEqual({ type: DS_TYPE, uid: '${datasource}' });
      }
    });

    it('uses the Latency Lens panel by its plugin ID, with current options', () => {
      const ours = allPanels(d).filter((p) => p.type === PANEL_TYPE);
      expect(ours.length).toBeGreaterThan(0);
      for (const p of ours) {
        expect(p.options.version).toBe(PANEL_OPTIONS_VERSION);
      }
      // Panel types are ours or Grafana's own; nothing else needs installing.
      const core = new Set(['row', 'stat', 'timeseries', 'table', 'logs', 'traces']);
      for (const p of allPanels(d)) {
        expect(p.type === PANEL_TYPE || core.has(p.type)).toBe(true);
      }
    });

    it('has unique panel IDs and grid positions inside 24 columns', () => {
      const ids = allPanels(d).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of allPanels(d)) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      }
    });

    // A fixed window such as [1m] reads only part of each step once the step is longer
    // (a day's range at ~1000 points has 90 s steps): throughput, error rate and the
    // hour-ago CDF would count a fraction of the requests. $__rate_interval, expanded by
    // the backend from each request's step, always covers the step.
    it('takes every PromQL range window of a metrics query from the step ($__rate_interval)', () => {
      const windows = allPanels(d)
        .flatMap((p) => (p.targets ?? []).map((t: Json) => ({ panel: p.title, t })))
        .filter(({ t }) => t.queryType === 'metrics')
        .flatMap(({ panel, t }) =>
          [
            ...String(t.expr)
              .replace(/^\s*#.*$/gm, '')
              .matchAll(/\[([^\]]*)\]/g),
          ].map((m) => ({ panel, window: m[1] }))
        );
      expect(windows.filter((w) => w.window !== '$__rate_interval')).toEqual([]);
    });

    it('only references variables it defines (or Grafana built-ins)', () => {
      const defined = new Set(vars.map((v) => v.name));
      const text = JSON.stringify(d);
      const used = [...text.matchAll(/\$\{?(\w+)/g)].map((m) => m[1]).filter((n) => !n.startsWith('__'));
      expect([...new Set(used)].filter((n) => !defined.has(n))).toEqual([]);
    });
  });

  // Grafana puts an included dashboard in the app's menu (addToNav) and opens it as the
  // app's default page (defaultNav) by the include's `uid` alone: an include without one is
  // left out of the menu. The uid must be the dashboard's own, or the menu entry opens nothing.
  it('are included under their own UIDs, so the ones marked addToNav appear in the app menu', () => {
    const includes = pluginJson.includes.filter((i) => i.type === 'dashboard') as Json[];
    expect(includes.some((i) => i.addToNav)).toBe(true);
    for (const inc of includes) {
      expect({ path: inc.path, uid: inc.uid }).toEqual({ path: inc.path, uid: load(inc.path).uid });
    }
  });

  it('link trace IDs to the Trace dashboard, which takes $traceId', () => {
    const trace = load('dashboards/trace.json');
    expect(trace.templating.list.map((v: Json) => v.name)).toContain('traceId');
    const service = load('dashboards/service-latency.json');
    const links = allPanels(service).flatMap((p) =>
      (p.fieldConfig?.overrides ?? []).flatMap((o: Json) =>
        o.properties.filter((pr: Json) => pr.id === 'links').flatMap((pr: Json) => pr.value)
      )
    );
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) {
      expect(l.url).toMatch(new RegExp(`^/d/${trace.uid}/.*var-traceId=\\$\\{__value\\.raw\\}`));
    }
  });
});
