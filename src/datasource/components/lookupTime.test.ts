import { dateTime, makeTimeRange } from '@grafana/data';

import { lookupTime } from './lookupTime';

describe('lookupTime', () => {
  it('widens the range to whole minutes, so refreshes seconds apart ask the same', () => {
    const at = (ms: number) => lookupTime(makeTimeRange(dateTime(ms - 3_600_000), dateTime(ms)));
    const t0 = Date.UTC(2026, 11, 7, 18, 30, 5);
    expect(at(t0)).toEqual({ start: Date.UTC(2026, 11, 7, 17, 30), end: Date.UTC(2026, 11, 7, 18, 31) });
    expect(at(t0 + 20_000)).toEqual(at(t0));
  });

  it('gives no range without one', () => {
    expect(lookupTime(undefined)).toEqual({});
  });
});
