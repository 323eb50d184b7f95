/**
 * Stage 2 (query building): template variables in PromQL, LogQL, TraceQL and logfmt tags.
 *
 * Guarantees to the next stage: each variable reference is replaced by text escaped for
 * the place it stands in (inside a string, inside a regex string, or bare), so the
 * query has the same structure whatever the variable's value; a value that cannot be
 * placed safely raises an InterpolationError instead of being inserted. Explicit
 * formats (`${var:raw}`) are ignored on purpose: the position decides the escaping. Only
 * the formats that choose another value (`${__to:date:seconds}`, `${var:text}`) are handed
 * to the resolver.
 */
import { escapeDoubleQuoted, escapeRegex, escapeSingleQuoted, regexAlternation } from './escape';

export type QueryLanguage = 'promql' | 'logql' | 'traceql' | 'logfmt';

/** A variable's current value as the templating system hands it over. */
export interface VariableValue {
  values: string[];
  /** "All" is selected and the dashboard defines a custom all value (a regex by definition). */
  allValue?: string;
}

/**
 * Returns undefined for a name that is not a variable: the reference is left untouched.
 * `format` is the reference's explicit format (`${name:format}`), for the formats that
 * choose the value rather than its spelling (`date…`, `text`); a resolver may ignore it.
 */
export type ResolveVariable = (name: string, format?: string) => VariableValue | undefined;

export class InterpolationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InterpolationError';
  }
}

/** Grafana's variable syntaxes: $name, ${name}, ${name.field}, ${name:fmt}, [[name]], [[name:fmt]]. */
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/y;

type Context =
  | { kind: 'bare' }
  | { kind: 'string'; quote: '"' | "'" | '`'; regex: boolean };

/** Does the text just before a string literal make it a regex (`=~`, `!~`, `|~`, `regexp`)? */
function opensRegex(before: string, lang: QueryLanguage): boolean {
  const t = before.trimEnd();
  if (t.endsWith('=~') || t.endsWith('!~')) {
    return true;
  }
  if (lang === 'logql' && (t.endsWith('|~') || /\|\s*regexp$/.test(t))) {
    return true;
  }
  return false;
}

export function interpolate(expr: string, lang: QueryLanguage, resolve: ResolveVariable): string {
  let out = '';
  let ctx: Context = { kind: 'bare' };
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i];
    if (ch === '$' || ch === '[') {
      VARIABLE.lastIndex = i;
      const m = VARIABLE.exec(expr);
      if (m) {
        const name = m[1] ?? m[2] ?? m[4];
        const value = resolve(name, m[3] ?? m[6]);
        if (value === undefined) {
          out += m[0];
        } else {
          out += render(name, value, ctx, lang, expr, i, i + m[0].length);
        }
        i += m[0].length;
        continue;
      }
    }
    if (ctx.kind === 'string') {
      if (ch === '\\' && ctx.quote !== '`' && i + 1 < expr.length) {
        out += ch + expr[i + 1];
        i += 2;
        continue;
      }
      if (ch === ctx.quote) {
        ctx = { kind: 'bare' };
      }
    } else if (ch === '"' || ch === '`' || (ch === "'" && lang === 'promql')) {
      ctx = { kind: 'string', quote: ch, regex: lang !== 'logfmt' && opensRegex(expr.slice(0, i), lang) };
    } else if (ch === '#' && lang === 'promql') {
      // A comment runs to the end of the line; copy it verbatim.
      const end = expr.indexOf('\n', i);
      const stop = end < 0 ? expr.length : end;
      out += expr.slice(i, stop);
      i = stop;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

function render(
  name: string,
  v: VariableValue,
  ctx: Context,
  lang: QueryLanguage,
  expr: string,
  start: number,
  end: number
): string {
  const shown = (s: string) => JSON.stringify(s);
  if (ctx.kind === 'string') {
    let body: string;
    if (ctx.regex) {
      body = v.allValue !== undefined ? v.allValue : v.values.length === 0 ? '' : regexAlternation(v.values);
    } else {
      if (v.values.length > 1 || v.allValue !== undefined) {
        throw new InterpolationError(
          `variable $${name} has several values; in ${lang} it can only stand in a regex string (=~)`
        );
      }
      body = v.values[0] ?? '';
    }
    switch (ctx.quote) {
      case '"':
        return escapeDoubleQuoted(body);
      case "'":
        return escapeSingleQuoted(body);
      case '`':
        if (body.includes('`')) {
          throw new InterpolationError(
            `variable $${name} = ${shown(body)} contains a backtick and cannot stand in a raw string; use "…"`
          );
        }
        return body;
    }
  }
  if (lang === 'logfmt') {
    return renderLogfmtBare(name, v, expr, start, end);
  }
  // Bare: one name, number or duration; never an operator keyword.
  if (v.allValue !== undefined || v.values.length !== 1) {
    throw new InterpolationError(`variable $${name} must have exactly one value outside a string in ${lang}`);
  }
  const value = v.values[0];
  if (!/^[A-Za-z0-9_:.]+$/.test(value) || KEYWORDS.has(value.toLowerCase())) {
    throw new InterpolationError(
      `variable $${name} = ${shown(value)} cannot stand outside a string in ${lang}: only names, numbers and durations can`
    );
  }
  return value;
}

/** Words that would turn a bare name into an operator or modifier. */
const KEYWORDS = new Set([
  'and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'atan2',
  'not', 'nil',
]);

/** logfmt (`key=value key2="quoted value"`): a bare value that needs quotes gets them when it is the whole value. */
function renderLogfmtBare(name: string, v: VariableValue, expr: string, start: number, end: number): string {
  if (v.values.length !== 1 || v.allValue !== undefined) {
    throw new InterpolationError(`variable $${name} must have exactly one value in tags`);
  }
  const value = v.values[0];
  if (value !== '' && /^[^\s="\\]+$/.test(value)) {
    return value;
  }
  const wholeValue = expr[start - 1] === '=' && (end === expr.length || /\s/.test(expr[end]));
  if (!wholeValue) {
    throw new InterpolationError(
      `variable $${name} = ${JSON.stringify(value)} needs quotes in tags; write key="$${name}"`
    );
  }
  return `"${escapeDoubleQuoted(value)}"`;
}

/** For tests and builders: a resolver over a plain record. */
export function resolverFrom(vars: Record<string, string | string[]>): ResolveVariable {
  return (name) => {
    if (!(name in vars)) {
      return undefined;
    }
    const v = vars[name];
    return { values: Array.isArray(v) ? v : [v] };
  };
}

export { escapeRegex };
