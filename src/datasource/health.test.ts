import { toTestResult } from './health';

describe('toTestResult', () => {
  it('shows each store on its own line and summarises them', () => {
    const message =
      'metrics (prometheus): ok\nlogs (loki): not configured\ntraces (tempo): error (tempo: HTTP 502: bad gateway)';
    const r = toTestResult({
      status: 'ERROR',
      message,
      details: {
        stores: [
          { store: 'metrics (prometheus)', status: 'ok' },
          { store: 'logs (loki)', status: 'not configured' },
          { store: 'traces (tempo)', status: 'error', detail: 'tempo: HTTP 502: bad gateway' },
        ],
      },
    });
    expect(r.status).toBe('error');
    expect(r.message).toBe('Metrics OK · Logs not configured · Traces failed');
    expect(r.details?.message?.split('\n')).toEqual([
      'Metrics (prometheus): OK',
      'Logs (loki): not configured',
      'Traces (tempo): failed — tempo: HTTP 502: bad gateway',
    ]);
    expect(r.details?.verboseMessage).toBe(message);
  });

  it('shows a store with invalid settings and an invalid latency section next to working stores', () => {
    const r = toTestResult({
      status: 'ERROR',
      details: {
        stores: [
          { store: 'metrics (prometheus)', status: 'ok' },
          { store: 'logs (loki)', status: 'error', detail: 'logs: extraction.traceIdRegex: missing closing )' },
          { store: 'latency settings', status: 'error', detail: 'latency.serviceRate must not be negative' },
        ],
      },
    });
    expect(r.status).toBe('error');
    expect(r.message).toBe('Metrics OK · Logs failed · Latency failed');
    expect(r.details?.message?.split('\n')).toEqual([
      'Metrics (prometheus): OK',
      'Logs (loki): failed — logs: extraction.traceIdRegex: missing closing )',
      'Latency settings: failed — latency.serviceRate must not be negative',
    ]);
  });

  it.each([
    [{ status: 'OK', message: 'fine' }, 'success', 'fine'],
    [
      { status: 'ERROR', message: 'settings: metrics.url must be an http(s) URL' },
      'error',
      'settings: metrics.url must be an http(s) URL',
    ],
    [{ status: 'UNKNOWN', message: 'no stores configured' }, 'warning', 'no stores configured'],
    [undefined, 'warning', 'The data source did not answer the health check'],
  ])('without details: %p', (answer, status, message) => {
    expect(toTestResult(answer)).toEqual({ status, message });
  });
});
