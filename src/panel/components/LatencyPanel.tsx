import React from 'react';
import { type PanelProps } from '@grafana/data';
import { PanelDataErrorView } from '@grafana/runtime';

import { type LensPanelOptions } from '../types';

export function LatencyPanel({ data, id, fieldConfig }: PanelProps<LensPanelOptions>) {
  return <PanelDataErrorView panelId={id} fieldConfig={fieldConfig} data={data} />;
}
