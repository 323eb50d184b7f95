/**
 * Harness entry: `/?mount=<name>&theme=light|dark&…`. Wraps the mounted element in Grafana's
 * ThemeContext with createTheme(), exactly what panels get inside Grafana.
 */
import React from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme } from '@grafana/data';
import { ThemeContext } from '@grafana/ui';
// Grafana ships uPlot's stylesheet globally; outside Grafana the page loads it.
import 'uplot/dist/uPlot.min.css';

import { installConsoleTrap } from './consoleTrap';
import { loadLiveFrames } from './liveFrames';
import { mounts } from './registry';

const params = new URLSearchParams(window.location.search);
const mountName = params.get('mount') ?? '';
const themeMode = params.get('theme') === 'dark' ? 'dark' : 'light';
window.__harness = { ready: false, mountName, themeMode, errors: [] };
installConsoleTrap(window.__harness.errors);

async function start() {
  const root = createRoot(document.getElementById('root')!);
  const load = mounts[mountName];
  if (!load) {
    root.render(<p>Unknown mount “{mountName}”. Registered: {Object.keys(mounts).join(', ')}</p>);
    return;
  }
  const theme = createTheme({ colors: { mode: themeMode } });
  document.body.style.background = theme.colors.background.canvas;
  document.body.style.color = theme.colors.text.primary;
  document.body.style.fontFamily = theme.typography.fontFamily;
  const mod = await load();
  const element = await mod.mount({ params, theme, loadLiveFrames: () => loadLiveFrames(params) });
  root.render(<ThemeContext.Provider value={theme}>{element}</ThemeContext.Provider>);
  requestAnimationFrame(() => {
    window.__harness.ready = true;
    document.body.dataset.harnessReady = '1';
  });
}

start().catch((e) => {
  console.error(e);
});
