/** Builds the PanelProps Grafana would pass, from frames and options. */
import {
  EventBusSrv,
  LoadingState,
  dateTime,
  getDefaultTimeRange,
  type DataFrame,
  type FieldConfigSource,
  type PanelProps,
  type TimeRange,
} from '@grafana/data';

export function timeRangeOf(fromMs: number, toMs: number): TimeRange {
  const from = dateTime(fromMs);
  const to = dateTime(toMs);
  return { from, to, raw: { from, to } };
}

export function makePanelProps<T>(
  series: DataFrame[],
  options: T,
  size: { width: number; height: number },
  extra: { timeRange?: TimeRange; timeZone?: string; state?: LoadingState; errorMessage?: string; dsUid?: string; onOptionsChange?: (o: T) => void } = {}
): PanelProps<T> {
  const timeRange = extra.timeRange ?? getDefaultTimeRange();
  const fieldConfig: FieldConfigSource = { defaults: {}, overrides: [] };
  return {
    id: 1,
    data: {
      state: extra.state ?? LoadingState.Done,
      series,
      timeRange,
      errors: extra.errorMessage ? [{ message: extra.errorMessage }] : undefined,
      // As if the queries ran against our data source (trace-search links need its uid/type).
      request: {
        requestId: 'harness',
        interval: '15s',
        intervalMs: 15_000,
        range: timeRange,
        scopedVars: {},
        timezone: extra.timeZone ?? 'utc',
        app: 'dashboard',
        startTime: 0,
        targets: ['A', 'B', 'C'].map((refId) => ({ refId, datasource: { uid: extra.dsUid ?? 'lens-ds', type: 'latencylens-lens-datasource' } })),
      },
    },
    timeRange,
    timeZone: extra.timeZone ?? 'utc',
    options,
    onOptionsChange: extra.onOptionsChange ?? (() => {}),
    fieldConfig,
    onFieldConfigChange: () => {},
    transparent: false,
    width: size.width,
    height: size.height,
    renderCounter: 0,
    title: 'Latency Lens',
    eventBus: new EventBusSrv(),
    replaceVariables: (s: string) => s,
    onChangeTimeRange: () => {},
  };
}
