import { createTheme } from '@grafana/data';
import type uPlot from 'uplot';

import { makePercentileFrames } from '../testing/factories';
import { defaultOptions } from '../types';
import { bandsYRange, buildBandsOptions, tzDateOf, type BandsLive } from './bandsConfig';
import { prepareBandsData, type BandsData } from './prepareBandsData';

const theme = createTheme();

function bands(): BandsData {
  const d = prepareBandsData(makePercentileFrames({ points: 10, startMs: 60_000, stepMs: 1000 }), defaultOptions.bands, theme);
  if ('warning' in d) {
    throw new Error(d.warning);
  }
  return d;
}

type Range = (u: uPlot, min: number, max: number, key: string) => [number, number];

describe('buildBandsOptions', () => {
  it('spans the x axis over the panel time range, not over the times the data holds', () => {
    const data = bands();
    const live: { current: BandsLive } = { current: { data, hovered: null, timeRange: { from: 0, to: 600_000 } } };
    const range = buildBandsOptions(live, data, defaultOptions.bands, theme).scales!.x.range as Range;
    expect(range({} as uPlot, 60_000, 69_000, 'x')).toEqual([0, 600_000]);
    // Without a time range (outside a dashboard), the data's extent.
    live.current.timeRange = undefined;
    expect(range({} as uPlot, 60_000, 69_000, 'x')).toEqual([60_000, 69_000]);
  });

  it.each([
    ['utc', 12, 30],
    ['America/New_York', 7, 30],
    ['Asia/Kolkata', 18, 0],
  ])('time axis in the dashboard time zone %s', (tz, hour, minute) => {
    const data = bands();
    const o = buildBandsOptions({ current: { data, hovered: null } }, data, defaultOptions.bands, theme, tz);
    // Jest runs in UTC: uPlot reads the local fields of the Date tzDate returns.
    const d = o.tzDate!(Date.UTC(2026, 0, 15, 12, 30));
    expect([d.getHours(), d.getMinutes()]).toEqual([hour, minute]);
  });

  it.each([undefined, '', 'browser', 'Not/AZone'])('browser time for time zone %p', (tz) => {
    expect(tzDateOf(tz)).toBeUndefined();
  });
});

describe('bandsYRange', () => {
  const base = { yMin: 100, yMax: 300 };
  it.each([
    ['no Min/Max: the data with a margin', {}, [90, 316]],
    ['Min and Max', { min: 0, max: 1000 }, [0, 1000]],
    ['Max only', { max: 500 }, [90, 500]],
    ['Min above the data: the axis starts there', { min: 400 }, [400, 626]],
  ])('%s', (_n, axis, want) => {
    expect(bandsYRange({ ...bands(), ...base, axis })).toEqual(want);
  });
});
