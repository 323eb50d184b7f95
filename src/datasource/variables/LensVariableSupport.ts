import { CustomVariableSupport, type DataQueryRequest, type DataQueryResponse, type MetricFindValue } from '@grafana/data';
import { from, map, of, type Observable, catchError } from 'rxjs';

import { SearchFields } from '../../shared/frames';
import type { LensDataSource } from '../datasource';
import { VariableQueryEditor } from '../components/VariableQueryEditor';
import { toLookup, type LensVariableQuery } from './variableQuery';

const asValues = (values: string[]): MetricFindValue[] => values.map((v) => ({ text: v, value: v }));

/** Variable queries for services, operations, label values and trace IDs. */
export class LensVariableSupport extends CustomVariableSupport<LensDataSource, LensVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly ds: LensDataSource) {
    super();
  }

  query(request: DataQueryRequest<LensVariableQuery>): Observable<DataQueryResponse> {
    const target = request.targets[0];
    if (!target) {
      return of({ data: [] });
    }
    let q: LensVariableQuery;
    try {
      q = this.ds.interpolateVariableQuery(target, request.scopedVars);
    } catch (e) {
      return of({ data: [], error: { message: e instanceof Error ? e.message : String(e) } });
    }
    const tempo = (this.ds.jsonData.traces?.kind ?? 'tempo') === 'tempo';
    const lookup = toLookup(q, request.range ? { start: request.range.from.valueOf(), end: request.range.to.valueOf() } : undefined, { traceql: tempo });
    switch (lookup.kind) {
      case 'invalid':
        return of({ data: [], error: { message: lookup.error } });
      case 'resource':
        return from(this.ds.lookup(lookup.path, lookup.params)).pipe(
          map((values) => ({ data: asValues(values) })),
          catchError((e) => of({ data: [], error: { message: this.ds.errorText(e) } }))
        );
      case 'search':
        return this.ds.query({ ...request, targets: [lookup.query] } as unknown as DataQueryRequest<never>).pipe(
          map((res) => {
            const ids = new Set<string>();
            for (const frame of res.data ?? []) {
              const field = frame.fields?.find((f: { name: string }) => f.name === SearchFields.traceId);
              for (const v of field?.values ?? []) {
                if (typeof v === 'string' && v) {
                  ids.add(v);
                }
              }
            }
            return { data: asValues(Array.from(ids)), error: res.error };
          })
        );
    }
  }
}
