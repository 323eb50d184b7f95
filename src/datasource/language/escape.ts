/**
 * Stage 2 (query building): how a value becomes a literal in each query language.
 * Guarantees to the next stage: the returned text, placed between the named delimiters,
 * parses as exactly one literal whose value is the input; nothing in the input can end
 * the literal early.
 */

/**
 * Body of a double-quoted PromQL, LogQL or TraceQL string (all three unquote with Go's
 * rules): backslash, the quote and control characters are escaped.
 */
export function escapeDoubleQuoted(value: string): string {
  return escapeQuoted(value, '"');
}

/** Body of a single-quoted PromQL string. */
export function escapeSingleQuoted(value: string): string {
  return escapeQuoted(value, "'");
}

function escapeQuoted(value: string, quote: '"' | "'"): string {
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case quote:
        out += '\\' + quote;
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default: {
        const code = ch.codePointAt(0) ?? 0;
        out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
      }
    }
  }
  return out;
}

/** A complete double-quoted string literal. */
export const quoteString = (value: string): string => `"${escapeDoubleQuoted(value)}"`;

/** RE2 (Go regexp.QuoteMeta): the value matches itself literally inside a regex. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** A regex alternation that matches exactly one of the values, each literally. */
export function regexAlternation(values: string[]): string {
  if (values.length === 1) {
    return escapeRegex(values[0]);
  }
  return `(?:${values.map(escapeRegex).join('|')})`;
}

/** PromQL / LogQL label names and TraceQL attribute names we accept from a builder. */
export const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const METRIC_NAME = /^[A-Za-z_:][A-Za-z0-9_:]*$/;
/** TraceQL attribute: optional scope, dotted name; anything else must be quoted (not supported here). */
export const TRACEQL_ATTRIBUTE = /^(?:(?:span|resource|event|link|instrumentation)\.|\.)?[A-Za-z_][A-Za-z0-9_.\-/]*$/;

/** A logfmt value: bare when it is safe, otherwise quoted with Go escapes. */
export function logfmtValue(value: string): string {
  return value !== '' && /^[^\s="\\]+$/.test(value) ? value : `"${escapeDoubleQuoted(value)}"`;
}
