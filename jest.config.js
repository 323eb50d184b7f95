// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  transform: {
    ...base.transform,
    // @grafana/data 13.1 pulls in d3-color's .mjs build; transform it like the TS sources.
    '^.+\\.mjs$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } }],
  },
  // Browser specs (Playwright) live under tests/browser and are not jest tests.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/'],
};
