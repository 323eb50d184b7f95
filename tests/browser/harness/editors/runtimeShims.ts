/**
 * The two Grafana services the data source reaches through @grafana/runtime, backed by the
 * harness backend (tests/browser/backend) instead of Grafana: BackendSrv.fetch (queries,
 * resources, health) and TemplateSrv.replace (a fixed table of dashboard variables).
 */
import { Observable } from 'rxjs';
import { setBackendSrv, setTemplateSrv, type BackendSrv, type BackendSrvRequest, type FetchResponse, type TemplateSrv } from '@grafana/runtime';

export function installBackendSrv(base: string): void {
  const fetchImpl = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable((sub) => {
      const url = new URL(base + options.url);
      for (const [k, v] of Object.entries(options.params ?? {})) {
        if (v !== undefined && v !== null) {
          url.searchParams.set(k, String(v));
        }
      }
      const init: RequestInit = { method: options.method ?? 'GET', headers: { 'Content-Type': 'application/json' } };
      if (options.data !== undefined && init.method !== 'GET') {
        init.body = JSON.stringify(options.data);
      }
      fetch(url, init)
        .then(async (resp) => {
          const text = await resp.text();
          const data = (text ? JSON.parse(text) : undefined) as T;
          const res = {
            data,
            status: resp.status,
            statusText: resp.statusText,
            ok: resp.ok,
            headers: resp.headers,
            redirected: resp.redirected,
            type: resp.type,
            url: resp.url,
            config: options,
          } as FetchResponse<T>;
          if (resp.ok) {
            sub.next(res);
            sub.complete();
          } else {
            sub.error(res);
          }
        })
        .catch((e) => sub.error({ status: 0, data: { message: String(e) }, config: options }));
    });
  setBackendSrv({ fetch: fetchImpl } as unknown as BackendSrv);
}

/** Dashboard variables of the harness: name → value(s). */
export function installTemplateSrv(vars: Record<string, string | string[]>): void {
  const replace: TemplateSrv['replace'] = (target, _scoped, format) =>
    (target ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a, b) => {
      const name = a ?? b;
      if (!(name in vars)) {
        return whole;
      }
      const value = vars[name];
      return typeof format === 'function' ? format(value, { name, current: { value } } as never) : String(value);
    });
  setTemplateSrv({
    replace,
    getVariables: () => [],
    containsTemplate: (t?: string) => /\$\w|\$\{/.test(t ?? ''),
    updateTimeRange: () => {},
  } as unknown as TemplateSrv);
}
