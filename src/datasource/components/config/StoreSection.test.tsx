// plugin-ui's config wizard imports this ESM-only package at load time; the editors never use it.
jest.mock('@marcbachmann/cel-js', () => ({}));

import React, { useState } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import '../../testing/jsdomShims';
import type { Options } from './settingsUpdates';
import { StoreSection, urlError } from './StoreSection';

jest.setTimeout(60_000);

const makeOptions = (jsonData: Options['jsonData']): Options =>
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

function setup(initial: Options, store: 'metrics' | 'logs' | 'traces' = 'metrics') {
  const seen: Options[] = [];
  function Harness() {
    const [o, setO] = useState(initial);
    return (
      <StoreSection
        store={store}
        title="Metrics"
        description="d"
        urlPlaceholder="http://localhost:9090"
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

describe('StoreSection timeout', () => {
  it('shows a provisioned timeout in seconds (a JSON number) without an error', () => {
    // Provisioning files write Grafana's timeout as a number of seconds: `timeout: 30`.
    const jsonData = { metrics: { url: 'http://prom:9090', timeout: 30 } } as unknown as Options['jsonData'];
    setup(makeOptions(jsonData));
    expect(screen.getByLabelText(/^Timeout/)).toHaveValue('30');
    expect(screen.queryByText(/A duration like/)).not.toBeInTheDocument();
  });

  it.each([
    ['30s', false],
    ['1m30s', false],
    ['45', false],
    ['2.5', false],
    ['0s', true],
    ['0', true],
    ['soon', true],
    ['30 s', true],
  ])('typed %s: flagged %s', (typed, flagged) => {
    const { last } = setup(makeOptions({ metrics: { url: 'http://prom:9090' } }));
    fireEvent.change(screen.getByLabelText(/^Timeout/), { target: { value: typed } });
    expect(last().jsonData.metrics?.timeout).toBe(typed);
    expect(Boolean(screen.queryByText(/A duration like/))).toBe(flagged);
  });
});

describe('StoreSection custom headers', () => {
  it('keeps a configured header value when the header is renamed', () => {
    const o = makeOptions({ metrics: { url: 'http://prom:9090', headerNames: ['x-scope-orgid'] } });
    const { last } = setup({ ...o, secureJsonFields: { metricsHeaderValue0: true } });
    const name = screen.getByDisplayValue('x-scope-orgid');
    fireEvent.change(name, { target: { value: 'X-Scope-OrgID' } });
    fireEvent.blur(name);
    expect(last().jsonData.metrics?.headerNames).toEqual(['X-Scope-OrgID']);
    expect(last().secureJsonFields.metricsHeaderValue0).toBe(true);
    expect(last().secureJsonData?.metricsHeaderValue0).toBeUndefined();
  });
});

describe('StoreSection custom header names the backend refuses', () => {
  // pkg/settings refuses the store with a header name that is not an HTTP field name, or
  // with one name given twice (HTTP names are case-insensitive: one would replace the other).
  it.each([
    ['a name with a space', ['X Scope OrgID'], /"X Scope OrgID" is not an HTTP header name/],
    ['a name with a colon', ['X-Org:'], /"X-Org:" is not an HTTP header name/],
    ['one name twice in two cases', ['X-Scope-OrgID', 'x-scope-orgid'], /X-Scope-OrgID is given twice/],
  ])('flags %s', (_name, headerNames, want) => {
    setup(makeOptions({ metrics: { url: 'http://prom:9090', headerNames } }));
    expect(screen.getByText(want)).toBeInTheDocument();
  });

  // pkg/settings also refuses a header the backend sets on its calls itself: with it the
  // answers could not be read (Accept-Encoding, Accept), the bodies would be mislabelled
  // (Content-Type, Content-Encoding), net/http would drop it (Content-Length, …), Loki would
  // merge structured metadata into labels, or it would replace the store's authentication.
  it.each([
    ['Accept-Encoding', 'metrics', {}, ['Accept-Encoding'], /Accept-Encoding is set by the backend itself/],
    ['accept in lower case', 'traces', {}, ['accept'], /accept is set by the backend itself/],
    ['Content-Type', 'metrics', {}, ['Content-Type'], /Content-Type is set by the backend itself/],
    ['Content-Encoding', 'metrics', {}, ['Content-Encoding'], /Content-Encoding is set by the backend itself/],
    ['Content-Length', 'logs', {}, ['Content-Length'], /Content-Length is HTTP's own framing/],
    ['Transfer-Encoding', 'logs', {}, ['transfer-encoding'], /transfer-encoding is HTTP's own framing/],
    ['Trailer', 'logs', {}, ['Trailer'], /Trailer is HTTP's own framing/],
    ["Loki's encoding flags on the logs store", 'logs', {}, ['X-Loki-Response-Encoding-Flags'], /X-Loki-Response-Encoding-Flags is set by the backend itself/],
    ['Authorization with basic auth', 'metrics', { auth: 'basic' }, ['Authorization'], /Authorization is also set by metrics.auth \(basic\)/],
    ['Authorization with a bearer token', 'traces', { auth: 'bearer' }, ['authorization'], /authorization is also set by traces.auth \(bearer\)/],
  ] as const)('flags %s', (_name, store, cfg, headerNames, want) => {
    setup(makeOptions({ [store]: { url: 'http://store:1234', ...cfg, headerNames: [...headerNames] } }), store);
    expect(screen.getByTestId(`lens-${store}-headers-error`)).toHaveTextContent(want);
  });

  it.each([
    ["Loki's encoding flags on another store", 'metrics', {}, ['X-Loki-Response-Encoding-Flags']],
    ['Authorization without authentication', 'logs', {}, ['Authorization']],
    ['headers the backend leaves alone', 'metrics', {}, ['X-Scope-OrgID', 'User-Agent', 'Connection', 'Host']],
  ] as const)('takes %s', (_name, store, cfg, headerNames) => {
    setup(makeOptions({ [store]: { url: 'http://store:1234', ...cfg, headerNames: [...headerNames] } }), store);
    expect(screen.queryByTestId(`lens-${store}-headers-error`)).not.toBeInTheDocument();
  });

  it('takes HTTP header names, and skips the holes of removed headers', () => {
    setup(makeOptions({ metrics: { url: 'http://prom:9090', headerNames: ['X-Scope-OrgID', '', "X-Api_Key.v2!#$%&'*+^`|~"] } }));
    expect(screen.queryByText(/HTTP header name|given twice/)).not.toBeInTheDocument();
  });
});

describe('StoreSection with provisioned values of another type', () => {
  it('shows one header name given as a string, and saves it as a list', () => {
    const jsonData = { metrics: { url: 'http://prom:9090', headerNames: 'X-Scope-OrgID' } } as unknown as Options['jsonData'];
    const { last } = setup({ ...makeOptions(jsonData), secureJsonFields: { metricsHeaderValue0: true } });
    const name = screen.getByDisplayValue('X-Scope-OrgID');
    fireEvent.blur(name);
    expect(last().jsonData.metrics?.headerNames).toEqual(['X-Scope-OrgID']);
    expect(last().secureJsonFields.metricsHeaderValue0).toBe(true);
  });

  it('starts afresh a store section that is not an object', () => {
    const jsonData = { metrics: 'http://prom:9090' } as unknown as Options['jsonData'];
    const { last } = setup(makeOptions(jsonData));
    fireEvent.change(screen.getByLabelText(/^URL/), { target: { value: 'http://prom:9090' } });
    expect(last().jsonData.metrics).toEqual({ url: 'http://prom:9090' });
  });
});

describe('StoreSection TLS client authentication', () => {
  it('turns on tlsAuth and stores the client certificate and key as secrets of the store', () => {
    const { last } = setup(makeOptions({ metrics: { url: 'https://prom:9090' } }));
    expect(screen.queryByLabelText('Client certificate')).not.toBeInTheDocument();
    fireEvent.click(screen.getByLabelText('TLS client authentication'));
    expect(last().jsonData.metrics?.tlsAuth).toBe(true);
    fireEvent.change(screen.getByLabelText('Client certificate'), { target: { value: '-----BEGIN CERTIFICATE-----\nA' } });
    fireEvent.change(screen.getByLabelText('Client key'), { target: { value: '-----BEGIN PRIVATE KEY-----\nB' } });
    expect(last().secureJsonData).toMatchObject({
      metricsTlsClientCert: '-----BEGIN CERTIFICATE-----\nA',
      metricsTlsClientKey: '-----BEGIN PRIVATE KEY-----\nB',
    });
    // Secrets never go in jsonData.
    expect(JSON.stringify(last().jsonData)).not.toContain('BEGIN');
  });

  it('shows a saved key as configured and resets it', () => {
    const o = makeOptions({ metrics: { url: 'https://prom:9090', tlsAuth: true } });
    o.secureJsonFields = { metricsTlsClientCert: true, metricsTlsClientKey: true };
    const { last } = setup(o);
    const resets = screen.getAllByRole('button', { name: /reset/i });
    expect(resets).toHaveLength(2);
    fireEvent.click(resets[1]);
    expect(last().secureJsonFields.metricsTlsClientKey).toBe(false);
    expect(last().secureJsonData?.metricsTlsClientKey).toBe('');
  });
});

describe('urlError', () => {
  // A browser reads these as http://prom:9090 (WHATWG URL parsing); the backend (Go's
  // net/url) finds no host in them, or cannot parse them, and refuses the store.
  it.each(['http:/prom:9090', 'http:prom:9090', 'http:\\\\prom:9090', 'http://prom\\api', 'http:///prom'])('flags %s, which the backend refuses', (url) => {
    expect(urlError(url)).toBeDefined();
  });

  it.each(['http://prom:9090', ' https://prom.example/prometheus/ ', 'HTTP://prom:9090?tenant=a', 'http://[::1]:9090', 'http://prom:9090/a\\b'])(
    'takes %s',
    (url) => {
      expect(urlError(url)).toBeUndefined();
    }
  );
});
