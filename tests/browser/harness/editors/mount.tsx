/**
 * Mount "editors": the data source's config editor (`?part=config`) or query editor
 * (`?part=query&query=<json>`), with the real @grafana/ui and a LensDataSource whose
 * backend calls go to the harness backend (`?backend=http://127.0.0.1:5299`, default).
 * What the editors produce is exposed on window.__harness for the specs:
 *   options (config), query + runs (query editor: the JSON after each change, and the
 *   frame names of each run).
 */
import React, { useState } from 'react';
import type { DataSourceInstanceSettings, DataSourcePluginMeta } from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { ConfigEditor } from '../../../../src/datasource/components/ConfigEditor';
import type { Options } from '../../../../src/datasource/components/config/settingsUpdates';
import { QueryEditor } from '../../../../src/datasource/components/QueryEditor';
import { LensDataSource } from '../../../../src/datasource/datasource';
import { QUERY_MODEL_VERSION, type LensQuery } from '../../../../src/shared/queryModel';
import type { LensJsonData } from '../../../../src/shared/settings';
import type { MountContext } from '../types';
import { installBackendSrv, installTemplateSrv } from './runtimeShims';

export const HARNESS_UID = 'lens-harness';

function makeDatasource(jsonData: LensJsonData): LensDataSource {
  return new LensDataSource({
    id: 1,
    uid: HARNESS_UID,
    type: 'latencylens-lens-datasource',
    name: 'Latency Lens (harness)',
    access: 'proxy',
    readOnly: false,
    jsonData,
    meta: { id: 'latencylens-lens-datasource', info: { version: 'harness' } } as unknown as DataSourcePluginMeta<LensJsonData>,
  } as DataSourceInstanceSettings<LensJsonData>);
}

function ConfigPage({ initial }: { initial: Options }) {
  const [options, setOptions] = useState(initial);
  window.__harness.options = options;
  return (
    <div style={{ padding: 16, maxWidth: 1000 }}>
      <ConfigEditor
        options={options}
        onOptionsChange={(o) => {
          window.__harness.options = o;
          setOptions(o);
        }}
      />
    </div>
  );
}

function QueryPage({ ds, initial }: { ds: LensDataSource; initial: LensQuery }) {
  const [query, setQuery] = useState(initial);
  window.__harness.query = query;
  const runs = (window.__harness.runs ??= []) as Array<{ frames: string[]; error?: string }>;
  const run = async (q: LensQuery) => {
    const now = Date.now();
    const res = await lastValueFrom(
      ds.query({
        targets: [q],
        range: { from: new Date(now - 10 * 60_000), to: new Date(now), raw: { from: 'now-10m', to: 'now' } },
        scopedVars: {},
        interval: '15s',
        intervalMs: 15_000,
        maxDataPoints: 500,
        requestId: `harness-${runs.length}`,
        timezone: 'utc',
        app: 'explore',
        startTime: now,
      } as never)
    );
    runs.push({ frames: (res.data ?? []).map((f: { name?: string }) => f.name ?? ''), error: res.error?.message });
  };
  return (
    <div style={{ padding: 16 }}>
      <QueryEditor
        datasource={ds}
        query={query}
        onChange={(q) => {
          window.__harness.query = q;
          setQuery(q);
        }}
        onRunQuery={() => {
          void run(window.__harness.query as LensQuery);
        }}
      />
    </div>
  );
}

export function mount(ctx: MountContext) {
  const backend = ctx.params.get('backend') ?? 'http://127.0.0.1:5299';
  installBackendSrv(backend);
  installTemplateSrv({ service: 'checkout', hostile: '"} or vector(1) or {a="' });
  const jsonData = JSON.parse(ctx.params.get('jsonData') ?? '{}') as LensJsonData;
  if (ctx.params.get('part') === 'config') {
    const initial = {
      id: 1,
      uid: HARNESS_UID,
      orgId: 1,
      name: 'Latency Lens',
      type: 'latencylens-lens-datasource',
      access: 'proxy',
      url: '',
      jsonData,
      secureJsonFields: JSON.parse(ctx.params.get('secureJsonFields') ?? '{}'),
      readOnly: false,
    } as unknown as Options;
    return <ConfigPage initial={initial} />;
  }
  const query = JSON.parse(ctx.params.get('query') ?? 'null') ?? { queryType: 'trace', traceId: '', version: QUERY_MODEL_VERSION };
  return <QueryPage ds={makeDatasource(jsonData)} initial={{ refId: 'A', ...query }} />;
}
