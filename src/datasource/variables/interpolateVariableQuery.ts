import { interpolate, type ResolveVariable } from '../language/interpolate';
import { interpolateValue } from '../templateVariables';
import type { LensVariableQuery } from './variableQuery';

/** Template variables inside a variable query (chained variables): same rules as queries. */
export function interpolateVariableQuery(q: LensVariableQuery, resolve: ResolveVariable): LensVariableQuery {
  const out: LensVariableQuery = { ...q };
  if (q.service) {
    out.service = interpolateValue(q.service, 'service', resolve);
  }
  if (q.label) {
    out.label = interpolateValue(q.label, 'label', resolve);
  }
  if (q.selector) {
    out.selector = interpolate(q.selector, q.kind === 'logLabelValues' ? 'logql' : 'promql', resolve);
  }
  if (q.traceql) {
    out.traceql = interpolate(q.traceql, 'traceql', resolve);
  }
  return out;
}
