import { createDataFrame, createTheme, DataTopic, FieldType, type DataFrame } from '@grafana/data';

import { prepareBandsData } from '../bands/prepareBandsData';
import { makeExemplarsFrame, makePercentileFrames } from '../testing/factories';
import { defaultOptions } from '../types';
import { panelFrames } from './panelFrames';

/** Grafana's query runner moves frames with meta.dataTopic "annotations" from `series` to `annotations`. */
function exemplarsAsAnnotation(): DataFrame {
  const f = makeExemplarsFrame([
    { time: 2500, value: 321, traceID: 'abc123' },
    { time: 3500, value: 400, traceID: 'def456' },
  ]);
  return { ...f, meta: { ...f.meta, dataTopic: DataTopic.Annotations } };
}

const dashboardAnnotation = createDataFrame({
  name: 'annotations',
  meta: { dataTopic: DataTopic.Annotations },
  fields: [
    { name: 'time', type: FieldType.time, values: [1000] },
    { name: 'text', type: FieldType.string, values: ['deploy'] },
  ],
});

describe('panelFrames', () => {
  it('bands show the exemplars Grafana hands over in annotations', () => {
    const series = makePercentileFrames({ points: 10, startMs: 0, stepMs: 1000 });
    const d = prepareBandsData(panelFrames({ series, annotations: [dashboardAnnotation, exemplarsAsAnnotation()] }), defaultOptions.bands, createTheme());
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    expect(d.exemplars.map((e) => e.traceId)).toEqual(['abc123', 'def456']);
  });

  it('keeps the series first and leaves other annotations out', () => {
    const series = makePercentileFrames({ points: 3 });
    const ex = exemplarsAsAnnotation();
    expect(panelFrames({ series, annotations: [dashboardAnnotation, ex] })).toEqual([...series, ex]);
  });

  it('takes a frame that is in both lists once, and the series as they are without annotations', () => {
    const series = makePercentileFrames({ points: 3 });
    const ex = exemplarsAsAnnotation();
    expect(panelFrames({ series: [...series, ex], annotations: [ex] })).toEqual([...series, ex]);
    expect(panelFrames({ series })).toBe(series);
  });
});
