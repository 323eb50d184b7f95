/**
 * Stage 2: LogQL from the latency builder (source=logs).
 * Guarantees: the result is `<selector> | unwrap <field> | __error__=""` (a value the unwrap
 * cannot convert would fail Loki's whole metric query; the filter drops its line, as the
 * backend's exact path skips it); the field is a validated label name; a selector built
 * from the service quotes the value.
 */
import { LABEL_NAME, quoteString } from '../language/escape';
import { built, failed, type BuildResult } from './buildResult';

export interface LogLatencyState {
  /** Stream selector + pipeline as the user wrote it, e.g. `{service_name="api"} | json`. */
  logSelector?: string;
  /** Used when there is no selector: `{<serviceLabel>="<service>"}`. */
  service?: string;
  serviceLabel?: string;
  logField?: string;
}

export function buildLogLatency(state: LogLatencyState): BuildResult {
  const field = state.logField?.trim() ?? '';
  if (!field) {
    return failed('choose the log field that holds the duration');
  }
  if (!LABEL_NAME.test(field)) {
    return failed(`${JSON.stringify(field)} is not a LogQL label name`);
  }
  let selector = state.logSelector?.trim() ?? '';
  if (!selector) {
    if (!state.service) {
      return failed('write a stream selector or choose a service');
    }
    const label = state.serviceLabel || 'service_name';
    if (!LABEL_NAME.test(label)) {
      return failed(`${JSON.stringify(label)} is not a LogQL label name`);
    }
    selector = `{${label}=${quoteString(state.service)}}`;
  }
  if (!selector.startsWith('{')) {
    return failed('the selector must start with a stream selector {…}');
  }
  return built(`${selector} | unwrap ${field} | __error__=""`);
}
