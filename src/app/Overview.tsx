import React from 'react';
import { css } from '@emotion/css';
import { type AppRootProps, type GrafanaTheme2 } from '@grafana/data';
import { LinkButton, Stack, Text, useStyles2 } from '@grafana/ui';

import pluginJson from '../plugin.json';

/** The app's landing page: what the plugin bundles and where to start. */
export default function Overview({ meta }: AppRootProps) {
  const styles = useStyles2(getStyles);
  const dashboards = pluginJson.includes.filter((i) => i.type === 'dashboard');
  return (
    <div className={styles.page}>
      <Stack direction="column" gap={2}>
        <Text element="h1">Latency Lens</Text>
        <Text element="p">
          Why is it slow, and for whom. Query percentiles, CDFs, throughput and error rate from your Prometheus
          histograms, Tempo or Jaeger spans and Loki logs, and open any slow request as a trace waterfall with each
          span&apos;s log lines and the exemplars that point at it.
        </Text>
        <Text element="h3">Start here</Text>
        <Stack direction="row" gap={1} wrap="wrap">
          <LinkButton icon="database" variant="primary" href="connections/datasources/new">
            Add the Latency Lens data source
          </LinkButton>
          <LinkButton icon="apps" variant="secondary" href={`plugins/${meta.id}?page=dashboards`}>
            Bundled dashboards ({dashboards.length})
          </LinkButton>
        </Stack>
        <ul className={styles.list}>
          {dashboards.map((d) => (
            <li key={d.path}>{d.name}</li>
          ))}
        </ul>
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ padding: theme.spacing(3), maxWidth: 960 }),
  list: css({ marginLeft: theme.spacing(3) }),
});
