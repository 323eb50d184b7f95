import React from 'react';
import { EditorField, EditorRow, EditorSwitch } from '@grafana/plugin-ui';
import { Input, Text } from '@grafana/ui';

import type { TraceQuery } from '../../../shared/queryModel';
import { normalizeTraceId } from '../../../shared/traceId';
import { useDraft } from '../useDraft';

interface Props {
  query: TraceQuery;
  onChange: (q: TraceQuery) => void;
  onRunQuery: () => void;
}

/** Validation as the backend will see it; a template variable is checked only after interpolation. */
export function traceIdStatus(text: string): { error?: string; normalized?: string } {
  const t = text.trim();
  if (t === '' || /\$\w|\$\{|\[\[/.test(t)) {
    return {};
  }
  const r = normalizeTraceId(t);
  if (!r.ok) {
    return { error: r.error };
  }
  return r.id !== t ? { normalized: r.id } : {};
}

export function TraceEditor({ query, onChange, onRunQuery }: Props) {
  const [text, setText] = useDraft(query.traceId ?? '');
  const status = traceIdStatus(text);
  const commit = () => {
    if (text !== query.traceId) {
      onChange({ ...query, traceId: text });
    }
    if (!status.error && text.trim()) {
      onRunQuery();
    }
  };
  return (
    <EditorRow>
      <EditorField
        label="Trace ID"
        htmlFor="lens-trace-id"
        invalid={Boolean(status.error)}
        error={status.error}
        tooltip="Hex (16 or 32 digits, leading zeros may be left out), base64 or UUID form"
        width={60}
      >
        <Input
          id="lens-trace-id"
          value={text}
          placeholder="4bf92f3577b34da6a3ce929d0e0e4736"
          onChange={(e) => setText(e.currentTarget.value)}
          onBlur={commit}
          onKeyDown={(e) => e.key === 'Enter' && commit()}
        />
      </EditorField>
      {status.normalized && (
        <Text variant="bodySmall" color="secondary" data-testid="lens-trace-id-normalized">
          Looks up {status.normalized}
        </Text>
      )}
      <EditorField label="Logs">
        <EditorSwitch
          value={query.includeLogs ?? true}
          onChange={(e) => {
            onChange({ ...query, includeLogs: e.currentTarget.checked });
            onRunQuery();
          }}
        />
      </EditorField>
      <EditorField label="Exemplars">
        <EditorSwitch
          value={query.includeExemplars ?? true}
          onChange={(e) => {
            onChange({ ...query, includeExemplars: e.currentTarget.checked });
            onRunQuery();
          }}
        />
      </EditorField>
      <EditorField
        label="Lines in span details"
        htmlFor="lens-lines-in-span-logs"
        tooltip="Also copy each log line into its span's logs, which Grafana's trace view shows in span details. The Latency Lens panel reads the lines from the logs frame, so it can go without: the response is then much smaller."
      >
        <EditorSwitch
          id="lens-lines-in-span-logs"
          value={query.linesInSpanLogs ?? true}
          disabled={query.includeLogs === false}
          onChange={(e) => {
            onChange({ ...query, linesInSpanLogs: e.currentTarget.checked });
            onRunQuery();
          }}
        />
      </EditorField>
    </EditorRow>
  );
}
