import React, { useEffect } from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { EditorField, EditorRow, EditorRows } from '@grafana/plugin-ui';
import { RadioButtonGroup, Select } from '@grafana/ui';

import type { LensQuery } from '../../shared/queryModel';
import { ResourcePaths, type ServiceSource } from '../../shared/resources';
import type { LensJsonData } from '../../shared/settings';
import type { LensDataSource } from '../datasource';
import { VARIABLE_KINDS, type LensVariableQuery } from '../variables/variableQuery';
import { wholeLimit } from '../queryBuilders/buildResult';
import { ResourceSelect } from './ResourceSelect';
import { CommitInput } from './query/CommitInput';

type Props = QueryEditorProps<LensDataSource, LensQuery, LensJsonData, LensVariableQuery>;

const SOURCES: Array<{ value: ServiceSource; label: string }> = [
  { value: 'traces', label: 'Traces' },
  { value: 'metrics', label: 'Metrics' },
  { value: 'logs', label: 'Logs' },
];

/**
 * The selector the label picker narrows its names by, with the dashboard's variables filled
 * in as when the variable runs (a chained variable's `up{job="$job"}`); none when they
 * cannot be, rather than the literal `$job`, which no series has.
 */
function pickerSelector(ds: LensDataSource, q: LensVariableQuery): string | undefined {
  if (!q.selector) {
    return undefined;
  }
  try {
    return ds.interpolateVariableQuery(q, {}).selector;
  } catch {
    return undefined;
  }
}

export function VariableQueryEditor({ query, onChange, datasource, range }: Props) {
  const q: LensVariableQuery = { ...query, kind: query.kind ?? 'services', refId: query.refId ?? 'variable' };
  useEffect(() => {
    if (!query.kind) {
      onChange({ ...q });
    }
    // Only once, to give a new variable its kind.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const set = (patch: Partial<LensVariableQuery>) => onChange({ ...q, ...patch });
  const withSource = q.kind === 'services' || q.kind === 'operations';
  const withLabel = q.kind === 'logLabelValues' || q.kind === 'metricLabelValues';
  // The pickers look at the dashboard's time range, as the variable's values do.
  const time = range ? { start: range.from.valueOf(), end: range.to.valueOf() } : {};
  const selector = pickerSelector(datasource, q);
  return (
    <EditorRows>
      <EditorRow>
        <EditorField label="Values" htmlFor="lens-var-kind">
          <Select
            inputId="lens-var-kind"
            options={VARIABLE_KINDS}
            value={q.kind}
            onChange={(v) => v.value && onChange({ refId: q.refId, kind: v.value })}
            width={30}
          />
        </EditorField>
        {withSource && (
          <EditorField label="From">
            <RadioButtonGroup options={SOURCES} value={q.source ?? 'traces'} onChange={(source) => set({ source })} />
          </EditorField>
        )}
        {(q.kind === 'operations' || q.kind === 'traceIds') && (
          <EditorField label="Service" htmlFor="lens-var-service">
            <ResourceSelect
              datasource={datasource}
              path={ResourcePaths.services}
              params={{ ...time, source: q.kind === 'traceIds' ? 'traces' : q.source ?? 'traces' }}
              inputId="lens-var-service"
              value={q.service}
              onChange={(service) => set({ service })}
            />
          </EditorField>
        )}
        {withLabel && (
          <EditorField label="Label" htmlFor="lens-var-label">
            <ResourceSelect
              datasource={datasource}
              path={q.kind === 'logLabelValues' ? ResourcePaths.logLabels : ResourcePaths.metricLabels}
              params={q.kind === 'logLabelValues' ? { ...time, selector } : { ...time, match: selector }}
              inputId="lens-var-label"
              value={q.label}
              onChange={(label) => set({ label })}
            />
          </EditorField>
        )}
        {withLabel && (
          <EditorField label={q.kind === 'logLabelValues' ? 'Stream selector' : 'Series selector'} htmlFor="lens-var-selector" optional>
            <CommitInput
              id="lens-var-selector"
              value={q.selector ?? ''}
              placeholder={q.kind === 'logLabelValues' ? '{service_name="api"}' : 'up{job="api"}'}
              onCommit={(selector) => selector !== (q.selector ?? '') && set({ selector: selector || undefined })}
              width={40}
            />
          </EditorField>
        )}
        {q.kind === 'traceIds' && (
          <>
            <EditorField label="TraceQL" htmlFor="lens-var-traceql" optional tooltip="Tempo only; with Jaeger the service above is searched.">
              <CommitInput
                id="lens-var-traceql"
                value={q.traceql ?? ''}
                placeholder="{ status = error }"
                onCommit={(traceql) => traceql !== (q.traceql ?? '') && set({ traceql: traceql || undefined })}
                width={40}
              />
            </EditorField>
            <EditorField label="Limit" htmlFor="lens-var-limit">
              <CommitInput
                id="lens-var-limit"
                type="number"
                value={q.limit?.toString()}
                placeholder="20"
                onCommit={(text) => {
                  const limit = wholeLimit(text);
                  if (limit !== q.limit) {
                    set({ limit });
                  }
                }}
                width={10}
              />
            </EditorField>
          </>
        )}
      </EditorRow>
    </EditorRows>
  );
}
