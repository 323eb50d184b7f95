/**
 * Stage 4: the critical path — the chain of work that decides the trace's end time. From each
 * span's end, walk back through the child that finished last before the cursor, then move the
 * cursor to that child's start (the idea jaeger-ui uses). Assumes pre-order positions.
 * Output: 1 per position on the path.
 */
import { type TraceModel } from './traceModel';

export function criticalPath(model: TraceModel): Uint8Array {
  const n = model.n;
  const on = new Uint8Array(n);
  const end = (p: number) => model.start[p] + model.duration[p];
  const tasks: Array<[number, number]> = [];
  // Every root starts a path (disconnected parts of a broken trace each get one).
  for (let p = 0; p < n; p = model.subtreeEnd[p]) {
    tasks.push([p, end(p)]);
  }
  while (tasks.length) {
    const [p, bound] = tasks.pop()!;
    on[p] = 1;
    if (model.childCount[p] === 0) {
      continue;
    }
    const kids: number[] = [];
    for (let c = p + 1; c < model.subtreeEnd[p]; c = model.subtreeEnd[c]) {
      kids.push(c);
    }
    kids.sort((a, b) => end(b) - end(a));
    let cursor = Math.min(end(p), bound);
    for (const c of kids) {
      if (model.start[c] >= cursor || end(c) <= model.start[p]) {
        continue;
      }
      tasks.push([c, cursor]);
      cursor = model.start[c];
      if (cursor <= model.start[p]) {
        break;
      }
    }
  }
  return on;
}
