/**
 * Stage 2: the search builder's tags (`http.status_code=500 error=true`), logfmt with Go
 * escapes in quoted values. Guarantees: every pair has a non-empty key; values are the
 * unquoted text; Jaeger's `tags` parameter is built by JSON.stringify, never by hand.
 */
export type TagPair = { key: string; value: string };
export type ParsedTags = { ok: true; pairs: TagPair[] } | { ok: false; error: string };

/** ASCII whitespace separates pairs, as the backend (pkg/query/search.go) reads them. */
const isSpace = (c: string | undefined) => c !== undefined && ' \t\n\v\f\r'.includes(c);

export function parseLogfmt(input: string): ParsedTags {
  const pairs: TagPair[] = [];
  let i = 0;
  const s = input;
  const skipSpace = () => {
    while (i < s.length && isSpace(s[i])) {
      i++;
    }
  };
  skipSpace();
  while (i < s.length) {
    const keyStart = i;
    while (i < s.length && s[i] !== '=' && !isSpace(s[i]) && s[i] !== '"') {
      i++;
    }
    const key = s.slice(keyStart, i);
    if (key === '' || s[i] !== '=') {
      return { ok: false, error: `tags: expected key=value at ${JSON.stringify(s.slice(keyStart, keyStart + 20))}` };
    }
    i++; // '='
    let value = '';
    if (s[i] === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') {
        j += s[j] === '\\' ? 2 : 1;
      }
      if (j >= s.length) {
        return { ok: false, error: `tags: unterminated quoted value for ${key}` };
      }
      try {
        value = JSON.parse(s.slice(i, j + 1));
      } catch {
        return { ok: false, error: `tags: bad escape in the value of ${key}` };
      }
      i = j + 1;
      if (i < s.length && !isSpace(s[i])) {
        return { ok: false, error: `tags: expected a space after the value of ${key}` };
      }
    } else {
      const vStart = i;
      while (i < s.length && !isSpace(s[i])) {
        if (s[i] === '"' || s[i] === '=') {
          return { ok: false, error: `tags: quote the value of ${key}` };
        }
        i++;
      }
      value = s.slice(vStart, i);
    }
    if (pairs.some((p) => p.key === key)) {
      return { ok: false, error: `tags: ${key} is given twice (a span holds one value per tag)` };
    }
    pairs.push({ key, value });
    skipSpace();
  }
  return { ok: true, pairs };
}

/** Jaeger v1 `tags` query parameter: a JSON object of string values. */
export function jaegerTagsJson(pairs: TagPair[]): string {
  const obj: Record<string, string> = {};
  for (const { key, value } of pairs) {
    obj[key] = value;
  }
  return JSON.stringify(obj);
}
