/** What every builder returns: the expression, or why the builder state cannot make one. */
export type BuildResult = { ok: true; expr: string } | { ok: false; error: string };

export const built = (expr: string): BuildResult => ({ ok: true, expr });
export const failed = (error: string): BuildResult => ({ ok: false, error });

/** Go durations as the backend parses them (`120ms`, `1.5s`, `1h30m`); TraceQL reads the same units. */
export const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

export const isGoDuration = (s: string): boolean => GO_DURATION.test(s.trim());

/** A limit as typed: a positive whole number (a fraction is cut), or undefined for the default. */
export const wholeLimit = (text: string): number | undefined => {
  const n = Math.floor(Number(text));
  return Number.isFinite(n) && n > 0 ? n : undefined;
};
