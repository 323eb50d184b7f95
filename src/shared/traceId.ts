/**
 * Stage 1-2: the one trace/span ID normaliser of the frontend. It follows pkg/traceid
 * rule for rule, so an ID the editor accepts is one the backend accepts, and the same
 * two spellings compare equal on both sides.
 *
 * Guarantees to the next stage: `ok` results are 32 (trace) or 16 (span) lower-case hex
 * digits, never all zeros; errors quote the input.
 */

export type NormalizeResult = { ok: true; id: string } | { ok: false; error: string };

const TRACE_HEX_LEN = 32;
const SPAN_HEX_LEN = 16;

/**
 * Hex of up to 32 digits in any case (leading zeros may be stripped), UUID dashes at full width, or base64 of 8 or 16
 * bytes; also inside the W3C traceparent or B3 single header value it was propagated in, and between quotes, brackets
 * or the punctuation of the text around it (`trace_id=[…],`), as log lines write it.
 */
export function normalizeTraceId(input: string): NormalizeResult {
  return normalize(input, TRACE_HEX_LEN, 'trace');
}

/** Hex of up to 16 digits or base64 of 8 bytes, or inside a header value and punctuation as for a trace ID. */
export function normalizeSpanId(input: string): NormalizeResult {
  return normalize(input, SPAN_HEX_LEN, 'span');
}

/** Go's %q for the inputs that matter here (quotes, backslashes, control characters). */
export function quoteGo(s: string): string {
  return JSON.stringify(s);
}

function normalize(input: string, width: number, what: 'trace' | 'span'): NormalizeResult {
  let s = input.trim();
  if (s === '') {
    return { ok: false, error: `${what} ID ${quoteGo(input)} is empty` };
  }
  s = trimPunctuation(s);
  const header = headerIds(s);
  if (header) {
    return finish(width === TRACE_HEX_LEN ? header.trace : header.span, width, what, input);
  }
  const h = hexDigits(s, width);
  if (h !== undefined) {
    return finish(h, width, what, input);
  }
  const bytes = decodeBase64(s);
  if (bytes && (bytes.length === width / 2 || (width === TRACE_HEX_LEN && bytes.length === 8))) {
    return finish(toHex(bytes), width, what, input);
  }
  return {
    ok: false,
    error: `${what} ID ${quoteGo(input)} is neither hex of up to ${width} digits nor base64 of ${width / 2} bytes`,
  };
}

/**
 * What may stand before and after an ID in text: quotes, brackets, and (after it) the punctuation of a sentence or a
 * list. None is a hex or base64 digit, nor base64's padding.
 */
const OPENERS = '"\'`([{<';
const CLOSERS = '"\'`)]}>.,;:';

function trimPunctuation(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && OPENERS.includes(s[a])) {
    a++;
  }
  while (b > a && CLOSERS.includes(s[b - 1])) {
    b--;
  }
  return s.slice(a, b);
}

const isHex = (x: string, ...lengths: number[]) => /^[0-9a-fA-F]*$/.test(x) && lengths.includes(x.length);

/**
 * The trace and span IDs (lower-case hex, the trace's maybe 16 digits) of a propagation header value: W3C traceparent
 * `version-trace(32)-parent(16)-flags` (a version other than 00 may add fields; version ff is invalid), or Zipkin's B3
 * single header `trace(16|32)-span(16)[-sampling[-parent(16)]]`, sampling one of 0, 1, d. A header whose trace ID is
 * all zeros is invalid, and yields nothing.
 */
function headerIds(s: string): { trace: string; span: string } | undefined {
  if (!s.includes('-') || s.length > 128) {
    return undefined;
  }
  const f = s.split('-');
  let trace: string;
  let span: string;
  if (f.length >= 4 && isHex(f[0], 2) && isHex(f[1], 32) && isHex(f[2], 16) && isHex(f[3], 2)) {
    const version = f[0].toLowerCase();
    if (version === 'ff' || (version === '00' && f.length !== 4)) {
      return undefined;
    }
    [trace, span] = [f[1], f[2]];
  } else if (
    f.length <= 4 &&
    isHex(f[0], 16, 32) &&
    isHex(f[1], 16) &&
    (f.length < 3 || ['0', '1', 'd'].includes(f[2])) &&
    (f.length < 4 || isHex(f[3], 16))
  ) {
    [trace, span] = [f[0], f[1]];
  } else {
    return undefined;
  }
  if (/^0+$/.test(trace)) {
    return undefined;
  }
  return { trace: trace.toLowerCase(), span: span.toLowerCase() };
}

function hexDigits(s: string, width: number): string | undefined {
  let out = '';
  let dashes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
      out += c;
    } else if (c >= 'A' && c <= 'F') {
      out += c.toLowerCase();
    } else if (c === '-') {
      dashes++;
      if (i === 0 || i === s.length - 1 || s[i - 1] === '-') {
        return undefined;
      }
    } else {
      return undefined;
    }
  }
  if (out.length === 0 || out.length > width) {
    return undefined;
  }
  // Dashed forms are only accepted at full width (UUID style).
  if (dashes > 0 && out.length !== width) {
    return undefined;
  }
  return out;
}

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Go's base64.{Std,RawStd,URL,RawURL}Encoding.DecodeString, tried in that order: CR and LF
 * are ignored, padding is required exactly when present, trailing bits are not checked.
 */
export function decodeBase64(input: string): Uint8Array | undefined {
  const s = input.replace(/[\r\n]/g, '');
  for (const alphabet of [STD, URL]) {
    const out = decodeWith(s, alphabet);
    if (out) {
      return out;
    }
  }
  return undefined;
}

function decodeWith(s: string, alphabet: string): Uint8Array | undefined {
  let body = s;
  const pad = s.length - s.replace(/=+$/, '').length;
  if (pad > 0) {
    body = s.slice(0, s.length - pad);
    if (s.length % 4 !== 0 || pad > 2 || (body.length % 4) + pad !== 4) {
      return undefined;
    }
  }
  if (body.length % 4 === 1) {
    return undefined;
  }
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of body) {
    const v = alphabet.indexOf(ch);
    if (v < 0) {
      return undefined;
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  return Uint8Array.from(out);
}

function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function finish(h: string, width: number, what: string, input: string): NormalizeResult {
  const id = h.padStart(width, '0');
  if (/^0+$/.test(id)) {
    return { ok: false, error: `${what} ID ${quoteGo(input)} is all zeros, which is invalid` };
  }
  return { ok: true, id };
}
