/**
 * Stage 2 for the config editor: pure updates of DataSourceSettings. React components call
 * these and hand the result to onOptionsChange.
 * Guarantees: the input settings are never changed; secrets go only to secureJsonData and
 * are reset by `secureJsonFields[key] = false` + `secureJsonData[key] = ''` (Grafana's way);
 * a custom header keeps its index slot (`<store>HeaderValue<i>`) for its whole life, so a
 * removed header never hands its secret to another one.
 */
import type { DataSourceSettings } from '@grafana/data';

import type { LensJsonData, LensSecureJsonData, SecureKey, StoreConfig } from '../../../shared/settings';
import { isGoDuration } from '../../queryBuilders/buildResult';

export type Options = DataSourceSettings<LensJsonData, LensSecureJsonData>;
export type StoreName = 'metrics' | 'logs' | 'traces';
type StoreJson<S extends StoreName> = NonNullable<LensJsonData[S]>;

/**
 * A jsonData section as an object. A provisioning file can hold anything (a string where
 * a section belongs): the backend reports it, and the editor starts that section afresh.
 */
const section = (v: unknown): object => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {});

/** A list setting as provisioned: a list, or one value where a list belongs. */
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v]);

/** A list setting as the text of its input: its values, comma-separated. */
export const listText = (v: unknown): string => listOf(v).map(String).join(', ');

/** The text of a list setting's input as its values: separated by commas or white space. */
export const parseList = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

export function setStore<S extends StoreName>(o: Options, store: S, patch: Partial<StoreJson<S>>): Options {
  return { ...o, jsonData: { ...o.jsonData, [store]: { ...section(o.jsonData[store]), ...patch } } };
}

export function setJson<K extends keyof LensJsonData>(o: Options, key: K, patch: Partial<NonNullable<LensJsonData[K]>>): Options {
  return { ...o, jsonData: { ...o.jsonData, [key]: { ...section(o.jsonData[key]), ...patch } } };
}

/** A store's header names (the slots), whatever a provisioning file put there. */
export const headerNamesOf = (o: Options, store: StoreName): string[] =>
  listOf((section(o.jsonData[store]) as StoreConfig).headerNames).map((n) => (typeof n === 'string' ? n : ''));

export function setSecret(o: Options, key: SecureKey, value: string): Options {
  return { ...o, secureJsonData: { ...(o.secureJsonData ?? {}), [key]: value } };
}

export function resetSecret(o: Options, key: SecureKey): Options {
  return {
    ...o,
    secureJsonFields: { ...o.secureJsonFields, [key]: false },
    secureJsonData: { ...(o.secureJsonData ?? {}), [key]: '' },
  };
}

export const isConfigured = (o: Options, key: SecureKey): boolean => Boolean(o.secureJsonFields?.[key]);

export const headerKey = (store: StoreName, i: number): SecureKey => `${store}HeaderValue${i}`;

/** An HTTP field name (RFC 9110 token), as the backend requires of a custom header's name. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Headers the backend sets on its calls itself (by lower-case name), with why a custom value
 * cannot take their place; pkg/settings ownHeaders keeps the same list.
 */
const OWN_HEADERS: Record<string, string> = {
  'accept-encoding': 'it asks for gzip and decompresses the answer, which it cannot read once the header is set by hand',
  accept: 'it asks each store for the JSON it reads',
  'content-type': 'it names the type of the bodies it sends (Prometheus queries too long for a URL go as a form)',
  'content-encoding': 'it sends its bodies (Prometheus queries too long for a URL) uncompressed',
};

/** HTTP's own framing, which Go's HTTP client writes itself and never takes from a header. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'trailer']);

/**
 * Why the backend (pkg/settings ownHeaderProblem) refuses a custom header it sets on the
 * store's calls itself, or undefined: with it the answers could not be read, the bodies
 * would be mislabelled, or it would replace the store's authentication (auth).
 */
function ownHeaderError(store: StoreName, name: string, auth: unknown): string | undefined {
  const lower = name.toLowerCase();
  if (OWN_HEADERS[lower] !== undefined) {
    return `${name} is set by the backend itself: ${OWN_HEADERS[lower]}; remove the header`;
  }
  if (FRAMING_HEADERS.has(lower)) {
    return `${name} is HTTP's own framing, which the backend's HTTP client writes itself and never takes from a custom header; remove the header`;
  }
  if (store === 'logs' && lower === 'x-loki-response-encoding-flags') {
    return `${name} is set by the backend itself: it asks Loki for categorize-labels, to read structured metadata apart from the stream labels; remove the header`;
  }
  if (lower === 'authorization' && (auth === 'basic' || auth === 'bearer')) {
    return `${name} is also set by ${store}.auth (${auth}): keep one, the authentication or the header (with auth none)`;
  }
  return undefined;
}

/**
 * What the backend (pkg/settings) refuses in a store's custom header names, and the store
 * with them, or undefined: a name that is not an HTTP field name, one name given twice
 * (HTTP names are case-insensitive, so one would replace the other), or a header the
 * backend sets itself (ownHeaderError; auth is the store's authentication method). Holes
 * are skipped.
 */
export function headerNamesError(names: unknown[], store: StoreName, auth?: unknown): string | undefined {
  const seen = new Map<string, string>();
  for (const raw of names) {
    const name = typeof raw === 'string' ? raw.trim() : '';
    if (name === '') {
      continue;
    }
    if (!HEADER_NAME.test(name)) {
      return `${JSON.stringify(name)} is not an HTTP header name (letters, digits and !#$%&'*+-.^_\`|~, no spaces or colon)`;
    }
    const own = ownHeaderError(store, name, auth);
    if (own !== undefined) {
      return own;
    }
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      return `${first} is given twice (${JSON.stringify(first)} and ${JSON.stringify(name)}); keep one`;
    }
    seen.set(name.toLowerCase(), name);
  }
  return undefined;
}

export interface HeaderState {
  name: string;
  configured: boolean;
}

/** Headers as the Auth component lists them: the non-empty slots, in slot order. */
export function headersOf(o: Options, store: StoreName): HeaderState[] {
  const names = headerNamesOf(o, store);
  return names.flatMap((name, i) => (name ? [{ name, configured: isConfigured(o, headerKey(store, i)) }] : []));
}

/**
 * The Auth component's new header list → slots. A configured header keeps the slot it had:
 * matched by name, or, when its name was edited (the component keeps `configured` on the
 * row), the old slot no other header took, in order; a header with a new value reuses its
 * name's old slot, else the first free one; slots no longer used become holes (`''`,
 * which the backend skips) and their secrets are reset; trailing holes are dropped.
 */
export function applyHeaders(
  o: Options,
  store: StoreName,
  next: Array<{ name: string; value: string; configured: boolean }>
): Options {
  const prev = headerNamesOf(o, store);
  const slots: string[] = prev.map(() => '');
  const used = new Set<number>();
  const writes: Array<[number, string]> = [];
  const rows = next.map((h) => ({ ...h, name: h.name.trim() })).filter((h) => h.name !== '');
  const slotOf = new Map<number, number>(); // row index → slot
  const take = (row: number, slot: number) => {
    used.add(slot);
    slotOf.set(row, slot);
    slots[slot] = rows[row].name;
  };
  const byName = (name: string) => prev.findIndex((n, i) => n === name && !used.has(i));
  // 1. Configured headers keep their slot by name; 2. so does a header given a new value.
  rows.forEach((h, r) => {
    const old = h.configured ? byName(h.name) : -1;
    if (old >= 0) {
      take(r, old);
    }
  });
  rows.forEach((h, r) => {
    const old = !h.configured && h.value !== '' ? byName(h.name) : -1;
    if (old >= 0) {
      take(r, old);
      writes.push([old, h.value]);
    }
  });
  // 3. A configured header whose name was edited keeps its row's secret: the old slots left
  // over, in order (the component keeps the rows' order).
  rows.forEach((h, r) => {
    if (h.configured && !slotOf.has(r)) {
      const old = prev.findIndex((n, i) => n !== '' && !used.has(i));
      if (old >= 0) {
        take(r, old);
      }
    }
  });
  // 4. Every other header gets the first free slot and its value.
  rows.forEach((h, r) => {
    if (slotOf.has(r)) {
      return;
    }
    let i = slots.findIndex((n, idx) => n === '' && !used.has(idx));
    if (i < 0) {
      i = slots.length;
      slots.push('');
    }
    take(r, i);
    writes.push([i, h.value]);
  });
  let out = setStore(o, store, { headerNames: trimHoles(slots) } as Partial<StoreJson<typeof store>>);
  prev.forEach((_n, i) => {
    if (!used.has(i) && (isConfigured(o, headerKey(store, i)) || o.secureJsonData?.[headerKey(store, i)])) {
      out = resetSecret(out, headerKey(store, i));
    }
  });
  for (const [i, value] of writes) {
    out = isConfigured(out, headerKey(store, i)) ? setSecret(resetSecret(out, headerKey(store, i)), headerKey(store, i), value) : setSecret(out, headerKey(store, i), value);
  }
  return out;
}

function trimHoles(slots: string[]): string[] {
  let end = slots.length;
  while (end > 0 && slots[end - 1] === '') {
    end--;
  }
  return slots.slice(0, end);
}

/** "0.5, 0.9, p99, 99.9" → [0.5, 0.9, 0.99, 0.999]; percent values and `pNN` are accepted. */
export function parsePercentiles(text: string): { ok: true; values: number[] } | { ok: false; error: string } {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const values: number[] = [];
  for (const part of parts) {
    const m = /^p?(\d+(?:\.\d+)?)$/i.exec(part);
    if (!m) {
      return { ok: false, error: `${JSON.stringify(part)} is not a percentile (0.99, 99 or p99)` };
    }
    let n = Number(m[1]);
    if (part.toLowerCase().startsWith('p') || n >= 1) {
      n = n / 100;
    }
    if (!(n > 0 && n < 1)) {
      return { ok: false, error: `${JSON.stringify(part)} is not between 0 and 100 %` };
    }
    values.push(Number(n.toPrecision(12)));
  }
  return { ok: true, values: Array.from(new Set(values)).sort((a, b) => a - b) };
}

export const formatPercentiles = (values: number[] | undefined): string => listText(values);

/** The longest timeout pkg/settings accepts in seconds. */
const MAX_TIMEOUT_SECONDS = 24 * 60 * 60;

/**
 * What is wrong with a store's timeout as pkg/settings reads it, or undefined when it is
 * fine: a positive Go duration (`30s`, `1m30s`) or a number of seconds (`30`, or the JSON
 * number a provisioning file writes); blank means the default.
 */
export function timeoutError(value: unknown): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const text = String(value).trim();
  if (text === '') {
    return undefined;
  }
  const bad = 'A duration like 30s or 1m, or a number of seconds';
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n > 0 && n <= MAX_TIMEOUT_SECONDS ? undefined : bad;
  }
  // A Go duration is positive when any of its numbers is.
  return isGoDuration(text) && /[1-9]/.test(text) ? undefined : bad;
}
