/** The options editor (PanelPlugin builder); shapes and defaults live in types.ts. */
import { type PanelOptionsEditorBuilder } from '@grafana/data';

import { defaultOptions, type LensPanelOptions } from './types';

export function addPanelOptions(builder: PanelOptionsEditorBuilder<LensPanelOptions>) {
  const d = defaultOptions;
  const isView = (v: string) => (c: LensPanelOptions) => c.view === v || c.view === 'auto';
  builder
    .addRadio({
      path: 'view',
      name: 'View',
      description: 'Auto: waterfall for a trace, bands for percentile series, CDF otherwise.',
      defaultValue: d.view,
      settings: {
        options: [
          { value: 'auto', label: 'Auto' },
          { value: 'cdf', label: 'CDF' },
          { value: 'bands', label: 'Percentile bands' },
          { value: 'waterfall', label: 'Trace waterfall' },
        ],
      },
    })
    .addRadio({
      path: 'cdf.xScale',
      name: 'Duration axis',
      category: ['CDF'],
      defaultValue: d.cdf.xScale,
      settings: { options: [{ value: 'log', label: 'Log' }, { value: 'linear', label: 'Linear' }] },
      showIf: isView('cdf'),
    })
    .addBooleanSwitch({ path: 'cdf.complementary', name: 'Complementary (1 − F)', category: ['CDF'], defaultValue: d.cdf.complementary, showIf: isView('cdf') })
    .addTextInput({
      path: 'cdf.percentiles',
      name: 'Percentile markers',
      description: 'Comma-separated quantiles or percentiles, e.g. 0.5, 0.9, 0.99 or p50, p90, p99',
      category: ['CDF'],
      defaultValue: d.cdf.percentiles as unknown as string,
      showIf: isView('cdf'),
      settings: {},
    })
    .addTextInput({
      path: 'cdf.slos',
      name: 'SLO lines',
      description: '"X% under T" pairs, T in ms or with its unit, e.g. 99:300, 90:1.5s',
      category: ['CDF'],
      defaultValue: d.cdf.slos as unknown as string,
      showIf: isView('cdf'),
    })
    .addBooleanSwitch({
      path: 'cdf.showBucketUncertainty',
      name: 'Shade bucket uncertainty',
      category: ['CDF'],
      defaultValue: d.cdf.showBucketUncertainty,
      showIf: isView('cdf'),
    })
    .addSliderInput({
      path: 'cdf.searchWindow',
      name: 'Trace search window (±)',
      description: 'Clicking the curve at t searches traces with durations in t·(1 ± this).',
      category: ['CDF'],
      defaultValue: d.cdf.searchWindow,
      settings: { min: 0.01, max: 0.5, step: 0.01 },
      showIf: isView('cdf'),
    })
    .addBooleanSwitch({ path: 'bands.showMedian', name: 'Median line', category: ['Bands'], defaultValue: d.bands.showMedian, showIf: isView('bands') })
    .addBooleanSwitch({ path: 'bands.showExemplars', name: 'Exemplars', category: ['Bands'], defaultValue: d.bands.showExemplars, showIf: isView('bands') })
    .addTextInput({
      path: 'bands.thresholdsMs',
      name: 'Thresholds (ms)',
      description: 'Comma-separated, in ms or with a unit, e.g. 250, 1s',
      category: ['Bands'],
      defaultValue: d.bands.thresholdsMs as unknown as string,
      showIf: isView('bands'),
    })
    .addRadio({
      path: 'waterfall.colorBy',
      name: 'Span colour',
      category: ['Waterfall'],
      defaultValue: d.waterfall.colorBy,
      settings: {
        options: [
          { value: 'service', label: 'Service' },
          { value: 'percentile', label: 'Percentile rank in its operation' },
        ],
      },
      showIf: isView('waterfall'),
    })
    .addBooleanSwitch({ path: 'waterfall.showLogs', name: 'Show all log lines inline', category: ['Waterfall'], defaultValue: d.waterfall.showLogs, showIf: isView('waterfall') })
    .addBooleanSwitch({
      path: 'waterfall.showCriticalPath',
      name: 'Critical path',
      category: ['Waterfall'],
      defaultValue: d.waterfall.showCriticalPath,
      showIf: isView('waterfall'),
    });
}
