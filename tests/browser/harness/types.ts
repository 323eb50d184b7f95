import type { ReactElement } from 'react';
import type { DataFrame, GrafanaTheme2 } from '@grafana/data';

export interface MountContext {
  /** The page's query string (`mount`, `theme` and anything the mount module reads). */
  params: URLSearchParams;
  theme: GrafanaTheme2;
  /**
   * Frames from a live backend when the URL asks for them (`?frames=<url>` or `?dsQuery=<json>`),
   * decoded from Grafana's wire format; undefined when the URL asks for none.
   */
  loadLiveFrames(): Promise<DataFrame[] | undefined>;
}

export interface MountModule {
  mount(ctx: MountContext): ReactElement | Promise<ReactElement>;
}

/** What the page exposes to Playwright specs and benchmarks. */
export interface HarnessWindow {
  ready: boolean;
  mountName: string;
  themeMode: 'light' | 'dark';
  errors: string[];
  /** Mount modules may add their own handles here (e.g. `panel`). */
  [key: string]: unknown;
}

declare global {
  interface Window {
    __harness: HarnessWindow;
  }
}
