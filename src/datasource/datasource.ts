import { type DataSourceInstanceSettings, type ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { QUERY_MODEL_VERSION, type LensQuery } from '../shared/queryModel';
import { type LensJsonData } from '../shared/settings';

/** Thin by design: queries run in the backend; this class only prepares them. */
export class LensDataSource extends DataSourceWithBackend<LensQuery, LensJsonData> {
  constructor(instanceSettings: DataSourceInstanceSettings<LensJsonData>) {
    super(instanceSettings);
  }

  getDefaultQuery(): Partial<LensQuery> {
    return { queryType: 'trace', version: QUERY_MODEL_VERSION, traceId: '' };
  }

  applyTemplateVariables(query: LensQuery, scopedVars: ScopedVars): LensQuery {
    const templateSrv = getTemplateSrv();
    if (query.queryType === 'trace') {
      return { ...query, traceId: templateSrv.replace(query.traceId, scopedVars) };
    }
    return query;
  }
}
