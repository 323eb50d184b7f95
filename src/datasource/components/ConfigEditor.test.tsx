// plugin-ui's config wizard imports this ESM-only package at load time; the editors never use it.
jest.mock('@marcbachmann/cel-js', () => ({}));

import React, { useState } from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import '../testing/jsdomShims';
import type { Options } from './config/settingsUpdates';
import { ConfigEditor } from './ConfigEditor';

const userEvent = userEventLib.setup({ delay: null });
jest.setTimeout(120_000);

const makeOptions = (over: Partial<Options> = {}): Options =>
  ({
    id: 1,
    uid: 'u',
    orgId: 1,
    name: 'Lens',
    type: 'latencylens-lens-datasource',
    access: 'proxy',
    url: '',
    jsonData: {},
    secureJsonFields: {},
    readOnly: false,
    ...over,
  }) as Options;

function setup(initial: Options) {
  const seen: Options[] = [];
  function Harness() {
    const [o, setO] = useState(initial);
    return (
      <ConfigEditor
        options={o}
        onOptionsChange={(next) => {
          seen.push(next);
          setO(next);
        }}
      />
    );
  }
  render(<Harness />);
  return { last: () => seen[seen.length - 1] };
}

describe('ConfigEditor', () => {
  it('has one section per store', () => {
    setup(makeOptions());
    for (const store of ['metrics', 'logs', 'traces']) {
      expect(screen.getByTestId(`lens-store-${store}`)).toBeInTheDocument();
    }
  });

  it('writes each store URL to its own jsonData', () => {
    const { last } = setup(makeOptions());
    fireEvent.change(within(screen.getByTestId('lens-store-metrics')).getByLabelText(/^URL/), {
      target: { value: 'http://127.0.0.1:9090' },
    });
    fireEvent.change(within(screen.getByTestId('lens-store-logs')).getByLabelText(/^URL/), {
      target: { value: 'ftp://x' },
    });
    expect(last().jsonData).toMatchObject({ metrics: { url: 'http://127.0.0.1:9090' }, logs: { url: 'ftp://x' } });
    expect(screen.getByText('Use an http:// or https:// URL')).toBeInTheDocument();
  });

  it('shows a configured bearer token as configured and resets it', async () => {
    const { last } = setup(
      makeOptions({ jsonData: { traces: { url: 'http://t', auth: 'bearer' } }, secureJsonFields: { tracesBearerToken: true } })
    );
    const section = screen.getByTestId('lens-store-traces');
    const token = within(section).getByLabelText('Token');
    expect(token).toHaveValue('configured');
    expect(token).toBeDisabled();
    await userEvent.click(within(section).getByRole('button', { name: 'Reset' }));
    expect(last().secureJsonFields.tracesBearerToken).toBe(false);
    expect(last().secureJsonData?.tracesBearerToken).toBe('');
    fireEvent.change(within(section).getByLabelText('Token'), { target: { value: 's3cret' } });
    expect(last().secureJsonData?.tracesBearerToken).toBe('s3cret');
    expect(JSON.stringify(last().jsonData)).not.toContain('s3cret');
  });

  it('sets the trace store kind', async () => {
    const { last } = setup(makeOptions());
    await userEvent.click(screen.getByLabelText('Jaeger (v3 API)'));
    expect(last().jsonData.traces?.kind).toBe('jaeger-v3');
  });

  it('previews trace/span extraction on a pasted line', async () => {
    const { last } = setup(makeOptions());
    await userEvent.click(screen.getByLabelText('logfmt'));
    expect(last().jsonData.logs?.extraction).toEqual({ mode: 'logfmt', traceIdKey: 'trace_id', spanIdKey: 'span_id' });
    fireEvent.change(screen.getByLabelText('Try it: a sample log line'), {
      target: { value: 'level=info trace_id=4BF92F3577B34DA6A3CE929D0E0E4736 span_id=zz' },
    });
    expect(screen.getByTestId('lens-preview-trace')).toHaveTextContent(
      'trace ID: 4bf92f3577b34da6a3ce929d0e0e4736 (from 4BF92F3577B34DA6A3CE929D0E0E4736)'
    );
    expect(screen.getByTestId('lens-preview-span')).toHaveTextContent('span ID "zz" is neither hex');
  });

  it('says, without a sample line, that the backend refuses a label key', async () => {
    const { last } = setup(makeOptions());
    await userEvent.click(screen.getByLabelText('Label'));
    fireEvent.change(screen.getByLabelText('Trace ID key'), { target: { value: 'trace-id' } });
    expect(last().jsonData.logs?.extraction).toEqual({ mode: 'label', traceIdKey: 'trace-id', spanIdKey: 'span_id' });
    expect(screen.getByText(/"trace-id" is not a Loki label name/)).toBeInTheDocument();
  });

  it.each([
    ['without braces', 'service_name=~".+"', true],
    ['without a matcher', '{ }', true],
    ['with a pipeline', '{app="api"} | json', false],
  ])('flags a trace log selector %s only when the backend refuses it', (_name, selector, flagged) => {
    setup(makeOptions());
    fireEvent.change(screen.getByLabelText(/^Logs of a trace/), { target: { value: selector } });
    expect(screen.queryByText(/Write a stream selector in braces/) !== null).toBe(flagged);
  });

  it('enables a CA certificate as a secret', async () => {
    const { last } = setup(makeOptions());
    const section = screen.getByTestId('lens-store-metrics');
    await userEvent.click(within(section).getByLabelText('With CA certificate'));
    fireEvent.change(within(section).getByLabelText('CA certificate'), { target: { value: '-----BEGIN CERTIFICATE-----' } });
    expect(last().jsonData.metrics?.tlsWithCACert).toBe(true);
    expect(last().secureJsonData?.metricsTlsCACert).toBe('-----BEGIN CERTIFICATE-----');
  });

  it.each([
    ['Max spans', 'maxSpans'],
    ['Max log lines', 'maxLogLines'],
  ] as const)('saves %s only as a whole number', async (label, key) => {
    const { last } = setup(makeOptions());
    await userEvent.click(screen.getByRole('button', { name: 'Expand section Latency' }));
    const input = screen.getByLabelText(label);
    fireEvent.change(input, { target: { value: '1000' } });
    expect(last().jsonData.limits?.[key]).toBe(1000);
    fireEvent.change(input, { target: { value: '2.5' } });
    expect(last().jsonData.limits?.[key]).toBe(1000);
    fireEvent.change(input, { target: { value: '1e21' } });
    expect(last().jsonData.limits?.[key]).toBe(1000);
    fireEvent.change(input, { target: { value: '' } });
    expect(last().jsonData.limits?.[key]).toBeUndefined();
  });

  it('writes the error label and values, and flags a bad regex', async () => {
    const { last } = setup(makeOptions());
    await userEvent.click(screen.getByRole('button', { name: 'Expand section Latency' }));
    fireEvent.change(screen.getByLabelText(/^Error label/), { target: { value: 'status' } });
    expect(last().jsonData.latency?.errorLabel).toBe('status');
    fireEvent.change(screen.getByLabelText(/^Error values/), { target: { value: '5..|(' } });
    expect(last().jsonData.latency?.errorValues).toBe('5..|(');
    expect(screen.getByText(/Not a valid regex/)).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/^Error values/), { target: { value: '' } });
    expect(last().jsonData.latency?.errorValues).toBeUndefined();
    expect(last().jsonData.latency?.errorLabel).toBe('status');
  });

  it('writes the metrics store scrape interval and flags one the backend refuses', () => {
    const { last } = setup(makeOptions({ jsonData: { metrics: { url: 'http://prom:9090' } } }));
    const metrics = within(screen.getByTestId('lens-store-metrics'));
    fireEvent.change(metrics.getByLabelText(/^Scrape interval/), { target: { value: '1m' } });
    expect(last().jsonData.metrics?.scrapeInterval).toBe('1m');
    expect(metrics.queryByText(/A duration like/)).not.toBeInTheDocument();
    fireEvent.change(metrics.getByLabelText(/^Scrape interval/), { target: { value: 'often' } });
    expect(metrics.getByText(/A duration like/)).toBeInTheDocument();
    // Only the metrics store has one.
    expect(within(screen.getByTestId('lens-store-logs')).queryByLabelText(/^Scrape interval/)).not.toBeInTheDocument();
  });
});
