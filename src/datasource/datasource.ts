/**
 * The data source class stays thin: queries run in the Go backend; this class migrates
 * and interpolates them, adds links to what comes back, and reaches the resource and
 * health endpoints. Everything it calls is a pure function of its own module.
 */
import {
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';
import { map, of, type Observable } from 'rxjs';

import { QUERY_MODEL_VERSION, type LensQuery } from '../shared/queryModel';
import type { ServiceSource, ValuesResponse } from '../shared/resources';
import type { LensJsonData } from '../shared/settings';
import { editableQuery } from './components/query/editableQuery';
import { toTestResult, type HealthCheckAnswer } from './health';
import { InterpolationError } from './language/interpolate';
import { addLinks } from './links';
import { migrateQuery } from './migrations';
import { DEFAULT_BUILDER_SETTINGS, type BuilderSettings } from './queryBuilders/editorModes';
import { queryDisplayText } from './queryDisplayText';
import { templateResolver } from './templateResolver';
import { interpolateQuery, interpolateValue, traceIdEmptyOnceInterpolated } from './templateVariables';
import { interpolateVariableQuery } from './variables/interpolateVariableQuery';
import { LensVariableSupport } from './variables/LensVariableSupport';
import type { LensVariableQuery } from './variables/variableQuery';

const SERVICE_SOURCES: readonly ServiceSource[] = ['traces', 'metrics', 'logs'];

export class LensDataSource extends DataSourceWithBackend<LensQuery, LensJsonData> {
  readonly jsonData: LensJsonData;

  constructor(instanceSettings: DataSourceInstanceSettings<LensJsonData>) {
    super(instanceSettings);
    this.jsonData = instanceSettings.jsonData ?? {};
    this.variables = new LensVariableSupport(this);
  }

  getDefaultQuery(): Partial<LensQuery> {
    return { queryType: 'trace', version: QUERY_MODEL_VERSION, traceId: '' };
  }

  /** What Explore's query history and the query library show for a query. */
  getQueryDisplayText(query: LensQuery): string {
    return queryDisplayText(editableQuery(migrateQuery(query)), this.builderSettings());
  }

  /**
   * A trace query without an ID, an empty expression (code mode), or a builder without
   * what the backend needs (a histogram metric; a log field, and a selector or service;
   * on Jaeger, which searches by service, a service), such as a new query, is not sent.
   */
  filterQuery(query: LensQuery): boolean {
    if (query.hide) {
      return false;
    }
    const q = migrateQuery(query);
    const has = (v: unknown) => String(v ?? '').trim() !== '';
    const jaeger = (this.jsonData.traces?.kind ?? 'tempo') !== 'tempo';
    switch (q.queryType) {
      case 'trace':
        return String(q.traceId ?? '').trim() !== '';
      case 'logs':
      case 'metrics':
        return String(q.expr ?? '').trim() !== '';
      case 'search':
        if (q.editorMode === 'code') {
          return has(q.traceql);
        }
        return !jaeger || has(q.service);
      case 'latency': {
        if (q.editorMode === 'code') {
          return has(q.expr);
        }
        if (q.source === 'histogram') {
          return has(q.histogramMetric);
        }
        if (q.source === 'logs') {
          return has(q.logField) && (has(q.logSelector) || has(q.service));
        }
        return !jaeger || has(q.service);
      }
      default:
        return true;
    }
  }

  applyTemplateVariables(query: LensQuery, scopedVars: ScopedVars): LensQuery {
    return interpolateQuery(migrateQuery(query), templateResolver(getTemplateSrv(), scopedVars));
  }

  /**
   * The queries with their variables filled in, as they would be sent: Grafana calls this
   * when it makes an alert rule from a panel (or opens it in Explore), and an alert rule
   * keeps what it gets, since its evaluation never sees the dashboard's variables. A query
   * whose variables cannot be filled in stays as it is, for the backend to name the problem.
   */
  interpolateVariablesInQueries(queries: LensQuery[], scopedVars: ScopedVars): LensQuery[] {
    return queries.map((q) => {
      try {
        return { ...this.applyTemplateVariables(q, scopedVars), datasource: this.getRef() };
      } catch (e) {
        if (e instanceof InterpolationError) {
          return q;
        }
        throw e;
      }
    });
  }

  interpolateVariableQuery(query: LensVariableQuery, scopedVars: ScopedVars): LensVariableQuery {
    return interpolateVariableQuery(query, templateResolver(getTemplateSrv(), scopedVars));
  }

  /**
   * A query whose variables cannot be filled in is not sent: its error names it (refId)
   * and the panel's other queries still run.
   */
  query(request: DataQueryRequest<LensQuery>): Observable<DataQueryResponse> {
    const resolve = templateResolver(getTemplateSrv(), request.scopedVars);
    const errors: DataQueryError[] = [];
    const targets = request.targets.filter((raw) => {
      const q = migrateQuery(raw);
      if (traceIdEmptyOnceInterpolated(q, resolve)) {
        return false;
      }
      try {
        interpolateQuery(q, resolve);
        return true;
      } catch (e) {
        if (e instanceof InterpolationError) {
          errors.push({ refId: raw.refId, message: `${raw.refId}: ${e.message}` });
          return false;
        }
        throw e;
      }
    });
    const target = { datasourceUid: this.uid, datasourceName: this.name };
    const response = targets.length ? super.query({ ...request, targets }) : of<DataQueryResponse>({ data: [] });
    return response.pipe(
      map((res) => {
        const out: DataQueryResponse = { ...res, data: addLinks(res.data ?? [], target, this.jsonData) };
        if (errors.length) {
          out.errors = [...(res.errors ?? []), ...errors];
        }
        return out;
      })
    );
  }

  /**
   * Whether the store behind a resource path is configured, so pickers do not ask a store
   * that is not there. Services and operations come from the store their `source` param
   * names (default: the trace store), as pkg/plugin serves them.
   */
  canLookup(path: string, params: Record<string, string | number | undefined> = {}): boolean {
    const has = (s: ServiceSource) => Boolean(this.jsonData[s]?.url);
    if (path.startsWith('loki/')) {
      return has('logs');
    }
    if (path.startsWith('prometheus/')) {
      return has('metrics');
    }
    if (path.startsWith('traceql/')) {
      return has('traces') && (this.jsonData.traces?.kind ?? 'tempo') === 'tempo';
    }
    const source = params.source ?? 'traces';
    return (SERVICE_SOURCES as readonly unknown[]).includes(source) && has(source as ServiceSource);
  }

  /**
   * A picker's look-up parameter with the dashboard's variables filled in (the operations
   * picker of a query on `$service`), as the query gets them when it runs; undefined when
   * they cannot be filled in with one value each (the look-up would ask the store for the
   * literal `$service`, which no service is).
   */
  lookupParam(value: string | undefined): string | undefined {
    if (!value || !value.includes('$')) {
      return value;
    }
    try {
      const out = interpolateValue(value, 'look-up', templateResolver(getTemplateSrv()));
      return out.includes('$') ? undefined : out;
    } catch (e) {
      if (e instanceof InterpolationError) {
        return undefined;
      }
      throw e;
    }
  }

  /** One resource look-up of shared/resources.ts: the sorted values. */
  async lookup(path: string, params: Record<string, string | number> = {}): Promise<string[]> {
    const res = await this.getResource<ValuesResponse>(path, params, { showErrorAlert: false });
    return Array.isArray(res?.values) ? res.values : [];
  }

  /** The backend's `{error}` text, or the transport's. */
  errorText(e: unknown): string {
    const err = e as { data?: { error?: string; message?: string }; statusText?: string; message?: string };
    return err?.data?.error ?? err?.data?.message ?? err?.message ?? err?.statusText ?? String(e);
  }

  builderSettings(): BuilderSettings {
    return {
      serviceLabel: this.jsonData.latency?.serviceLabel || DEFAULT_BUILDER_SETTINGS.serviceLabel,
      operationLabel: this.jsonData.latency?.operationLabel || DEFAULT_BUILDER_SETTINGS.operationLabel,
      logServiceLabel: DEFAULT_BUILDER_SETTINGS.logServiceLabel,
    };
  }

  /** "Save & test": each store's health on its own line. */
  async testDatasource(): Promise<TestDataSourceResponse> {
    const answer = (await this.callHealthCheck()) as HealthCheckAnswer;
    return toTestResult(answer);
  }
}
