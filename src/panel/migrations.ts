/**
 * Saved-options migrations. Input: whatever a dashboard saved (any version, possibly partial
 * or from the 0.1 skeleton, which had only `view`). Output: a complete LensPanelOptions at
 * PANEL_OPTIONS_VERSION. Never mutates its input.
 */
import { type PanelModel } from '@grafana/data';

import { UNIT_TO_MS } from './frames/classify';
import { defaultOptions, PANEL_OPTIONS_VERSION, type LensPanelOptions, type PanelView } from './types';

type Raw = Record<string, unknown>;

const VIEWS: PanelView[] = ['auto', 'cdf', 'bands', 'waterfall'];

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** v1 (0.1.x): `{ view }` flat, plus the flat keys the first dashboards used. */
function fromV1(raw: Raw): Raw {
  const cdf: Raw = {};
  if (raw.logScale !== undefined) {
    cdf.xScale = raw.logScale ? 'log' : 'linear';
  }
  if (Array.isArray(raw.percentiles)) {
    cdf.percentiles = raw.percentiles;
  }
  return { view: raw.view, cdf, version: 2 };
}

/** Lists come as arrays (saved JSON) or as text typed into the options editor ("0.5, 0.9"). */
function numberList(v: unknown, keep: (n: number) => boolean): number[] | undefined {
  const items = typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : v;
  if (!Array.isArray(items)) {
    return undefined;
  }
  return items.map(Number).filter((n) => Number.isFinite(n) && keep(n));
}

/** A duration typed as "300", "300ms", "1.5s", "250us" … in ms (no unit: ms); NaN when it is none. */
function typedMs(text: string): number {
  const m = /^([\d.]+(?:e[-+]?\d+)?)\s*(ns|us|µs|ms|s|m|h)?$/i.exec(text.trim());
  if (!m) {
    return NaN;
  }
  return Number((Number(m[1]) * UNIT_TO_MS[(m[2] ?? 'ms').toLowerCase()]).toPrecision(12));
}

/** Thresholds as saved numbers (ms) or typed as "250, 1s" (ms without a unit). */
function durationList(v: unknown): number[] | undefined {
  if (typeof v !== 'string') {
    return numberList(v, (n) => n >= 0);
  }
  return v
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map(typedMs)
    .filter((n) => Number.isFinite(n) && n >= 0);
}

/** SLOs as saved objects or typed as "99:300, 90:1.5s" (percent or fraction : ms, or a duration with its unit). */
function sloList(v: unknown): Array<{ target: number; thresholdMs: number }> {
  const items: unknown[] =
    typeof v === 'string'
      ? v
          .split(/[,;]+/)
          .map((pair) => pair.split(':'))
          .filter((p) => p.length === 2)
          .map(([target, threshold]) => {
            const p = Number(target.trim().replace('%', ''));
            return { target: p > 1 ? Number((p / 100).toPrecision(12)) : p, thresholdMs: typedMs(threshold) };
          })
      : Array.isArray(v)
        ? v
        : [];
  return items
    .filter(isObject)
    .map((s) => ({ target: Number(s.target), thresholdMs: Number(s.thresholdMs) }))
    .filter((s) => s.target > 0 && s.target <= 1 && s.thresholdMs > 0);
}

/**
 * Percentile markers: saved arrays hold quantiles; typed text may also say percentiles, as
 * Grafana users write them ("99", "99.9%", "p99"): a token with p or %, or one of 1 to 100,
 * is a percent. Undefined when there is no list.
 */
function quantileList(v: unknown): number[] | undefined {
  if (typeof v !== 'string') {
    return numberList(v, (n) => n > 0 && n < 1);
  }
  return v
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((token) => {
      const m = /^(p?)([\d.]+(?:e-?\d+)?)(%?)$/i.exec(token);
      if (!m) {
        return NaN;
      }
      const n = Number(m[2]);
      return m[1] || m[3] || n >= 1 ? Number((n / 100).toPrecision(12)) : n;
    })
    .filter((n) => Number.isFinite(n) && n > 0 && n < 1);
}

export function migrateOptions(saved: unknown): LensPanelOptions {
  let raw: Raw = isObject(saved) ? { ...saved } : {};
  const version = typeof raw.version === 'number' ? raw.version : 1;
  if (version < 2) {
    raw = fromV1(raw);
  }
  const cdf = isObject(raw.cdf) ? raw.cdf : {};
  const bands = isObject(raw.bands) ? raw.bands : {};
  const waterfall = isObject(raw.waterfall) ? raw.waterfall : {};
  const d = defaultOptions;
  return {
    version: PANEL_OPTIONS_VERSION,
    view: VIEWS.includes(raw.view as PanelView) ? (raw.view as PanelView) : d.view,
    cdf: {
      xScale: cdf.xScale === 'linear' ? 'linear' : cdf.xScale === 'log' ? 'log' : d.cdf.xScale,
      complementary: typeof cdf.complementary === 'boolean' ? cdf.complementary : d.cdf.complementary,
      percentiles: quantileList(cdf.percentiles) ?? [...d.cdf.percentiles],
      slos: sloList(cdf.slos),
      showBucketUncertainty:
        typeof cdf.showBucketUncertainty === 'boolean' ? cdf.showBucketUncertainty : d.cdf.showBucketUncertainty,
      searchWindow:
        typeof cdf.searchWindow === 'number' && cdf.searchWindow > 0 && cdf.searchWindow < 1
          ? cdf.searchWindow
          : d.cdf.searchWindow,
    },
    bands: {
      showMedian: typeof bands.showMedian === 'boolean' ? bands.showMedian : d.bands.showMedian,
      showExemplars: typeof bands.showExemplars === 'boolean' ? bands.showExemplars : d.bands.showExemplars,
      thresholdsMs: durationList(bands.thresholdsMs) ?? [],
    },
    waterfall: {
      colorBy: waterfall.colorBy === 'percentile' ? 'percentile' : d.waterfall.colorBy,
      showLogs: typeof waterfall.showLogs === 'boolean' ? waterfall.showLogs : d.waterfall.showLogs,
      showCriticalPath:
        typeof waterfall.showCriticalPath === 'boolean' ? waterfall.showCriticalPath : d.waterfall.showCriticalPath,
    },
  };
}

/** PanelPlugin.setMigrationHandler: runs when a dashboard saved by another plugin version loads. */
export function panelMigrationHandler(panel: PanelModel<Partial<LensPanelOptions>>): LensPanelOptions {
  return migrateOptions(panel.options);
}
