/**
 * Thin React host for one uPlot instance: rebuilt only when `options` changes identity
 * (structure), `setData` when only data changes, `setSize` on resize.
 */
import React, { useEffect, useLayoutEffect, useRef } from 'react';
import uPlot from 'uplot';

import { mountedCharts } from './uplotRegistry';

interface Props {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  width: number;
  height: number;
  testId?: string;
  onCreate?: (u: uPlot | null) => void;
}

export function UPlotChart({ options, data, width, height, testId, onCreate }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const lastData = useRef(data);

  useLayoutEffect(() => {
    const u = new uPlot({ ...options, width, height }, lastData.current, host.current!);
    plot.current = u;
    mountedCharts.add(u);
    onCreate?.(u);
    return () => {
      mountedCharts.delete(u);
      onCreate?.(null);
      u.destroy();
      plot.current = null;
    };
    // Only a new structure rebuilds the chart: size and data have their own effects below,
    // and onCreate is a notification.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [options]);

  useEffect(() => {
    if (plot.current && data !== lastData.current) {
      plot.current.setData(data);
    }
    lastData.current = data;
  }, [data]);

  useEffect(() => {
    const u = plot.current;
    if (u && (u.width !== width || u.height !== height)) {
      u.setSize({ width, height });
    }
  }, [width, height]);

  return <div ref={host} data-testid={testId} style={{ width, height }} />;
}
