/**
 * The frames the views read, from what Grafana hands the panel. Grafana's query runner moves
 * every frame whose meta.dataTopic is "annotations" from `series` to `annotations`: our
 * exemplars frame and Prometheus' exemplar frames arrive there. Guarantees: the series first,
 * unchanged, then the exemplar frames of `annotations` not already among them; no other
 * annotation (dashboard annotations, alert states). Pure; never copies or mutates a frame.
 */
import { type DataFrame, type PanelData } from '@grafana/data';

import { isExemplarFrame } from './classify';

export function panelFrames(data: Pick<PanelData, 'series' | 'annotations'>): DataFrame[] {
  const exemplars = (data.annotations ?? []).filter((f) => isExemplarFrame(f) && !data.series.includes(f));
  return exemplars.length ? [...data.series, ...exemplars] : data.series;
}
