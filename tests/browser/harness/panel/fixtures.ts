/**
 * Fixture frames for the panel, built by the same seeded factories the unit tests use.
 * `?fixture=<name>`; numeric knobs via `fixtureArgs` from window.__harness.panel.render().
 */
import { type DataFrame } from '@grafana/data';

type Builder = (args: Record<string, number>) => DataFrame[];

const builders: Record<string, Builder> = {
  empty: () => [],
};

export const fixtureNames = Object.keys(builders);

export function buildFixture(name: string, args: Record<string, number>): DataFrame[] {
  const b = builders[name];
  if (!b) {
    throw new Error(`unknown fixture ${name}; known: ${fixtureNames.join(', ')}`);
  }
  return b(args);
}
