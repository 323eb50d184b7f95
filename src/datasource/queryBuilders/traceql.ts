/**
 * Stage 2: TraceQL from the search and latency builders.
 * Guarantees: values only ever appear as quoted strings, numbers or validated durations
 * (a tag value that reads as a number or boolean is matched as that literal or as the string);
 * attribute names are validated; the result is one `{ … }` span selector.
 */
import { quoteString, TRACEQL_ATTRIBUTE } from '../language/escape';
import { built, failed, isGoDuration, type BuildResult } from './buildResult';
import { parseLogfmt } from './logfmt';

export interface TraceSelectorState {
  service?: string;
  operation?: string;
  /** logfmt tags, e.g. `http.status_code=500 error=true`. */
  tags?: string;
  minDuration?: string;
  maxDuration?: string;
  /** Extra TraceQL conditions, written by the user (code), ANDed in parentheses. */
  filter?: string;
}

/**
 * Whether a whole number without leading zeros (`-?(0|[1-9]\d*)`) reads as an int64 in
 * Tempo, whose lexer takes a minus sign apart from the digits: those must fit on their own.
 */
function fitsInt64(digits: string): boolean {
  const abs = digits.startsWith('-') ? digits.slice(1) : digits;
  const limit = '9223372036854775807';
  return abs.length < limit.length || (abs.length === limit.length && abs <= limit);
}

/**
 * A typed TraceQL literal: numbers and booleans as such, anything else as a string. A
 * number is written bare only when Tempo's lexer reads it as that number: no leading zero
 * (`08` would be an invalid octal literal) and, when whole, within int64; other digits
 * ("08540") are a string. The backend's language.TraceQLLiteral follows the same rule.
 */
export function traceqlLiteral(value: string): string {
  if (value === 'true' || value === 'false') {
    return value;
  }
  if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?$/.test(value)) {
    if (value.includes('.')) {
      return value;
    }
    if (fitsInt64(value)) {
      return value;
    }
  }
  return quoteString(value);
}

/** `http.status_code` → `.http.status_code`; scoped names stay as they are. */
export function traceqlAttribute(key: string): string | undefined {
  if (!TRACEQL_ATTRIBUTE.test(key)) {
    return undefined;
  }
  return /^(?:span|resource|event|link|instrumentation)\.|^\./.test(key) ? key : `.${key}`;
}

export function buildTraceSelector(state: TraceSelectorState): BuildResult {
  const conds: string[] = [];
  if (state.service) {
    conds.push(`resource.service.name = ${quoteString(state.service)}`);
  }
  if (state.operation) {
    conds.push(`name = ${quoteString(state.operation)}`);
  }
  if (state.tags?.trim()) {
    const parsed = parseLogfmt(state.tags);
    if (!parsed.ok) {
      return failed(parsed.error);
    }
    for (const { key, value } of parsed.pairs) {
      const attr = traceqlAttribute(key);
      if (!attr) {
        return failed(`tags: ${JSON.stringify(key)} is not a TraceQL attribute name`);
      }
      if (/\$\w|\$\{|\[\[/.test(value)) {
        // Its literal (number, boolean or text) is known only once the variable has a value.
        return failed(`tags: the value of ${key} is a variable, matched as a number or as text by its value; write that condition in TraceQL`);
      }
      // Tempo matches `= 42` only on an int attribute and `= "42"` only on a string one; a
      // tag's value is text (as in Jaeger's tag search), so one that reads as a number or a
      // boolean matches either, as the backend's tempo.SpanSelector writes it.
      const lit = traceqlLiteral(value);
      const text = quoteString(value);
      conds.push(lit === text ? `${attr} = ${text}` : `(${attr} = ${lit} || ${attr} = ${text})`);
    }
  }
  for (const [op, d, name] of [
    ['>=', state.minDuration, 'min duration'],
    ['<=', state.maxDuration, 'max duration'],
  ] as const) {
    if (d?.trim()) {
      if (!isGoDuration(d)) {
        return failed(`${name} ${JSON.stringify(d)} is not a duration like 120ms or 1.5s`);
      }
      conds.push(`duration ${op} ${d.trim()}`);
    }
  }
  if (state.filter?.trim()) {
    conds.push(`(${state.filter.trim()})`);
  }
  return built(conds.length ? `{ ${conds.join(' && ')} }` : '{}');
}
