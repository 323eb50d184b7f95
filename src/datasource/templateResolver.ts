import type { ScopedVars, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

import type { ResolveVariable, VariableValue } from './language/interpolate';

/**
 * Grafana's formats that choose another value rather than another spelling of it:
 * `date[:…]` (the time range, `${__from:date:seconds}`) and `text` (an option's text).
 */
const VALUE_FORMAT = /^(?:text|date(?::.*)?)$/;

/** What Grafana's `text` format gives for a variable set to "All". */
const ALL_TEXT = 'All';

/**
 * Reads a variable's raw value(s) through Grafana's TemplateSrv (scoped variables
 * included) without letting it format anything: the position in the query decides.
 *
 * "All" with a custom all value never reaches a format function: Grafana (its scenes
 * interpolator and the older TemplateSrv alike) inserts that value as it is. So a name
 * that comes back as something else than its reference without the function being called
 * is such a value when its `text` is "All", and otherwise one plain value (a macro).
 */
export function templateResolver(templateSrv: TemplateSrv, scopedVars?: ScopedVars): ResolveVariable {
  return (name, format) => {
    if (format && VALUE_FORMAT.test(format)) {
      // Grafana picks the value (the time range as a date, an option's text); the place
      // in the query still escapes it.
      const formatted = `\${${name}:${format}}`;
      const out = templateSrv.replace(formatted, scopedVars);
      return out === formatted ? undefined : { values: [out] };
    }
    let captured: VariableValue | undefined;
    const reference = `\${${name}}`;
    const out = templateSrv.replace(reference, scopedVars, (value: string | string[], variable?: TypedVariableModel) => {
      const values = (Array.isArray(value) ? value : [value]).map(String);
      const v = variable as { allValue?: string | null; current?: { value?: string | string[] } } | undefined;
      const current = v?.current?.value;
      const isAll = Array.isArray(current) ? current.includes('$__all') : current === '$__all';
      captured = isAll && v?.allValue ? { values, allValue: v.allValue } : { values };
      return '';
    });
    if (captured || out === reference) {
      return captured;
    }
    if (templateSrv.replace(`\${${name}:text}`, scopedVars) === ALL_TEXT) {
      return { values: [out], allValue: out };
    }
    return { values: [out] };
  };
}
