import React from 'react';
import { Field, Input } from '@grafana/ui';

import { setStore, timeoutError, type Options } from './settingsUpdates';

interface Props {
  options: Options;
  onOptionsChange: (o: Options) => void;
}

/** The metrics store's scrape interval: the shortest rate window is four of them. */
export function ScrapeInterval({ options, onOptionsChange }: Props) {
  const value = options.jsonData.metrics?.scrapeInterval;
  const error = timeoutError(value);
  return (
    <Field
      label="Scrape interval"
      htmlFor="lens-metrics-scrape-interval"
      description="How often the store scrapes its targets; $__rate_interval and latency rate windows span at least four scrapes"
      invalid={Boolean(error)}
      error={error}
    >
      <Input
        id="lens-metrics-scrape-interval"
        value={value === undefined || value === null ? '' : String(value)}
        placeholder="15s"
        width={12}
        onChange={(e) => onOptionsChange(setStore(options, 'metrics', { scrapeInterval: e.currentTarget.value || undefined }))}
      />
    </Field>
  );
}
