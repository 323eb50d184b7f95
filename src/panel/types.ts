/** Panel options, saved with the dashboard. `migrations.ts` upgrades older saves. */
export type PanelView = 'auto' | 'cdf' | 'bands' | 'waterfall';

export interface LensPanelOptions {
  view: PanelView;
}
