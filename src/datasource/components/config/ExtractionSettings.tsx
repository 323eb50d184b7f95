import React, { useMemo, useState } from 'react';
import { ConfigSubSection } from '@grafana/plugin-ui';
import { Field, Input, RadioButtonGroup, Stack, Text, TextArea } from '@grafana/ui';

import type { TraceIdExtraction } from '../../../shared/settings';
import { extractionRuleProblem, parseLabelText, previewExtraction, type ExtractedId } from '../../extraction';
import { setStore, type Options } from './settingsUpdates';

type Mode = TraceIdExtraction['mode'];

const MODES: Array<{ value: Mode; label: string; description: string }> = [
  { value: 'structuredMetadata', label: 'Structured metadata', description: 'Loki 3 structured metadata key' },
  { value: 'label', label: 'Label', description: 'Stream label' },
  { value: 'json', label: 'JSON', description: 'Path in a JSON line' },
  { value: 'logfmt', label: 'logfmt', description: 'Key in a logfmt line' },
  { value: 'regex', label: 'Regex', description: 'RE2 on the line; first group or whole match' },
];

export const DEFAULT_EXTRACTION: TraceIdExtraction = { mode: 'structuredMetadata', traceIdKey: 'trace_id', spanIdKey: 'span_id' };

/** Switching mode carries the typed keys over where they make sense. */
export function withMode(prev: TraceIdExtraction, mode: Mode): TraceIdExtraction {
  const [t, s] =
    prev.mode === 'json' ? [prev.traceIdPath, prev.spanIdPath] : prev.mode === 'regex' ? ['', ''] : [prev.traceIdKey, prev.spanIdKey];
  switch (mode) {
    case 'json':
      return { mode, traceIdPath: t || 'trace_id', spanIdPath: s || undefined };
    case 'regex':
      return { mode, traceIdRegex: prev.mode === 'regex' ? prev.traceIdRegex : 'trace_id=(\\w+)', spanIdRegex: prev.mode === 'regex' ? prev.spanIdRegex : undefined };
    default:
      return { mode, traceIdKey: t || 'trace_id', spanIdKey: s || undefined };
  }
}

function keyFields(rule: TraceIdExtraction): { traceLabel: string; trace: string; span?: string; set: (t: string, s: string) => TraceIdExtraction } {
  switch (rule.mode) {
    case 'json':
      return { traceLabel: 'JSON path', trace: rule.traceIdPath, span: rule.spanIdPath, set: (t, s) => ({ ...rule, traceIdPath: t, spanIdPath: s || undefined }) };
    case 'regex':
      return { traceLabel: 'Regex', trace: rule.traceIdRegex, span: rule.spanIdRegex, set: (t, s) => ({ ...rule, traceIdRegex: t, spanIdRegex: s || undefined }) };
    default:
      return { traceLabel: 'Key', trace: rule.traceIdKey, span: rule.spanIdKey, set: (t, s) => ({ ...rule, traceIdKey: t, spanIdKey: s || undefined }) };
  }
}

function IdResult({ what, r }: { what: string; r?: ExtractedId }) {
  if (!r) {
    return null;
  }
  if (r.status === 'found') {
    return (
      <Text color="success" data-testid={`lens-preview-${what}`}>
        {what} ID: {r.id}
        {r.raw !== r.id ? ` (from ${r.raw})` : ''}
      </Text>
    );
  }
  return (
    <Text color="error" data-testid={`lens-preview-${what}`}>
      {what} ID: {r.status === 'invalid' ? r.error : r.reason}
    </Text>
  );
}

/**
 * What the backend (streamSelectorShape in pkg/settings) refuses in the trace log selector,
 * and the logs store with it: it starts with a stream selector in braces holding something.
 */
export function traceLogSelectorError(selector: string | undefined): string | undefined {
  const sel = (selector ?? '').trim();
  if (sel === '') {
    return undefined;
  }
  const end = sel.indexOf('}');
  return sel.startsWith('{') && end > 0 && sel.slice(1, end).trim() !== ''
    ? undefined
    : 'Write a stream selector in braces with at least one matcher, such as {service_name=~".+"}, optionally followed by a pipeline';
}

/** How Loki lines carry trace and span IDs, with a live preview on a pasted line. */
export function ExtractionSettings({ options, onOptionsChange }: { options: Options; onOptionsChange: (o: Options) => void }) {
  const rule = options.jsonData.logs?.extraction ?? DEFAULT_EXTRACTION;
  const setRule = (extraction: TraceIdExtraction) => onOptionsChange(setStore(options, 'logs', { extraction }));
  const k = keyFields(rule);
  const [line, setLine] = useState('');
  const [labels, setLabels] = useState('');
  const preview = useMemo(() => {
    if (!line && !labels) {
      return undefined;
    }
    const parsed = parseLabelText(labels);
    return previewExtraction(rule, { line, labels: parsed, structuredMetadata: parsed });
  }, [rule, line, labels]);
  const needsLabels = rule.mode === 'label' || rule.mode === 'structuredMetadata';
  const selectorError = traceLogSelectorError(options.jsonData.logs?.traceLogSelector);
  // The backend refuses the logs store with such a rule: said with or without a sample.
  const ruleProblem = useMemo(() => extractionRuleProblem(rule), [rule]);

  return (
    <ConfigSubSection title="Trace IDs in log lines" description="How a log line names its trace and span, to join logs with traces">
      <Field
        label="Logs of a trace"
        description="LogQL stream selector used to fetch a trace's lines"
        htmlFor="lens-logs-selector"
        invalid={Boolean(selectorError)}
        error={selectorError}
      >
        <Input
          id="lens-logs-selector"
          value={options.jsonData.logs?.traceLogSelector ?? ''}
          placeholder='{service_name=~".+"}'
          width={60}
          onChange={(e) => onOptionsChange(setStore(options, 'logs', { traceLogSelector: e.currentTarget.value || undefined }))}
        />
      </Field>
      <Field label="Extraction">
        <RadioButtonGroup options={MODES} value={rule.mode} onChange={(m) => setRule(withMode(rule, m))} />
      </Field>
      <Stack direction="row" gap={2}>
        <Field label={`Trace ID ${k.traceLabel.toLowerCase()}`} htmlFor="lens-extract-trace">
          <Input id="lens-extract-trace" value={k.trace} width={36} onChange={(e) => setRule(k.set(e.currentTarget.value, k.span ?? ''))} />
        </Field>
        <Field label={`Span ID ${k.traceLabel.toLowerCase()}`} htmlFor="lens-extract-span" description="Optional">
          <Input id="lens-extract-span" value={k.span ?? ''} width={36} onChange={(e) => setRule(k.set(k.trace, e.currentTarget.value))} />
        </Field>
      </Stack>
      <Field label="Try it: a sample log line" htmlFor="lens-extract-sample">
        <TextArea id="lens-extract-sample" value={line} rows={2} cols={80} placeholder='{"msg":"done","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}' onChange={(e) => setLine(e.currentTarget.value)} />
      </Field>
      {needsLabels && (
        <Field label="…and its labels / structured metadata" htmlFor="lens-extract-labels">
          <Input id="lens-extract-labels" value={labels} width={80} placeholder='{trace_id="4bf92f3577b34da6a3ce929d0e0e4736", span_id="00f067aa0ba902b7"}' onChange={(e) => setLabels(e.currentTarget.value)} />
        </Field>
      )}
      {ruleProblem && !preview && (
        <Text color="error" data-testid="lens-extract-rule-problem">
          {ruleProblem}
        </Text>
      )}
      {preview && (
        <div data-testid="lens-extract-preview">
          <Stack direction="column" gap={0.5}>
            {preview.problem && <Text color="error">{preview.problem}</Text>}
            <IdResult what="trace" r={preview.traceId} />
            <IdResult what="span" r={preview.spanId} />
          </Stack>
        </div>
      )}
    </ConfigSubSection>
  );
}
