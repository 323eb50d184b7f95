// plugin-ui's config wizard imports this ESM-only package at load time; the editors never use it, and jest.config.js (shared) does not transform it.
jest.mock('@marcbachmann/cel-js', () => ({}));

import React, { useState } from 'react';
import { render, screen, waitFor, fireEvent } from '@testing-library/react';
import { dateTime, makeTimeRange } from '@grafana/data';
import userEventLib from '@testing-library/user-event';

const userEvent = userEventLib.setup({ delay: null });

import { QUERY_MODEL_VERSION, type LensQuery } from '../../shared/queryModel';
import type { LensJsonData } from '../../shared/settings';
import '../testing/jsdomShims';
import { makeDatasource } from '../testing/makeDatasource';
import { QueryEditor } from './QueryEditor';

function setup(initial: LensQuery, lookups: Record<string, string[]> = {}, jsonData: LensJsonData = {}) {
  const { ds, calls } = makeDatasource(jsonData, lookups);
  const changes: LensQuery[] = [];
  const onRunQuery = jest.fn();
  function Harness() {
    const [q, setQ] = useState(initial);
    return (
      <QueryEditor
        datasource={ds}
        query={q}
        onRunQuery={onRunQuery}
        onChange={(next) => {
          changes.push(next);
          setQ(next);
        }}
      />
    );
  }
  render(<Harness />);
  return { changes, onRunQuery, calls, last: () => changes[changes.length - 1] };
}

const v = QUERY_MODEL_VERSION;
// The machine is shared and slow; real @grafana/ui menus take a while to render.
jest.setTimeout(120_000);

describe('QueryEditor', () => {
  it('validates the trace ID as you type and sends it on blur', async () => {
    const { last, onRunQuery } = setup({ refId: 'A', version: v, queryType: 'trace', traceId: '' });
    const input = screen.getByLabelText('Trace ID');
    await userEvent.type(input, 'xyz');
    expect(await screen.findByText(/is neither hex/)).toBeInTheDocument();
    await userEvent.clear(input);
    await userEvent.type(input, 'A3CE929D0E0E4736');
    expect(screen.getByText('Looks up 0000000000000000a3ce929d0e0e4736')).toBeInTheDocument();
    fireEvent.blur(input);
    expect(last()).toMatchObject({ queryType: 'trace', traceId: 'A3CE929D0E0E4736' });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('does not run an invalid trace ID', async () => {
    const { onRunQuery } = setup({ refId: 'A', version: v, queryType: 'trace', traceId: '' });
    const input = screen.getByLabelText('Trace ID');
    await userEvent.type(input, 'nope{enter}');
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('migrates an old saved query on mount', async () => {
    const { changes } = setup({ refId: 'A', traceId: 'abc' } as unknown as LensQuery);
    await waitFor(() => expect(changes[0]).toEqual({ refId: 'A', version: v, queryType: 'trace', traceId: 'abc' }));
  });

  it('search on Jaeger: a query saved in TraceQL mode is stored as the builder the editor shows', async () => {
    // Jaeger has no TraceQL, so the editor shows the builder; the saved mode must follow,
    // or the backend would send the TraceQL the user cannot see to Jaeger and fail.
    const jaeger: LensJsonData = { traces: { url: 'http://jaeger:16686', kind: 'jaeger-v1' } as LensJsonData['traces'] };
    const { last } = setup({ refId: 'A', version: v, queryType: 'search', editorMode: 'code', traceql: '{ }', service: 'api' }, {}, jaeger);
    await waitFor(() => expect(last()).toMatchObject({ queryType: 'search', editorMode: 'builder', service: 'api' }));
  });

  it('search on Tempo: a query saved in TraceQL mode stays in it', async () => {
    const { changes } = setup({ refId: 'A', version: v, queryType: 'search', editorMode: 'code', traceql: '{ }' });
    expect(screen.getByText('TraceQL')).toBeInTheDocument();
    expect(changes).toEqual([]);
  });

  it('switches query type to a fresh latency query', async () => {
    const { last } = setup({ refId: 'A', version: v, queryType: 'trace', traceId: 'abc' });
    await userEvent.click(screen.getByLabelText('Latency'));
    expect(last()).toEqual({ refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', cdf: true, datasource: undefined, hide: undefined });
  });

  it('fills the histogram picker from the resource endpoint, and builder → code keeps the query', async () => {
    const { last, calls } = setup(
      { refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', service: 'api' },
      { 'prometheus/histograms': ['http_request_duration_seconds', 'rpc_seconds'] }
    );
    await waitFor(() => expect(calls.some((c) => c.path === 'prometheus/histograms')).toBe(true));
    expect(calls).toContainEqual({ path: 'services', params: { source: 'metrics' } });
    expect(calls).toContainEqual({ path: 'operations', params: { source: 'metrics', service: 'api' } });
    await userEvent.click(screen.getByLabelText('Histogram metric'));
    await userEvent.click(await screen.findByText('rpc_seconds'));
    expect(last()).toMatchObject({ histogramMetric: 'rpc_seconds', service: 'api' });
    expect(screen.getByTestId('lens-latency-preview')).toHaveTextContent(
      'histogram_quantile(0.5, sum by (le) (rate(rpc_seconds_bucket{service="api"}[$__rate_interval])))'
    );
    await userEvent.click(screen.getByLabelText('Code'));
    expect(last()).toMatchObject({ editorMode: 'code', expr: 'rpc_seconds{service="api"}', histogramMetric: 'rpc_seconds' });
    expect(screen.getByLabelText('PromQL histogram selector')).toHaveValue('rpc_seconds{service="api"}');
  });

  it('refuses to switch an incomplete builder to code and says why', async () => {
    const { changes } = setup({ refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder' });
    await userEvent.click(screen.getByLabelText('Code'));
    expect(await screen.findByText('Cannot switch to code: choose a histogram metric')).toBeInTheDocument();
    expect(changes.every((c) => c.queryType !== 'latency' || c.editorMode === 'builder')).toBe(true);
  });

  it('search builder: flags a bad duration, accepts a good one', async () => {
    const { last } = setup({ refId: 'A', version: v, queryType: 'search', editorMode: 'builder' });
    const min = screen.getByLabelText('Min duration');
    await userEvent.type(min, '5 seconds{enter}');
    expect(await screen.findByText(/is not a duration/)).toBeInTheDocument();
    await userEvent.clear(min);
    await userEvent.type(min, '1.5s{enter}');
    expect(last()).toMatchObject({ minDuration: '1.5s' });
    await userEvent.click(screen.getByLabelText('Code'));
    expect(last()).toMatchObject({ editorMode: 'code', traceql: '{ duration >= 1.5s }' });
  });

  it('percentiles accept p99 and 99 and are stored as fractions', async () => {
    const { last } = setup({ refId: 'A', version: v, queryType: 'latency', source: 'spans', editorMode: 'builder' });
    await userEvent.type(screen.getByLabelText('Percentiles'), 'p99, 50{enter}');
    expect(last()).toMatchObject({ percentiles: [0.5, 0.99] });
  });

  // The backend reads limit as a whole number and refuses the whole query otherwise.
  it.each([
    ['search', /^Limit/, { refId: 'A', version: v, queryType: 'search', editorMode: 'builder' } as LensQuery],
    ['logs', /^Line limit/, { refId: 'A', version: v, queryType: 'logs', expr: '{a="b"}' } as LensQuery],
  ])('%s: a fractional limit is stored as a whole number', async (_, label, initial) => {
    const { last } = setup(initial);
    await userEvent.type(screen.getByLabelText(label), '12.5{enter}');
    expect(last()).toMatchObject({ limit: 12 });
    expect(Number.isInteger((last() as { limit?: number }).limit)).toBe(true);
  });

  // A blank line limit reads the data source's "Max log lines" (5000 unless set), as the backend does.
  it.each([
    ['unset', {}, '5000'],
    ['set', { limits: { maxLogLines: 2000 } }, '2000'],
  ])('logs: a blank line limit shows the data source maximum (%s)', (_, jsonData: LensJsonData, want) => {
    setup({ refId: 'A', version: v, queryType: 'logs', expr: '{a="b"}' }, {}, jsonData);
    expect(screen.getByLabelText(/^Line limit/)).toHaveAttribute('placeholder', want);
  });

  it('metrics: PromQL is committed on blur', async () => {
    const { last, onRunQuery } = setup({ refId: 'A', version: v, queryType: 'metrics', expr: '' });
    const box = screen.getByLabelText('PromQL');
    await userEvent.type(box, 'rate(x[[5m])');
    fireEvent.blur(box);
    expect(last()).toMatchObject({ expr: 'rate(x[5m])' });
    expect(onRunQuery).toHaveBeenCalled();
  });

  // The editor reads the step as a duration around its blanks (a pasted "1m "); the
  // backend parses exactly what is stored.
  it('metrics: a min step is stored without the blanks around it', async () => {
    const { last } = setup({ refId: 'A', version: v, queryType: 'metrics', expr: 'up' });
    await userEvent.type(screen.getByLabelText(/^Min step/), ' 1m {enter}');
    expect(screen.queryByText('a duration like 15s')).not.toBeInTheDocument();
    expect(last()).toMatchObject({ step: '1m' });
  });

  // The backend reads the min step as Prometheus reads a step: days, weeks and years,
  // combined units and plain seconds are durations there too.
  it.each(['1d', '1w', '1y', '1d12h', '1h30m', '90', '1.5', '250ms'])(
    'metrics: min step %s is a duration',
    async (step) => {
      const { last } = setup({ refId: 'A', version: v, queryType: 'metrics', expr: 'up' });
      await userEvent.type(screen.getByLabelText(/^Min step/), `${step}{enter}`);
      expect(last()).toMatchObject({ step });
      expect(screen.queryByText(/^a duration like/)).not.toBeInTheDocument();
    }
  );

  it.each(['1x', '1h1d', '1d1d', '-1m'])('metrics: min step %s is refused', async (step) => {
    setup({ refId: 'A', version: v, queryType: 'metrics', expr: 'up' });
    await userEvent.type(screen.getByLabelText(/^Min step/), `${step}{enter}`);
    expect(await screen.findByText(/^a duration like/)).toBeInTheDocument();
  });
});

// Provisioned dashboards and hand-edited JSON reach the editor as written: numbers where
// text is expected, a string where a list is, "false" for a switch. The backend refuses
// them by field name; the editor must open them, show their values and store them in the
// types the backend reads.
describe('QueryEditor: saved fields of another type', () => {
  const odd = (q: Record<string, unknown>) => ({ refId: 'A', version: v, ...q }) as unknown as LensQuery;

  it.each([
    ['trace ID a number', odd({ queryType: 'trace', traceId: 12345 }), 'Trace ID', '12345', { traceId: '12345' }],
    ['tags a number', odd({ queryType: 'search', editorMode: 'builder', tags: 500 }), 'Tags', '500', { tags: '500' }],
    ['min duration a number', odd({ queryType: 'search', editorMode: 'builder', minDuration: 100 }), 'Min duration', '100', { minDuration: '100' }],
    ['limit a string', odd({ queryType: 'search', editorMode: 'builder', limit: '30' }), /^Limit/, 30, { limit: 30 }],
    [
      'group by a string',
      odd({ queryType: 'latency', source: 'histogram', editorMode: 'builder', groupBy: 'service, route' }),
      /^Group by/,
      'service, route',
      { groupBy: ['service', 'route'] },
    ],
    [
      'percentiles a string',
      odd({ queryType: 'latency', source: 'spans', editorMode: 'builder', percentiles: '0.5, 99' }),
      'Percentiles',
      '0.5, 0.99',
      { percentiles: [0.5, 0.99] },
    ],
    [
      'histogram metric a number',
      odd({ queryType: 'latency', source: 'histogram', editorMode: 'builder', histogramMetric: 5, service: 'api' }),
      undefined,
      undefined,
      { histogramMetric: '5' },
    ],
    ['step a number', odd({ queryType: 'metrics', expr: 'up', step: 15 }), /^Min step/, '15', { step: '15' }],
    ['legend a number', odd({ queryType: 'metrics', expr: 'up', legendFormat: 7 }), /^Legend/, '7', { legendFormat: '7' }],
    ['LogQL a number', odd({ queryType: 'logs', expr: 5 }), 'LogQL', '5', { expr: '5' }],
  ])('%s: shown and stored in its type', async (_n, query, label, shown, stored) => {
    const { last } = setup(query);
    if (label) {
      expect(screen.getByLabelText(label)).toHaveValue(shown);
    }
    await waitFor(() => expect(last()).toMatchObject(stored));
  });

  it('switches saved as strings are read as what they say', async () => {
    const { last } = setup(odd({ queryType: 'latency', source: 'spans', editorMode: 'builder', cdf: 'false', summary: 'true' }));
    expect(screen.getByLabelText('CDF')).not.toBeChecked();
    await waitFor(() => expect(last()).toMatchObject({ cdf: false, summary: true }));
  });

  it('an unknown latency source in code mode opens, showing the expression', () => {
    setup(odd({ queryType: 'latency', source: 'magic', editorMode: 'code', expr: 'x' }));
    expect(screen.getByLabelText('PromQL histogram selector')).toHaveValue('x');
  });
});

describe('QueryEditor: latency source in code mode', () => {
  it('a new source gets its own language: the builder fields in it, or the builder when they make none', async () => {
    const { last } = setup({
      refId: 'A',
      version: v,
      queryType: 'latency',
      source: 'histogram',
      editorMode: 'code',
      histogramMetric: 'rpc_seconds',
      service: 'api',
      expr: 'rpc_seconds{service="api"}',
    });
    await userEvent.click(screen.getByLabelText('Spans'));
    expect(last()).toMatchObject({ source: 'spans', editorMode: 'code', expr: '{ resource.service.name = "api" }' });
    expect(screen.getByLabelText('TraceQL span selector')).toHaveValue('{ resource.service.name = "api" }');
    // The second "Logs" is the source's (the first is the query type's).
    await userEvent.click(screen.getAllByLabelText('Logs')[1]);
    // No duration field chosen: the logs builder cannot make LogQL yet.
    expect(last()).toMatchObject({ source: 'logs', editorMode: 'builder', service: 'api' });
    expect(last()).not.toHaveProperty('expr');
  });
});

describe('QueryEditor: pickers whose look-up fails', () => {
  it('say so even when a value is chosen and configured values fill the list', async () => {
    const { ds } = makeDatasource({ latency: { histogramMetrics: ['rpc_seconds'] } } as LensJsonData);
    ds.lookup = jest.fn(async () => {
      throw { data: { error: 'metrics store: 503 Service Unavailable' } };
    });
    render(
      <QueryEditor
        datasource={ds}
        query={{ refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', histogramMetric: 'rpc_seconds', service: 'api' }}
        onChange={() => {}}
        onRunQuery={() => {}}
      />
    );
    const errors = await screen.findAllByText(/Could not load: metrics store: 503 Service Unavailable/);
    // The histogram metric, service and operation pickers each asked Prometheus.
    expect(errors).toHaveLength(3);
  });

  // The pickers list what the stores saw in the dashboard's time range (a service that
  // stopped last week is in a last-30-days dashboard's list), to the minute.
  it('asks the pickers for the dashboard time range', async () => {
    const { ds, calls } = makeDatasource({});
    const to = Date.UTC(2026, 11, 7, 18, 30, 5);
    const range = makeTimeRange(dateTime(to - 30 * 86_400_000), dateTime(to));
    const time = { start: Date.UTC(2026, 10, 7, 18, 30), end: Date.UTC(2026, 11, 7, 18, 31) };
    render(
      <QueryEditor
        datasource={ds}
        query={{ refId: 'A', version: v, queryType: 'latency', source: 'histogram', editorMode: 'builder', service: 'api' }}
        onRunQuery={jest.fn()}
        onChange={jest.fn()}
        range={range}
      />
    );
    await waitFor(() => expect(calls.some((c) => c.path === 'operations')).toBe(true));
    expect(calls).toContainEqual({ path: 'prometheus/histograms', params: time });
    expect(calls).toContainEqual({ path: 'services', params: { ...time, source: 'metrics' } });
    expect(calls).toContainEqual({ path: 'operations', params: { ...time, source: 'metrics', service: 'api' } });
  });
});
