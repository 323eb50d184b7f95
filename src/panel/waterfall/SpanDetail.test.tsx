import React from 'react';
import { render, screen } from '@testing-library/react';
import { createTheme, FieldType } from '@grafana/data';

import { makeSpan, traceToFrame } from '../testing/factories';
import { defaultOptions } from '../types';
import { prepareWaterfallData, type WaterfallData } from './prepareWaterfallData';
import { SpanDetail } from './SpanDetail';

function prepared(warnings: unknown[]): WaterfallData {
  const rows = [makeSpan({ spanID: '0000000000000001', operationName: 'GET /cart' }), makeSpan({ spanID: '0000000000000002', parentSpanID: '0000000000000001' })];
  const frame = traceToFrame(rows);
  const withWarnings = { ...frame, fields: [...frame.fields, { name: 'warnings', type: FieldType.other, config: {}, values: warnings }] };
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
});
