/**
 * Stage 3: CheckHealth's answer (pkg/plugin/health.go; shape in shared/resources.ts) as the
 * result Grafana's "Save & test" shows. Guarantees: one line per store (and per invalid
 * settings section) in `details.message`, in the order the backend gives (metrics, logs,
 * traces, latency settings); the title summarises all of them;
 * never throws.
 */
import type { TestDataSourceResponse } from '@grafana/data';

import { isHealthDetails, type StoreHealth } from '../shared/resources';

export interface HealthCheckAnswer {
  status?: string;
  message?: string;
  details?: unknown;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function storeLine(s: StoreHealth): string {
  const title = capitalise(s.store);
  switch (s.status) {
    case 'ok':
      return `${title}: OK`;
    case 'not configured':
      return `${title}: not configured`;
    default:
      return `${title}: failed${s.detail ? ` — ${s.detail}` : ''}`;
  }
}

const short = (s: StoreHealth) =>
  `${capitalise(s.store.split(' ')[0])} ${s.status === 'ok' ? 'OK' : s.status === 'not configured' ? 'not configured' : 'failed'}`;

export function toTestResult(answer: HealthCheckAnswer | undefined): TestDataSourceResponse {
  const status = answer?.status === 'OK' ? 'success' : answer?.status === 'ERROR' ? 'error' : 'warning';
  if (!isHealthDetails(answer?.details) || answer.details.stores.length === 0) {
    return { status, message: answer?.message || 'The data source did not answer the health check' };
  }
  const stores = answer.details.stores;
  return {
    status,
    message: stores.map(short).join(' · '),
    details: { message: stores.map(storeLine).join('\n'), verboseMessage: answer.message },
  };
}
