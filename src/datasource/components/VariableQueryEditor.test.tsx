// plugin-ui's config wizard imports this ESM-only package at load time; the editors never use it.
jest.mock('@marcbachmann/cel-js', () => ({}));

import React, { useState } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import '../testing/jsdomShims';
import { makeDatasource } from '../testing/makeDatasource';
import type { LensVariableQuery } from '../variables/variableQuery';
import { VariableQueryEditor } from './VariableQueryEditor';

const userEvent = userEventLib.setup({ delay: null });
jest.setTimeout(120_000);

// Grafana runs the variable query on every onChange of its editor (the preview of values).
function setup(initial: LensVariableQuery) {
  const { ds } = makeDatasource({}, {});
  const changes: LensVariableQuery[] = [];
  function Harness() {
    const [q, setQ] = useState(initial);
    return (
      <VariableQueryEditor
        datasource={ds}
        query={q}
        onRunQuery={() => {}}
        onChange={(next) => {
          changes.push(next);
          setQ(next);
        }}
      />
    );
  }
  render(<Harness />);
  return { changes, last: () => changes[changes.length - 1] };
}

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

  it('a fractional trace limit is stored as a whole number', async () => {
    const { last } = setup({ refId: 'v', kind: 'traceIds', limit: 20 });
    const box = screen.getByLabelText('Limit');
    await userEvent.clear(box);
    await userEvent.type(box, '12.5{enter}');
    expect(last()).toMatchObject({ limit: 12 });
  });
});
