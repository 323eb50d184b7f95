import React from 'react';
import { render, screen } from '@testing-library/react';
import { createTheme, FieldType } from '@grafana/data';

import { makeSpan, traceToFrame } from '../testing/factories';
import { defaultOptions } from '../types';
import { prepareWaterfallData, type WaterfallData } from './prepareWaterfallData';
import { SpanDetail } from './SpanDetail';

type ExtraField = { name: string; type: FieldType; values: unknown[] };

function prepared(warnings: unknown[], extra: ExtraField[] = []): WaterfallData {
  const rows = [makeSpan({ spanID: '0000000000000001', operationName: 'GET /cart' }), makeSpan({ spanID: '0000000000000002', parentSpanID: '0000000000000001' })];
  const frame = traceToFrame(rows);
  const added = [{ name: 'warnings', type: FieldType.other, values: warnings }, ...extra].map((x) => ({ ...x, config: {} }));
  const withWarnings = { ...frame, fields: [...frame.fields, ...added] };
  const d = prepareWaterfallData([withWarnings], defaultOptions.waterfall, createTheme());
  if ('warning' in d) {
    throw new Error(d.warning);
  }
  return d;
}

describe('SpanDetail', () => {
  it("shows the span's warnings", () => {
    render(<SpanDetail data={prepared([['clock skew adjusted by 3 ms'], []])} pos={0} width={400} onClose={() => {}} />);
    expect(screen.getByTestId('lens-span-warnings')).toHaveTextContent('clock skew adjusted by 3 ms');
    expect(screen.getByText('GET /cart')).toBeInTheDocument();
  });

  it('shows no warning block for a span without warnings', () => {
    render(<SpanDetail data={prepared([['clock skew adjusted by 3 ms'], []])} pos={1} width={400} onClose={() => {}} />);
    expect(screen.queryByTestId('lens-span-warnings')).toBeNull();
  });

  it("shows the span's instrumentation library and trace state when the frame has them", () => {
    const extra = [
      { name: 'instrumentationLibraryName', type: FieldType.string, values: ['io.opentelemetry.okhttp', ''] },
      { name: 'instrumentationLibraryVersion', type: FieldType.string, values: ['1.42.0', ''] },
      { name: 'traceState', type: FieldType.string, values: ['vendor=abc,other=1', ''] },
    ];
    const { unmount } = render(<SpanDetail data={prepared([[], []], extra)} pos={0} width={400} onClose={() => {}} />);
    expect(screen.getByText('library').nextSibling).toHaveTextContent('io.opentelemetry.okhttp 1.42.0');
    expect(screen.getByText('trace state').nextSibling).toHaveTextContent('vendor=abc,other=1');
    unmount();
    // A span of the same trace without them: no empty rows.
    render(<SpanDetail data={prepared([[], []], extra)} pos={1} width={400} onClose={() => {}} />);
    expect(screen.queryByText('library')).toBeNull();
    expect(screen.queryByText('trace state')).toBeNull();
  });

  it('shows no library or trace-state rows when the frame has no such columns', () => {
    render(<SpanDetail data={prepared([[], []])} pos={0} width={400} onClose={() => {}} />);
    expect(screen.getByText('span ID')).toBeInTheDocument();
    expect(screen.queryByText('library')).toBeNull();
    expect(screen.queryByText('trace state')).toBeNull();
  });
});

describe('SpanDetail start time', () => {
  const startMs = Date.UTC(2026, 11, 7, 18, 30, 5, 123);
  function data(): WaterfallData {
    const d = prepareWaterfallData([traceToFrame([makeSpan({ spanID: '0000000000000001', startTime: startMs, duration: 12 })])], defaultOptions.waterfall, createTheme());
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    return d;
  }

  it.each([
    ['America/New_York', '2026-12-07 13:30:05.123'],
    ['utc', '2026-12-07 18:30:05.123'],
    ['Asia/Kolkata', '2026-12-08 00:00:05.123'],
  ])('in the dashboard time zone %s, to the millisecond', (timeZone, want) => {
    render(<SpanDetail data={data()} pos={0} width={400} onClose={() => {}} timeZone={timeZone} />);
    expect(screen.getByText('start').nextSibling).toHaveTextContent(want);
  });
});

describe('SpanDetail events', () => {
  it('names each event of a Tempo trace frame (the name is only in the TraceLog)', () => {
    const t = Date.UTC(2026, 11, 7);
    const span = makeSpan({
      spanID: '0000000000000001',
      startTime: t,
      duration: 10,
      logs: [
        { timestamp: t + 1, name: 'cache miss', fields: [] },
        { timestamp: t + 2, name: 'exception', fields: [{ key: 'exception.message', value: 'boom' }] },
      ],
    });
    const d = prepareWaterfallData([traceToFrame([span], { lens: false })], defaultOptions.waterfall, createTheme());
    if ('warning' in d) {
      throw new Error(d.warning);
    }
    render(<SpanDetail data={d} pos={0} width={400} onClose={() => {}} />);
    const events = screen.getByText('Events').closest('section')!;
    expect(events).toHaveTextContent('cache miss');
    expect(events).toHaveTextContent('exception exception.message=boom');
  });
});
