// plugin-ui's config wizard imports this ESM-only package at load time; the editors never use it.
jest.mock('@marcbachmann/cel-js', () => ({}));

import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import '../../testing/jsdomShims';
import { LatencyDefaults } from './LatencyDefaults';
import type { Options } from './settingsUpdates';

const makeOptions = (jsonData: unknown): Options =>
  ({
    id: 1,
    uid: 'u',
    orgId: 1,
    name: 'Lens',
    type: 'latencylens-lens-datasource',
    access: 'proxy',
    url: '',
    jsonData,
    secureJsonFields: {},
    readOnly: false,
  }) as Options;

describe('LatencyDefaults with provisioned values of another type', () => {
  // A provisioning file can hold values the editor never writes; the backend reports them
  // as settings problems, and the editor must still show so that they can be fixed.
  it.each([
    ['a padding in seconds', { limits: { logWindowPadding: 30 } }, 'Log window padding', '30'],
    ['percentiles as one string', { latency: { percentiles: '0.5, 0.99' } }, 'Default percentiles', '0.5, 0.99'],
    ['one histogram metric as a string', { latency: { histogramMetrics: 'http_request_duration_seconds' } }, 'Histogram metrics', 'http_request_duration_seconds'],
  ])('shows %s', (_name, jsonData, label, shown) => {
    render(<LatencyDefaults options={makeOptions(jsonData)} onOptionsChange={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Expand section Latency' }));
    expect(screen.getByLabelText(new RegExp(`^${label}`))).toHaveValue(shown);
  });

  it('flags a padding in seconds, which the backend refuses', () => {
    render(<LatencyDefaults options={makeOptions({ limits: { logWindowPadding: 30 } })} onOptionsChange={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Expand section Latency' }));
    expect(screen.getByText('A duration like 1m')).toBeInTheDocument();
  });
});

describe('LatencyDefaults typing', () => {
  function Harness({ seen }: { seen: Options[] }) {
    const [o, setO] = React.useState(makeOptions({}));
    return (
      <LatencyDefaults
        options={o}
        onOptionsChange={(next) => {
          seen.push(next);
          setO(next);
        }}
      />
    );
  }

  it.each([
    ['commas', 'http_request_duration_seconds, rpc_seconds'],
    ['spaces', 'http_request_duration_seconds rpc_seconds'],
  ])('takes several histogram metrics typed one after another, separated by %s', async (_name, typed) => {
    const user = userEventLib.setup({ delay: null });
    const seen: Options[] = [];
    render(<Harness seen={seen} />);
    fireEvent.click(screen.getByRole('button', { name: 'Expand section Latency' }));
    await user.type(screen.getByLabelText(/^Histogram metrics/), typed);
    expect(seen[seen.length - 1].jsonData.latency?.histogramMetrics).toEqual(['http_request_duration_seconds', 'rpc_seconds']);
  });
});

describe('LatencyDefaults error values', () => {
  // The backend compiles them as RE2 (Go regexp) and Prometheus matches them as RE2.
  it.each([
    ['a case-insensitive RE2 pattern', '(?i)5..|error', false],
    ['a named RE2 group', '(?P<code>5..)|error', false],
    ['an unclosed group', '(5..|error', true],
  ])('%s is flagged only when RE2 refuses it', (_name, errorValues, flagged) => {
    render(<LatencyDefaults options={makeOptions({ latency: { errorLabel: 'status', errorValues } })} onOptionsChange={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Expand section Latency' }));
    expect(screen.queryByText(/^Not a valid regex/) !== null).toBe(flagged);
  });
});

describe('LatencyDefaults label names', () => {
  // The backend refuses the latency section with a label name PromQL cannot carry.
  it.each([
    ['Service label', { serviceLabel: 'service.name' }],
    ['Operation label', { operationLabel: 'http-route' }],
    ['Error label', { errorLabel: '1status' }],
  ])('flags a %s that is not a Prometheus label name', (label, latency) => {
    render(<LatencyDefaults options={makeOptions({ latency })} onOptionsChange={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Expand section Latency' }));
    expect(screen.getByLabelText(new RegExp(`^${label}`))).toBeInvalid();
    expect(screen.getByText(/is not a Prometheus label name/)).toBeInTheDocument();
  });

  it('takes label names', () => {
    render(<LatencyDefaults options={makeOptions({ latency: { serviceLabel: 'service_name', operationLabel: 'route', errorLabel: 'status' } })} onOptionsChange={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Expand section Latency' }));
    expect(screen.queryByText(/is not a Prometheus label name/)).toBeNull();
  });
});
