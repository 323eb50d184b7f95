import { FieldConfigProperty, PanelPlugin } from '@grafana/data';
import { LatencyPanel } from './components/LatencyPanel';
import { panelMigrationHandler } from './migrations';
import { addPanelOptions } from './options';
import { type LensPanelOptions } from './types';

const HONOURED: FieldConfigProperty[] = [
  FieldConfigProperty.Unit,
  FieldConfigProperty.Min,
  FieldConfigProperty.Max,
  FieldConfigProperty.DisplayName,
  FieldConfigProperty.Decimals,
];

export const plugin = new PanelPlugin<LensPanelOptions>(LatencyPanel)
  .setPanelOptions(addPanelOptions)
  // The standard field options the views honour: the unit values are read in (Prometheus
  // quantiles come in seconds without one), Min and Max of the duration axis, the display
  // name of a series, and the decimals its durations are shown with. The others (colour, thresholds, value mappings …) would be settings
  // without an effect.
  .useFieldConfig({
    disableStandardOptions: Object.values(FieldConfigProperty).filter((p) => !HONOURED.includes(p)),
  })
  .setMigrationHandler(panelMigrationHandler);
