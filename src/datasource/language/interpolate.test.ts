import { InterpolationError, interpolate, resolverFrom, type QueryLanguage } from './interpolate';

const HOSTILE = [
  'a"b',
  'back\\slash',
  'brace}',
  'pipe|x',
  'new\nline',
  '"} or vector(1) or {a="',
  '" || true || "',
  '`tick`',
  "it's",
  '.*',
];

/** Undo a Go double-quoted string body: the way the stores read it. */
function unquoteGo(body: string): string {
  return JSON.parse(`"${body}"`);
}

/** Every double-quoted literal in a query, unquoted. */
function literals(q: string): string[] {
  return Array.from(q.matchAll(/"((?:[^"\\]|\\.)*)"/g), (m) => unquoteGo(m[1]));
}

describe('interpolate in strings', () => {
  it.each<[QueryLanguage, string]>([
    ['promql', 'http_requests_total{service="$svc"}'],
    ['logql', '{service_name="$svc"} |= "$svc"'],
    ['traceql', '{ resource.service.name = "$svc" }'],
    ['logfmt', 'service="$svc"'],
  ])('%s keeps the structure for every hostile value', (lang, expr) => {
    for (const value of HOSTILE) {
      const out = interpolate(expr, lang, resolverFrom({ svc: value }));
      // Same number of string literals as the template, each holding exactly the value.
      const lits = literals(out);
      expect(lits).toEqual(literals(expr).map(() => value));
      // Outside the literals nothing changed.
      expect(out.replace(/"(?:[^"\\]|\\.)*"/g, '""')).toBe(expr.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
    }
  });

  it('escapes newlines as \\n so a value cannot open a comment or a new line', () => {
    expect(interpolate('up{a="$v"}', 'promql', resolverFrom({ v: 'x\n# c' }))).toBe('up{a="x\\n# c"}');
  });

  it('handles ${name}, ${name:fmt} and [[name]] alike, ignoring explicit formats', () => {
    const r = resolverFrom({ v: 'a"b' });
    expect(interpolate('up{a="${v}",b="${v:raw}",c="[[v]]"}', 'promql', r)).toBe('up{a="a\\"b",b="a\\"b",c="a\\"b"}');
  });

  it('leaves unknown variables untouched', () => {
    expect(interpolate('rate(x[$__rate_interval])', 'promql', resolverFrom({}))).toBe('rate(x[$__rate_interval])');
  });

  it('escapes single-quoted PromQL strings with their own quote', () => {
    expect(interpolate("up{a='$v'}", 'promql', resolverFrom({ v: "it's" }))).toBe("up{a='it\\'s'}");
  });

  it('refuses a backtick inside a raw string', () => {
    expect(() => interpolate('up{a=`$v`}', 'promql', resolverFrom({ v: 'x`} or {`' }))).toThrow(InterpolationError);
    expect(interpolate('up{a=`$v`}', 'promql', resolverFrom({ v: 'x"y' }))).toBe('up{a=`x"y`}');
  });

  it('refuses several values in an equality string', () => {
    expect(() => interpolate('up{a="$v"}', 'promql', resolverFrom({ v: ['a', 'b'] }))).toThrow(/several values/);
  });
});

describe('interpolate in regex strings', () => {
  it.each<[QueryLanguage, string, string]>([
    ['promql', 'up{a=~"$v"}', 'up{a=~"(?:a\\\\.b|c\\\\|d|e\\"f)"}'],
    ['promql', 'up{a!~"$v"}', 'up{a!~"(?:a\\\\.b|c\\\\|d|e\\"f)"}'],
    ['logql', '{a="x"} |~ "$v"', '{a="x"} |~ "(?:a\\\\.b|c\\\\|d|e\\"f)"'],
    ['logql', '{a="x"} | regexp "$v"', '{a="x"} | regexp "(?:a\\\\.b|c\\\\|d|e\\"f)"'],
    ['traceql', '{ .a =~ "$v" }', '{ .a =~ "(?:a\\\\.b|c\\\\|d|e\\"f)" }'],
    ['promql', 'up{a=~`$v`}', 'up{a=~`(?:a\\.b|c\\|d|e"f)`}'],
  ])('%s %s', (lang, expr, want) => {
    expect(interpolate(expr, lang, resolverFrom({ v: ['a.b', 'c|d', 'e"f'] }))).toBe(want);
  });

  it('a single value matches only itself', () => {
    const out = interpolate('up{a=~"$v"}', 'promql', resolverFrom({ v: '.*"} or up{b=~".*' }));
    const [re] = literals(out);
    expect(new RegExp(`^(?:${re})$`).test('.*"} or up{b=~".*')).toBe(true);
    expect(new RegExp(`^(?:${re})$`).test('anything')).toBe(false);
  });

  it('uses a custom all value as a regex, still string-escaped', () => {
    const out = interpolate('up{a=~"$v"}', 'promql', () => ({ values: ['x'], allValue: '.*"' }));
    expect(out).toBe('up{a=~".*\\""}');
  });
});

describe('interpolate bare', () => {
  it('accepts names, numbers and durations', () => {
    const r = resolverFrom({ m: 'http_requests_total', w: '5m', q: '0.99' });
    expect(interpolate('histogram_quantile($q, rate($m[$w]))', 'promql', r)).toBe(
      'histogram_quantile(0.99, rate(http_requests_total[5m]))'
    );
  });

  it.each(['up or vector(1)', 'or', 'x}', 'a b', 'a"b', 'x|y', 'x\ny', 'a,b'])('refuses %p', (value) => {
    expect(() => interpolate('rate($m[5m])', 'promql', resolverFrom({ m: value }))).toThrow(InterpolationError);
    expect(() => interpolate('{ duration > $m }', 'traceql', resolverFrom({ m: value }))).toThrow(InterpolationError);
  });

  it('refuses several values', () => {
    expect(() => interpolate('sum by ($l) (up)', 'promql', resolverFrom({ l: ['a', 'b'] }))).toThrow(InterpolationError);
  });

  it('does not touch variables in PromQL comments', () => {
    expect(interpolate('up # $v\n', 'promql', resolverFrom({ v: 'x y' }))).toBe('up # $v\n');
  });
});

describe('interpolate logfmt tags (Jaeger search)', () => {
  it.each([
    ['plain', 'error=$v', 'true', 'error=true'],
    ['needs quotes', 'http.url=$v', 'a b="c"', 'http.url="a b=\\"c\\""'],
    ['already quoted', 'k="$v" x=1', 'a"b\\', 'k="a\\"b\\\\" x=1'],
  ])('%s', (_n, expr, value, want) => {
    expect(interpolate(expr, 'logfmt', resolverFrom({ v: value }))).toBe(want);
  });

  it('refuses a value needing quotes inside a larger bare token', () => {
    expect(() => interpolate('k=pre$v', 'logfmt', resolverFrom({ v: 'a b' }))).toThrow(/needs quotes/);
  });
});
