import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

import { QUERY_MODEL_VERSION, type LensQuery } from '../shared/queryModel';
import { interpolate } from './language/interpolate';
import { templateResolver } from './templateResolver';
import { interpolateQuery } from './templateVariables';

interface FakeVariable {
  value: string | string[];
  text?: string | string[];
  options?: string[];
  allValue?: string;
}

type Format = string | ((value: unknown, variable: unknown) => string) | undefined;

/**
 * A TemplateSrv that answers as Grafana's does (the scenes interpolator and the older
 * TemplateSrv alike): a custom format function gets the value (an array for several), and
 * the variable as `{ name, type, multi, includeAll }`; "All" without a custom all value is
 * every option; "All" with a custom all value is that value, inserted as it is without
 * calling the format function, except for the `text` format, which gives "All".
 */
function fakeTemplateSrv(vars: Record<string, FakeVariable>): TemplateSrv {
  const replace = (target = '', scoped?: ScopedVars, format?: Format): string =>
    target.replace(/\$\{(\w+)(?::([^}]+))?\}|\$(\w+)/g, (whole: string, a?: string, fmt?: string, b?: string) => {
      const name = (a ?? b) as string;
      const scopedVar = scoped?.[name];
      const v = vars[name];
      if (!v && !scopedVar) {
        return whole;
      }
      const f: Format = fmt ?? format;
      const variable = { name, type: 'custom', multi: Array.isArray(v?.value), includeAll: true };
      let value: unknown = scopedVar ? scopedVar.value : v.value;
      if (!scopedVar && (value === '$__all' || (Array.isArray(value) && value.includes('$__all')))) {
        if (f === 'text') {
          return 'All';
        }
        if (v.allValue) {
          return v.allValue;
        }
        value = v.options ?? [];
      }
      if (typeof f === 'function') {
        return f(value, variable);
      }
      if (f === 'text') {
        const text = v?.text ?? value;
        return Array.isArray(text) ? text.join(' + ') : String(text);
      }
      if (f === 'date:seconds') {
        return String(Math.floor(Number(value) / 1000));
      }
      if (f === 'date' || f === 'date:iso') {
        return new Date(Number(value)).toISOString();
      }
      return Array.isArray(value) ? `{${value.join(',')}}` : String(value);
    });
  return { replace, getVariables: () => [], containsTemplate: () => true, updateTimeRange: () => {} } as unknown as TemplateSrv;
}

describe('templateResolver', () => {
  const srv = fakeTemplateSrv({
    one: { value: 'checkout' },
    many: { value: ['a', 'b'] },
    allPlain: { value: ['$__all'], options: ['x', 'y'] },
    allCustom: { value: ['$__all'], options: ['x', 'y'], allValue: '.*' },
    allCustomSingle: { value: '$__all', options: ['x', 'y'], allValue: '.+' },
  });
  const resolve = templateResolver(srv);

  it.each([
    ['one value', 'one', { values: ['checkout'] }],
    ['several values', 'many', { values: ['a', 'b'] }],
    ['"All" without a custom all value: every option', 'allPlain', { values: ['x', 'y'] }],
    ['"All" with a custom all value', 'allCustom', { values: ['.*'], allValue: '.*' }],
    ['"All" with a custom all value, single-value variable', 'allCustomSingle', { values: ['.+'], allValue: '.+' }],
    ['not a variable', 'nope', undefined],
  ])('%s', (_n, name, want) => {
    expect(resolve(name)).toEqual(want);
  });

  it('reads scoped variables (repeated panels)', () => {
    const r = templateResolver(srv, { one: { text: 'payment', value: 'payment' } });
    expect(r('one')).toEqual({ values: ['payment'] });
  });

  it('"All" with a custom all value stands as a regex in =~ and is refused in =', () => {
    expect(interpolate('up{service=~"$allCustom"}', 'promql', resolve)).toBe('up{service=~".*"}');
    expect(() => interpolate('up{service="$allCustom"}', 'promql', resolve)).toThrow(/several values/);
    const q: LensQuery = { refId: 'A', version: QUERY_MODEL_VERSION, queryType: 'logs', expr: '{service_name=~"$allCustom"}' };
    expect(interpolateQuery(q, resolve)).toMatchObject({ expr: '{service_name=~".*"}' });
  });
});

// Two of Grafana's formats choose another value rather than another spelling of it: `date`
// formats the dashboard's time range ($__from, $__to), and `text` gives the option's text.
// The position still decides the escaping.
describe('templateResolver: formats that choose the value', () => {
  const srv = fakeTemplateSrv({
    __to: { value: '1594671549254' },
    env: { value: 'prod-eu-1', text: 'Production (EU)' },
  });
  const resolve = templateResolver(srv);

  it.each<[string, 'promql' | 'logql', string, string]>([
    ['PromQL evaluated at the end of the range', 'promql', 'sum(rate(x[5m] @ ${__to:date:seconds}))', 'sum(rate(x[5m] @ 1594671549))'],
    ['the end of the range as ISO 8601 in a string', 'logql', '{a="b"} |= "${__to:date:iso}"', '{a="b"} |= "2020-07-13T20:19:09.254Z"'],
    ['milliseconds without a format', 'promql', 'x @ ${__to}', 'x @ 1594671549254'],
    ['an option\'s text, escaped for its string', 'logql', '{env="${env:text}"}', '{env="Production (EU)"}'],
    ['an option\'s value', 'logql', '{env="${env}"}', '{env="prod-eu-1"}'],
  ])('%s', (_n, lang, expr, want) => {
    expect(interpolate(expr, lang, resolve)).toBe(want);
  });

  it('in a metrics query too', () => {
    const q: LensQuery = { refId: 'A', version: QUERY_MODEL_VERSION, queryType: 'metrics', expr: 'x @ ${__to:date:seconds}' };
    expect(interpolateQuery(q, resolve)).toMatchObject({ expr: 'x @ 1594671549' });
  });
});
