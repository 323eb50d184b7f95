import { PanelPlugin } from '@grafana/data';

import { LatencyPanel } from './components/LatencyPanel';
import { type LensPanelOptions } from './types';

export const plugin = new PanelPlugin<LensPanelOptions>(LatencyPanel).setPanelOptions((builder) =>
  builder.addRadio({
    path: 'view',
    name: 'View',
    defaultValue: 'auto',
    settings: {
      options: [
        { value: 'auto', label: 'Auto' },
        { value: 'cdf', label: 'CDF' },
        { value: 'bands', label: 'Percentile bands' },
        { value: 'waterfall', label: 'Trace waterfall' },
      ],
    },
  })
);
