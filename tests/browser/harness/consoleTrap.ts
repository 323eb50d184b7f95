/**
 * Records console errors and uncaught errors on the page in `window.__harness.errors`, so a
 * spec (see test.ts) and a human looking at the page both see them. Playwright's own
 * `console`/`pageerror` events are the primary check; this is the in-page copy.
 */
export function installConsoleTrap(errors: string[]): void {
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    errors.push(args.map((a) => (a instanceof Error ? a.stack ?? a.message : String(a))).join(' '));
    original(...args);
  };
  window.addEventListener('error', (e) => errors.push(`uncaught: ${e.message}`));
  window.addEventListener('unhandledrejection', (e) => errors.push(`unhandled rejection: ${String(e.reason)}`));
}
