import React from 'react';
import type { TimeRange } from '@grafana/data';
import { EditorField, EditorRow } from '@grafana/plugin-ui';

import type { SearchQuery } from '../../../shared/queryModel';
import { ResourcePaths } from '../../../shared/resources';
import type { LensDataSource } from '../../datasource';
import { isGoDuration, wholeLimit } from '../../queryBuilders/buildResult';
import { parseLogfmt } from '../../queryBuilders/logfmt';
import { lookupTime } from '../lookupTime';
import { ResourceSelect } from '../ResourceSelect';
import { CodeInput } from './CodeInput';
import { CommitInput } from './CommitInput';

interface Props {
  datasource: LensDataSource;
  query: SearchQuery;
  onChange: (q: SearchQuery) => void;
  onRunQuery: () => void;
  /** The dashboard's time range: the pickers list what the stores saw in it. */
  range?: TimeRange;
}

const hasVariable = (s: string) => /\$\w|\$\{|\[\[/.test(s);

export function durationError(d?: string): string | undefined {
  return d && !hasVariable(d) && !isGoDuration(d)
    ? `${JSON.stringify(d)} is not a duration like 120ms or 1.5s`
    : undefined;
}

export function tagsError(tags?: string): string | undefined {
  if (!tags?.trim() || hasVariable(tags)) {
    return undefined;
  }
  const r = parseLogfmt(tags);
  return r.ok ? undefined : r.error;
}

export function SearchEditor({ datasource, query, onChange, onRunQuery, range }: Props) {
  const time = lookupTime(range);
  const set = (patch: Partial<SearchQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  if (query.editorMode === 'code') {
    return (
      <EditorRow>
        <EditorField label="TraceQL" htmlFor="lens-search-traceql" width="100%">
          <CodeInput
            id="lens-search-traceql"
            value={query.traceql ?? ''}
            placeholder='{ resource.service.name = "api" && duration > 500ms }'
            onChange={(traceql) => onChange({ ...query, traceql })}
            onRunQuery={onRunQuery}
          />
        </EditorField>
      </EditorRow>
    );
  }
  const minErr = durationError(query.minDuration);
  const maxErr = durationError(query.maxDuration);
  const tagErr = tagsError(query.tags);
  return (
    <>
      <EditorRow>
        <EditorField label="Service" htmlFor="lens-search-service">
          <ResourceSelect
            datasource={datasource}
            path={ResourcePaths.services}
            params={{ ...time, source: 'traces' }}
            inputId="lens-search-service"
            value={query.service}
            onChange={(service) => set({ service, operation: service === query.service ? query.operation : undefined })}
          />
        </EditorField>
        <EditorField label="Operation" htmlFor="lens-search-operation">
          <ResourceSelect
            datasource={datasource}
            path={ResourcePaths.operations}
            params={{ ...time, source: 'traces', service: datasource.lookupParam(query.service) }}
            enabled={Boolean(datasource.lookupParam(query.service))}
            inputId="lens-search-operation"
            value={query.operation}
            onChange={(operation) => set({ operation })}
            placeholder={query.service ? 'Any operation' : 'Choose a service first'}
          />
        </EditorField>
      </EditorRow>
      <EditorRow>
        <EditorField
          label="Tags"
          htmlFor="lens-search-tags"
          invalid={Boolean(tagErr)}
          error={tagErr}
          tooltip="logfmt: http.status_code=500 error=true"
        >
          <CommitInput
            id="lens-search-tags"
            value={query.tags}
            placeholder="http.status_code=500"
            width={40}
            invalid={Boolean(tagErr)}
            onCommit={(tags) => set({ tags: tags || undefined })}
          />
        </EditorField>
        <EditorField label="Min duration" htmlFor="lens-search-min" invalid={Boolean(minErr)} error={minErr}>
          <CommitInput
            id="lens-search-min"
            value={query.minDuration}
            placeholder="100ms"
            width={14}
            invalid={Boolean(minErr)}
            onCommit={(minDuration) => set({ minDuration: minDuration || undefined })}
          />
        </EditorField>
        <EditorField label="Max duration" htmlFor="lens-search-max" invalid={Boolean(maxErr)} error={maxErr}>
          <CommitInput
            id="lens-search-max"
            value={query.maxDuration}
            placeholder="5s"
            width={14}
            invalid={Boolean(maxErr)}
            onCommit={(maxDuration) => set({ maxDuration: maxDuration || undefined })}
          />
        </EditorField>
        <EditorField label="Limit" htmlFor="lens-search-limit">
          <CommitInput
            id="lens-search-limit"
            type="number"
            value={query.limit?.toString()}
            placeholder="20"
            width={10}
            onCommit={(v) => set({ limit: wholeLimit(v) })}
          />
        </EditorField>
      </EditorRow>
    </>
  );
}
