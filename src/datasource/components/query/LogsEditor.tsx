import React from 'react';
import { EditorField, EditorRow } from '@grafana/plugin-ui';

import type { LogsQuery } from '../../../shared/queryModel';
import { wholeLimit } from '../../queryBuilders/buildResult';
import { CodeInput } from './CodeInput';
import { CommitInput } from './CommitInput';

interface Props {
  query: LogsQuery;
  /** The data source's "Max log lines": what a blank limit reads, and the most a limit gets. */
  maxLines: number;
  onChange: (q: LogsQuery) => void;
  onRunQuery: () => void;
}

export function LogsEditor({ query, maxLines, onChange, onRunQuery }: Props) {
  return (
    <>
      <EditorRow>
        <EditorField label="LogQL" htmlFor="lens-logs-expr" width="100%">
          <CodeInput
            id="lens-logs-expr"
            value={query.expr ?? ''}
            placeholder='{service_name="api"} |= "error"'
            onChange={(expr) => onChange({ ...query, expr })}
            onRunQuery={onRunQuery}
          />
        </EditorField>
      </EditorRow>
      <EditorRow>
        <EditorField label="Line limit" htmlFor="lens-logs-limit" optional>
          <CommitInput
            id="lens-logs-limit"
            type="number"
            value={query.limit?.toString()}
            placeholder={String(maxLines)}
            width={12}
            onCommit={(v) => {
              onChange({ ...query, limit: wholeLimit(v) });
              onRunQuery();
            }}
          />
        </EditorField>
      </EditorRow>
    </>
  );
}
