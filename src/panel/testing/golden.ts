/**
 * The backend's golden answers (pkg/plugin/testdata/*.jsonc) decoded as Grafana decodes a
 * `/api/ds/query` response, so panel tests read the frames the backend really sends.
 * Node only (reads the file); for jest tests.
 */
import fs from 'fs';
import path from 'path';
import { DataTopic, dataFrameFromJSON, type DataFrame, type DataFrameJSON } from '@grafana/data';

/** The frames of one golden answer, with `refId` set as the query runner sets it. */
export function goldenFrames(name: string, refId = 'A'): DataFrame[] {
  const file = path.resolve(__dirname, '../../../pkg/plugin/testdata', `${name}.jsonc`);
  const text = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('//'))
    .join('\n');
  const body = JSON.parse(text) as { frames: DataFrameJSON[] };
  return body.frames.map((f) => ({ ...dataFrameFromJSON(f), refId }));
}

/** Grafana's query runner hands frames whose meta.dataTopic is "annotations" over in `annotations`. */
export function splitAnnotations(frames: DataFrame[]): { series: DataFrame[]; annotations: DataFrame[] } {
  const isAnn = (f: DataFrame) => f.meta?.dataTopic === DataTopic.Annotations;
  return { series: frames.filter((f) => !isAnn(f)), annotations: frames.filter(isAnn) };
}
