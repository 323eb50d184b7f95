/**
 * Stage 3 (parsing): how one Loki entry yields its trace and span IDs under each extraction
 * mode of settings.ts. The config editor's live preview runs it on a pasted sample; the
 * backend (pkg/stores/loki) applies the same rules to every line; the JSON-path and logfmt
 * cases in pkg/stores/loki/testdata/extraction_cases.json run on both sides:
 *
 *  - label: the stream label named by the key, else the structured-metadata key: without
 *    `categorize-labels` Loki gives structured metadata as labels, and the trace query's
 *    label filter matches it (the backend reads stream labels, structured metadata, then
 *    parsed labels).
 *  - structuredMetadata: the structured-metadata key (Loki 3 `categorize-labels`); without
 *    that flag Loki merges metadata into the labels, so the stream labels are read next.
 *  - json: the line parsed as one JSON value, read by a path (see jsonPath).
 *  - logfmt: the line parsed as logfmt (see parseLogfmtLine); the first occurrence wins.
 *  - regex: Go RE2 on the line; the first capture group when there is one, else the whole match.
 *
 * Every found value then goes through the one normaliser (shared/traceId.ts).
 * Guarantees: never throws; each ID is `found` (raw + normalised), `invalid` (raw + the
 * normaliser's error), or `missing`.
 */
import type { TraceIdExtraction } from '../shared/settings';
import { normalizeSpanId, normalizeTraceId, type NormalizeResult } from '../shared/traceId';
import { LABEL_NAME } from './language/escape';

export interface SampleEntry {
  line: string;
  /** Stream labels. */
  labels?: Record<string, string>;
  /** Structured metadata (categorize-labels). */
  structuredMetadata?: Record<string, string>;
}

export type ExtractedId =
  | { status: 'found'; raw: string; id: string }
  | { status: 'invalid'; raw: string; error: string }
  | { status: 'missing'; reason: string };

export interface ExtractionPreview {
  traceId: ExtractedId;
  /** Absent when the mode has no span key configured. */
  spanId?: ExtractedId;
  /** A problem with the rule (one the backend refuses, see extractionRuleProblem) or the sample (a line that is not JSON). */
  problem?: string;
}

type Lookup = { value?: string; problem?: string };

export function previewExtraction(rule: TraceIdExtraction, entry: SampleEntry): ExtractionPreview {
  const [traceKey, spanKey] = keys(rule);
  const find = finder(rule, entry);
  const trace = find(traceKey, 'trace');
  const out: ExtractionPreview = { traceId: toId(trace, normalizeTraceId, traceKey) };
  const ruleProblem = extractionRuleProblem(rule);
  if (spanKey) {
    const span = find(spanKey, 'span');
    out.spanId = toId(span, normalizeSpanId, spanKey);
    out.problem = ruleProblem ?? trace.problem ?? span.problem;
  } else {
    out.problem = ruleProblem ?? trace.problem;
  }
  return out;
}

/**
 * What the backend (parseExtraction in pkg/settings) refuses in a rule, or undefined: it
 * then refuses the logs store as a whole, so the editor says it before the rule is saved.
 */
export function extractionRuleProblem(rule: TraceIdExtraction): string | undefined {
  switch (rule.mode) {
    case 'label':
    case 'structuredMetadata':
    case 'logfmt': {
      if (!rule.traceIdKey) {
        return 'A trace ID key is required';
      }
      for (const key of [rule.traceIdKey, rule.spanIdKey ?? '']) {
        if (rule.mode === 'logfmt' && /[ \t\n\v\f\r="]/.test(key)) {
          return `${JSON.stringify(key)} cannot be a logfmt key: a key has no white space, = or "`;
        }
        // Label and structured-metadata keys are written unquoted into LogQL filters.
        if (rule.mode !== 'logfmt' && key && !LABEL_NAME.test(key)) {
          return `${JSON.stringify(key)} is not a Loki label name (letters, digits and _, not starting with a digit)`;
        }
      }
      return undefined;
    }
    case 'json': {
      if (!rule.traceIdPath) {
        return 'A trace ID JSON path is required';
      }
      const spanPath = rule.spanIdPath && trimSpace(rule.spanIdPath) ? rule.spanIdPath : '';
      for (const path of [rule.traceIdPath, spanPath]) {
        const parsed = path ? parseJsonPath(path) : undefined;
        if (parsed && 'error' in parsed) {
          return `The JSON path ${JSON.stringify(path)}: ${parsed.error}`;
        }
        if (parsed && parsed.rest.replace(/^[.[\]]+|[.[\]]+$/g, '') === '') {
          return `The JSON path ${JSON.stringify(path)} names no field (write it as a.b[0].c, optionally after $., and a key with dots as a["b.c"])`;
        }
      }
      return undefined;
    }
    case 'regex': {
      if (!rule.traceIdRegex) {
        return 'A trace ID regex is required';
      }
      for (const [what, source] of [
        ['trace', rule.traceIdRegex],
        ['span', rule.spanIdRegex ?? ''],
      ]) {
        const re = source ? goRegex(source) : undefined;
        if (typeof re === 'string') {
          return `${what} ID regex: ${re}`;
        }
        if (re?.test('')) {
          return `The ${what} ID regex matches the empty string, so it reads an empty ID from most lines; require at least one character (+ rather than *)`;
        }
      }
      return undefined;
    }
  }
}

function keys(rule: TraceIdExtraction): [string, string | undefined] {
  switch (rule.mode) {
    case 'json':
      // A blank span path is no span path, as the backend's settings read it.
      return [rule.traceIdPath, rule.spanIdPath?.trim() ? rule.spanIdPath : undefined];
    case 'regex':
      return [rule.traceIdRegex, rule.spanIdRegex || undefined];
    default:
      return [rule.traceIdKey, rule.spanIdKey || undefined];
  }
}

function toId(l: Lookup, normalize: (s: string) => NormalizeResult, key: string): ExtractedId {
  if (l.value === undefined) {
    return { status: 'missing', reason: l.problem ?? `${JSON.stringify(key)} not found` };
  }
  const n = normalize(l.value);
  return n.ok ? { status: 'found', raw: l.value, id: n.id } : { status: 'invalid', raw: l.value, error: n.error };
}

function finder(rule: TraceIdExtraction, entry: SampleEntry): (key: string, what: string) => Lookup {
  switch (rule.mode) {
    case 'label':
      return (key) => ({ value: entry.labels?.[key] ?? entry.structuredMetadata?.[key] });
    case 'structuredMetadata':
      return (key) => ({ value: entry.structuredMetadata?.[key] ?? entry.labels?.[key] });
    case 'logfmt': {
      const pairs = parseLogfmtLine(entry.line);
      return (key) => ({ value: pairs.find((p) => p[0] === key)?.[1] });
    }
    case 'json': {
      let doc: unknown;
      let problem: string | undefined;
      try {
        doc = JSON.parse(entry.line);
      } catch {
        problem = 'the line is not JSON';
      }
      return (path) => (problem ? { problem } : { value: jsonPath(doc, path) });
    }
    case 'regex':
      return (source, what) => {
        const re = goRegex(source);
        if (typeof re === 'string') {
          return { problem: `${what} ID regex: ${re}` };
        }
        const m = re.exec(entry.line);
        if (!m) {
          return {};
        }
        return { value: m.length > 1 ? m[1] : m[0] };
      };
  }
}

/** ASCII whitespace: what separates logfmt pairs and is trimmed off JSON paths. */
const SPACE = ' \t\n\v\f\r';

/**
 * The string or number at a JSON path (`$.a.b[0].c`, `a.b`, `trace.id`, `attributes["trace.id"]`),
 * read as the backend reads it (JSONPath in pkg/stores/loki/extract.go):
 *  - ASCII whitespace around the path is ignored, and so is a leading `$` (`$.a.b`, `$[0]`);
 *  - when the document is an object with a member named by the whole rest (`trace.id`), that
 *    member is the value;
 *  - otherwise the rest is a walk from the top (see parseJsonPath);
 *  - a string is taken as is, a number as JavaScript spells it (the backend keeps the line's
 *    spelling, which differs only beyond 2^53, for exponents and for fractions); anything
 *    else, or a path that names nothing or does not parse, is "not found" (undefined).
 */
export function jsonPath(doc: unknown, path: string): string | undefined {
  const parsed = parseJsonPath(path);
  if ('error' in parsed || parsed.rest === '') {
    return undefined;
  }
  if (isObject(doc)) {
    const whole = scalar(own(doc, parsed.rest));
    if (whole !== undefined) {
      return whole;
    }
  }
  let cur: unknown = doc;
  for (const step of parsed.steps) {
    if (Array.isArray(cur)) {
      if (step.quoted || !/^\d+$/.test(step.name)) {
        return undefined;
      }
      cur = cur[Number(step.name)];
    } else if (isObject(cur) && !step.index) {
      cur = own(cur, step.name);
    } else {
      return undefined;
    }
  }
  return scalar(cur);
}

/** One step of a JSON path: a member, or (`index`, written `[n]`) an array's index. */
interface JsonPathStep {
  name: string;
  /** Written `[n]`: only an array's index. */
  index?: boolean;
  /** Written `["name"]` or `['name']`: only an object's member. */
  quoted?: boolean;
}

/**
 * A JSON extraction path as the backend reads it (settings.ParseJSONPath in pkg/settings):
 * `rest` is the path without the ASCII whitespace around it and a leading `$` (or `$.`),
 * `steps` the walk it spells:
 *  - a name (a run of characters other than `.`, `[` and `]`) is a member, or, when all
 *    digits, also an array's index;
 *  - `[n]` is an array's index;
 *  - `["key"]` (a JSON string) and `['key']` (taken as written) are a member whose name may
 *    hold `.`, `[` and `]` (OpenTelemetry's `attributes["trace.id"]`);
 *  - other `.`, `[` and `]` only separate.
 * A quoted key in brackets not closed by its quote and `]`, or a double-quoted one that is
 * not a JSON string, is an error.
 */
export function parseJsonPath(path: string): { rest: string; steps: JsonPathStep[] } | { error: string } {
  let p = trimSpace(path);
  if (p.startsWith('$')) {
    p = p.slice(1).replace(/^\./, '');
  }
  const steps: JsonPathStep[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '.' || c === ']') {
      i++;
    } else if (c === '[') {
      const index = /^\[(\d+)\]/.exec(p.slice(i));
      if (index) {
        steps.push({ name: index[1], index: true });
        i += index[0].length;
      } else if (p[i + 1] === '"' || p[i + 1] === "'") {
        const key = quotedJsonKey(p, i);
        if ('error' in key) {
          return key;
        }
        steps.push({ name: key.name, quoted: true });
        i = key.end;
      } else {
        i++;
      }
    } else {
      let j = i;
      while (j < p.length && p[j] !== '.' && p[j] !== '[' && p[j] !== ']') {
        j++;
      }
      steps.push({ name: p.slice(i, j) });
      i = j;
    }
  }
  return { rest: p, steps };
}

/**
 * The quoted key in brackets opening at p[i] (`[`), quoted by p[i + 1]: a double-quoted key
 * is a JSON string, a single-quoted one runs as written to the next `'`; `end` is past its `]`.
 */
function quotedJsonKey(p: string, i: number): { name: string; end: number } | { error: string } {
  const quote = p[i + 1];
  let j = i + 2;
  while (j < p.length && p[j] !== quote) {
    if (quote === '"' && p[j] === '\\') {
      j++;
    }
    j++;
  }
  if (j + 1 >= p.length || p[j + 1] !== ']') {
    return { error: `the key in brackets at ${p.slice(i)} is not closed (write ["key"] or ['key'])` };
  }
  if (quote === "'") {
    return { name: p.slice(i + 2, j), end: j + 2 };
  }
  try {
    const name: unknown = JSON.parse(p.slice(i + 1, j + 1));
    if (typeof name === 'string') {
      return { name, end: j + 2 };
    }
  } catch {
    // not a JSON string
  }
  return { error: `the key in brackets ${p.slice(i, j + 2)} is not a JSON string` };
}

function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && SPACE.includes(s[a])) {
    a++;
  }
  while (b > a && SPACE.includes(s[b - 1])) {
    b--;
  }
  return s.slice(a, b);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number' && Number.isFinite(v)) {
    return String(v);
  }
  return undefined;
}

/**
 * logfmt as the backend reads it (LogfmtValue in pkg/stores/loki/extract.go):
 *  - pairs are separated by ASCII whitespace (space, tab, line breaks, \v, \f) outside quotes;
 *  - a key is a run of characters other than whitespace, `=` and `"`; a key without `=` is a
 *    bare key with an empty value; a `=` or `"` where a key would start is skipped;
 *  - a value is a double-quoted string, unescaped as a JSON string (left as written, without
 *    its quotes, when it is not a valid one), or a run of characters other than whitespace
 *    and `"` (an unterminated quote gives an empty value).
 */
export function parseLogfmtLine(line: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const re = /([^ \t\n\v\f\r="]+)(?:=("(?:[^"\\]|\\[\s\S])*"|[^ \t\n\v\f\r"]*))?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) {
    let value = m[2] ?? '';
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value);
      } catch {
        value = value.slice(1, -1);
      }
    }
    out.push([m[1], value]);
  }
  return out;
}

/**
 * An RE2 pattern as a JS RegExp: `(?P<name>` becomes `(?<name>`, a leading `(?i)`/`(?s)`
 * becomes a flag, and what RE2 writes otherwise than JavaScript is spelt as JavaScript reads
 * it (see fromRe2). Returns the error text when the pattern does not compile.
 */
export function goRegex(source: string): RegExp | string {
  let flags = '';
  let s = source;
  const lead = /^\(\?([ims]+)\)/.exec(s);
  if (lead) {
    flags = Array.from(new Set(lead[1])).join('');
    s = s.slice(lead[0].length);
  }
  s = fromRe2(s.replace(/\(\?P</g, '(?<'));
  try {
    return new RegExp(s, flags);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** RE2's ASCII classes (`[[:xdigit:]]`), as the members of a JavaScript character class. */
const POSIX_CLASSES = new Map([
  ['alnum', '0-9A-Za-z'],
  ['alpha', 'A-Za-z'],
  ['ascii', '\\x00-\\x7F'],
  ['blank', '\\t '],
  ['cntrl', '\\x00-\\x1F\\x7F'],
  ['digit', '0-9'],
  ['graph', '!-~'],
  ['lower', 'a-z'],
  ['print', ' -~'],
  ['punct', '!-\\/:-@\\[-`{-~'],
  ['space', '\\t\\n\\v\\f\\r '],
  ['upper', 'A-Z'],
  ['word', '0-9A-Za-z_'],
  ['xdigit', '0-9A-Fa-f'],
]);

/**
 * The RE2 syntax that JavaScript reads otherwise, or not at all, rewritten: an ASCII class
 * inside brackets (`[[:xdigit:]]`, which JavaScript reads as a class of the letters of its
 * name), a `]` first in a class (a member in RE2, the end of an empty class in JavaScript),
 * and the anchors `\A` and `\z` (start and end of the text; `^` and `$` without the m flag).
 */
function fromRe2(s: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      const next = s[i + 1];
      out += !inClass && next === 'A' ? '^' : !inClass && next === 'z' ? '$' : c + next;
      i++;
    } else if (inClass) {
      const end = c === '[' && s[i + 1] === ':' ? s.indexOf(':]', i + 2) : -1;
      const members = end > 0 ? POSIX_CLASSES.get(s.slice(i + 2, end)) : undefined;
      if (members !== undefined) {
        out += members;
        i = end + 1;
      } else {
        inClass = c !== ']';
        out += c;
      }
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (s[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (s[i + 1] === ']') {
        out += '\\]';
        i++;
      }
    } else {
      out += c;
    }
  }
  return out;
}

/** Labels typed as `{a="b", c="d"}` or `a=b c="d"` in the preview box. */
export function parseLabelText(text: string): Record<string, string> {
  const inner = text.trim().replace(/^\{/, '').replace(/\}$/, '');
  const out: Record<string, string> = {};
  for (const [k, v] of parseLogfmtLine(inner.replace(/,\s*/g, ' '))) {
    out[k] = v;
  }
  return out;
}
