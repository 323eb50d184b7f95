/**
 * The panel: picks a view (option or auto), runs that view's prepare stage (memoised on
 * frames + its options + theme) and hands plain data to the view. Empty data, errors and
 * prepare warnings go to Grafana's PanelDataErrorView.
 */
import React, { useCallback, useMemo } from 'react';
import { type PanelProps } from '@grafana/data';
import { PanelDataErrorView } from '@grafana/runtime';
import { useTheme2 } from '@grafana/ui';

import { BandsView } from '../bands/BandsView';
import { prepareBandsData } from '../bands/prepareBandsData';
import { CdfView } from '../cdf/CdfView';
import { prepareCdfData } from '../cdf/prepareCdfData';
import { searchTargetOf } from '../cdf/traceSearchLink';
import { chooseView } from '../frames/chooseView';
import { panelFrames } from '../frames/panelFrames';
import { migrateOptions } from '../migrations';
import { type LensPanelOptions } from '../types';
import { prepareWaterfallData } from '../waterfall/prepareWaterfallData';
import { WaterfallView } from '../waterfall/WaterfallView';

export function LatencyPanel({ data, id, fieldConfig, options: saved, width, height, timeRange, timeZone }: PanelProps<LensPanelOptions>) {
  const theme = useTheme2();
  const options = useMemo(() => migrateOptions(saved), [saved]);
  const { series, annotations } = data;
  const frames = useMemo(() => panelFrames({ series, annotations }), [series, annotations]);
  const view = useMemo(() => (options.view === 'auto' ? chooseView(frames) : options.view), [options.view, frames]);

  const cdf = useMemo(() => (view === 'cdf' ? prepareCdfData(frames, options.cdf, theme) : undefined), [view, frames, options.cdf, theme]);
  const bands = useMemo(
    () => (view === 'bands' ? prepareBandsData(frames, options.bands, theme) : undefined),
    [view, frames, options.bands, theme]
  );
  const waterfall = useMemo(
    () => (view === 'waterfall' ? prepareWaterfallData(frames, options.waterfall, theme) : undefined),
    [view, frames, options.waterfall, theme]
  );
  const request = data.request;
  const searchTarget = useCallback((refId?: string) => searchTargetOf(request, refId), [request]);

  if (!series.length) {
    return <PanelDataErrorView panelId={id} fieldConfig={fieldConfig} data={data} />;
  }
  const prepared = cdf ?? bands ?? waterfall;
  if (!prepared || 'warning' in prepared) {
    return (
      <PanelDataErrorView
        panelId={id}
        fieldConfig={fieldConfig}
        data={data}
        message={prepared && 'warning' in prepared ? prepared.warning : 'Nothing to show'}
        needsNumberField={view !== 'waterfall'}
      />
    );
  }
  if (cdf && !('warning' in cdf)) {
    return <CdfView data={cdf} options={options.cdf} width={width} height={height} searchTarget={searchTarget} timeRange={timeRange} />;
  }
  if (bands && !('warning' in bands)) {
    return <BandsView data={bands} options={options.bands} width={width} height={height} timeRange={timeRange} timeZone={timeZone} />;
  }
  if (waterfall && !('warning' in waterfall)) {
    return <WaterfallView data={waterfall} options={options.waterfall} width={width} height={height} timeZone={timeZone} />;
  }
  return null;
}
