import {
  applyHeaders,
  headersOf,
  parsePercentiles,
  resetSecret,
  setSecret,
  setStore,
  type Options,
} from './settingsUpdates';

const makeOptions = (over: Partial<Options> = {}): Options =>
  ({
    id: 1,
    uid: 'u',
    orgId: 1,
    name: 'Lens',
    type: 'latencylens-lens-datasource',
    typeName: '',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    withCredentials: false,
    readOnly: false,
    jsonData: {},
    secureJsonFields: {},
    ...over,
  }) as Options;

describe('settings updates', () => {
  it('setStore merges into one store and copies', () => {
    const o = makeOptions({ jsonData: { metrics: { url: 'http://a', timeout: '5s' } } });
    const out = setStore(o, 'metrics', { url: 'http://b' });
    expect(out.jsonData.metrics).toEqual({ url: 'http://b', timeout: '5s' });
    expect(o.jsonData.metrics?.url).toBe('http://a');
  });

  it('secrets go to secureJsonData and reset the Grafana way', () => {
    const o = setSecret(makeOptions({ secureJsonFields: { metricsBearerToken: true } }), 'metricsBearerToken', 'tok');
    expect(o.secureJsonData).toEqual({ metricsBearerToken: 'tok' });
    expect(o.jsonData).toEqual({});
    const r = resetSecret(o, 'metricsBearerToken');
    expect(r.secureJsonFields.metricsBearerToken).toBe(false);
    expect(r.secureJsonData?.metricsBearerToken).toBe('');
  });
});

describe('applyHeaders keeps each secret with its header', () => {
  const configured = makeOptions({
    jsonData: { logs: { headerNames: ['X-A', 'X-B', 'X-C'] } },
    secureJsonFields: { logsHeaderValue0: true, logsHeaderValue1: true, logsHeaderValue2: true },
  });

  it('lists configured headers', () => {
    expect(headersOf(configured, 'logs')).toEqual([
      { name: 'X-A', configured: true },
      { name: 'X-B', configured: true },
      { name: 'X-C', configured: true },
    ]);
  });

  it('removing a middle header leaves a hole and resets only its secret', () => {
    const out = applyHeaders(configured, 'logs', [
      { name: 'X-A', value: '', configured: true },
      { name: 'X-C', value: '', configured: true },
    ]);
    expect(out.jsonData.logs?.headerNames).toEqual(['X-A', '', 'X-C']);
    expect(out.secureJsonFields).toEqual({ logsHeaderValue0: true, logsHeaderValue1: false, logsHeaderValue2: true });
    expect(out.secureJsonData).toEqual({ logsHeaderValue1: '' });
  });

  it('a new header fills the first hole; trailing holes are dropped', () => {
    const holed = makeOptions({
      jsonData: { logs: { headerNames: ['X-A', '', 'X-C'] } },
      secureJsonFields: { logsHeaderValue0: true, logsHeaderValue2: true },
    });
    const out = applyHeaders(holed, 'logs', [
      { name: 'X-A', value: '', configured: true },
      { name: 'X-New', value: 'secret', configured: false },
    ]);
    expect(out.jsonData.logs?.headerNames).toEqual(['X-A', 'X-New']);
    expect(out.secureJsonData).toEqual({ logsHeaderValue1: 'secret', logsHeaderValue2: '' });
    expect(out.secureJsonFields.logsHeaderValue2).toBe(false);
  });

  it('a reset header with a new value keeps its slot', () => {
    const out = applyHeaders(configured, 'logs', [
      { name: 'X-A', value: '', configured: true },
      { name: 'X-B', value: 'new', configured: false },
      { name: 'X-C', value: '', configured: true },
    ]);
    expect(out.jsonData.logs?.headerNames).toEqual(['X-A', 'X-B', 'X-C']);
    expect(out.secureJsonData).toEqual({ logsHeaderValue1: 'new' });
  });

  it('a renamed configured header keeps its secret', () => {
    // The Auth component keeps `configured` on a row whose name is edited: the secret is
    // still the one set for that row, as Grafana keeps it for its own custom headers.
    const out = applyHeaders(configured, 'logs', [
      { name: 'X-A', value: '', configured: true },
      { name: 'X-Scope-OrgID', value: '', configured: true },
      { name: 'X-C', value: '', configured: true },
    ]);
    expect(out.jsonData.logs?.headerNames).toEqual(['X-A', 'X-Scope-OrgID', 'X-C']);
    expect(out.secureJsonFields).toEqual(configured.secureJsonFields);
    expect(out.secureJsonData).toBeUndefined();
    expect(headersOf(out, 'logs')[1]).toEqual({ name: 'X-Scope-OrgID', configured: true });
  });

  it('a renamed header keeps its own secret beside a header given a new value', () => {
    const out = applyHeaders(configured, 'logs', [
      { name: 'X-A', value: 'fresh', configured: false },
      { name: 'X-Z', value: '', configured: true },
      { name: 'X-C', value: '', configured: true },
      { name: 'X-New', value: 'n', configured: false },
    ]);
    expect(out.jsonData.logs?.headerNames).toEqual(['X-A', 'X-Z', 'X-C', 'X-New']);
    expect(out.secureJsonFields).toEqual({ logsHeaderValue0: false, logsHeaderValue1: true, logsHeaderValue2: true });
    expect(out.secureJsonData).toEqual({ logsHeaderValue0: 'fresh', logsHeaderValue3: 'n' });
  });

  it('ignores unnamed rows', () => {
    const out = applyHeaders(makeOptions(), 'traces', [{ name: '  ', value: 'x', configured: false }]);
    expect(out.jsonData.traces?.headerNames).toEqual([]);
    expect(out.secureJsonData).toBeUndefined();
  });
});

describe('parsePercentiles', () => {
  it.each([
    ['0.5, 0.9,0.99', [0.5, 0.9, 0.99]],
    ['p99 p50 95', [0.5, 0.95, 0.99]],
    ['99.9', [0.999]],
    ['', []],
  ])('%p', (text, want) => {
    expect(parsePercentiles(text)).toEqual({ ok: true, values: want });
  });

  it.each(['abc', '100', '0', '-1', '1e3'])('refuses %p', (text) => {
    expect(parsePercentiles(text).ok).toBe(false);
  });
});
