import React, { useEffect, useState } from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { EditorHeader, EditorRows, FlexItem, QueryEditorMode, QueryEditorModeToggle } from '@grafana/plugin-ui';
import { Alert, RadioButtonGroup } from '@grafana/ui';

import type { LensQuery } from '../../shared/queryModel';
import { DEFAULT_MAX_LOG_LINES, type LensJsonData } from '../../shared/settings';
import type { LensDataSource } from '../datasource';
import { migrateQuery, needsMigration } from '../migrations';
import { switchToCode } from '../queryBuilders/editorModes';
import { LatencyEditor } from './query/LatencyEditor';
import { LogsEditor } from './query/LogsEditor';
import { MetricsEditor } from './query/MetricsEditor';
import { editableQuery } from './query/editableQuery';
import { changeQueryType, QUERY_TYPES } from './query/queryTypes';
import { SearchEditor } from './query/SearchEditor';
import { TraceEditor } from './query/TraceEditor';

type Props = QueryEditorProps<LensDataSource, LensQuery, LensJsonData>;

export function QueryEditor({ query: raw, onChange, onRunQuery, datasource, range }: Props) {
  const migrated = migrateQuery(raw);
  const query = editableQuery(migrated);
  const [modeError, setModeError] = useState<string>();
  // An old version, or fields of another type than the backend reads, are stored as shown.
  const repaired = needsMigration(raw) || query !== migrated;
  useEffect(() => {
    if (repaired) {
      onChange(editableQuery(migrateQuery(raw)));
    }
  }, [repaired, raw, onChange]);

  const jaeger = (datasource.jsonData.traces?.kind ?? 'tempo') !== 'tempo';
  // Jaeger has no TraceQL: its search is the builder the editor shows, and the saved mode
  // follows it (a TraceQL mode saved against Tempo would reach Jaeger and fail).
  const jaegerSearchInCode = jaeger && query.queryType === 'search' && query.editorMode === 'code';
  useEffect(() => {
    if (jaegerSearchInCode) {
      onChange({ ...editableQuery(migrateQuery(raw)), editorMode: 'builder' } as LensQuery);
    }
  }, [jaegerSearchInCode, raw, onChange]);
  const hasModes = query.queryType === 'latency' || (query.queryType === 'search' && !jaeger);
  const mode = (query.queryType === 'latency' || query.queryType === 'search') && query.editorMode === 'code' ? QueryEditorMode.Code : QueryEditorMode.Builder;

  const onModeChange = (next: QueryEditorMode) => {
    if (query.queryType !== 'latency' && query.queryType !== 'search') {
      return;
    }
    if (next === QueryEditorMode.Code) {
      const { query: coded, error } = switchToCode(query, datasource.builderSettings());
      setModeError(error ? `Cannot switch to code: ${error}` : undefined);
      if (!error) {
        onChange(coded);
      }
      return;
    }
    setModeError(undefined);
    onChange({ ...query, editorMode: 'builder' });
    onRunQuery();
  };

  return (
    <>
      <EditorHeader>
        <RadioButtonGroup
          size="sm"
          options={QUERY_TYPES}
          value={query.queryType}
          onChange={(t) => {
            setModeError(undefined);
            onChange(changeQueryType(query, t));
          }}
        />
        <FlexItem grow={1} />
        {hasModes && <QueryEditorModeToggle mode={mode} onChange={onModeChange} />}
      </EditorHeader>
      {modeError && (
        <Alert severity="warning" title={modeError} onRemove={() => setModeError(undefined)} />
      )}
      <EditorRows>
        {query.queryType === 'trace' && <TraceEditor query={query} onChange={onChange} onRunQuery={onRunQuery} />}
        {query.queryType === 'search' && (
          <SearchEditor datasource={datasource} query={jaeger ? { ...query, editorMode: 'builder' } : query} onChange={onChange} onRunQuery={onRunQuery} range={range} />
        )}
        {query.queryType === 'latency' && <LatencyEditor datasource={datasource} query={query} onChange={onChange} onRunQuery={onRunQuery} range={range} />}
        {query.queryType === 'logs' && (
          <LogsEditor
            query={query}
            maxLines={datasource.jsonData.limits?.maxLogLines || DEFAULT_MAX_LOG_LINES}
            onChange={onChange}
            onRunQuery={onRunQuery}
          />
        )}
        {query.queryType === 'metrics' && <MetricsEditor query={query} onChange={onChange} onRunQuery={onRunQuery} />}
      </EditorRows>
    </>
  );
}
