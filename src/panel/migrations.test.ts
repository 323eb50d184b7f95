import { migrateOptions, panelMigrationHandler } from './migrations';
import { defaultOptions, PANEL_OPTIONS_VERSION } from './types';

describe('migrateOptions', () => {
  it.each([
    ['nothing saved', undefined, defaultOptions],
    ['garbage', 'x', defaultOptions],
    ['current defaults', defaultOptions, defaultOptions],
  ])('%s → complete current options', (_name, input, want) => {
    expect(migrateOptions(input)).toEqual(want);
  });

  it('upgrades the v1 skeleton shape (flat view, logScale, percentiles)', () => {
    const got = migrateOptions({ view: 'bands', logScale: false, percentiles: [0.5, 0.95, 2] });
    expect(got.version).toBe(PANEL_OPTIONS_VERSION);
    expect(got.view).toBe('bands');
    expect(got.cdf.xScale).toBe('linear');
    expect(got.cdf.percentiles).toEqual([0.5, 0.95]);
  });

  it('drops invalid values and keeps valid ones', () => {
    const got = migrateOptions({
      version: 2,
      view: 'pie',
      cdf: { slos: [{ target: 0.99, thresholdMs: 300 }, { target: 5, thresholdMs: 1 }], searchWindow: 3 },
      waterfall: { colorBy: 'percentile' },
    });
    expect(got.view).toBe('auto');
    expect(got.cdf.slos).toEqual([{ target: 0.99, thresholdMs: 300 }]);
    expect(got.cdf.searchWindow).toBe(defaultOptions.cdf.searchWindow);
    expect(got.waterfall.colorBy).toBe('percentile');
    expect(got.waterfall.showCriticalPath).toBe(true);
  });

  it('reads lists typed into the options editor', () => {
    const got = migrateOptions({ version: 2, cdf: { percentiles: '0.5, 0.999', slos: '99:300, 90%:120' }, bands: { thresholdsMs: '250 1000' } });
    expect(got.cdf.percentiles).toEqual([0.5, 0.999]);
    expect(got.cdf.slos).toEqual([
      { target: 0.99, thresholdMs: 300 },
      { target: 0.9, thresholdMs: 120 },
    ]);
    expect(got.bands.thresholdsMs).toEqual([250, 1000]);
  });

  it.each([
    ['percent', '50, 90, 99, 99.9'],
    ['p-names', 'p50 p90 p99 p99.9'],
    ['percent signs', '50%; 90%; 99%; 99.9%'],
    ['quantiles and percent mixed', '0.5, 90, p99, 0.999'],
  ])('reads percentile markers typed as %s', (_n, typed) => {
    expect(migrateOptions({ version: 2, cdf: { percentiles: typed } }).cdf.percentiles).toEqual([0.5, 0.9, 0.99, 0.999]);
  });

  it('reads durations typed with a unit in SLO lines and thresholds (ms without one)', () => {
    const got = migrateOptions({ version: 2, cdf: { slos: '99:300ms, 99.9%:1.5s, 90:250us' }, bands: { thresholdsMs: '250ms, 1s, 2m, 400' } });
    expect(got.cdf.slos).toEqual([
      { target: 0.99, thresholdMs: 300 },
      { target: 0.999, thresholdMs: 1500 },
      { target: 0.9, thresholdMs: 0.25 },
    ]);
    expect(got.bands.thresholdsMs).toEqual([250, 1000, 120000, 400]);
  });

  it('does not mutate its input', () => {
    const saved = Object.freeze({ view: 'cdf', cdf: Object.freeze({ percentiles: Object.freeze([0.9]) }) });
    expect(() => migrateOptions(saved)).not.toThrow();
    expect(saved.view).toBe('cdf');
  });

  it('is what the panel migration handler returns', () => {
    const got = panelMigrationHandler({ id: 1, type: 'latencylens-lens-panel', options: { view: 'waterfall' }, fieldConfig: { defaults: {}, overrides: [] } });
    expect(got.view).toBe('waterfall');
    expect(got.version).toBe(PANEL_OPTIONS_VERSION);
  });
});
