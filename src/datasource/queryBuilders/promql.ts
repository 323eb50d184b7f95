/**
 * Stage 2: PromQL from the latency builder (source=histogram).
 * Guarantees: the selector names one metric and only `="…"` matchers with escaped values;
 * label and metric names are validated, never inserted unchecked.
 */
import { LABEL_NAME, METRIC_NAME, quoteString } from '../language/escape';
import { built, failed, type BuildResult } from './buildResult';

export interface HistogramSelectorState {
  /** Base name: classic `<name>_bucket` series or a native histogram `<name>`. */
  metric?: string;
  service?: string;
  operation?: string;
  serviceLabel: string;
  operationLabel: string;
}

export function buildHistogramSelector(state: HistogramSelectorState): BuildResult {
  const metric = state.metric?.trim() ?? '';
  if (!metric) {
    return failed('choose a histogram metric');
  }
  if (!METRIC_NAME.test(metric)) {
    return failed(`${JSON.stringify(metric)} is not a Prometheus metric name`);
  }
  const matchers: string[] = [];
  for (const [label, value] of [
    [state.serviceLabel, state.service],
    [state.operationLabel, state.operation],
  ] as const) {
    if (value) {
      if (!LABEL_NAME.test(label)) {
        return failed(`${JSON.stringify(label)} is not a Prometheus label name`);
      }
      matchers.push(`${label}=${quoteString(value)}`);
    }
  }
  return built(matchers.length ? `${metric}{${matchers.join(', ')}}` : metric);
}

/**
 * What the backend runs for one percentile of a classic histogram selector (shown as a
 * preview in the editor): `histogram_quantile(q, sum by (le) (rate(<name>_bucket{…}[w])))`.
 */
export function histogramQuantilePreview(selector: string, quantile: number, window = '$__rate_interval'): string {
  const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{.*\})?$/s.exec(selector);
  const bucket = m ? `${m[1].replace(/_bucket$/, '')}_bucket${m[2] ?? ''}` : selector;
  return `histogram_quantile(${quantile}, sum by (le) (rate(${bucket}[${window}])))`;
}
