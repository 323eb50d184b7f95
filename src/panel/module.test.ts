import {
  applyFieldOverrides,
  createDataFrame,
  createTheme,
  FieldColorModeId,
  FieldConfigProperty,
  FieldMatcherID,
  FieldType,
  type DataFrame,
  standardFieldConfigEditorRegistry,
  type FieldConfigPropertyItem,
  type FieldConfigSource,
} from '@grafana/data';

import { bandsYRange } from './bands/bandsConfig';
import { prepareBandsData } from './bands/prepareBandsData';
import { cdfXRange } from './cdf/cdfConfig';
import { prepareCdfData } from './cdf/prepareCdfData';
import { plugin } from './module';
import { defaultOptions } from './types';

const theme = createTheme();

// Grafana registers its standard field options (unit, decimals, colour …) when it starts; here
// each one is a plain value of the same id and path.
standardFieldConfigEditorRegistry.setInit(() =>
  Object.values(FieldConfigProperty).map(
    (id): FieldConfigPropertyItem => ({
      id,
      path: id,
      name: id,
      editor: () => null,
      override: () => null,
      process: (value) => value,
      shouldApply: () => true,
    })
  )
);

/** histogram_quantile series as Grafana's Prometheus data source returns them: seconds, no unit, no metric name. */
function quantileSeconds(legend: string, values: number[]): DataFrame {
  return createDataFrame({
    refId: legend,
    fields: [
      { name: 'Time', type: FieldType.time, values: values.map((_, i) => 60_000 * (i + 1)) },
      { name: 'Value', type: FieldType.number, values, labels: { job: 'api' }, config: { displayNameFromDS: legend } },
    ],
  });
}

/** What Grafana hands the panel: the frames with the dashboard's field config applied through the panel's registry. */
function withFieldConfig(frames: DataFrame[], fieldConfig: FieldConfigSource): DataFrame[] {
  return applyFieldOverrides({
    data: frames,
    fieldConfig,
    fieldConfigRegistry: plugin.fieldConfigRegistry,
    replaceVariables: (s) => s,
    theme,
    timeZone: 'utc',
  });
}

describe('the panel’s standard field options', () => {
  it.each(['unit', 'min', 'max', 'displayName', 'decimals'])('offers %s', (id) => {
    expect(plugin.fieldConfigRegistry.getIfExists(id)).toBeDefined();
  });

  it.each(['color', 'thresholds', 'mappings', 'noValue'])('does not offer %s, which no view draws', (id) => {
    expect(plugin.fieldConfigRegistry.getIfExists(id)).toBeUndefined();
  });

  it('a unit of seconds set for the panel reads histogram_quantile series in seconds', () => {
    const frames = withFieldConfig([quantileSeconds('p50', [0.1, 0.2]), quantileSeconds('p99', [0.5, 0.8])], {
      defaults: { unit: 's' },
      overrides: [],
    });
    const d = prepareBandsData(frames, defaultOptions.bands, theme);
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    expect(d.groups[0].values.map((v) => Array.from(v))).toEqual([
      [100, 200],
      [500, 800],
    ]);
  });

  it('Min and Max set for the panel bound the bands’ value axis, in the field’s unit', () => {
    const frames = withFieldConfig([quantileSeconds('p50', [0.1, 0.2]), quantileSeconds('p99', [0.5, 0.8])], {
      defaults: { unit: 's', min: 0, max: 2 },
      overrides: [],
    });
    const d = prepareBandsData(frames, defaultOptions.bands, theme);
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    expect(bandsYRange(d)).toEqual([0, 2000]);
  });

  it('Min and Max set on raw durations bound the CDF’s duration axis', () => {
    const frames = withFieldConfig([quantileSeconds('latency', [0.1, 0.2, 0.3])], {
      defaults: { unit: 'ms', min: 0.05, max: 10 },
      overrides: [],
    });
    const d = prepareCdfData(frames, defaultOptions.cdf, theme);
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    expect(cdfXRange(d)).toEqual([0.05, 10]);
  });

  it('a display name override names the CDF curve', () => {
    const frames = withFieldConfig([quantileSeconds('latency', [0.1, 0.2, 0.3])], {
      defaults: { color: { mode: FieldColorModeId.PaletteClassic } },
      overrides: [{ matcher: { id: FieldMatcherID.numeric }, properties: [{ id: 'displayName', value: 'Checkout' }] }],
    });
    const d = prepareCdfData(frames, defaultOptions.cdf, theme);
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    expect(d.series.map((s) => s.name)).toEqual(['Checkout']);
  });

  it('Decimals set for the panel reach every CDF curve and its duration axis; an override one curve', () => {
    const frames = withFieldConfig([quantileSeconds('checkout', [0.1, 0.2, 0.3]), quantileSeconds('search', [0.1, 0.2])], {
      defaults: { unit: 's', decimals: 1 },
      overrides: [{ matcher: { id: FieldMatcherID.byFrameRefID, options: 'search' }, properties: [{ id: 'decimals', value: 3 }] }],
    });
    const d = prepareCdfData(frames, defaultOptions.cdf, theme);
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    expect(d.series.map((s) => [s.name, s.decimals])).toEqual([
      ['checkout', 1],
      ['search', 3],
    ]);
    expect(d.decimals).toBe(1);
  });

  it('without Decimals the CDF curves have none (the default look)', () => {
    const d = prepareCdfData(withFieldConfig([quantileSeconds('latency', [0.1, 0.2])], { defaults: {}, overrides: [] }), defaultOptions.cdf, theme);
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    expect(d.series[0].decimals).toBeUndefined();
    expect(d.decimals).toBeUndefined();
  });

  it('Decimals set for the panel reach the percentile bands and their value axis', () => {
    const frames = withFieldConfig([quantileSeconds('p50', [0.1, 0.2]), quantileSeconds('p99', [0.5, 0.8])], {
      defaults: { unit: 's', decimals: 2 },
      overrides: [],
    });
    const d = prepareBandsData(frames, defaultOptions.bands, theme);
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    expect(d.groups[0].decimals).toBe(2);
    expect(d.decimals).toBe(2);
  });

  it('Decimals set by an override on any bucket of a histogram reach its curve', () => {
    const bucket = (le: string, values: number[]) =>
      createDataFrame({
        refId: 'A',
        fields: [
          { name: 'Time', type: FieldType.time, values: values.map((_, i) => 60_000 * (i + 1)) },
          { name: 'Value', type: FieldType.number, values, labels: { le }, config: { displayNameFromDS: `le ${le}` } },
        ],
      });
    const frames = withFieldConfig([bucket('0.1', [1, 2]), bucket('+Inf', [3, 4])], {
      defaults: {},
      overrides: [{ matcher: { id: FieldMatcherID.byRegexp, options: '.*Inf.*' }, properties: [{ id: 'decimals', value: 2 }] }],
    });
    const d = prepareCdfData(frames, defaultOptions.cdf, theme);
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    expect(d.series[0].decimals).toBe(2);
  });
});
