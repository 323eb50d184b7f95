/**
 * uPlot instances currently mounted by this panel, so the browser tests and benchmarks can
 * read chart geometry (scales, bbox) the way a user sees it. No behaviour depends on it.
 */
import type uPlot from 'uplot';

export const mountedCharts = new Set<uPlot>();
