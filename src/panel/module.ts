import { PanelPlugin } from '@grafana/data';

import { LatencyPanel } from './components/LatencyPanel';
import { panelMigrationHandler } from './migrations';
import { addPanelOptions } from './options';
import { type LensPanelOptions } from './types';

export const plugin = new PanelPlugin<LensPanelOptions>(LatencyPanel)
  .setPanelOptions(addPanelOptions)
  .setMigrationHandler(panelMigrationHandler);
