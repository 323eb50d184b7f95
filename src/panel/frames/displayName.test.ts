import { createDataFrame, createTheme, FieldType, type DataFrame } from '@grafana/data';

import { prepareBandsData } from '../bands/prepareBandsData';
import { prepareCdfData } from '../cdf/prepareCdfData';
import { defaultOptions } from '../types';

const theme = createTheme();

/** A Prometheus series as Grafana's data source returns it, with the legend in displayNameFromDS and the dashboard's display name override applied. */
function series(legend: string, override: string | undefined, values: number[]): DataFrame {
  return createDataFrame({
    refId: 'A',
    name: legend,
    fields: [
      { name: 'Time', type: FieldType.time, values: values.map((_, i) => 1000 * (i + 1)) },
      {
        name: 'Value',
        type: FieldType.number,
        values,
        labels: { service: 'checkout' },
        config: { displayNameFromDS: legend, ...(override ? { displayName: override } : {}), unit: 'ms' },
      },
    ],
  });
}

describe('a display name set in the dashboard (field override) names the series, as in Grafana’s own panels', () => {
  it('CDF legend', () => {
    const d = prepareCdfData([series('checkout', 'Checkout (prod)', [1, 2, 3])], defaultOptions.cdf, theme);
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    expect(d.series.map((s) => s.name)).toEqual(['Checkout (prod)']);
  });

  it('bands group, the quantile still read from the legend', () => {
    const frames = [series('checkout p50', 'Checkout p50', [1, 2, 3]), series('checkout p99', 'Checkout p99', [5, 6, 7])];
    const d = prepareBandsData(frames, defaultOptions.bands, theme);
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    expect(d.groups.map((g) => [g.name, g.quantiles])).toEqual([['Checkout', [0.5, 0.99]]]);
  });

  it('bands group when the display name says no quantile: the legend gives it', () => {
    const frames = [series('p50', 'Checkout', [1, 2, 3]), series('p99', 'Checkout', [5, 6, 7])];
    const d = prepareBandsData(frames, defaultOptions.bands, theme);
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    expect(d.groups.map((g) => [g.name, g.quantiles])).toEqual([['Checkout', [0.5, 0.99]]]);
  });
});
