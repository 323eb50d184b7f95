import { toTestResult } from './health';

describe('toTestResult', () => {
  it('shows each store on its own line and summarises them', () => {
    const r = toTestResult({
      status: 'ERROR',
      message: '1 of 2 configured stores failed',
      details: {
        stores: [
          { store: 'metrics', status: 'ok', message: 'Prometheus 2.42.0', latencyMs: 3.4 },
          { store: 'logs', status: 'unconfigured', message: '' },
          { store: 'traces', status: 'error', kind: 'tempo', httpStatus: 502, message: 'bad gateway' },
        ],
      },
    });
    expect(r.status).toBe('error');
    expect(r.message).toBe('Metrics OK · Logs not configured · Traces failed');
    expect(r.details?.message?.split('\n')).toEqual([
      'Metrics: OK in 3 ms — Prometheus 2.42.0',
      'Logs: not configured',
      'Traces (tempo): failed (HTTP 502) — bad gateway',
    ]);
  });

  it.each([
    [{ status: 'OK', message: 'fine' }, 'success', 'fine'],
    [{ status: 'UNKNOWN', message: 'no stores configured' }, 'warning', 'no stores configured'],
    [undefined, 'warning', 'The data source did not answer the health check'],
  ])('without details: %p', (answer, status, message) => {
    expect(toTestResult(answer)).toEqual({ status, message });
  });
});
