/** What every builder returns: the expression, or why the builder state cannot make one. */
export type BuildResult = { ok: true; expr: string } | { ok: false; error: string };

export const built = (expr: string): BuildResult => ({ ok: true, expr });
export const failed = (error: string): BuildResult => ({ ok: false, error });

/** Go durations as the backend parses them (`120ms`, `1.5s`, `1h30m`); TraceQL reads the same units. */
export const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

export const isGoDuration = (s: string): boolean => GO_DURATION.test(s.trim());

/** Whole units from years down to milliseconds, each at most once and in that order (`1d`, `1w`, `1h30m`). */
const PROM_UNITS = /^(?=\d)(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;
const SECONDS = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A step as Prometheus reads one (and the backend a metrics query's Min step,
 * pkg/stores/prometheus ParseDuration): Prometheus units, a number of seconds, or a Go duration.
 */
export const isPromStep = (s: string): boolean => {
  const t = s.trim();
  return PROM_UNITS.test(t) || SECONDS.test(t) || GO_DURATION.test(t);
};

/** A limit as typed: a positive whole number (a fraction is cut), or undefined for the default. */
export const wholeLimit = (text: string): number | undefined => {
  const n = Math.floor(Number(text));
  return Number.isFinite(n) && n > 0 ? n : undefined;
};
