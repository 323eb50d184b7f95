import React from 'react';
import { type DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, Input } from '@grafana/ui';

import { type LensJsonData, type LensSecureJsonData } from '../../shared/settings';

type Props = DataSourcePluginOptionsEditorProps<LensJsonData, LensSecureJsonData>;

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const metricsUrl = options.jsonData.metrics?.url ?? '';
  return (
    <Field label="Metrics URL" description="Prometheus-compatible HTTP API">
      <Input
        value={metricsUrl}
        placeholder="http://localhost:9090"
        onChange={(e) =>
          onOptionsChange({
            ...options,
            jsonData: { ...options.jsonData, metrics: { ...options.jsonData.metrics, url: e.currentTarget.value } },
          })
        }
      />
    </Field>
  );
}
