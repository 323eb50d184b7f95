import type { TimeRange } from '@grafana/data';

const MINUTE = 60_000;

/**
 * A picker's look-up range (shared/resources.ts `start`/`end`, Unix ms): the dashboard's
 * time range widened to whole minutes, so that a refreshing dashboard, whose range moves by
 * seconds, does not reload every picker; none without a range (the backend's default).
 */
export function lookupTime(range?: TimeRange): { start?: number; end?: number } {
  if (!range) {
    return {};
  }
  return {
    start: Math.floor(range.from.valueOf() / MINUTE) * MINUTE,
    end: Math.ceil(range.to.valueOf() / MINUTE) * MINUTE,
  };
}
