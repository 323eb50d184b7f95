import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { DataSourceDescription } from '@grafana/plugin-ui';
import { Divider, Field, RadioButtonGroup } from '@grafana/ui';

import type { LensJsonData, LensSecureJsonData, TraceStoreKind } from '../../shared/settings';
import { ExtractionSettings } from './config/ExtractionSettings';
import { LatencyDefaults } from './config/LatencyDefaults';
import { ScrapeInterval } from './config/ScrapeInterval';
import { setStore } from './config/settingsUpdates';
import { StoreSection } from './config/StoreSection';

type Props = DataSourcePluginOptionsEditorProps<LensJsonData, LensSecureJsonData>;

const KINDS: Array<{ value: TraceStoreKind; label: string; description: string }> = [
  { value: 'tempo', label: 'Tempo', description: 'Grafana Tempo (TraceQL)' },
  { value: 'jaeger-v1', label: 'Jaeger (v1 API)', description: 'Jaeger query /api/traces' },
  { value: 'jaeger-v3', label: 'Jaeger (v3 API)', description: 'Jaeger query /api/v3 (OTLP)' },
];

export function ConfigEditor({ options, onOptionsChange }: Props) {
  return (
    <>
      <DataSourceDescription dataSourceName="Latency Lens" docsLink="https://github.com/latencylens/lens" hasRequiredFields={false} />
      <Divider />
      <StoreSection
        store="metrics"
        title="Metrics"
        description="Prometheus-compatible HTTP API: latency histograms and exemplars"
        urlPlaceholder="http://localhost:9090"
        options={options}
        onOptionsChange={onOptionsChange}
      >
        <ScrapeInterval options={options} onOptionsChange={onOptionsChange} />
      </StoreSection>
      <Divider />
      <StoreSection
        store="logs"
        title="Logs"
        description="Loki: log lines joined with traces by trace ID"
        urlPlaceholder="http://localhost:3100"
        options={options}
        onOptionsChange={onOptionsChange}
      >
        <ExtractionSettings options={options} onOptionsChange={onOptionsChange} />
      </StoreSection>
      <Divider />
      <StoreSection
        store="traces"
        title="Traces"
        description="Tempo, or Jaeger's query service"
        urlPlaceholder="http://localhost:3200"
        options={options}
        onOptionsChange={onOptionsChange}
      >
        <Field label="Trace store">
          <RadioButtonGroup
            options={KINDS}
            value={options.jsonData.traces?.kind ?? 'tempo'}
            onChange={(kind) => onOptionsChange(setStore(options, 'traces', { kind }))}
          />
        </Field>
      </StoreSection>
      <Divider />
      <LatencyDefaults options={options} onOptionsChange={onOptionsChange} />
    </>
  );
}
