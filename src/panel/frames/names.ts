/**
 * Series names the legend, tooltip and toggles can tell apart. Pure.
 * Guarantees: same length and order as the input; a name no other series has is kept as is;
 * names shared by series of different queries get the query's refId ("CDF A", "CDF B");
 * names still shared get a running number ("x #2").
 */
export function uniqueNames(series: Array<{ name: string; refId?: string }>): string[] {
  const count = (names: string[]) => names.reduce((m, n) => m.set(n, (m.get(n) ?? 0) + 1), new Map<string, number>());
  const queries = new Map<string, Set<string | undefined>>();
  for (const s of series) {
    queries.set(s.name, (queries.get(s.name) ?? new Set()).add(s.refId));
  }
  const withQuery = series.map((s) => (queries.get(s.name)!.size > 1 && s.refId ? `${s.name} ${s.refId}` : s.name));
  const second = count(withQuery);
  const seen = new Map<string, number>();
  return withQuery.map((n) => {
    if (second.get(n)! < 2) {
      return n;
    }
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n} #${k}`;
  });
}
