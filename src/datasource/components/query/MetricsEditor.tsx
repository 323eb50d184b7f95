import React from 'react';
import { EditorField, EditorRow, EditorSwitch } from '@grafana/plugin-ui';

import type { MetricsQuery } from '../../../shared/queryModel';
import { isPromStep } from '../../queryBuilders/buildResult';
import { CodeInput } from './CodeInput';
import { CommitInput } from './CommitInput';

interface Props {
  query: MetricsQuery;
  onChange: (q: MetricsQuery) => void;
  onRunQuery: () => void;
}

export function MetricsEditor({ query, onChange, onRunQuery }: Props) {
  const set = (patch: Partial<MetricsQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  const stepError =
    query.step && !/\$/.test(query.step) && !isPromStep(query.step) ? 'a duration like 15s, 1h30m or 1d' : undefined;
  return (
    <>
      <EditorRow>
        <EditorField label="PromQL" htmlFor="lens-metrics-expr" width="100%">
          <CodeInput
            id="lens-metrics-expr"
            value={query.expr ?? ''}
            placeholder="rate(http_requests_total[5m])"
            onChange={(expr) => onChange({ ...query, expr })}
            onRunQuery={onRunQuery}
          />
        </EditorField>
      </EditorRow>
      <EditorRow>
        <EditorField label="Legend" htmlFor="lens-metrics-legend" optional>
          <CommitInput
            id="lens-metrics-legend"
            value={query.legendFormat}
            placeholder="{{service}}"
            width={24}
            onCommit={(legendFormat) => set({ legendFormat: legendFormat || undefined })}
          />
        </EditorField>
        <EditorField
          label="Min step"
          htmlFor="lens-metrics-step"
          optional
          invalid={Boolean(stepError)}
          error={stepError}
        >
          <CommitInput
            id="lens-metrics-step"
            value={query.step}
            placeholder="15s"
            width={12}
            invalid={Boolean(stepError)}
            onCommit={(step) => set({ step: step.trim() || undefined })}
          />
        </EditorField>
        <EditorField label="Exemplars">
          <EditorSwitch value={query.exemplars ?? true} onChange={(e) => set({ exemplars: e.currentTarget.checked })} />
        </EditorField>
      </EditorRow>
    </>
  );
}
