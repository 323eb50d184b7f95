import React, { Suspense, lazy } from 'react';
import { AppPlugin, type AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';

const LazyOverview = lazy(() => import('./app/Overview'));

const Root = (props: AppRootProps) => (
  <Suspense fallback={<LoadingPlaceholder text="Loading Latency Lens" />}>
    <LazyOverview {...props} />
  </Suspense>
);

export const plugin = new AppPlugin<{}>().setRootPage(Root);
