// plugin-ui's config wizard imports this ESM-only package at load time; the editors never use it.
jest.mock('@marcbachmann/cel-js', () => ({}));

import React, { useState } from 'react';
import { dateTime, type TimeRange } from '@grafana/data';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import '../testing/jsdomShims';
import { makeDatasource } from '../testing/makeDatasource';
import type { LensVariableQuery } from '../variables/variableQuery';
import { VariableQueryEditor } from './VariableQueryEditor';

const userEvent = userEventLib.setup({ delay: null });
jest.setTimeout(120_000);

// Grafana runs the variable query on every onChange of its editor (the preview of values).
function setup(
  initial: LensVariableQuery,
  lookups: Record<string, string[]> = {},
  range?: TimeRange,
  vars: Record<string, string> = {}
) {
  const { ds, calls } = makeDatasource({}, lookups);
  // The dashboard's variables, as Grafana's template service would fill them in.
  ds.interpolateVariableQuery = (q) => {
    const selector = q.selector?.replace(/\$(\w+)/g, (ref, name: string) => {
      if (!(name in vars)) {
        throw new Error(`variable ${ref} has no value`);
      }
      return vars[name];
    });
    return { ...q, selector };
  };
  const changes: LensVariableQuery[] = [];
  function Harness() {
    const [q, setQ] = useState(initial);
    return (
      <VariableQueryEditor
        datasource={ds}
        query={q}
        onRunQuery={() => {}}
        range={range}
        onChange={(next) => {
          changes.push(next);
          setQ(next);
        }}
      />
    );
  }
  render(<Harness />);
  return { changes, calls, last: () => changes[changes.length - 1] };
}

const from = dateTime(1_700_000_000_000);
const to = dateTime(1_700_003_600_000);
const range: TimeRange = { from, to, raw: { from, to } };

describe('VariableQueryEditor', () => {
  it.each([
    ['Stream selector', { refId: 'v', kind: 'logLabelValues', label: 'app' } as LensVariableQuery, '{service_name="api"}', 'selector'],
    ['Series selector', { refId: 'v', kind: 'metricLabelValues', label: 'job' } as LensVariableQuery, 'up{job="api"}', 'selector'],
    ['TraceQL', { refId: 'v', kind: 'traceIds' } as LensVariableQuery, '{ status = error }', 'traceql'],
  ])('%s is stored (and run) once, when the field is left, not at every key', async (label, initial, typed, key) => {
    const { changes, last } = setup(initial);
    const box = screen.getByLabelText(new RegExp(`^${label}`));
    await userEvent.type(box, typed.replace(/[{[]/g, '$&$&'));
    expect(changes).toEqual([]);
    fireEvent.blur(box);
    expect(changes).toHaveLength(1);
    expect(last()).toMatchObject({ [key]: typed });
  });

  // The label of a "Metric label values" variable is picked from Prometheus' label names
  // of the series selector over the dashboard's range; of a "Log label values" one, from
  // Loki's label names of the stream selector.
  it.each([
    ['metricLabelValues', 'prometheus/labels', 'up{job="api"}'],
    ['metricLabelValues', 'prometheus/labels', undefined],
    ['logLabelValues', 'loki/labels', undefined],
  ])('%s: the label picker offers the label names (%s, selector %s)', async (kind, path, selector) => {
    setup({ refId: 'v', kind, selector } as LensVariableQuery, { [path]: ['instance', 'job'] }, range);
    await userEvent.click(screen.getByLabelText('Label'));
    expect(await screen.findByText('instance')).toBeInTheDocument();
    expect(screen.getByText('job')).toBeInTheDocument();
  });

  it.each([
    ['metricLabelValues', 'prometheus/labels', 'up{job="api"}', { match: 'up{job="api"}' }],
    ['metricLabelValues', 'prometheus/labels', undefined, {}],
    ['logLabelValues', 'loki/labels', undefined, {}],
    ['logLabelValues', 'loki/labels', '{service_name="api"}', { selector: '{service_name="api"}' }],
  ])('%s: label names are asked of %s with selector %s and the time range', async (kind, path, selector, params) => {
    const { calls } = setup({ refId: 'v', kind, selector } as LensVariableQuery, {}, range);
    await waitFor(() => expect(calls.some((c) => c.path === path)).toBe(true));
    expect(calls.filter((c) => c.path === path)).toEqual([
      { path, params: { ...params, start: 1_700_000_000_000, end: 1_700_003_600_000 } },
    ]);
  });

  // A chained variable's selector names other variables: the label picker asks with them
  // filled in (Prometheus would take `$job` as the literal value and find no series), and
  // with no selector when one cannot be filled in.
  it.each([
    ['metricLabelValues', 'prometheus/labels', 'up{job="$job"}', { match: 'up{job="api"}' }],
    ['logLabelValues', 'loki/labels', '{service_name="$job"}', { selector: '{service_name="api"}' }],
    ['metricLabelValues', 'prometheus/labels', 'up{job="$unknown"}', {}],
  ])('%s: the label picker fills in the variables of the selector (%s, %s)', async (kind, path, selector, params) => {
    const { calls } = setup({ refId: 'v', kind, selector } as LensVariableQuery, {}, range, { job: 'api' });
    await waitFor(() => expect(calls.some((c) => c.path === path)).toBe(true));
    expect(calls.filter((c) => c.path === path)).toEqual([
      { path, params: { ...params, start: 1_700_000_000_000, end: 1_700_003_600_000 } },
    ]);
  });

  it('the service picker of an operations variable looks at the time range too', async () => {
    const { calls } = setup({ refId: 'v', kind: 'operations', source: 'metrics' }, {}, range);
    await waitFor(() => expect(calls.some((c) => c.path === 'services')).toBe(true));
    expect(calls.filter((c) => c.path === 'services')).toEqual([
      { path: 'services', params: { source: 'metrics', start: 1_700_000_000_000, end: 1_700_003_600_000 } },
    ]);
  });

  it('a fractional trace limit is stored as a whole number', async () => {
    const { last } = setup({ refId: 'v', kind: 'traceIds', limit: 20 });
    const box = screen.getByLabelText('Limit');
    await userEvent.clear(box);
    await userEvent.type(box, '12.5{enter}');
    expect(last()).toMatchObject({ limit: 12 });
  });
});
