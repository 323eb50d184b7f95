import type { DataSourceInstanceSettings, DataSourcePluginMeta } from '@grafana/data';

import type { LensJsonData } from '../../shared/settings';
import { LensDataSource } from '../datasource';

/** A LensDataSource on these settings, nothing replaced. */
export function realDatasource(jsonData: LensJsonData = {}): LensDataSource {
  return new LensDataSource({
    id: 1,
    uid: 'lens-uid',
    type: 'latencylens-lens-datasource',
    name: 'Lens',
    access: 'proxy',
    readOnly: false,
    jsonData,
    meta: { id: 'latencylens-lens-datasource', info: { version: '0.1.0' } } as unknown as DataSourcePluginMeta<LensJsonData>,
  } as DataSourceInstanceSettings<LensJsonData>);
}

/** A real LensDataSource whose resource look-ups answer from a table (path → values). */
export function makeDatasource(jsonData: LensJsonData = {}, lookups: Record<string, string[]> = {}) {
  const ds = realDatasource(jsonData);
  ds.canLookup = () => true;
  const calls: Array<{ path: string; params: Record<string, string | number> }> = [];
  ds.lookup = jest.fn(async (path: string, params: Record<string, string | number> = {}) => {
    calls.push({ path, params });
    return lookups[path] ?? [];
  });
  return { ds, calls };
}
