import type { ScopedVars, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

import type { ResolveVariable, VariableValue } from './language/interpolate';

/**
 * Reads a variable's raw value(s) through Grafana's TemplateSrv (scoped variables
 * included) without letting it format anything: the position in the query decides.
 */
export function templateResolver(templateSrv: TemplateSrv, scopedVars?: ScopedVars): ResolveVariable {
  return (name) => {
    let captured: VariableValue | undefined;
    templateSrv.replace(`\${${name}}`, scopedVars, (value: string | string[], variable?: TypedVariableModel) => {
      const values = (Array.isArray(value) ? value : [value]).map(String);
      const v = variable as { allValue?: string | null; current?: { value?: string | string[] } } | undefined;
      const current = v?.current?.value;
      const isAll = Array.isArray(current) ? current.includes('$__all') : current === '$__all';
      captured = isAll && v?.allValue ? { values, allValue: v.allValue } : { values };
      return '';
    });
    return captured;
  };
}
