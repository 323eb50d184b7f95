import { createDataFrame, DataFrameType, FieldType, type DataFrame } from '@grafana/data';

import { makeSpan, makeTrace, traceToFrame, type SpanRow } from '../testing/factories';
import { buildTraceModel, logLinesOf } from './traceModel';

interface LokiLine {
  timeMs: number;
  line: string;
  labels: Record<string, string>;
}

/** One line per span of `rows`, at the middle of the span; `labelsOf` says which labels name the trace and span. */
function lokiLines(rows: SpanRow[], labelsOf: (r: SpanRow) => Record<string, string>): LokiLine[] {
  return rows.map((r, i) => ({
    timeMs: r.startTime + r.duration / 2,
    line: `line ${i} of ${r.operationName}`,
    labels: { service_name: r.serviceName, level: i % 2 ? 'error' : 'info', ...labelsOf(r) },
  }));
}

/** Grafana's Loki data source, classic shape: labels (JSON), Time, Line, tsNs, id. */
function lokiClassicFrame(lines: LokiLine[]): DataFrame {
  return createDataFrame({
    refId: 'B',
    meta: { preferredVisualisationType: 'logs', custom: { frameType: 'LabeledTimeValues' } },
    fields: [
      { name: 'labels', type: FieldType.other, values: lines.map((l) => l.labels) },
      { name: 'Time', type: FieldType.time, values: lines.map((l) => l.timeMs) },
      { name: 'Line', type: FieldType.string, values: lines.map((l) => l.line) },
      { name: 'tsNs', type: FieldType.string, values: lines.map((l) => `${l.timeMs}000000`) },
      { name: 'id', type: FieldType.string, values: lines.map((_, i) => `id${i}`) },
    ],
  });
}

/** Grafana's Loki data source, data plane shape: labels, timestamp, body, severity, id. */
function lokiDataplaneFrame(lines: LokiLine[]): DataFrame {
  return createDataFrame({
    refId: 'B',
    meta: { type: DataFrameType.LogLines, preferredVisualisationType: 'logs' },
    fields: [
      { name: 'labels', type: FieldType.other, values: lines.map((l) => l.labels) },
      { name: 'timestamp', type: FieldType.time, values: lines.map((l) => l.timeMs) },
      { name: 'body', type: FieldType.string, values: lines.map((l) => l.line) },
      { name: 'id', type: FieldType.string, values: lines.map((_, i) => `id${i}`) },
    ],
  });
}

describe('log lines of Grafana’s Loki data source on a Tempo/Jaeger trace', () => {
  const rows = makeTrace({ spans: 12, seed: 9 });
  const other = makeTrace({ spans: 3, seed: 10 });
  it.each([
    ['classic frame, OTLP structured metadata (trace_id, span_id)', lokiClassicFrame, (r: SpanRow) => ({ trace_id: r.traceID, span_id: r.spanID })],
    ['classic frame, traceID/spanID labels', lokiClassicFrame, (r: SpanRow) => ({ traceID: r.traceID, spanID: r.spanID })],
    ['data plane frame', lokiDataplaneFrame, (r: SpanRow) => ({ trace_id: r.traceID, span_id: r.spanID })],
    [
      'data plane frame known by its type alone',
      (lines: LokiLine[]) => {
        const f = lokiDataplaneFrame(lines);
        return { ...f, meta: { type: DataFrameType.LogLines } };
      },
      (r: SpanRow) => ({ trace_id: r.traceID, span_id: r.spanID }),
    ],
  ])('%s: each line on its span, with its time and level', (_name, toFrame, labelsOf) => {
    // Lines of another trace whose span IDs collide with this trace's stay off.
    const foreign = lokiLines(other, (r) => ({ trace_id: 'ffffffffffffffffffffffffffffffff', span_id: rows[0].spanID, x: r.spanID }));
    const m = buildTraceModel(traceToFrame(rows, { lens: false }), [toFrame([...lokiLines(rows, labelsOf), ...foreign])]);
    for (let p = 0; p < m.n; p++) {
      const i = rows.findIndex((r) => r.spanID === m.spanId[p]);
      const r = rows[i];
      expect(logLinesOf(m, p)).toEqual([{ timeMs: r.startTime + r.duration / 2, body: `line ${i} of ${r.operationName}`, level: i % 2 ? 'error' : 'info' }]);
    }
  });
});

describe('span IDs of Loki lines in another spelling than the spans frame’s', () => {
  // A line's trace ID is read in every spelling the normaliser reads (shared/traceId.ts); its
  // span ID must be too: a logger writing it in upper case, without its leading zeros, in
  // base64 or as the traceparent it was propagated in names the same span.
  const t0 = Date.UTC(2026, 11, 7);
  const tid = '4bf92f3577b34da6a3ce929d0e0e4736';
  const rows = [
    makeSpan({ traceID: tid, spanID: '00f067aa0ba902b7', parentSpanID: '', operationName: 'checkout', startTime: t0, duration: 100 }),
    makeSpan({ traceID: tid, spanID: 'fbff67aa0ba9fe3f', parentSpanID: '00f067aa0ba902b7', operationName: 'pay', startTime: t0 + 10, duration: 50 }),
  ];
  it.each([
    ['upper case', '00F067AA0BA902B7', 'FBFF67AA0BA9FE3F'],
    ['leading zeros stripped', 'f067aa0ba902b7', 'fbff67aa0ba9fe3f'],
    ['base64', 'APBnqgupArc=', '+/9nqgup/j8='],
    ['traceparent', `00-${tid}-00f067aa0ba902b7-01`, `00-${tid}-fbff67aa0ba9fe3f-01`],
  ])('%s: each line on its span', (_name, checkoutSpan, paySpan) => {
    const lines: LokiLine[] = [
      { timeMs: t0 + 5, line: 'cart read', labels: { trace_id: tid.toUpperCase(), span_id: checkoutSpan } },
      { timeMs: t0 + 20, line: 'card charged', labels: { trace_id: tid, span_id: paySpan } },
    ];
    const m = buildTraceModel(traceToFrame(rows, { lens: false }), [lokiClassicFrame(lines)]);
    const bodies = (op: string) => logLinesOf(m, Array.from(m.spanId).indexOf(rows.find((r) => r.operationName === op)!.spanID)).map((l) => l.body);
    expect(bodies('checkout')).toEqual(['cart read']);
    expect(bodies('pay')).toEqual(['card charged']);
  });
});

describe('span events of Grafana’s Tempo data source (TraceLog with a name)', () => {
  it('shows the event name, alone or before its attributes', () => {
    const [root] = makeTrace({ spans: 1, seed: 3 });
    const t = root.startTime;
    const rows = [
      {
        ...root,
        logs: [
          { timestamp: t + 1, name: 'cache miss', fields: [] },
          { timestamp: t + 2, name: 'exception', fields: [{ key: 'exception.message', value: 'boom' }] },
          { timestamp: t + 3, name: 'retry', fields: [{ key: 'message', value: 'second try' }] },
        ],
      },
    ];
    const m = buildTraceModel(traceToFrame(rows, { lens: false }));
    expect(logLinesOf(m, 0).map((l) => l.body)).toEqual(['cache miss', 'exception exception.message=boom', 'retry: second try']);
  });
});

describe('Jaeger spans that follow from another span (FOLLOWS_FROM, no CHILD_OF)', () => {
  // Grafana's Jaeger data source sets parentSpanID from a CHILD_OF reference only and keeps the
  // other references; Grafana's trace view nests a span under its first CHILD_OF/FOLLOWS_FROM reference.
  const tid = '00000000000000000000000000000abc';
  const hex = (i: number) => i.toString(16).padStart(16, '0');
  const t0 = Date.UTC(2026, 11, 7);
  const rows = [
    makeSpan({ traceID: tid, spanID: hex(1), parentSpanID: '', operationName: 'publish', startTime: t0, duration: 10 }),
    makeSpan({ traceID: tid, spanID: hex(2), parentSpanID: '', operationName: 'consume', startTime: t0 + 20, duration: 30, references: [{ refType: 'FOLLOWS_FROM', traceID: tid, spanID: hex(1) }] }),
    makeSpan({ traceID: tid, spanID: hex(3), parentSpanID: hex(2), operationName: 'store', startTime: t0 + 25, duration: 5 }),
    // A link to a span of another trace is no parent.
    makeSpan({ traceID: tid, spanID: hex(4), parentSpanID: '', operationName: 'batch', startTime: t0 + 60, duration: 5, references: [{ refType: 'FOLLOWS_FROM', traceID: 'ffff', spanID: hex(9) }] }),
  ];

  it('nests the span under the span it follows from', () => {
    const m = buildTraceModel(traceToFrame(rows, { lens: false }));
    const at = (op: string) => m.operations.indexOf(op);
    const pos = (op: string) => Array.from(m.operation).indexOf(at(op));
    expect(m.parent[pos('consume')]).toBe(pos('publish'));
    expect(m.depth[pos('store')]).toBe(2);
    expect(m.parent[pos('batch')]).toBe(-1);
    expect(m.warnings).toEqual([]);
  });
});

describe('Loki lines within one millisecond', () => {
  it('keep their nanosecond order (tsNs), whatever the order Loki sent them in', () => {
    const [root] = makeTrace({ spans: 1, seed: 5 });
    const ms = Math.floor(root.startTime) + 1;
    const lines = [
      { ns: `${ms}000900`, line: 'third' },
      { ns: `${ms}000500`, line: 'second' },
      { ns: `${ms}000100`, line: 'first' },
    ];
    const frame = createDataFrame({
      refId: 'B',
      meta: { preferredVisualisationType: 'logs' },
      fields: [
        { name: 'labels', type: FieldType.other, values: lines.map(() => ({ trace_id: root.traceID, span_id: root.spanID })) },
        { name: 'Time', type: FieldType.time, values: lines.map(() => ms) },
        { name: 'Line', type: FieldType.string, values: lines.map((l) => l.line) },
        { name: 'tsNs', type: FieldType.string, values: lines.map((l) => l.ns) },
      ],
    });
    const m = buildTraceModel(traceToFrame([root], { lens: false }), [frame]);
    expect(logLinesOf(m, 0).map((l) => l.body)).toEqual(['first', 'second', 'third']);
  });
});
