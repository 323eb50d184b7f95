/**
 * Stage 3: CheckHealth's answer (pkg/plugin; shape in shared/resources.ts) as the result
 * Grafana's "Save & test" shows. Guarantees: one line per store in `details.message`, in
 * the order metrics, logs, traces; the title summarises all stores; never throws.
 */
import type { TestDataSourceResponse } from '@grafana/data';

import { isHealthDetails, type StoreHealth } from '../shared/resources';

export interface HealthCheckAnswer {
  status?: string;
  message?: string;
  details?: unknown;
}

const STORE_TITLE: Record<StoreHealth['store'], string> = { metrics: 'Metrics', logs: 'Logs', traces: 'Traces' };

export function storeLine(s: StoreHealth): string {
  const title = `${STORE_TITLE[s.store] ?? s.store}${s.kind ? ` (${s.kind})` : ''}`;
  switch (s.status) {
    case 'ok':
      return `${title}: OK${s.latencyMs !== undefined ? ` in ${Math.round(s.latencyMs)} ms` : ''} — ${s.message}`;
    case 'unconfigured':
      return `${title}: not configured`;
    default:
      return `${title}: failed${s.httpStatus ? ` (HTTP ${s.httpStatus})` : ''} — ${s.message}`;
  }
}

export function toTestResult(answer: HealthCheckAnswer | undefined): TestDataSourceResponse {
  const status = answer?.status === 'OK' ? 'success' : answer?.status === 'ERROR' ? 'error' : 'warning';
  if (!isHealthDetails(answer?.details)) {
    return { status, message: answer?.message || 'The data source did not answer the health check' };
  }
  const stores = answer.details.stores;
  const summary = stores
    .map((s) => `${STORE_TITLE[s.store] ?? s.store} ${s.status === 'ok' ? 'OK' : s.status === 'unconfigured' ? 'not configured' : 'failed'}`)
    .join(' · ');
  return {
    status,
    message: summary || answer.message || '',
    details: { message: stores.map(storeLine).join('\n'), verboseMessage: answer.message },
  };
}
