import React from 'react';
import type { TimeRange } from '@grafana/data';
import { EditorField, EditorRow, EditorSwitch } from '@grafana/plugin-ui';
import { RadioButtonGroup, Select, Text } from '@grafana/ui';

import type { DurationUnit, LatencyQuery, LatencySource } from '../../../shared/queryModel';
import { DEFAULT_PERCENTILES } from '../../../shared/settings';
import { ResourcePaths } from '../../../shared/resources';
import type { LensDataSource } from '../../datasource';
import { latencyToCode } from '../../queryBuilders/editorModes';
import { histogramQuantilePreview } from '../../queryBuilders/promql';
import { formatPercentiles, parsePercentiles } from '../config/settingsUpdates';
import { lookupTime } from '../lookupTime';
import { ResourceSelect } from '../ResourceSelect';
import { CodeInput } from './CodeInput';
import { CommitInput } from './CommitInput';

interface Props {
  datasource: LensDataSource;
  query: LatencyQuery;
  onChange: (q: LatencyQuery) => void;
  onRunQuery: () => void;
  /** The dashboard's time range: the pickers list what the stores saw in it. */
  range?: TimeRange;
}

const SOURCES: Array<{ value: LatencySource; label: string; description: string }> = [
  { value: 'histogram', label: 'Histogram', description: 'Prometheus histogram (classic or native)' },
  { value: 'spans', label: 'Spans', description: 'Span durations (TraceQL)' },
  { value: 'logs', label: 'Logs', description: 'A duration field in log lines (LogQL unwrap)' },
];

const UNITS: Array<{ value: DurationUnit; label: string }> = [
  { value: 's', label: 'seconds' },
  { value: 'ms', label: 'milliseconds' },
  { value: 'us', label: 'microseconds' },
  { value: 'ns', label: 'nanoseconds' },
];

const CODE_HELP: Record<LatencySource, { label: string; placeholder: string }> = {
  histogram: { label: 'PromQL histogram selector', placeholder: 'http_request_duration_seconds{service="api"}' },
  spans: { label: 'TraceQL span selector', placeholder: '{ resource.service.name = "api" }' },
  logs: { label: 'LogQL with unwrap', placeholder: '{service_name="api"} | json | unwrap duration_ms' },
};

/** A group-by key as each source names it: a label, or a TraceQL attribute or intrinsic. */
const GROUP_BY_PLACEHOLDER: Record<LatencySource, string> = {
  histogram: 'service',
  spans: 'resource.service.name',
  logs: 'service_name',
};

export function LatencyEditor({ datasource, query, onChange, onRunQuery, range }: Props) {
  const time = lookupTime(range);
  const set = (patch: Partial<LatencyQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  const defaults = datasource.jsonData.latency?.percentiles ?? DEFAULT_PERCENTILES;
  const percentileText = formatPercentiles(query.percentiles);
  const source = query.source ?? 'histogram';
  // A saved source the backend does not know is shown unselected, with the histogram's hints.
  const codeHelp = CODE_HELP[source] ?? CODE_HELP.histogram;
  const serviceSource = source === 'histogram' ? 'metrics' : source === 'spans' ? 'traces' : 'logs';
  const preview = latencyToCode(query, datasource.builderSettings());
  // Code is in the source's language: a new source in code mode gets the code its builder
  // fields make, or goes back to the builder when they make none yet.
  const changeSource = (next: LatencySource) => {
    if (query.editorMode !== 'code') {
      set({ source: next });
      return;
    }
    const code = latencyToCode({ ...query, source: next }, datasource.builderSettings());
    if (code.ok) {
      set({ source: next, expr: code.expr });
      return;
    }
    const { expr: _, ...builder } = query;
    onChange({ ...builder, source: next, editorMode: 'builder' });
    onRunQuery();
  };

  return (
    <>
      <EditorRow>
        <EditorField label="Source">
          <RadioButtonGroup options={SOURCES} value={source} onChange={changeSource} />
        </EditorField>
      </EditorRow>
      {query.editorMode === 'code' ? (
        <EditorRow>
          <EditorField label={codeHelp.label} htmlFor="lens-latency-expr" width="100%">
            <CodeInput
              id="lens-latency-expr"
              value={query.expr ?? ''}
              placeholder={codeHelp.placeholder}
              onChange={(expr) => onChange({ ...query, expr })}
              onRunQuery={onRunQuery}
            />
          </EditorField>
        </EditorRow>
      ) : (
        <EditorRow>
          {source === 'histogram' && (
            <EditorField label="Histogram metric" htmlFor="lens-latency-metric">
              <ResourceSelect
                datasource={datasource}
                path={ResourcePaths.histogramMetrics}
                params={time}
                inputId="lens-latency-metric"
                value={query.histogramMetric}
                extra={datasource.jsonData.latency?.histogramMetrics}
                onChange={(histogramMetric) => set({ histogramMetric })}
                width={40}
              />
            </EditorField>
          )}
          {source === 'logs' && (
            <EditorField
              label="Log selector"
              htmlFor="lens-latency-selector"
              optional
              tooltip='Stream selector and parser, e.g. {service_name="api"} | json'
            >
              <CommitInput
                id="lens-latency-selector"
                value={query.logSelector}
                placeholder='{service_name="api"} | json'
                width={40}
                onCommit={(logSelector) => set({ logSelector: logSelector || undefined })}
              />
            </EditorField>
          )}
          <EditorField label="Service" htmlFor="lens-latency-service">
            <ResourceSelect
              datasource={datasource}
              path={ResourcePaths.services}
              params={{ ...time, source: serviceSource }}
              inputId="lens-latency-service"
              value={query.service}
              onChange={(service) =>
                set({ service, operation: service === query.service ? query.operation : undefined })
              }
            />
          </EditorField>
          {source !== 'logs' && (
            <EditorField label="Operation" htmlFor="lens-latency-operation">
              <ResourceSelect
                datasource={datasource}
                path={ResourcePaths.operations}
                params={{ ...time, source: serviceSource, service: datasource.lookupParam(query.service) }}
                enabled={Boolean(datasource.lookupParam(query.service))}
                inputId="lens-latency-operation"
                value={query.operation}
                onChange={(operation) => set({ operation })}
                placeholder={query.service ? 'Any operation' : 'Choose a service first'}
              />
            </EditorField>
          )}
          {source === 'spans' && (
            <EditorField
              label="Span filter"
              htmlFor="lens-latency-filter"
              optional
              tooltip="TraceQL conditions on each span. Tempo runs them; with Jaeger they are checked on the spans Jaeger returns: comparisons of span., resource. and . attributes, name, status, kind, duration and statusMessage, joined by &&, || and parentheses"
            >
              <CommitInput
                id="lens-latency-filter"
                value={query.spanFilter}
                placeholder="span.http.status_code >= 500"
                width={36}
                onCommit={(spanFilter) => set({ spanFilter: spanFilter || undefined })}
              />
            </EditorField>
          )}
          {source === 'logs' && (
            <EditorField label="Duration field" htmlFor="lens-latency-field">
              <CommitInput
                id="lens-latency-field"
                value={query.logField}
                placeholder="duration_ms"
                width={20}
                onCommit={(logField) => set({ logField: logField || undefined })}
              />
            </EditorField>
          )}
        </EditorRow>
      )}
      <PercentileRow query={query} text={percentileText} defaults={defaults} set={set} />
      {query.editorMode !== 'code' && preview.ok && source === 'histogram' && (
        <EditorRow>
          <Text variant="bodySmall" color="secondary" data-testid="lens-latency-preview">
            {histogramQuantilePreview(preview.expr, (query.percentiles ?? defaults)[0] ?? 0.99)}
          </Text>
        </EditorRow>
      )}
    </>
  );
}

function PercentileRow({
  query,
  text,
  defaults,
  set,
}: {
  query: LatencyQuery;
  text: string;
  defaults: number[];
  set: (p: Partial<LatencyQuery>) => void;
}) {
  const [error, setError] = React.useState<string>();
  return (
    <EditorRow>
      <EditorField
        label="Percentiles"
        htmlFor="lens-latency-percentiles"
        invalid={Boolean(error)}
        error={error}
        tooltip="0.99, 99 or p99; empty = the data source's defaults"
      >
        <CommitInput
          id="lens-latency-percentiles"
          value={text}
          placeholder={formatPercentiles(defaults)}
          width={30}
          invalid={Boolean(error)}
          onCommit={(t) => {
            const r = parsePercentiles(t);
            if (!r.ok) {
              setError(r.error);
              return;
            }
            setError(undefined);
            set({ percentiles: r.values.length ? r.values : undefined });
          }}
        />
      </EditorField>
      <EditorField label="CDF">
        <EditorSwitch
          id="lens-latency-cdf"
          value={query.cdf ?? true}
          onChange={(e) => set({ cdf: e.currentTarget.checked })}
        />
      </EditorField>
      <EditorField label="Summary">
        <EditorSwitch value={query.summary ?? true} onChange={(e) => set({ summary: e.currentTarget.checked })} />
      </EditorField>
      {query.source !== 'spans' && (
        <EditorField label="Unit" htmlFor="lens-latency-unit" optional>
          <Select<DurationUnit>
            inputId="lens-latency-unit"
            options={UNITS}
            value={query.valueUnit ?? null}
            placeholder={query.source === 'logs' ? 'milliseconds' : 'as the name says, else s'}
            isClearable
            onChange={(v) => set({ valueUnit: v?.value })}
            width={26}
          />
        </EditorField>
      )}
      <EditorField label="Group by" htmlFor="lens-latency-groupby" optional>
        <CommitInput
          id="lens-latency-groupby"
          value={(query.groupBy ?? []).join(', ')}
          placeholder={GROUP_BY_PLACEHOLDER[query.source]}
          width={24}
          onCommit={(t) => {
            const groupBy = t.split(/[\s,]+/).filter(Boolean);
            set({ groupBy: groupBy.length ? groupBy : undefined });
          }}
        />
      </EditorField>
    </EditorRow>
  );
}
