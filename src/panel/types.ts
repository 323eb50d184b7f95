/**
 * Panel options, saved with the dashboard. Every save carries `version`; `migrations.ts`
 * upgrades any older shape to this one (guarantee to the views: all fields present).
 */
export const PANEL_OPTIONS_VERSION = 2;

export type PanelView = 'auto' | 'cdf' | 'bands' | 'waterfall';
export type XScale = 'log' | 'linear';

/** "X% of requests under T": target fraction in (0,1], threshold in ms. */
export interface SloLine {
  target: number;
  thresholdMs: number;
}

export interface CdfOptions {
  xScale: XScale;
  /** Plot 1 − F(t) (tail view) instead of F(t). */
  complementary: boolean;
  /** Quantiles in (0,1) to mark on each curve. */
  percentiles: number[];
  slos: SloLine[];
  /** Shade where inside each histogram bucket the true values may lie. */
  showBucketUncertainty: boolean;
  /** Click-to-traces window: durations within ±this fraction of the clicked t. */
  searchWindow: number;
}

export interface BandsOptions {
  showMedian: boolean;
  showExemplars: boolean;
  /** Horizontal threshold lines, in ms. */
  thresholdsMs: number[];
}

export type SpanColorMode = 'service' | 'percentile';

export interface WaterfallOptions {
  colorBy: SpanColorMode;
  /** Show every span's log lines inline (otherwise per span on demand). */
  showLogs: boolean;
  showCriticalPath: boolean;
}

export interface LensPanelOptions {
  version: number;
  view: PanelView;
  cdf: CdfOptions;
  bands: BandsOptions;
  waterfall: WaterfallOptions;
}

export const defaultOptions: LensPanelOptions = {
  version: PANEL_OPTIONS_VERSION,
  view: 'auto',
  cdf: {
    xScale: 'log',
    complementary: false,
    percentiles: [0.5, 0.9, 0.99],
    slos: [],
    showBucketUncertainty: true,
    searchWindow: 0.1,
  },
  bands: { showMedian: true, showExemplars: true, thresholdsMs: [] },
  waterfall: { colorBy: 'service', showLogs: false, showCriticalPath: true },
};
