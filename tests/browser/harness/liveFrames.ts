/**
 * The live-backend hook: frames in Grafana's wire format, decoded by @grafana/data /
 * @grafana/runtime exactly as Grafana does.
 *   ?frames=<url>     GET a JSON document: a /api/ds/query response ({results:{A:{frames}}}),
 *                     an array of DataFrameJSON, or one DataFrameJSON.
 *   ?dsQuery=<json>   POST {queries:[<json>]} to <backend>/api/ds/query, optional &from=&to=
 *                     (ms or Grafana relative, default now-1h/now). <backend> is `?backend=<origin>`
 *                     (the data source's harness backend, tests/browser/backend, CORS enabled) or
 *                     this page's origin, where Vite proxies /api to HARNESS_BACKEND_URL.
 *                     `?dsUid=` names the data source (default lens-harness). `dsQuery` may also be
 *                     a JSON array of queries (refIds A, B, … unless given).
 */
import { dataFrameFromJSON, type DataFrame, type DataFrameJSON } from '@grafana/data';
import { toDataQueryResponse, type BackendDataSourceResponse } from '@grafana/runtime';

export function decodeWire(body: unknown): DataFrame[] {
  if (Array.isArray(body)) {
    return (body as DataFrameJSON[]).map((f) => dataFrameFromJSON(f));
  }
  if (body && typeof body === 'object' && 'results' in body) {
    const res = toDataQueryResponse({ data: body as BackendDataSourceResponse });
    if (res.errors?.length) {
      throw new Error(res.errors.map((e) => e.message).join('; '));
    }
    return res.data as DataFrame[];
  }
  if (body && typeof body === 'object' && 'schema' in body) {
    return [dataFrameFromJSON(body as DataFrameJSON)];
  }
  throw new Error('frames: expected a /api/ds/query response, DataFrameJSON or DataFrameJSON[]');
}

export async function loadLiveFrames(params: URLSearchParams): Promise<DataFrame[] | undefined> {
  const url = params.get('frames');
  const dsQuery = params.get('dsQuery');
  if (!url && !dsQuery) {
    return undefined;
  }
  const resp = url
    ? await fetch(url)
    : await fetch(`${params.get('backend') ?? ''}/api/ds/query`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          queries: liveQueries(params),
          from: params.get('from') ?? 'now-1h',
          to: params.get('to') ?? 'now',
        }),
      });
  if (!resp.ok) {
    throw new Error(`live frames: HTTP ${resp.status} ${await resp.text()}`);
  }
  return decodeWire(await resp.json());
}

export function liveDatasourceUid(params: URLSearchParams): string {
  return params.get('dsUid') ?? 'lens-harness';
}

function liveQueries(params: URLSearchParams): Array<Record<string, unknown>> {
  const parsed = JSON.parse(params.get('dsQuery')!) as Record<string, unknown> | Array<Record<string, unknown>>;
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const uid = liveDatasourceUid(params);
  return list.map((q, i) => ({ refId: String.fromCharCode(65 + i), datasource: { uid, type: 'latencylens-lens-datasource' }, ...q }));
}
