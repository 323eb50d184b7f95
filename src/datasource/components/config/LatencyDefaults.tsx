import React, { useState } from 'react';
import { ConfigSection } from '@grafana/plugin-ui';
import { Field, Input, Stack } from '@grafana/ui';

import { DEFAULT_PERCENTILES } from '../../../shared/settings';
import { goRegex } from '../../extraction';
import { LABEL_NAME } from '../../language/escape';
import { isGoDuration } from '../../queryBuilders/buildResult';
import { formatPercentiles, listText, parseList, parsePercentiles, setJson, type Options } from './settingsUpdates';

/** The backend's default for errorValues (pkg/settings DefaultErrorValues). */
const DEFAULT_ERROR_VALUES = '5..|error|ERROR|STATUS_CODE_ERROR';

/** The values are RE2 (the backend's Go regexp, then PromQL): `(?i)` and `(?P<name>` are fine. */
function regexError(re?: string): string | undefined {
  if (!re) {
    return undefined;
  }
  const compiled = goRegex(re);
  return typeof compiled === 'string' ? `Not a valid regex: ${compiled}` : undefined;
}

/** The backend refuses the latency section with a label name PromQL cannot carry. */
const labelError = (name?: string): string | undefined =>
  name && !LABEL_NAME.test(name) ? `${JSON.stringify(name)} is not a Prometheus label name (letters, digits and _, not starting with a digit)` : undefined;

/** Latency defaults and limits. */
export function LatencyDefaults({ options, onOptionsChange }: { options: Options; onOptionsChange: (o: Options) => void }) {
  const lat = options.jsonData.latency ?? {};
  const lim = options.jsonData.limits ?? {};
  const [pText, setPText] = useState(formatPercentiles(lat.percentiles));
  // The histogram metrics as typed: a separator just typed ("a, ") changes nothing saved,
  // so the saved list alone would drop it and run the next name into the last one. The
  // typed text is shown while it reads as the saved list (else that changed elsewhere).
  const [hText, setHText] = useState('');
  const hSaved = listText(lat.histogramMetrics);
  const hShown = listText(parseList(hText)) === hSaved ? hText : hSaved;
  const parsed = parsePercentiles(pText);
  // A provisioning file can give the padding as a number, which the backend refuses.
  const padding: unknown = lim.logWindowPadding;
  const paddingText = padding === undefined || padding === null ? '' : String(padding);
  const padErr = paddingText && !(typeof padding === 'string' && isGoDuration(padding)) ? 'A duration like 1m' : undefined;
  const errValuesErr = regexError(lat.errorValues);
  const num = (s: string) => (s.trim() === '' || !(Number(s) >= 0) ? undefined : Number(s));
  // Limits are whole numbers (the backend refuses any other, and the store with them):
  // empty clears the limit, anything else that is not a whole number is not saved.
  const setLimit = (key: 'maxSpans' | 'maxLogLines', s: string) => {
    const n = Number(s);
    if (s.trim() === '') {
      onOptionsChange(setJson(options, 'limits', { [key]: undefined }));
    } else if (Number.isSafeInteger(n) && n >= 0) {
      onOptionsChange(setJson(options, 'limits', { [key]: n }));
    }
  };
  return (
    <ConfigSection title="Latency" description="Defaults for latency queries, and limits" isCollapsible isInitiallyOpen={false}>
      <Field label="Default percentiles" htmlFor="lens-percentiles" invalid={!parsed.ok} error={parsed.ok ? undefined : parsed.error}>
        <Input
          id="lens-percentiles"
          value={pText}
          placeholder={formatPercentiles(DEFAULT_PERCENTILES)}
          width={40}
          onChange={(e) => setPText(e.currentTarget.value)}
          onBlur={() => parsed.ok && onOptionsChange(setJson(options, 'latency', { percentiles: parsed.values.length ? parsed.values : undefined }))}
        />
      </Field>
      <Field label="Histogram metrics" description="Offered first in the editors, comma-separated base names" htmlFor="lens-histograms">
        <Input
          id="lens-histograms"
          value={hShown}
          placeholder="http_request_duration_seconds"
          width={60}
          onChange={(e) => {
            const list = parseList(e.currentTarget.value);
            setHText(e.currentTarget.value);
            onOptionsChange(setJson(options, 'latency', { histogramMetrics: list.length ? list : undefined }));
          }}
        />
      </Field>
      <Stack direction="row" gap={2}>
        <Field label="Service label" htmlFor="lens-service-label" invalid={Boolean(labelError(lat.serviceLabel))} error={labelError(lat.serviceLabel)}>
          <Input id="lens-service-label" value={lat.serviceLabel ?? ''} placeholder="service" width={20} onChange={(e) => onOptionsChange(setJson(options, 'latency', { serviceLabel: e.currentTarget.value || undefined }))} />
        </Field>
        <Field label="Operation label" htmlFor="lens-operation-label" invalid={Boolean(labelError(lat.operationLabel))} error={labelError(lat.operationLabel)}>
          <Input id="lens-operation-label" value={lat.operationLabel ?? ''} placeholder="operation" width={20} onChange={(e) => onOptionsChange(setJson(options, 'latency', { operationLabel: e.currentTarget.value || undefined }))} />
        </Field>
        <Field label="Service rate (req/s)" description="μ, to report ρ = λ/μ" htmlFor="lens-service-rate">
          <Input id="lens-service-rate" type="number" value={lat.serviceRate ?? ''} width={16} onChange={(e) => onOptionsChange(setJson(options, 'latency', { serviceRate: num(e.currentTarget.value) }))} />
        </Field>
      </Stack>
      <Stack direction="row" gap={2}>
        <Field label="Error label" description="Label marking failed requests, for the error rate" htmlFor="lens-error-label" invalid={Boolean(labelError(lat.errorLabel))} error={labelError(lat.errorLabel)}>
          <Input id="lens-error-label" value={lat.errorLabel ?? ''} placeholder="status" width={20} onChange={(e) => onOptionsChange(setJson(options, 'latency', { errorLabel: e.currentTarget.value || undefined }))} />
        </Field>
        <Field label="Error values" description="Regex of that label's values that are errors" htmlFor="lens-error-values" invalid={Boolean(errValuesErr)} error={errValuesErr}>
          <Input id="lens-error-values" value={lat.errorValues ?? ''} placeholder={DEFAULT_ERROR_VALUES} width={40} onChange={(e) => onOptionsChange(setJson(options, 'latency', { errorValues: e.currentTarget.value || undefined }))} />
        </Field>
      </Stack>
      <Stack direction="row" gap={2}>
        <Field label="Max spans" htmlFor="lens-max-spans">
          <Input id="lens-max-spans" type="number" min={0} step={1} value={lim.maxSpans ?? ''} placeholder="50000" width={16} onChange={(e) => setLimit('maxSpans', e.currentTarget.value)} />
        </Field>
        <Field label="Max log lines" htmlFor="lens-max-lines">
          <Input id="lens-max-lines" type="number" min={0} step={1} value={lim.maxLogLines ?? ''} placeholder="5000" width={16} onChange={(e) => setLimit('maxLogLines', e.currentTarget.value)} />
        </Field>
        <Field label="Log window padding" htmlFor="lens-log-padding" invalid={Boolean(padErr)} error={padErr}>
          <Input id="lens-log-padding" value={paddingText} placeholder="1m" width={12} onChange={(e) => onOptionsChange(setJson(options, 'limits', { logWindowPadding: e.currentTarget.value || undefined }))} />
        </Field>
      </Stack>
    </ConfigSection>
  );
}
